/**
 * `check --export`: files written with stable names, the summary, usage
 * errors (unknown format, unwritable directory, existing file without
 * --force), and the report unchanged by the option.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import { readItf } from '../src/report/itf.js';

function capture(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: { write: (t: string) => ((err += t), true), isTTY: false } as unknown as Io['stderr'],
    out: () => out,
    err: () => err,
  };
}

const run = async (...args: string[]) => {
  const io = capture();
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

const fresh = () => mkdtempSync(join(tmpdir(), 'export-'));

describe('check --export', () => {
  it('writes one file per run and property and format, and the full graph, then a summary', async () => {
    const dir = fresh();
    const plain = await run('--filter', 'id=peterson-buggy', '--no-timing', '--jobs', '1');
    const r = await run('--filter', 'id=peterson-buggy', '--no-timing', '--jobs', '1', '--export', 'swimlane,mermaid,itf,graphml,dot', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(plain.stdout)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([
      'peterson-buggy.MutualExclusion.cex.dot',
      'peterson-buggy.MutualExclusion.cex.graphml',
      'peterson-buggy.MutualExclusion.itf.json',
      'peterson-buggy.MutualExclusion.mmd',
      'peterson-buggy.MutualExclusion.swimlane.txt',
      'peterson-buggy.full.dot',
      'peterson-buggy.full.graphml',
    ]);
    expect(r.stdout.slice(plain.stdout.length)).toBe(
      `exported 7 files to ${dir}:\n` +
        '  peterson-buggy.MutualExclusion.swimlane.txt\n  peterson-buggy.MutualExclusion.mmd\n  peterson-buggy.MutualExclusion.itf.json\n' +
        '  peterson-buggy.MutualExclusion.cex.graphml\n  peterson-buggy.MutualExclusion.cex.dot\n  peterson-buggy.full.graphml\n  peterson-buggy.full.dot\n',
    );
    expect(readItf(readFileSync(join(dir, 'peterson-buggy.MutualExclusion.itf.json'), 'utf8')).states.length).toBe(9);
  });

  it('keeps the JSON on stdout valid and puts the summary on stderr', async () => {
    const dir = fresh();
    const plain = await run('--filter', 'id=peterson-buggy', '--no-timing', '--json', '--jobs', '1');
    const r = await run('--filter', 'id=peterson-buggy', '--no-timing', '--json', '--jobs', '1', '--export', 'itf', '--out', dir);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toBe(`exported 1 file to ${dir}:\n  peterson-buggy.MutualExclusion.itf.json\n`);
  });

  it('names dialog files after the run id', async () => {
    const dir = fresh();
    const r = await run('--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--variant', 'orig', '--no-timing', '--jobs', '1', '--export', 'md', '--out', dir);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toContain('dialog_ok-short-lifetime_fast-lock_sc_orig.NoUseAfterFree.swimlane.md');
  });

  it('an unknown format is a usage error', async () => {
    const r = await run('--filter', 'id=peterson-buggy', '--export', 'swimlane,png', '--out', fresh());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown export format 'png'/);
  });

  it('a directory that cannot be written is a usage error', async () => {
    const dir = fresh();
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const r = await run('--filter', 'id=peterson-buggy', '--export', 'itf', '--out', join(file, 'sub'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a writable directory/);
  });

  it('--export without --out, and --out without --export, are usage errors', async () => {
    expect((await run('--filter', 'id=peterson-buggy', '--export', 'itf')).code).toBe(2);
    expect((await run('--filter', 'id=peterson-buggy', '--out', fresh())).code).toBe(2);
  });

  it('an existing file without --force is a usage error and nothing is written; --force overwrites', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'peterson-buggy.MutualExclusion.mmd'), 'old');
    const r = await run('--filter', 'id=peterson-buggy', '--jobs', '1', '--export', 'itf,mermaid', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exist.*--force/);
    expect(existsSync(join(dir, 'peterson-buggy.MutualExclusion.itf.json'))).toBe(false);
    const f = await run('--filter', 'id=peterson-buggy', '--jobs', '1', '--export', 'itf,mermaid', '--out', dir, '--force');
    expect(f.code).toBe(0);
    expect(readFileSync(join(dir, 'peterson-buggy.MutualExclusion.mmd'), 'utf8')).toMatch(/^sequenceDiagram/);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
  });
});
