/**
 * Runs registered runs in several processes (`--jobs`; the matrix cells are
 * independent). Each job process loads the default registry, runs the ids
 * it is sent and answers with the result as plain data; the parent puts the
 * results back in the order of the runs. Ad-hoc or injected runs, one run, or
 * one job: everything runs in this process. (`threads` is `--workers`: the
 * worker threads that explore one run's state space, in whichever process.)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CheckOptions } from '../engine/index.js';
import { executeWith, type RunResult, type RunSpec } from './run.js';
import { chooseTraces, type ChoiceRequest, type ChosenTrace } from './shortest.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface PoolOptions {
  /** Processes. */
  readonly jobs: number;
  /** Worker threads per run (default 1). */
  readonly threads?: number;
  /** Only runs whose ids a fresh default registry also has can go to a worker. */
  readonly registered: (run: RunSpec) => boolean;
  /** Called with each result as it completes (for progress). */
  readonly onResult?: (r: RunResult) => void;
}

export async function executeAll(runs: readonly RunSpec[], options: CheckOptions, pool: PoolOptions): Promise<RunResult[]> {
  const remote = runs.filter(pool.registered);
  const threads = pool.threads ?? 1;
  if (pool.jobs <= 1 || remote.length <= 1 || options.onProgress !== undefined) {
    const out: RunResult[] = [];
    for (const r of runs) {
      const res = await executeWith(r, options, threads);
      pool.onResult?.(res);
      out.push(res);
    }
    return out;
  }
  const results = new Map<string, RunResult>();
  for (const r of runs.filter((x) => !pool.registered(x))) results.set(r.id, await executeWith(r, options, threads));
  // Longest first would be best; the manifest order is a fair proxy (big scenarios come first).
  const byId = new Map(remote.map((r) => [r.id, r]));
  await inWorkers(
    pool.jobs,
    remote.map((r) => ({ id: r.id, options, threads })),
    (m: { id: string; outcome: RunResult['outcome']; differences: RunResult['differences'] }) => {
      const res: RunResult = { run: byId.get(m.id)!, outcome: m.outcome, differences: m.differences };
      results.set(m.id, res);
      pool.onResult?.(res);
    },
  );
  return runs.map((r) => results.get(r.id)!);
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
 * Sends each message (it names a registered run by `id`) to one of n worker
 * processes, the next one as soon as a worker answers; `onReply` gets each answer.
 * `worker` is the module the processes run (default: worker.ts beside this
 * file); it must answer each message with one reply and leave on `{ done: true }`.
 */
export async function inWorkers<R>(workers: number, messages: readonly { id: string }[], onReply: (reply: R) => void, worker: string = WORKER): Promise<void> {
  const queue = [...messages];
  const n = Math.min(workers, messages.length);
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve, reject) => {
        const child = fork(worker, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const sendNext = () => {
          const next = queue.shift();
          child.send(next === undefined ? { done: true } : next);
        };
        child.on('message', (m: R) => {
          onReply(m);
          sendNext();
        });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with code ${code}`))));
        sendNext();
      }),
    ),
  );
}
