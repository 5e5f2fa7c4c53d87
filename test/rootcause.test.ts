/**
 * The root-cause search for issue #3835's crash line: exact outcomes on small
 * scenarios in every environment of the manifest, what the line needs, and
 * the rootcause command's usage errors.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../src/check/dialog.js';
import { bogusAbort, featuresOf, jobMemoryShare, leftOut, leftOutRequests, needs, ownWrite, searchAll, searchable, sweep, sweepLeftOut, sweepRequests, workingLock, type SweepCell } from '../src/check/rootcause.js';
import { leftOutAnswer, renderLeftOut, renderRootCause, workingLockAnswer, WROTE_LEGEND } from '../src/report/rootcause.js';
import { VARIANT_NAMES, VARIANTS } from '../spec/dialog/variants.js';
import { traceLines } from '../src/format/text.js';
import { main } from '../src/cli.js';
import { dialogModel } from '../spec/dialog/model.js';
import { scenarioByName } from '../spec/dialog/scenarios.js';
import type { DialogState } from '../spec/dialog/state.js';

const manifest = loadManifest();
const environments = manifest.environments;

describe("searching for 'bogus ref -2 with cnt 1'", () => {
  const cells = sweep({ scenarios: ['bye-vs-timeout', 'ok-short-lifetime'], environments, variant: 'orig' });
  const at = (s: string, e: string) => cells.find((c) => c.scenario === s && c.env === e)!;

  it('finds it in bye-vs-timeout only with an interrupted acquire of H, after 65 steps', () => {
    expect(cells.map((c) => `${c.scenario} ${c.env} ${c.status} ${c.status === 'found' ? c.trace!.length - 1 : c.states}`)).toEqual([
      'bye-vs-timeout fast-lock/sc none 204',
      'bye-vs-timeout fast-lock/relaxed none 222',
      'bye-vs-timeout posix-sem/sc none 204',
      'bye-vs-timeout posix-sem/sc/eintr1 found 65',
      'bye-vs-timeout fast-lock/sc/pr-assumed none 226',
      'bye-vs-timeout posix-sem/sc/eintr2 found 65',
      'ok-short-lifetime fast-lock/sc none 77',
      'ok-short-lifetime fast-lock/relaxed none 86',
      'ok-short-lifetime posix-sem/sc none 77',
      'ok-short-lifetime posix-sem/sc/eintr1 none 5515',
      'ok-short-lifetime fast-lock/sc/pr-assumed none 77',
      'ok-short-lifetime posix-sem/sc/eintr2 none 5515',
    ]);
    const found = at('bye-vs-timeout', 'posix-sem/sc/eintr1');
    expect(found.printed).toBe("W:W14.log printed '_unref_dlg: bogus ref -2 with cnt 1'");
    // The interrupted acquire is in the trace, and the two decrements that meet below zero.
    const lines = traceLines(found.trace!).slice(1).map((l) => `${l.actor}:${l.step}`);
    expect(lines).toContain('T:T6N.H+[EINTR: returned without the lock]');
    // W's test (dlg_hash.h:326) and its log (330) both load T's -2.
    expect(lines.slice(-4)).toEqual(['T:T7w.unref.ref-R[ref=0]', 'T:T7w.unref.ref-W', 'W:W14.chk[ref=-2]', 'W:W14.log[ref=-2]']);
  });

  it('says what the line needs: the feature every finding environment has and no exhaustive one has', () => {
    expect(needs(cells.filter((c) => c.scenario === 'bye-vs-timeout'), environments)).toEqual(['an interrupted lock acquire (EINTR)']);
    expect(needs(cells.filter((c) => c.scenario === 'ok-short-lifetime'), environments)).toEqual([]);
    expect(featuresOf(environments['posix-sem/sc/eintr1'])).toEqual(['posix-sem lock', 'an interrupted lock acquire (EINTR)']);
    const text = renderRootCause(cells, environments);
    expect(text).toContain('needs an interrupted lock acquire (EINTR)');
    expect(text).toContain("'_unref_dlg: bogus ref -2 with cnt 1' is reached in 2 of 12 searches, all of them in environments with posix-sem lock and an interrupted lock acquire (EINTR).");
  });

  it('reports a bounded search as unknown, not as none', () => {
    const [c] = sweep({ scenarios: ['bye-vs-timeout'], environments: { e: environments['posix-sem/sc/eintr1'] }, variant: 'orig', maxStates: 100 });
    expect(c.status).toBe('unknown');
  });

  it("shares the memory bound among the processes that run: as many as there are searches, at most --jobs", () => {
    expect(jobMemoryShare(2, 167, 1000)).toBe(500);
    expect(jobMemoryShare(8, 2, 1000)).toBe(500);
    expect(jobMemoryShare(3, 3, 1000)).toBe(333);
    expect(jobMemoryShare(2, 0, 1000)).toBe(1000);
  });

  it('gives the same cells in two job processes as in one, in the order asked, a search asked twice run once', async () => {
    const requests = sweepRequests({ scenarios: ['bye-vs-timeout', 'ok-short-lifetime'], environments, variant: 'orig' });
    const ended: string[] = [];
    const twice = await searchAll([...requests, requests[3]], { jobs: 2, onCell: (c) => ended.push(`${c.scenario} ${c.env}`) });
    // timeMs is the only field that depends on the run.
    const plain = (xs: readonly SweepCell[]) => JSON.parse(JSON.stringify(xs.map((c) => ({ ...c, timeMs: 0 }))));
    expect(plain(twice)).toEqual(plain([...cells, cells[3]]));
    expect(ended.sort()).toEqual(cells.map((c) => `${c.scenario} ${c.env}`).sort());
    expect(renderRootCause(twice.slice(0, -1), environments, true)).toBe(renderRootCause(cells, environments, true));
    // An absent field stays absent through the job process (found's `wrote`, an exhaustive search's trace).
    expect(twice.map((c) => 'wrote' in c)).toEqual([...cells, cells[3]].map((c) => 'wrote' in c));
    expect(twice.map((c) => 'trace' in c)).toEqual([...cells, cells[3]].map((c) => 'trace' in c));
  }, 120_000);
});

describe("on a working lock, through memory reuse: 'bogus ref -2 with cnt 1' for the new dialog", () => {
  const working = Object.fromEntries(Object.entries(environments).filter(([, e]) => workingLock(e)));
  const cells = sweep({ scenarios: ['ok-short-lifetime-reuse', 'route-vs-update-neighbour', 'drop-after-sync'], environments: working, variant: 'orig' });
  const at = (s: string, e: string) => cells.find((c) => c.scenario === s && c.env === e)!;

  it('the working-lock environments are those without EINTR and without the PR assumption', () => {
    expect(Object.keys(working)).toEqual(['fast-lock/sc', 'fast-lock/relaxed', 'posix-sem/sc']);
    expect(searchable('ok-short-lifetime-reuse', environments['fast-lock/sc/pr-assumed'])).toBe(false);
    expect(searchable('ok-short-lifetime', environments['fast-lock/sc/pr-assumed'])).toBe(true);
  });

  it('finds it in ok-short-lifetime-reuse in 87 steps in each, exhaustively none elsewhere; any bogus ref also in drop-after-sync', () => {
    expect(cells.map((c) => `${c.scenario} ${c.env} ${c.status === 'found' ? `found ${c.trace!.length - 1}` : `${c.status} ${c.states}`} / ${c.anyBogus.status}`)).toEqual([
      'ok-short-lifetime-reuse fast-lock/sc found 87 / found',
      'ok-short-lifetime-reuse fast-lock/relaxed found 87 / found',
      'ok-short-lifetime-reuse posix-sem/sc found 87 / found',
      'route-vs-update-neighbour fast-lock/sc none 274 / none',
      'route-vs-update-neighbour fast-lock/relaxed none 336 / none',
      'route-vs-update-neighbour posix-sem/sc none 274 / none',
      'drop-after-sync fast-lock/sc none 13698 / found',
      'drop-after-sync fast-lock/relaxed none 18006 / found',
      'drop-after-sync posix-sem/sc none 12587 / found',
    ]);
    expect(at('ok-short-lifetime-reuse', 'fast-lock/sc').printed).toBe("A:A3.log printed '_unref_dlg: bogus ref -2 with cnt 1' (the count of dialog 1)");
  });

  it("the trace: the stale process read the old bucket from the freed cell and holds H(0) while A holds H(1); its write loses A's increments, and A's own _unref_dlg prints the line", () => {
    const trace = at('ok-short-lifetime-reuse', 'fast-lock/sc').trace!;
    const lines = traceLines(trace).slice(1).map((l) => `${l.actor}:${l.step}`);
    expect(lines).toContain("I:I2.entry[dialog 0's pointer: cell 0 is freed memory]");
    expect(lines).toContain('A:A1[bucket=1]');
    // I read 0 before A linked the dialog (0 -> 3) and writes -1 over A's 3; A's dialog_cleanup UNREF reads -1, writes -2;
    // its test and its log load its own -2.
    expect(lines.slice(-8)).toEqual([
      "I:I2.tdel.ref-W[dialog 0's pointer: cell 0 is dialog 1, which now lives there]",
      'A:A2.H-',
      'A:A3.entry',
      'A:A3.H+',
      'A:A3.ref-R[ref=-1]',
      'A:A3.ref-W',
      'A:A3.chk[ref=-2]',
      'A:A3.log[ref=-2]',
    ]);
    const both = trace.some((t) => (t.state as Record<string, unknown>).H0 === 'I' && (t.state as Record<string, unknown>).H1 === 'A');
    expect(both).toBe(true);
  });

  it('says so in words: the shortest trace, and that every search on a working lock was complete', () => {
    const answer = workingLockAnswer(cells, environments).join(' ');
    expect(answer).toContain(
      "On a working lock (fast-lock/sc, fast-lock/relaxed, posix-sem/sc; variant orig), '_unref_dlg: bogus ref -2 with cnt 1' is reached: in ok-short-lifetime-reuse (3 of 9 searches). Shortest: ok-short-lifetime-reuse (fast-lock/sc), 87 steps, A:A3.log printed '_unref_dlg: bogus ref -2 with cnt 1' (the count of dialog 1). Every one of these 9 searches was decided: it ended at its findings or after every reachable state",
    );
    expect(answer).toContain("Any 'bogus ref' abort is reached in ok-short-lifetime-reuse, drop-after-sync (6 of 9 searches)");
    // Without the reuse scenario: no, with the state counts.
    const none = workingLockAnswer(cells.filter((c) => c.scenario === 'route-vs-update-neighbour'), environments);
    expect(none).toEqual([
      "On a working lock (fast-lock/sc, fast-lock/relaxed, posix-sem/sc; variant orig), no search reaches '_unref_dlg: bogus ref -2 with cnt 1': 3 exhaustive searches, 884 states in all.",
      "No search reaches any 'bogus ref' abort (3 exhaustive searches, 884 states in all).",
    ]);
  });

  it('a one-dialog model under relaxed memory is searched with its plain histories where the compaction by readers bounds them (route-rearm)', () => {
    const [c] = sweep({ scenarios: ['route-rearm'], environments: { r: environments['fast-lock/relaxed'] }, variant: 'orig' });
    expect([c.status, c.canonical, c.states]).toEqual(['none', undefined, 568]);
    expect(renderRootCause([c], { r: environments['fast-lock/relaxed'] })).toContain('none (568 states, exhaustive)');
  });

  it("a search whose first violation is another 'bogus ref' goes on to decide #3835's line exhaustively", () => {
    const [c] = sweep({ scenarios: ['drop-after-sync'], environments: { s: environments['fast-lock/sc'] }, variant: 'orig' });
    expect([c.status, c.states, c.anyBogus.status, c.anyBogus.trace!.length - 1]).toEqual(['none', 13698, 'found', 78]);
  });
});

describe("what a 'bogus ref' printer wrote itself (the line's number is a second load of ref)", () => {
  const step = (actor: string, stepId: string, value?: number) => ({ actor, step: stepId, ...(value !== undefined ? { value } : {}) });
  const trace = [
    { action: null, state: {} },
    // W's unref, merged: it read ref = 0 and wrote 0 - 1.
    { action: { actor: 'W', step: 'W14.H+', parts: [step('W', 'W14.H+'), step('W', 'W14.ref-R', 0), step('W', 'W14.ref-W')] }, state: {} },
    // T reads -1 and writes -2; then W's test and its log load ref again.
    { action: step('T', 'T7l.ref-R', -1), state: {} },
    { action: step('W', 'W14.chk', -2), state: {} },
    { action: step('W', 'W14.log', -2), state: {} },
  ];
  it('is its last read of ref minus cnt, given only where that is not the printed number', () => {
    expect(ownWrite({ actor: 'W', ref: -2, cnt: 1 }, trace)).toBe(-1);
    expect(ownWrite({ actor: 'W', ref: -1, cnt: 1 }, trace)).toBeUndefined();
    // A larger cnt: W's read 0 minus 2.
    expect(ownWrite({ actor: 'W', ref: -4, cnt: 2 }, trace)).toBe(-2);
    expect(ownWrite({ actor: 'T', ref: -2, cnt: 1 }, trace)).toBeUndefined();
    expect(ownWrite({ actor: 'B1', ref: -2, cnt: 1 }, trace)).toBeUndefined();
  });

  it("is read from the state's record of the abort, not from the printed line", () => {
    const m = dialogModel({ scenario: scenarioByName('bye-vs-timeout')!, variant: 'orig', env: environments['posix-sem/sc/eintr1'] });
    const i = m.names.stepLabels.indexOf('W:W14.log');
    expect(i).toBeGreaterThanOrEqual(0);
    const s = { ghost: { bogus: i + 1, bogusRef: -2, bogusCnt: 1 } } as unknown as DialogState;
    expect(bogusAbort(m.names, s)).toEqual({ actor: 'W', ref: -2, cnt: 1 });
    expect(ownWrite(bogusAbort(m.names, s), trace)).toBe(-1);
  });
});

describe('the variants the matrix leaves out', () => {
  const EINTR_ROWS = ['bye-vs-timeout-B', 'pr-timer-first', 'pr-timer-reads-first', 'bye-vs-timeout-B-base', 'bye-vs-timeout-B-shared-bucket'];

  it("are the variants without fix 05 in the five EINTR rows that run only fix 05's, 14 in each but the three that run v3 too (bye-vs-timeout-B and the PR's two orderings)", () => {
    const cells = leftOut(manifest);
    expect(cells).toHaveLength(67);
    expect([...new Set(cells.map((c) => `${c.scenario} ${c.env}`))]).toEqual(EINTR_ROWS.map((s) => `${s} posix-sem/sc/eintr1`));
    for (const s of EINTR_ROWS) {
      const mine = cells.filter((c) => c.scenario === s).map((c) => c.variant);
      expect(mine).toEqual(VARIANT_NAMES.filter((v) => !VARIANTS[v].eintrRetry && !(['bye-vs-timeout-B', 'pr-timer-first', 'pr-timer-reads-first'].includes(s) && v === 'v3')));
    }
  });

  it('each is searched with the bound given: found with its shortest trace, or unknown (never none) at the bound', () => {
    const row = manifest.rows.find((r) => r.scenario === 'bye-vs-timeout-B' && r.env === 'posix-sem/sc/eintr1')!;
    // A row that runs every variant but v3 and fix-bye leaves those two out.
    const two = { environments, rows: [{ ...row, variants: VARIANT_NAMES.filter((v) => v !== 'v3' && v !== 'fix-bye') }] };
    const cells = sweepLeftOut(two, { maxStates: 1_000_000 });
    expect(cells.map((c) => [c.variant, c.wrote, c.anyBogus.wrote])).toEqual([
      ['v3', undefined, undefined],
      ['fix-bye', -1, undefined],
    ]);
    expect(cells.map((c) => [c.variant, c.status, c.trace!.length - 1, c.printed, c.anyBogus.trace!.length - 1, c.states])).toEqual([
      ['v3', 'found', 99, "B1:B4.log printed '_unref_dlg: bogus ref -2 with cnt 1'", 69, 624571],
      ['fix-bye', 'found', 96, "W:W14.log printed '_unref_dlg: bogus ref -2 with cnt 1'", 69, 220291],
    ]);
    const bounded = sweepLeftOut(two, { maxStates: 100_000 });
    expect(bounded.map((c) => [c.variant, c.status, c.anyBogus.status])).toEqual([
      ['v3', 'unknown', 'found'],
      ['fix-bye', 'unknown', 'found'],
    ]);
    expect(renderLeftOut([...cells, bounded[0]].map((c, i) => (i === 2 ? { ...c, variant: 'orig' as const } : c)), 100_000)).toBe(
      [
        '| variant | bye-vs-timeout-B (posix-sem/sc/eintr1) |',
        '|---|---|',
        // A row per variant in VARIANT_NAMES' order. fix-bye's W wrote -1 and prints the -2 T wrote since (its log's
        // load); v3's B1 computed -2 itself.
        `| orig | unknown (not within ${bounded[0].states} states); any 'bogus ref': 69 |`,
        "| v3 | 99 steps, B1:B4.log; any 'bogus ref': 69 |",
        "| fix-bye | 96 steps, W:W14.log (wrote -1); any 'bogus ref': 69 |",
        '',
        "'_unref_dlg: bogus ref -2 with cnt 1' is reached in 2 of these 3 cells (shortest traces of 96 to 99 steps); 1 stopped at a bound (100000 states, or the memory bound) before reaching it (unknown).",
        '',
        WROTE_LEGEND,
        '',
      ].join('\n'),
    );
    expect(leftOutAnswer(cells, environments)).toBe(
      "In the EINTR row that the matrix runs with only some of its variants, every one of the 2 variants it leaves out (the PR's version v3 among them) reaches '_unref_dlg: bogus ref -2 with cnt 1' too (2 of 2 searches, 96 to 99 steps; the last section).",
    );
    expect(leftOutAnswer([cells[0], { ...bounded[1] }], environments)).toBe(
      "In the EINTR row that the matrix runs with only some of its variants, '_unref_dlg: bogus ref -2 with cnt 1' is reached in 1 of the 2 cells it leaves out (1 of 2 searches, 99 steps; the last section).",
    );
  });

  it('a left-out variant whose space is small is explored whole: none, with its states', () => {
    const row = manifest.rows.find((r) => r.scenario === 'bye-vs-timeout' && r.env === 'posix-sem/sc/eintr1')!;
    const [c] = sweepLeftOut({ environments, rows: [{ ...row, variants: VARIANT_NAMES.filter((v) => v !== 'fixed') }] }, { maxStates: 1_000_000 });
    expect([c.variant, c.status, c.states, c.anyBogus.status]).toEqual(['fixed', 'none', 1181, 'none']);
    expect(renderLeftOut([c], 1_000_000)).toContain("| fixed | none (1181 states, exhaustive) |\n\n'_unref_dlg: bogus ref -2 with cnt 1' is reached in 0 of these 1 cells; 1 explored whole without it.");
  });

  it('without a bound (as the page searches them), a search that stops early stopped at the memory bound', () => {
    const row = manifest.rows.find((r) => r.scenario === 'bye-vs-timeout' && r.env === 'posix-sem/sc/eintr1')!;
    const rows = [{ ...row, variants: VARIANT_NAMES.filter((v) => v !== 'fixed' && v !== 'v2') }];
    const requests = leftOutRequests({ environments, rows });
    expect(requests.map((r) => [r.variant, r.maxStates])).toEqual([
      ['v2', undefined],
      ['fixed', undefined],
    ]);
    const [v2, fixed] = sweepLeftOut({ environments, rows });
    // v2's 76 steps are the length of the matrix's shortest NoCrash3835 trace in this cell (npm run check -- --scenario bye-vs-timeout --env posix-sem/sc/eintr1 --variant v2).
    expect([v2.status, v2.trace!.length - 1, fixed.status, fixed.states]).toEqual(['found', 76, 'none', 1181]);
    // A memory bound met (here made up: the cell of a search stopped early) is the only way to an unknown.
    const stopped = { ...v2, status: 'unknown' as const, trace: undefined, printed: undefined, wrote: undefined };
    expect(renderLeftOut([stopped, fixed])).toContain(
      "'_unref_dlg: bogus ref -2 with cnt 1' is reached in 0 of these 2 cells; 1 explored whole without it; 1 stopped at the memory bound before reaching it (unknown).",
    );
  });

  it("bye-vs-timeout-B-base's column, where W prints: v2 in 90 steps, as the page says", () => {
    const row = manifest.rows.find((r) => r.scenario === 'bye-vs-timeout-B-base' && r.env === 'posix-sem/sc/eintr1')!;
    const [c] = sweepLeftOut({ environments, rows: [{ ...row, variants: VARIANT_NAMES.filter((v) => v !== 'v2') }] });
    expect([c.variant, c.status, c.trace!.length - 1, c.printed, c.anyBogus.trace!.length - 1]).toEqual(['v2', 'found', 90, "W:W14.log printed '_unref_dlg: bogus ref -2 with cnt 1'", 52]);
  }, 120_000);

  it('docs/root-cause.md gives a search for each of them (regenerate with npx tsx scripts/root-cause-doc.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../docs/root-cause.md', import.meta.url), 'utf8');
    expect(doc).toContain('\n## The variants the matrix leaves out\n');
    const section = doc.slice(doc.indexOf('## The variants the matrix leaves out'));
    const table = section.split('\n').filter((l) => l.startsWith('| '));
    const columns = table[0].split(' | ').slice(1).map((h) => h.replace(/ \|$/, ''));
    const listed = table.slice(1).flatMap((l) => {
      const [variant, ...texts] = l.slice(2, -2).split(' | ');
      return texts.flatMap((x, i) => (x === '-' ? [] : [`${columns[i]} ${variant}`]));
    });
    expect(listed.sort()).toEqual(leftOut(manifest).map((c) => `${c.scenario} (${c.env}) ${c.variant}`).sort());
    // The answer at the top of the page says what the table holds.
    const cells = table.slice(1).flatMap((l) => {
      const [variant, ...texts] = l.slice(2, -2).split(' | ');
      return texts.flatMap((x, i) => {
        if (x === '-') return []; // a variant this column's row runs in the matrix
        const [scenario, env] = columns[i].split(' (');
        const found = /^(\d+) steps, /.exec(x);
        const cell = { scenario, env: env.slice(0, -1), variant, status: found ? 'found' : x.startsWith('none') ? 'none' : 'unknown', states: 0, timeMs: 0, anyBogus: { status: 'unknown' } };
        return [(found ? { ...cell, trace: new Array(Number(found[1]) + 1) } : cell) as unknown as SweepCell];
      });
    });
    expect(doc).toContain(`\n\n${leftOutAnswer(cells, environments)}\n\n`);
  });
});

describe('scripts/root-cause-doc.ts refuses bad arguments (one line on stderr, exit 2, the page untouched)', () => {
  const cores = availableParallelism();
  it.each([
    [['--jobs', 'x'], "--jobs expects a positive integer, got 'x'"],
    [['--jobs', '0'], "--jobs expects a positive integer, got '0'"],
    [['--jobs', String(cores * 4 + 1)], `--jobs ${cores * 4 + 1} is more than this machine can use: at most ${cores * 4} (4 per core, ${cores} core${cores === 1 ? '' : 's'})`],
    [['--jobs'], "expected no arguments or --jobs N, got '--jobs'"],
    [['--frob'], "expected no arguments or --jobs N, got '--frob'"],
  ])('%j', async (args, message) => {
    const { spawnSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const page = new URL('../docs/root-cause.md', import.meta.url);
    const before = readFileSync(page, 'utf8');
    // (A timeout: were the arguments accepted, the script would run for an hour and rewrite the page.)
    const r = spawnSync('npx', ['tsx', 'scripts/root-cause-doc.ts', ...args], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`root-cause-doc: ${message}\n`);
    expect(readFileSync(page, 'utf8')).toBe(before);
  }, 60_000);
});

describe('npm run check -- rootcause: usage errors', () => {
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(args, { stdout: (t) => void (out += t), stderr: { write: (t: string) => void (err += t) } as never });
    return { code, out, err };
  };
  it.each([
    [['rootcause', '--scenario', 'nope'], /^error: unknown scenario 'nope'; expected one of: bye-vs-timeout-B, /],
    [['rootcause', '--env', 'x/y'], /^error: unknown environment 'x\/y'; expected one of: fast-lock\/sc, /],
    [['rootcause', '--variant', 'v9'], /^error: unknown variant 'v9'; expected one of: orig, /],
    [['rootcause', '--time-limit', 'soon'], /^error: --time-limit expects a positive number of seconds, got 'soon'\n$/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await run(args);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(message);
    expect(r.err.split('\n').length).toBe(2);
  });
  it('prints the report and exits 0', async () => {
    const r = await run(['rootcause', '--scenario', 'pr-bye-first', '--env', 'fast-lock/sc']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('pr-bye-first  none (15 states, exhaustive)  never reached');
  });
  it('--jobs 2 prints the report of --jobs 1; --jobs 0 is a usage error', async () => {
    const args = ['rootcause', '--scenario', 'pr-bye-first', '--scenario', 'bye-vs-timeout', '--env', 'fast-lock/sc', '--env', 'posix-sem/sc/eintr1', '--markdown'];
    const one = await run([...args, '--jobs', '1']);
    const two = await run([...args, '--jobs', '2']);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(two.out).toBe(one.out);
    expect(one.out).toContain('65 steps');
    expect(await run([...args, '--jobs', '0'])).toMatchObject({ code: 2, out: '', err: "error: --jobs expects a positive integer, got '0'\n" });
    const cores = availableParallelism();
    expect(await run([...args, '--jobs', String(cores * 4 + 1)])).toMatchObject({ code: 2, out: '', err: `error: --jobs ${cores * 4 + 1} is more than this machine can use: at most ${cores * 4} (4 per core, ${cores} core${cores === 1 ? '' : 's'})\n` });
  }, 60_000);
});
