/**
 * `check --export`: files written with stable names, the summary, usage
 * errors (unknown format, unwritable directory, existing file without
 * --force), and the report unchanged by the option.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import type { Registry } from '../src/check/registry.js';
import { always, sometimes, type Action, type Model } from '../src/engine/index.js';
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

const run = async (...args: string[]) => runWith(undefined, ...args);

async function runWith(registry: Registry | undefined, ...args: string[]) {
  const io = capture();
  const code = await main(args, io, registry);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** n counts up to 3: Small (always) is violated, Never (sometimes) is never reached, Three (sometimes) is reached. */
const counting = (): Model<number, Action> => ({
  name: 'counting',
  initialStates: () => [0],
  actions: (n) => (n < 3 ? [{ actor: 'a', step: 'inc' }] : []),
  next: (n) => n + 1,
  key: (n) => String(n),
  properties: [
    always<number>('Small', 'n stays below 2', (n) => n < 2),
    sometimes<number>('Never', 'n reaches 9', (n) => n === 9),
    sometimes<number>('Three', 'n reaches 3', (n) => n === 3),
  ],
});
const countingRegistry: Registry = {
  models: [],
  runs: [{ id: 'counting', tags: { group: 't' }, build: counting, expect: { violated: ['Small', 'Never'] } }],
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

  it('a usage error found after the export flags leaves no directory behind', async () => {
    const out = join(fresh(), 'a', 'b');
    const r = await run('--scenario', 'no-such-scenario', '--export', 'itf', '--out', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(out, '..'))).toBe(false);
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

  it('a planned file whose name is a directory is a usage error, even with --force, and nothing is written', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'peterson-buggy.MutualExclusion.mmd'));
    const r = await run('--filter', 'id=peterson-buggy', '--jobs', '1', '--export', 'itf,mermaid', '--out', dir, '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --out ${dir}: peterson-buggy.MutualExclusion.mmd is a directory; it cannot be overwritten by a file\n`);
    expect(readdirSync(dir)).toEqual(['peterson-buggy.MutualExclusion.mmd']);
  });

  it('writes nothing for a sometimes property never reached, and says so; a reached witness is not a counterexample', async () => {
    const dir = fresh();
    const r = await runWith(countingRegistry, '--no-timing', '--export', 'swimlane,itf', '--out', dir);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['counting.Small.itf.json', 'counting.Small.swimlane.txt']);
    expect(r.stdout).toContain(
      `exported 2 files to ${dir}:\n  counting.Small.swimlane.txt\n  counting.Small.itf.json\n` +
        'not written (1):\n  counting.Never.*: Never (sometimes) was never reached, so there is no trace to export\n',
    );
  });

  it("check's report prints the same fewest-switches trace as the swimlane export, with the count, for a dialog cell", async () => {
    const r = await run('--scenario', 'bye-vs-timeout-B', '--env', 'fast-lock/sc', '--variant', 'orig', '--no-timing', '--jobs', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  shortest trace, 16 steps, 2 actor switches (the fewest among 420 distinct shortest traces):\n');
    // What the actors of the printed trace stand for, in their order in it (spec/dialog/actors.ts, ACTOR_ROLES); B1 and B2 do not act in it.
    expect(r.stdout).toContain(
      'NoByeAfterDelete violated (always: the module never sends a BYE for a dialog that another actor had already moved to DELETED (protocol anomaly))\n' +
        '  actors: T = the timer process (dlg_timer_routine, dlg_ontimeout); W = an in-dialog BYE in a SIP worker (dlg_onroute)\n',
    );
    expect(r.stdout).toContain('  shortest trace, 28 steps, 2 actor switches (the fewest among 8992710 distinct shortest traces):\n');
    // The report's trace (actor and step per row) is the swimlane golden's, step for step.
    const report = r.stdout.split('dialog/bye-vs-timeout-B/fast-lock/sc/orig: NoByeAfterDelete violated')[1].split('\n\n')[0];
    // (A merged step shows as 'T0.TL++T0+T0.TL-' in the report, 'T0.TL+…T0.TL-' in the diagram: compare the first part.)
    const reportSteps = [...report.matchAll(/^ +\d+ +(\w+) +(\S+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    const mmd = readFileSync(new URL('./golden/export/dialog_bye-vs-timeout-B_fast-lock_sc_orig.NoByeAfterDelete.mmd', import.meta.url), 'utf8');
    const diagramSteps = [...mmd.matchAll(/^ {2}(\S+)->>\1: \d+\. (\S+)/gm)].map((m) => `${m[1]}:${m[2].split('…')[0]}`);
    expect(reportSteps).toHaveLength(16);
    expect(diagramSteps).toHaveLength(16);
    reportSteps.forEach((step, i) => expect(step.startsWith(diagramSteps[i])).toBe(true));
  }, 120_000);

  it('check --swimlanes prints each trace as the swimlanes --export swimlane writes (through the worker processes too)', async () => {
    const r = await run('--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--env', 'fast-lock/relaxed', '--variant', 'orig', '--no-timing', '--jobs', '2', '--swimlanes');
    expect(r.code).toBe(0);
    for (const p of ['NoUseAfterFree', 'NoDoubleFree', 'RefMatchesHolders']) {
      const file = new URL(`./golden/export/dialog_ok-short-lifetime_fast-lock_sc_orig.${p}.swimlane.txt`, import.meta.url);
      // The file: heading, the actors' roles, a blank line, the table...; the report prints the roles line, then the table.
      const [, roles, blank, ...rest] = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect([roles.startsWith('actors: O = the 2xx to the initial INVITE'), blank]).toEqual([true, '']);
      const body = [roles, ...rest].map((l) => (l === '' ? '' : `  ${l}`)).join('\n');
      expect(r.stdout).toContain(`dialog/ok-short-lifetime/fast-lock/sc/orig: ${p} violated (`);
      expect(r.stdout).toContain(`\n${body}\n`);
    }
  }, 180_000);

  it('--swimlanes with --json is a usage error', async () => {
    const r = await run('--filter', 'id=peterson-buggy', '--json', '--swimlanes');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --swimlanes changes the text report; it cannot be combined with --json\n');
  });
});
