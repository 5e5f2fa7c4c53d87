/**
 * Runs registered runs in several processes (`--jobs`; the matrix cells are
 * independent). Each job process loads the default registry, runs the ids
 * it is sent and answers with the result as plain data; the parent puts the
 * results back in the order of the runs. Ad-hoc or injected runs, one run, or
 * one job: everything runs in this process. (`threads` is `--workers`: the
 * worker threads that explore one run's state space, in whichever process.)
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckOptions, Progress } from '../engine/index.js';
import { bundleRequired, workerEntry, type WorkerEntry } from '../engine/worker-bundle.js';
import { UsageError } from './registry.js';
import { executeRuns, type RunResult, type RunSpec } from './run.js';
import { chooseTraces, type ChoiceRequest, type ChosenTrace } from './shortest.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/**
 * tsx's loader, by its resolved URL: `--import tsx` would resolve the name
 * from the working directory, which has no node_modules/tsx when the package
 * is installed elsewhere (npx dialog-race-checker). (Resolved from this file's
 * folder: in a job process started from a bundle, that is still this file's.)
 */
const tsxLoader = (): string => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** What a job process of a bundle sends once its module is loaded (before that, a failure may be the bundle's). */
const LOADED = { loaded: true } as const;

/** How the last pool's job processes started: from a bundle, or on tsx and why (for tests and measurements). */
export let lastJobEntry: WorkerEntry | undefined;

/** The V8 flags the last pool's job processes started with (for tests and measurements). */
export let lastJobFlags: readonly string[] | undefined;

/**
 * V8's flags for `processes` job processes that each explore with `threads`
 * threads. When the job processes, one thread each, take every core, each
 * process's V8 background threads (concurrent marking, parallel scavenges,
 * optimising compiles) compete with the other processes' main threads for
 * the same cores, and handing work to them and back costs CPU time of its
 * own: `--single-threaded` has each process do that work on its main thread.
 * The PR's variants on one dialog (240 runs in two job processes, on the
 * 2-core AMD host) took 15.2 to 18.1 s against 16.6 to 21.0 s in nine
 * alternating rounds, less in each (by 1.1 to 4.0 s), with about 11% less
 * CPU time (docs/performance.md).
 * A lone process on a free core is faster with its background threads (the
 * propositions in one process: 6.5 and 6.9 s with them, 7.9 and 8.5 s
 * without), and so are worker threads (`--workers`), so neither gets the
 * flag. It applies to every pool of job processes: check's, rootcause's
 * sweep and explore's (measured for check's, and for a short sweep of
 * rootcause: the same cells, 2.0 s against 2.2 and 2.3 s).
 * `CHECKER_JOB_SINGLE_THREADED=1` or `=0` forces it on or off; another value
 * is a usage error.
 */
export function jobV8Flags(processes: number, threads: number, cores = availableParallelism(), env = process.env.CHECKER_JOB_SINGLE_THREADED): string[] {
  if (env !== undefined && env !== '0' && env !== '1') throw new UsageError(`CHECKER_JOB_SINGLE_THREADED=${env}: expected 1 (V8 without background threads in job processes), 0 (with them), or unset (without them when the job processes, one thread each, take every core)`);
  const single = env === undefined ? threads === 1 && processes >= cores : env === '1';
  return single ? ['--single-threaded'] : [];
}

export interface PoolOptions {
  /** Processes. */
  readonly jobs: number;
  /** Worker threads per run (default 1). */
  readonly threads?: number;
  /** Only runs whose ids a fresh default registry also has can go to a worker. */
  readonly registered: (run: RunSpec) => boolean;
  /** Called with each result as it completes (for progress). */
  readonly onResult?: (r: RunResult) => void;
  /** Called with each run's progress while it is explored, here or in a job process (for --progress). */
  readonly onProgress?: (run: RunSpec, p: Progress) => void;
}

/** The options of one run, with its progress sent to the pool's callback. */
const withProgress = (options: CheckOptions, run: RunSpec, pool: PoolOptions): CheckOptions => {
  const { onProgress: _ignored, ...rest } = options;
  const report = pool.onProgress;
  return report === undefined ? rest : { ...rest, onProgress: (p) => report(run, p) };
};

export async function executeAll(runs: readonly RunSpec[], options: CheckOptions, pool: PoolOptions): Promise<RunResult[]> {
  const remote = runs.filter(pool.registered);
  const threads = pool.threads ?? 1;
  const optionsOf = (r: RunSpec) => withProgress(options, r, pool);
  if (pool.jobs <= 1 || remote.length <= 1) return executeRuns(runs, optionsOf, threads, pool.onResult);
  jobV8Flags(pool.jobs, threads); // a bad CHECKER_JOB_SINGLE_THREADED is refused before any run, not after the local ones
  const results = new Map<string, RunResult>();
  for (const res of await executeRuns(runs.filter((x) => !pool.registered(x)), optionsOf, threads, pool.onResult)) results.set(res.run.id, res);
  const byId = new Map(remote.map((r) => [r.id, r]));
  // A function cannot be sent to a job process: it sends its progress back instead, when asked.
  const { onProgress: _local, ...sent } = options;
  const progress = pool.onProgress !== undefined;
  const ordered = batchesOf(remote, pool.jobs);
  type Reply = { id: string; outcome: RunResult['outcome']; differences: RunResult['differences']; sameAs?: string };
  await inWorkers(
    pool.jobs,
    ordered.map((ids) => ({ id: ids[0], ids, options: sent, threads, progress })),
    (m: { results: Reply[] }) => {
      for (const one of m.results) {
        const res: RunResult = { run: byId.get(one.id)!, outcome: one.outcome, differences: one.differences, ...(one.sameAs !== undefined ? { sameAs: one.sameAs } : {}) };
        results.set(one.id, res);
        pool.onResult?.(res);
      }
    },
    (m: { id: string; progress: Progress }) => pool.onProgress?.(byId.get(m.id)!, m.progress),
    WORKER,
    threads,
  );
  return runs.map((r) => results.get(r.id)!);
}

/**
 * The batches the job processes take, in the order they take them (each a list of run ids, in
 * the order of the runs). The runs that may share an exploration (run.ts, SameAs and Together) go
 * to one process together, in order. A run shares only an exploration whose outcome it then has, so runs
 * that declare different outcomes never share: a group that alone costs more than a process's
 * fair share is split by declared outcome (else one process runs it while the others wait:
 * ping-timeout's EINTR row in the full tier). A run that declares nothing stays with its group.
 * Longest first, so that the processes end together: a batch's cost is the transitions its runs
 * declare, once per declared outcome (an undeclared run counts as none); ties keep the order of
 * the runs.
 */
export function batchesOf(runs: readonly RunSpec[], jobs: number): string[][] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const outcome = (id: string): string => {
    const r = byId.get(id)!;
    const e = r.expect;
    if (e.transitions === undefined) return `run:${id}`;
    // Runs explored together share their counts, whatever their properties' verdicts.
    return JSON.stringify([r.together === undefined ? [...e.violated].sort() : `together:${r.together.group}`, e.states, e.transitions, e.depth]);
  };
  // Runs of a batch that declare the same outcome are counted once (they are expected to share one exploration).
  const cost = (ids: readonly string[]) => [...new Map(ids.map((id) => [outcome(id), byId.get(id)!.expect.transitions ?? 0])).values()].reduce((n, t) => n + t, 0);
  const groups = new Map<string, string[]>();
  for (const r of runs) {
    const key = r.sameAs !== undefined ? r.sameAs.group : r.together !== undefined ? `together:${r.together.group}` : `run:${r.id}`;
    const list = groups.get(key) ?? [];
    list.push(r.id);
    groups.set(key, list);
  }
  const share = cost(runs.map((r) => r.id)) / jobs;
  const batches = new Map<string, string[]>();
  for (const [key, ids] of groups) {
    const split = ids.length > 1 && cost(ids) > share;
    for (const id of ids) {
      const sub = split && byId.get(id)!.expect.transitions !== undefined ? `${key}|${outcome(id)}` : key;
      const list = batches.get(sub) ?? [];
      list.push(id);
      batches.set(sub, list);
    }
  }
  return [...batches.values()]
    .map((ids, i) => ({ ids, i, cost: cost(ids) }))
    .sort((x, y) => y.cost - x.cost || x.i - y.i)
    .map((x) => x.ids);
}

/** One run's traces to choose (src/check/shortest.ts). */
export interface ChoiceJob {
  readonly run: RunSpec;
  readonly requests: readonly ChoiceRequest[];
}

/** The chosen traces of each job, by run id; in worker processes like `executeAll`. */
export async function chooseAll(jobs: readonly ChoiceJob[], pool: Omit<PoolOptions, 'onResult'>, complete = false): Promise<Map<string, ChosenTrace[]>> {
  const out = new Map<string, ChosenTrace[]>();
  const remote = jobs.filter((j) => pool.registered(j.run));
  const local = pool.jobs <= 1 || remote.length <= 1 ? jobs : jobs.filter((j) => !pool.registered(j.run));
  for (const j of local) out.set(j.run.id, chooseTraces(j.run, j.requests, undefined, complete));
  if (local.length < jobs.length) {
    await inWorkers(
      pool.jobs,
      remote.map((j) => ({ id: j.run.id, choose: j.requests, complete })),
      (m: { id: string; chosen: ChosenTrace[] }) => out.set(m.id, m.chosen),
    );
  }
  return out;
}

/**
 * For a job process: a function that ends this process if the pool's process
 * that forked it has died. An exploration runs without yielding to the event
 * loop, so the closing of the channel to a parent that died (killed, SIGKILL
 * included) is not seen until it ends; the parent's pid is, at each progress
 * tick (every second): a job left alone stops then instead of exploring on.
 */
export function exitWhenOrphaned(): () => void {
  const parent = process.ppid;
  return () => {
    if (process.ppid !== parent) process.exit(1);
  };
}

/**
 * Sends each message (it names a registered run by `id`) to one of n worker
 * processes, the next one as soon as a worker answers; `onReply` gets each answer.
 * `worker` is the module the processes run (default: worker.ts beside this
 * file); it must answer each message with one reply and leave on `{ done: true }`.
 * `threads` is how many threads each process explores with (for its V8 flags, jobV8Flags).
 * The first process to fail (an error, or an exit other than 0) ends the
 * others: nothing more is sent, and the promise rejects with its error.
 */
export async function inWorkers<R>(
  workers: number,
  messages: readonly { id: string }[],
  onReply: (reply: R) => void,
  onProgress?: (m: { id: string; progress: Progress }) => void,
  worker: string = WORKER,
  threads = 1,
): Promise<void> {
  const queue = [...messages];
  const n = Math.min(workers, messages.length);
  if (n === 0) return;
  const v8 = jobV8Flags(n, threads);
  lastJobFlags = v8;
  // The module and everything it imports as one file (src/engine/worker-bundle.ts): a job process then
  // starts in about a third of the time it takes on tsx. It says when it is loaded.
  const entry = await workerEntry(pathToFileURL(worker).href, [], undefined, `process.send(${JSON.stringify(LOADED)});\n`);
  lastJobEntry = entry;
  const children: ReturnType<typeof fork>[] = [];
  let failed = false;
  const failAll = (): void => {
    failed = true;
    queue.length = 0;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  };
  // A bundle's stderr is held until its module is loaded: what a bundle that fails to load printed is not the run's.
  const onTsx: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
  const ofBundle: ['ignore', 'inherit', 'pipe', 'ipc'] = ['ignore', 'inherit', 'pipe', 'ipc'];
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        const fail = (e: Error): void => {
          if (!failed) failAll();
          reject(e);
        };
        // The message the process works on, sent again to its successor on tsx if a bundle fails to load.
        let current: object | undefined;
        const start = (bundle: URL | undefined, first: object | undefined): void => {
          const child =
            bundle !== undefined
              ? fork(fileURLToPath(bundle), [], { execArgv: [...v8], stdio: ofBundle })
              : fork(worker, [], { execArgv: [...v8, '--import', tsxLoader()], stdio: onTsx });
          children.push(child);
          let loaded = bundle === undefined;
          const held: Buffer[] = [];
          const showHeld = () => {
            for (const b of held.splice(0)) process.stderr.write(b);
          };
          child.stderr?.on('data', (b: Buffer) => (loaded ? process.stderr.write(b) : held.push(b)));
          const send = (m: object) => {
            current = m;
            child.send(m);
          };
          const sendNext = () => {
            if (failed) return;
            const next = queue.shift();
            send(next === undefined ? { done: true } : next);
          };
          child.on('message', (m: R | { id: string; progress: Progress } | typeof LOADED) => {
            if (typeof m === 'object' && m !== null && 'loaded' in m) {
              loaded = true;
              showHeld();
              return;
            }
            if (typeof m === 'object' && m !== null && 'progress' in m) {
              onProgress?.(m);
              return;
            }
            onReply(m as R);
            sendNext();
          });
          child.on('error', fail);
          child.on('exit', (code, signal) => {
            if (code === 0) return resolve();
            // A bundle that builds but does not load (a module that behaves otherwise bundled): this process again on tsx.
            if (!loaded && !failed && !bundleRequired()) return start(undefined, current);
            const how = code !== null ? `code ${code}` : `signal ${signal}`;
            if (!loaded && !failed) {
              showHeld();
              return fail(new Error(`a job process of the bundle ${fileURLToPath(bundle!)} exited with ${how} before its module was loaded (CHECKER_WORKER_BUNDLE=require)`));
            }
            // A process ended by failAll, after another's failure, rejects with that failure (Promise.all keeps the first).
            fail(new Error(`worker exited with ${how}`));
          });
          if (first !== undefined) send(first);
          else sendNext();
        };
        start(entry.bundle, undefined);
      }),
    ),
  );
}
