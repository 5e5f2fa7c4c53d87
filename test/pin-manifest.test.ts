/**
 * scripts/pin-manifest.ts re-pins check-manifest.json, a long run that
 * rewrites the project's claims: --help and every bad argument stop it before
 * any run, with one line and exit 2 (an unknown flag used to start a full
 * re-pin), and check-manifest.json is left as it was.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANIFEST_PATH } from '../src/check/dialog.js';

const pin = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/pin-manifest.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('scripts/pin-manifest.ts refuses before any run', () => {
  const before = readFileSync(MANIFEST_PATH, 'utf8');

  it('--help prints the usage and exits 0', () => {
    const r = pin('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npx tsx scripts\/pin-manifest\.ts \[--dry-run\] \[--scenario NAME \.\.\.\] \| --propositions \[--proposition P-NN \.\.\.\] \[--dry-run\]\n/);
    expect(r.stderr).toBe('');
  });

  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['--bogus'], /^error: unknown option '--bogus' \(see --help\)\n$/],
    ['an argument', ['rows'], /^error: unexpected argument 'rows'.* \(see --help\)\n$/],
    ['an unknown scenario', ['--scenario', 'nope'], /^error: --scenario nope: no row of the matrix has it; expected one of: bye-vs-timeout-B, /],
    ['--proposition without --propositions', ['--proposition', 'P-01'], /^error: --proposition selects among the proposition searches; give --propositions too\n$/],
    ['an unknown proposition', ['--propositions', '--proposition', 'P-99'], /^error: --proposition P-99: no search has it; expected one of: P-01, /],
    ['--scenario with --propositions', ['--propositions', '--scenario', 'ping-timeout'], /^error: --scenario selects rows of the matrix; it cannot be combined with --propositions\n$/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line, exit 2`, () => {
      const r = pin(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stdout).toBe('');
    });
  }

  it('leaves check-manifest.json as it was', () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(before);
  });
});
