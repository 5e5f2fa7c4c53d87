/**
 * What the README shows is real output, kept fresh: the swimlane trace is
 * the golden file the export tests compare with (so it is what the code
 * prints now), and each counterexample-graph picture in docs/ is what
 * `check --export svg` writes now (Graphviz in WebAssembly, @viz-js/viz, is
 * deterministic for a given version).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const quiet: Io = { stdout: () => {}, stderr: { write: () => true, isTTY: false } as unknown as Io['stderr'] };

describe('README', () => {
  it('shows the dialog swimlane trace exactly as the code prints it (test/golden/dialog-ok-short-lifetime.swimlane.txt)', () => {
    const golden = readFileSync(join(root, 'test/golden/dialog-ok-short-lifetime.swimlane.txt'), 'utf8');
    expect(readme).toContain('```\n' + golden + '```\n');
  });

  const pictures = [
    { file: 'docs/counterexample-graph-peterson-buggy.svg', args: ['--filter', 'id=peterson-buggy'], written: 'peterson-buggy.MutualExclusion.cex.svg' },
    {
      file: 'docs/counterexample-graph-bye-vs-timeout-B.svg',
      args: ['--scenario', 'bye-vs-timeout-B', '--env', 'fast-lock/sc', '--variant', 'orig'],
      written: 'dialog_bye-vs-timeout-B_fast-lock_sc_orig.NoByeAfterDelete.cex.svg',
    },
  ];

  it.each(pictures)('shows $file, which is what check --export svg writes now', async ({ file, args, written }) => {
    expect(readme).toContain(`](${file})`);
    const dir = mkdtempSync(join(tmpdir(), 'readme-'));
    expect(await main([...args, '--jobs', '1', '--no-timing', '--export', 'svg', '--out', dir], quiet)).toBe(0);
    expect(readFileSync(join(dir, written), 'utf8')).toBe(readFileSync(join(root, file), 'utf8'));
  }, 120_000);
});
