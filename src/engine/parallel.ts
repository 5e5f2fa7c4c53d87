/**
 * Breadth-first exploration of one state space by several worker threads.
 *
 * Level-synchronous. Packed states (a codec): the workers share one visited
 * set in shared memory (shared-set.ts), to which any of them adds a state with
 * a compare-and-swap; the worker that adds a state keeps its parent link,
 * action and code, the code in shared memory. A worker's states have
 * consecutive ids, so what it added in a level is a range of them, its part
 * of the level's front; each level, the workers claim the states of every
 * worker's range in chunks from a shared counter, so they end the level
 * together. States keyed by strings (no codec): every state has an owner,
 * the worker chosen by a hash of its key, which alone stores it and expands
 * it; a successor another worker owns is posted to it in batches over a
 * MessagePort. The workers drive the levels themselves: they meet at a
 * barrier in shared memory (barrier.ts) when each
 * has expanded its part and ended the level (string keys: they meet once
 * before, then store what they received), and with every worker's figures
 * for the level all take the same decision to go on or stop.
 * The main thread only starts them, merges the level reports they post and
 * keeps the clock and the memory budget.
 *
 * Why this gives the one-worker results: each level holds exactly the states
 * at that distance from the initial states, whoever discovers them, so the
 * distinct states, the transitions (each state is expanded once) and the
 * depth are the same, and a property first violated at level d gets a trace
 * of d - 1 steps, as with one worker. Which of the equally short traces is
 * kept depends on which worker adds a state first, so it may differ from run
 * to run (as with TLC's workers); every one is a path of the model.
 *
 * Workers cannot receive closures: each loads the model itself from a
 * `ModelRef` (a module, an export, its arguments). The main thread has its own
 * copy of the model for the initial states and to rebuild traces, which it
 * does by asking the worker that added each state on the path for its parent
 * link (a global id is local id x workers + worker).
 *
 * Not supported (refused with a CheckerError): `maxStates` (the state at which
 * a run stops depends on discovery order, which differs between workers).
 * `stopOnFirstViolation`, `timeLimitMs` and the memory budget stop at the end
 * of a level or, through a shared flag, inside it; a worker that would grow
 * the shared set past the budget sets that flag instead.
 */
import { MessageChannel, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import type { Action, Model } from './model.js';
import { CheckerError, SpecError } from './errors.js';
import type { Bound, Outcome, Stats, Trace } from './outcome.js';
import { CoverageCounter, defaultMemoryLimit, finish, overMemory, rate, validateModel, type CheckOptions } from './explore.js';
import { rebuildTrace } from './trace.js';
import { identityFor, type TraceStore } from './store.js';
import { initialStatesOf, reviveGuardError } from './guard.js';
import { newCtl } from './barrier.js';
import { newSharedSet } from './shared-set.js';
import { isWordsCodec } from './model.js';
import type { RunEnd } from './parallel-worker.js';
import { bundleRequired, workerEntry, type WorkerEntry } from './worker-bundle.js';

/** Where a worker finds the model: `(await import(module))[exportName](...args)`. */
export interface ModelRef {
  /** A module URL (file:...). */
  readonly module: string;
  readonly exportName: string;
  /** Arguments (structured-cloneable). */
  readonly args: readonly unknown[];
  /**
   * Module URLs the export imports by URL when it runs (a user's model module
   * that `buildFromFile` loads), bundled with the worker as `module` is
   * (worker-bundle.ts).
   */
  readonly imports?: readonly string[];
}

/** Statistics one worker reports at the end of a level. */
export interface LevelReport {
  readonly size: number;
  readonly transitions: number;
  /** Property name -> global id of the first state found this level. */
  readonly found: Record<string, number>;
  readonly depthBound: boolean;
}

/** What the main thread tells the workers when they start exploring level after level. */
export interface RunOrder {
  /** Do not expand states at this depth (CheckOptions.maxDepth; Infinity for none). */
  readonly maxDepth: number;
  readonly stopOnViolation: boolean;
}

export class ParallelError extends CheckerError {
  override readonly code = 'parallel';
}

const BOOT = new URL('./parallel-boot.mjs', import.meta.url);
const WORKER = new URL('./parallel-worker.ts', import.meta.url).href;

/**
 * The Node options of the worker threads: the process's, without tsx's own
 * (its --require and --import of tsx's package), since the boot module
 * registers tsx's hooks in the thread itself; run twice, they cost a tenth
 * of a second per worker. Without V8's --single-threaded either (a job
 * process may have it, src/check/pool.ts): a thread refuses it, and V8's
 * flags are the whole process's anyway.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  // tsx itself (`tsx`, `tsx/esm`) or a file of its package (node_modules/tsx/..., also as a file: URL).
  const isTsx = (v: string): boolean => /^tsx(\/|$)/.test(v) || /node_modules[\\/]tsx[\\/]/.test(v);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--single-threaded') continue;
    const m = /^--(require|import|loader|experimental-loader)(?:=(.*))?$/.exec(a) ?? (a === '-r' ? [a, 'require', undefined] : null);
    if (m !== null) {
      const value = m[2] ?? argv[i + 1];
      if (value !== undefined && isTsx(value)) {
        if (m[2] === undefined) i++;
        continue;
      }
    }
    out.push(a);
  }
  return out;
}

/** Whether a worker refused the process's options without tsx's (then every later one inherits them all). */
let inheritOptions = false;

/**
 * A worker thread of the run's bundle (worker-bundle.ts) or, without one, of
 * the boot module that registers tsx, with workerExecArgv's options when
 * that leaves out any. A thread given options explicitly refuses those that
 * are the process's alone (V8's heap size, --expose-gc, ...: Node inherits
 * them silently otherwise); then it inherits the process's options, tsx's
 * with them, as it did before.
 */
function spawnWorker(entry: WorkerEntry, options: WorkerOptions): Worker {
  const file = entry.bundle ?? BOOT;
  const execArgv = workerExecArgv();
  if (inheritOptions || execArgv.length === process.execArgv.length) return new Worker(file, options);
  try {
    return new Worker(file, { ...options, execArgv });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    inheritOptions = true;
    return new Worker(file, options);
  }
}

/** How the last parallel run's workers started: from a bundle, or on tsx and why (for tests and measurements). */
export let lastWorkerEntry: WorkerEntry | undefined;

/** Flag values in the shared stop word. */
export const STOP_NONE = 0;
export const STOP_TIME = 1;
export const STOP_MEMORY = 2;

export async function checkParallel<S, A extends Action>(
  model: Model<S, A>,
  ref: ModelRef,
  workers: number,
  options: CheckOptions = {},
): Promise<Outcome<S, A>> {
  const started = performance.now();
  try {
    validateModel(model);
    if (options.maxStates !== undefined) throw new ParallelError('maxStates cannot be used with several workers (where a run stops would depend on their timing); use one worker');
    if (options.textKeys) throw new ParallelError('textKeys cannot be used with several workers (they exchange packed states); use one worker');
    return await exploreParallel(model, ref, workers, options, started);
  } catch (e) {
    if (!(e instanceof CheckerError)) throw e;
    return {
      model: model.name,
      status: 'error',
      stats: { states: 0, transitions: 0, depth: 0, timeMs: performance.now() - started, statesPerSecond: 0, complete: false },
      coverage: { steps: [], dead: [] },
      properties: [],
      violations: [],
      error: e,
    };
  }
}

interface Pending {
  resolve: (m: any) => void;
  reject: (e: unknown) => void;
}

/** An error a worker sent back, as the engine's own class when it is one. */
function revive(e: { name: string; message: string; code?: string }): Error {
  const guarded = reviveGuardError(e);
  if (guarded !== undefined) return guarded;
  if (e.code === 'spec') return new SpecError(e.message);
  if (e.code === 'parallel') return new ParallelError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

async function exploreParallel<S, A extends Action>(
  model: Model<S, A>,
  ref: ModelRef,
  W: number,
  options: CheckOptions,
  started: number,
): Promise<Outcome<S, A>> {
  const deadline = options.timeLimitMs !== undefined ? started + options.timeLimitMs : Number.POSITIVE_INFINITY;
  const memoryLimit = options.memoryLimitBytes ?? defaultMemoryLimit();
  const stopWord = new Int32Array(new SharedArrayBuffer(4));
  const ctl = newCtl(W);
  // Packed states: one visited set the workers share, and the counters of the states they claim.
  const codec = model.codec;
  const shared = codec === undefined ? undefined : newSharedSet(isWordsCodec(codec) ? codec.words : 0, W);
  const claim = new Int32Array(new SharedArrayBuffer(8));
  const inits = initialStatesOf(model);
  if (inits.length === 0) throw new SpecError(`model ${model.name}: no initial state`);

  const threads: Worker[] = [];
  const pending: (Pending | undefined)[] = new Array(W);
  let failure: Error | undefined;
  const request = (w: number, msg: object): Promise<any> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      pending[w] = { resolve, reject };
      threads[w].postMessage(msg);
    });
  const all = (msg: (w: number) => object): Promise<any[]> => Promise.all(threads.map((_, w) => request(w, msg(w))));

  /** Starts the workers from `entry` (a bundle, or tsx's boot module). */
  const start = (entry: WorkerEntry): void => {
    lastWorkerEntry = entry;
    // One channel per pair of workers.
    const ports: MessagePort[][] = Array.from({ length: W }, () => new Array<MessagePort>(W));
    for (let i = 0; i < W; i++) {
      for (let j = i + 1; j < W; j++) {
        const ch = new MessageChannel();
        ports[i][j] = ch.port1;
        ports[j][i] = ch.port2;
      }
    }
    for (let w = 0; w < W; w++) {
      const peers = ports[w].map((p, j) => (j === w ? null : p));
      const t = spawnWorker(entry, {
        workerData: { entry: WORKER, me: w, workers: W, ref, peers, stopWord, ctl, shared, claim, memoryLimit, props: model.properties.map((p) => p.name) },
        transferList: peers.filter((p): p is MessagePort => p !== null),
      });
      t.on('message', (m: any) => {
        if (m.t === 'report') {
          reports[w].push(m);
          mergeReady();
          return;
        }
        const p = pending[w];
        pending[w] = undefined;
        if (m.t === 'error') {
          failure = revive(m.error);
          for (const q of pending) q?.reject(failure);
          p?.reject(failure);
        } else p?.resolve(m);
      });
      t.on('error', (e) => {
        failure = e;
        for (const q of pending) q?.reject(e);
      });
      threads.push(t);
    }
  };

  let bound: Bound | undefined;
  const found = new Map<string, number>();
  let states = 0;
  let transitions = 0;
  // States first reached at each level (Stats.levels); the depth is their number.
  const levels: number[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    if (now > deadline) Atomics.store(stopWord, 0, STOP_TIME);
    else if (overMemory(memoryLimit)) Atomics.store(stopWord, 0, STOP_MEMORY);
    if (options.onProgress) {
      options.onProgress({ states, transitions, depth: levels.length, queue: 0, elapsedMs: now - started, statesPerSecond: rate(states, now - started) });
    }
  }, 100);

  const merge = (reports: LevelReport[]): number => {
    let size = 0;
    for (const r of reports) {
      size += r.size;
      transitions += r.transitions;
      for (const [name, gid] of Object.entries(r.found)) if (!found.has(name)) found.set(name, gid);
      if (r.depthBound) bound ??= 'maxDepth';
    }
    const added = size - states;
    states = size;
    return added;
  };

  /** Level reports as the workers post them, by worker; merged a level at a time once every worker's is in. */
  const reports: LevelReport[][] = Array.from({ length: W }, () => []);
  const mergeReady = (): void => {
    while (reports.every((r) => r.length > 0)) {
      const added = merge(reports.map((r) => r.shift()!));
      if (added > 0) levels.push(added);
    }
  };

  try {
    const entry = await workerEntry(WORKER, [ref.module, ...(ref.imports ?? [])]);
    start(entry);
    try {
      await all(() => ({ t: 'load' }));
    } catch (e) {
      // Not for the model's own errors (the engine's typed ones): tsx would give the same.
      if (entry.bundle === undefined || e instanceof CheckerError || bundleRequired()) throw e;
      // A bundle that builds but does not load (a module that behaves otherwise bundled): start again on tsx.
      await Promise.all(threads.splice(0).map((t) => t.terminate()));
      failure = undefined;
      pending.fill(undefined);
      start({ why: `the bundle did not load: ${e instanceof Error ? e.message : String(e)}` });
      await all(() => ({ t: 'load' }));
    }
    // The initial states are added (their index among them is their action): with packed states all by
    // worker 0, to the shared set; with string keys each by its owner. A worker's report of that level,
    // as of every later one, comes before its reply.
    await all(() => ({ t: 'roots' }));
    // The workers decide from the initial states' figures on (a violation or a stop there ends the run at once).
    const order: RunOrder = { maxDepth: options.maxDepth ?? Number.POSITIVE_INFINITY, stopOnViolation: options.stopOnFirstViolation === true };
    const ends: { end: RunEnd }[] = await all(() => ({ t: 'run', order }));
    const end = ends[0].end;
    if (ends.some((e) => e.end.why !== end.why || e.end.stop !== end.stop)) throw new ParallelError(`the workers ended differently: ${JSON.stringify(ends.map((e) => e.end))}`);
    if (end.why === 'violation') bound = 'stopOnViolation';
    else if (end.why === 'stop') bound = end.stop === STOP_TIME ? 'timeLimit' : 'memory';
    const coverage = new CoverageCounter(model.steps);
    const replies = await all(() => ({ t: 'coverage' }));
    const covs: { actor: string; step: string; count: number }[][] = replies.map((m) => m.steps);
    // For measuring: each worker thread's CPU time after loading the model (the critical path on idle cores).
    if (process.env.CHECKER_THREAD_CPU === '1') process.stderr.write(`thread-cpu-ms ${JSON.stringify(replies.map((m) => m.cpuMs))}\n`);
    for (const list of covs) for (const c of list) coverage.add(c.actor, c.step, c.count);
    const timeMs = performance.now() - started;
    const stats: Stats = { states, transitions, depth: levels.length, timeMs, statesPerSecond: rate(states, timeMs), complete: bound === undefined, levels };

    // Traces: collect the path of parent links from the workers that added its states, then replay it here.
    const paths = new Map<number, { gid: number; parent: number; action: number; stored: string | number }[]>();
    for (const gid of new Set(found.values())) {
      const path: { gid: number; parent: number; action: number; stored: string | number }[] = [];
      for (let cur = gid; cur !== -1; ) {
        const info = await request(cur % W, { t: 'info', local: Math.floor(cur / W) });
        path.push({ gid: cur, parent: info.parent, action: info.action, stored: info.stored });
        cur = info.parent;
      }
      paths.set(gid, path.reverse());
    }
    const identity = identityFor(model);
    const trace = (gid: number): Trace<S, A> => {
      const path = paths.get(gid)!;
      const store: TraceStore = {
        size: path.length,
        parent: (i) => i - 1,
        action: (i) => path[i].action,
        stored: (i) => path[i].stored,
        pathTo: (i) => [...Array(i + 1).keys()],
      };
      return rebuildTrace(model, store, path.length - 1, identity);
    };
    return finish(model, stats, coverage.result(), found, bound, trace);
  } finally {
    clearInterval(timer);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
