/**
 * Parallel exploration (engine/parallel.ts, --workers N): worker threads
 * exploring one state space give the one-thread counts (states, transitions,
 * depth), verdicts, coverage and shortest trace lengths, on packed (codec) and
 * string-keyed models; bounds and the memory guard; what it refuses.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check, isWordsCodec, type Model, type Outcome } from '../src/engine/index.js';
import { checkParallel, lastWorkerEntry, ParallelError, workerExecArgv, type ModelRef } from '../src/engine/parallel.js';
import { bundleFolder, pruneBundles } from '../src/engine/worker-bundle.js';
import { dialogRuns } from '../src/check/dialog.js';
import { executeWith } from '../src/check/run.js';
import { buildModel } from '../src/check/load.js';

const LOAD = new URL('../src/check/load.ts', import.meta.url).href;
const COUNTER = new URL('../spec/examples/counter.ts', import.meta.url).href;

const summary = (o: Outcome<any, any>) => ({
  status: o.status,
  bound: o.bound,
  stats: { states: o.stats.states, transitions: o.stats.transitions, depth: o.stats.depth, complete: o.stats.complete, levels: o.stats.levels },
  verdicts: o.properties.map((p) => [p.name, p.verdict, p.trace?.length]),
  coverage: o.coverage,
});

async function same(build: () => Model<any, any>, ref: ModelRef, workers = 2): Promise<Outcome<any, any>> {
  const one = check(build());
  const par = await checkParallel(build(), ref, workers);
  expect(par.error).toBeUndefined();
  expect(summary(par)).toEqual(summary(one));
  return par;
}

/** A dialog matrix cell's model and its ref, for `same`. */
const dialogCell = (id: string) => {
  const run = dialogRuns().find((r) => r.id === id)!;
  return [() => run.build(), run.ref!] as const;
};

const table = (name: string, params: Record<string, unknown>) =>
  [() => buildModel(name, params as never), { module: LOAD, exportName: 'buildModel', args: [name, params] }] as const;

describe('parallel exploration gives the one-worker results', () => {
  it('counter race NP=3 K=3 and K=4 (packed states), 2 workers', { timeout: 120_000 }, async () => {
    await same(...table('counter-race', { NP: 3, K: 3 }));
    const o = await same(...table('counter-race', { NP: 3, K: 4 }));
    expect(o.stats).toMatchObject({ states: 165340, transitions: 465273, depth: 52 });
    // A shortest lost update: 48 steps (the trace also holds the initial state).
    expect(o.violations[0].trace).toHaveLength(49);
  });

  it('counter race NP=3 K=4, 3 workers, with codes in chunks of 64 states (the ranges of a level cross many chunks of shared memory)', { timeout: 120_000 }, async () => {
    // 165,340 states: the shared set grows from 2^16 slots to 2^18 while the workers add to it.
    const before = process.env.CHECKER_CODE_BITS;
    process.env.CHECKER_CODE_BITS = '6';
    try {
      const o = await same(...table('counter-race', { NP: 3, K: 4 }), 3);
      expect(o.stats).toMatchObject({ states: 165340, transitions: 465273, depth: 52 });
      // Word-packed: 101,602 states, so the shared set of references grows too.
      const w = await same(...dialogCell('dialog/drop-after-sync-two-early/fast-lock/sc/v2'), 3);
      expect(w.stats.states).toBe(101602);
    } finally {
      if (before === undefined) delete process.env.CHECKER_CODE_BITS;
      else process.env.CHECKER_CODE_BITS = before;
    }
  });

  it('counter race NP=3 K=3 keyed by strings (no codec), 3 workers', { timeout: 120_000 }, async () => {
    const { counterRace } = await import('../spec/examples/counter.js');
    await same(() => counterRace({ NP: 3, K: 3 }, { codec: false }), { module: COUNTER, exportName: 'counterRace', args: [{ NP: 3, K: 3 }, { codec: false }] }, 3);
  });

  it('peterson (buggy), two-phase commit RM=3 and its buggy variant', { timeout: 120_000 }, async () => {
    await same(...table('peterson', { buggy: true }));
    await same(...table('two-phase', { RM: 3, buggy: false }));
    await same(...table('two-phase', { RM: 3, buggy: true }));
  });

  it.each([
    'dialog/ok-short-lifetime/fast-lock/sc/orig',
    'dialog/bye-vs-timeout-B/fast-lock/relaxed/v3',
    'dialog/route-vs-update/posix-sem/sc/eintr1/fixed',
  ])('%s: packed in words, 2 workers give the pinned counts and verdicts', { timeout: 120_000 }, async (id) => {
    const run = dialogRuns().find((r) => r.id === id)!;
    const model = run.build();
    expect(model.codec !== undefined && isWordsCodec(model.codec)).toBe(true);
    const r = await executeWith(run, {}, 2);
    expect(r.outcome.stats.complete).toBe(true);
    expect(r.differences).toEqual([]);
  });

  it("every trace is a path of the model, from an initial state, as short as one thread's", { timeout: 120_000 }, async () => {
    // Which worker adds a state first, and so which of the equally short traces is kept, depends on timing.
    for (const [name, params] of [
      ['peterson', { buggy: true }],
      ['counter-race', { NP: 3, K: 3 }],
      ['two-phase', { RM: 3, buggy: true }],
    ] as const) {
      const [build, ref] = table(name, params);
      const model = build();
      const one = check(build());
      const par = await checkParallel(build(), ref, 3);
      expect(par.violations.map((v) => [v.name, v.trace?.length])).toEqual(one.violations.map((v) => [v.name, v.trace?.length]));
      for (const v of par.violations) {
        const trace = v.trace!;
        expect(model.initialStates().map((s) => model.key(s))).toContain(model.key(trace[0].state));
        for (let i = 1; i < trace.length; i++) {
          const from = trace[i - 1].state;
          const a = trace[i].action!;
          expect(model.actions(from).map((x) => JSON.stringify(x))).toContain(JSON.stringify(a));
          expect(model.key(model.next(from, a))).toBe(model.key(trace[i].state));
        }
        expect(model.properties.find((p) => p.name === v.name)!.holds(trace.at(-1)!.state)).toBe(false);
      }
    }
  });

  it('maxDepth: the same states and bound as one worker', { timeout: 60_000 }, async () => {
    const [build, ref] = table('counter-race', { NP: 3, K: 2 });
    const one = check(build(), { maxDepth: 7 });
    const par = await checkParallel(build(), ref, 2, { maxDepth: 7 });
    expect(summary(par)).toEqual(summary(one));
    expect(par.bound).toBe('maxDepth');
  });

  it('stopOnFirstViolation: the workers stop together at the end of the level of the first violation', { timeout: 60_000 }, async () => {
    // The lost update of NP=3 K=3 is first reached at depth 37 (a trace of 36 steps); one thread
    // stops at that state, the workers once the level holding it is stored: every state up to
    // that depth, as the full run's first 37 levels count them, and not one more level.
    const [build, ref] = table('counter-race', { NP: 3, K: 3 });
    const full = check(build());
    const one = check(build(), { stopOnFirstViolation: true });
    const par = await checkParallel(build(), ref, 2, { stopOnFirstViolation: true });
    expect(par.error).toBeUndefined();
    expect([par.status, par.bound, one.status, one.bound]).toEqual(['violation', 'stopOnViolation', 'violation', 'stopOnViolation']);
    expect(par.violations.map((v) => [v.name, v.trace?.length])).toEqual(one.violations.map((v) => [v.name, v.trace?.length]));
    expect(par.violations.map((v) => v.name)).toEqual(['NoLostUpdate']);
    expect(par.violations[0].trace).toHaveLength(37);
    expect(par.stats.levels).toEqual(full.stats.levels!.slice(0, 37));
    expect(par.stats.states).toBe(full.stats.levels!.slice(0, 37).reduce((a, b) => a + b, 0));
  });

  it('a memory budget stops every worker at the end of a level, with status incomplete', { timeout: 60_000 }, async () => {
    // 48 MB more than the process holds now: K=8's shared set alone grows to 128 MB. The main
    // thread's check every 100 ms or a worker's before it grows the shared set (refused: see
    // test/shared-set.test.ts) stops it, whichever comes first (both do, run to run).
    const [build, ref] = table('counter-race', { NP: 3, K: 8 });
    const par = await checkParallel(build(), ref, 2, { memoryLimitBytes: process.memoryUsage.rss() + 48 * 2 ** 20 });
    expect(par.error).toBeUndefined();
    expect([par.status, par.bound]).toEqual(['incomplete', 'memory']);
    expect(par.stats.states).toBeLessThan(9_239_838);
    const levels = par.stats.levels!;
    const one = check(build(), { maxDepth: levels.length }).stats.levels!;
    expect(levels.slice(0, -1)).toEqual(one.slice(0, levels.length - 1));
  });

  it('a time limit stops every worker at the same level, with status incomplete', { timeout: 60_000 }, async () => {
    // K=8 (9,239,838 states) takes seconds with two workers; 700 ms stops them during the run
    // (the workers take about half a second to start) or, on a slow machine, before it.
    const [build, ref] = table('counter-race', { NP: 3, K: 8 });
    const par = await checkParallel(build(), ref, 2, { timeLimitMs: 700 });
    expect(par.error).toBeUndefined();
    expect([par.status, par.bound]).toEqual(['incomplete', 'timeLimit']);
    expect(par.stats.states).toBeLessThan(9_239_838);
    // The levels before the last are whole, one thread's (the last may have been stopped inside).
    const levels = par.stats.levels!;
    const one = check(build(), { maxDepth: levels.length }).stats.levels!;
    expect(levels.slice(0, -1)).toEqual(one.slice(0, levels.length - 1));
    expect(levels.at(-1)).toBeLessThanOrEqual(one[levels.length - 1]);
  });
});

describe("the workers' Node options", () => {
  it("drop tsx's own (the boot registers it), keep every other", () => {
    expect(workerExecArgv(['--import', 'tsx'])).toEqual([]);
    expect(workerExecArgv(['--require', '/w/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///w/node_modules/tsx/dist/loader.mjs'])).toEqual([]);
    expect(workerExecArgv(['--import=tsx/esm', '--max-old-space-size=4096', '-r', 'C:\\w\\node_modules\\tsx\\dist\\preflight.cjs'])).toEqual(['--max-old-space-size=4096']);
    expect(workerExecArgv(['--import', './my-hooks.mjs', '--require', 'dotenv/config', '--enable-source-maps'])).toEqual(['--import', './my-hooks.mjs', '--require', 'dotenv/config', '--enable-source-maps']);
    // A folder of the user's named tsx is not tsx's package.
    expect(workerExecArgv(['--import', './tsx/hooks.mjs', '--loader', 'tsx', '--no-warnings'])).toEqual(['--import', './tsx/hooks.mjs', '--no-warnings']);
  });

  it("drop V8's --single-threaded (a job process's, which a thread refuses): workers of a job process on tsx need not inherit tsx's options", () => {
    expect(workerExecArgv(['--single-threaded', '--import', 'file:///w/node_modules/tsx/dist/loader.mjs'])).toEqual([]);
    expect(workerExecArgv(['--single-threaded'])).toEqual([]);
    expect(workerExecArgv(['--single-threaded-gc', '--single-threaded'])).toEqual(['--single-threaded-gc']);
  });

  it('a process started with options a thread refuses (--max-old-space-size, --expose-gc) still runs --workers 2', { timeout: 60_000 }, () => {
    for (const option of ['--max-old-space-size=512', '--expose-gc']) {
      const out = execFileSync(process.execPath, [option, '--import', 'tsx', 'src/cli.ts', '--model', 'counter-race', '-p', 'NP=2,K=2', '--workers', '2', '--no-timing'], { encoding: 'utf8' });
      expect(out.split('\n').slice(0, 2)).toEqual([
        'run                     status     states  transitions  depth  violated      as declared',
        'counter-race(NP=2,K=2)  violation     228          398     19  NoLostUpdate  yes',
      ]);
    }
  });
});

/**
 * A model module of its own (no import of the engine): a chain of states 0..N+EXTRA, with N
 * read at run time from n.json next to the module (through import.meta.url) and EXTRA a constant
 * of the source. Rewriting EXTRA keeps the file's size.
 */
const chainModule = (extra: number) => `import { readFileSync } from 'node:fs';
const N: number = JSON.parse(readFileSync(new URL('./n.json', import.meta.url), 'utf8')).n;
const EXTRA = ${extra};
const step = { actor: 'a', step: 'inc' };
export function chain() {
  return {
    name: 'chain',
    initialStates: () => [0],
    actions: (s: number) => (s < N + EXTRA ? [step] : []),
    next: (s: number) => s + 1,
    key: (s: number) => String(s),
    properties: [{ kind: 'always', name: 'Small', meaning: 's <= 100', holds: (s: number) => s <= 100 }],
  };
}
`;

/** The main thread's copy of a model run in the workers: it gives the initial states (and would replay traces); the counts are the workers'. */
const standIn = (properties: unknown[] = []) =>
  ({ name: 'chain', initialStates: () => [0], actions: () => [], next: (s: number) => s, key: String, properties }) as unknown as Model<number, any>;

/**
 * Runs `body` with a folder holding n.json ({"n": 5}), a package.json of type module (so that
 * tsx too loads its .ts files as ES modules) and `source` as chain.ts; removes the folder after.
 */
async function withModel(source: string, body: (file: string, ref: ModelRef) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'model-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    writeFileSync(join(dir, 'n.json'), '{"n": 5}');
    const file = join(dir, 'chain.ts');
    writeFileSync(file, source);
    await body(file, { module: pathToFileURL(file).href, exportName: 'chain', args: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the workers start from a bundle of their modules (worker-bundle.ts)', () => {
  it('a model module is bundled with the worker, finds the files next to it, and is bundled again when its source changes', { timeout: 120_000 }, async () => {
    await withModel(chainModule(0), async (file, ref) => {
      const first = await checkParallel(standIn(), ref, 2);
      expect(first.error).toBeUndefined();
      expect(lastWorkerEntry).toHaveProperty('bundle');
      expect([first.stats.states, first.stats.depth]).toEqual([6, 6]);
      const bundle = lastWorkerEntry!.bundle!;
      // The same size, another content: a cache that looked at sizes or times alone would run the old code.
      writeFileSync(file, chainModule(3));
      const second = await checkParallel(standIn(), ref, 2);
      expect(lastWorkerEntry!.bundle!.href).toBe(bundle.href);
      expect([second.stats.states, second.stats.depth]).toEqual([9, 9]);
      expect(readFileSync(bundle, 'utf8')).toContain('EXTRA = 3');
      rmSync(bundle);
    });
  });

  it('a dialog cell (its matrix read next to check/dialog.ts) runs from a bundle', { timeout: 120_000 }, async () => {
    const run = dialogRuns().find((r) => r.id === 'dialog/ok-short-lifetime/fast-lock/sc/orig')!;
    const r = await executeWith(run, {}, 2);
    expect(lastWorkerEntry).toHaveProperty('bundle');
    expect(r.differences).toEqual([]);
  });

  it('keeps the most recently used bundles, and removes temporary files older than an hour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
    try {
      const names = [0, 1, 2, 3, 4].map((i) => `${String(i).repeat(32)}.mjs`);
      names.forEach((n, i) => {
        writeFileSync(join(dir, n), '');
        utimesSync(join(dir, n), 1000 + i, 1000 + i);
      });
      const hourAgo = Date.now() / 1000 - 3700;
      writeFileSync(join(dir, 'a.mjs.1.x.tmp'), '');
      utimesSync(join(dir, 'a.mjs.1.x.tmp'), hourAgo, hourAgo);
      writeFileSync(join(dir, 'b.mjs.2.y.tmp'), ''); // being written now
      writeFileSync(join(dir, 'other.txt'), '');
      pruneBundles(dir, 2);
      expect(readdirSync(dir).sort()).toEqual([names[3], names[4], 'b.mjs.2.y.tmp', 'other.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the folder of bundles must be the user's alone: a link is refused, an open folder of theirs made private", () => {
    const base = mkdtempSync(join(tmpdir(), 'base-'));
    try {
      const name = `dialog-race-checker-${process.getuid!()}`;
      mkdirSync(join(base, 'elsewhere'));
      symlinkSync(join(base, 'elsewhere'), join(base, name));
      expect(() => bundleFolder(base)).toThrow(/not a directory/);
      rmSync(join(base, name));
      mkdirSync(join(base, name));
      chmodSync(join(base, name), 0o777);
      bundleFolder(base);
      expect(statSync(join(base, name)).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('a model that imports the package by its name gets the package sources in its bundle', { timeout: 120_000 }, async () => {
    const source = `import { always } from 'dialog-race-checker';
const step = { actor: 'a', step: 'inc' };
export const chain = () => ({
  name: 'chain',
  initialStates: () => [0],
  actions: (s: number) => (s < 4 ? [step] : []),
  next: (s: number) => s + 1,
  key: (s: number) => String(s),
  properties: [always('Small', 's <= 9', (s: number) => s <= 9)],
});
`;
    await withModel(source, async (_, ref) => {
      const o = await checkParallel(standIn([{ kind: 'always', name: 'Small', meaning: '', holds: () => true }]), ref, 2);
      expect(o.error).toBeUndefined();
      expect(lastWorkerEntry).toHaveProperty('bundle');
      // (It holds: a trace would be replayed on the main thread's model, here a stand-in.)
      expect([o.stats.states, o.properties[0].verdict]).toEqual([5, 'holds']);
      rmSync(lastWorkerEntry!.bundle!);
    });
  });

  it('a model a bundle would change (import.meta.resolve) runs on tsx, with its results', { timeout: 120_000 }, async () => {
    await withModel(chainModule(0).replace("new URL('./n.json', import.meta.url)", "new URL(import.meta.resolve('./n.json'))"), async (_, ref) => {
      const o = await checkParallel(standIn(), ref, 2);
      expect(lastWorkerEntry?.why).toMatch(/chain\.ts uses import\.meta, which a bundle would change/);
      expect(o.stats.states).toBe(6);
    });
  });

  it('a bundle that builds but fails to load is replaced by tsx for that run', { timeout: 120_000 }, async () => {
    // Bundled, the module sees the bundle's require (for the CommonJS it may hold); on tsx, as ESM, none.
    await withModel(`${chainModule(0)}\nif (typeof require === 'function') throw new Error('run from a bundle');\n`, async (_, ref) => {
      const o = await checkParallel(standIn(), ref, 2);
      expect(lastWorkerEntry?.why).toMatch(/^the bundle did not load: .*run from a bundle/);
      expect([o.error, o.stats.states]).toEqual([undefined, 6]);
    });
  });

  it('a model module that is a link, pointed at another file, is bundled again', { timeout: 120_000 }, async () => {
    await withModel(chainModule(0), async (file, ref) => {
      const dir = dirname(file);
      writeFileSync(join(dir, 'm3.ts'), chainModule(3));
      rmSync(file);
      symlinkSync(join(dir, 'm3.ts'), file);
      expect((await checkParallel(standIn(), ref, 2)).stats.states).toBe(9);
      const bundle = lastWorkerEntry!.bundle!;
      writeFileSync(join(dir, 'm4.ts'), chainModule(4));
      rmSync(file);
      symlinkSync(join(dir, 'm4.ts'), file);
      // m3.ts, the input the first bundle was built from, is unchanged: only the link tells.
      expect((await checkParallel(standIn(), ref, 2)).stats.states).toBe(10);
      expect(lastWorkerEntry!.bundle!.href).toBe(bundle.href);
      rmSync(bundle);
    });
  });

  it('an ES module that declares its own __dirname from import.meta.url is bundled', { timeout: 120_000 }, async () => {
    const source = `import { dirname, join } from 'node:path';\nimport { fileURLToPath } from 'node:url';\nconst __dirname = dirname(fileURLToPath(import.meta.url));\n${chainModule(0).replace("new URL('./n.json', import.meta.url)", "join(__dirname, 'n.json')")}`;
    await withModel(source, async (_, ref) => {
      const o = await checkParallel(standIn(), ref, 2);
      expect(lastWorkerEntry).toHaveProperty('bundle');
      expect(o.stats.states).toBe(6);
      rmSync(lastWorkerEntry!.bundle!);
    });
  });

  it("the model's own error in the workers is reported as it is, without a second start on tsx", { timeout: 120_000 }, async () => {
    // A codec that does not round-trip: the workers' visited set refuses it (a SpecError) when they load the model.
    const source = `${chainModule(0).replace('    properties: [', '    codec: { pack: () => 0, unpack: () => 1 },\n    properties: [')}`;
    await withModel(source, async (_, ref) => {
      const o = await checkParallel(standIn(), ref, 2);
      expect(lastWorkerEntry).toHaveProperty('bundle');
      expect([o.status, o.error?.name, o.error?.message]).toEqual(['error', 'SpecError', expect.stringMatching(/codec does not round-trip/)]);
    });
  });

  it('with CHECKER_WORKER_BUNDLE=require a model that cannot be bundled is an error, not a start on tsx', { timeout: 120_000 }, async () => {
    process.env.CHECKER_WORKER_BUNDLE = 'require';
    try {
      await withModel(chainModule(0).replace("new URL('./n.json', import.meta.url)", "new URL(import.meta.resolve('./n.json'))"), async (_, ref) => {
        await expect(checkParallel(standIn(), ref, 2)).rejects.toThrow(/no bundle for the workers \(CHECKER_WORKER_BUNDLE=require\): [\s\S]*uses import\.meta/);
      });
    } finally {
      delete process.env.CHECKER_WORKER_BUNDLE;
    }
  });

  it('without a bundle (CHECKER_WORKER_BUNDLE=0) the workers register tsx and give the same results', { timeout: 120_000 }, async () => {
    process.env.CHECKER_WORKER_BUNDLE = '0';
    try {
      await same(...table('counter-race', { NP: 3, K: 3 }));
      expect(lastWorkerEntry).toEqual({ why: 'CHECKER_WORKER_BUNDLE=0' });
    } finally {
      delete process.env.CHECKER_WORKER_BUNDLE;
    }
  });
});
