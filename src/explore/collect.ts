/**
 * Runs the selected runs as `check` does (src/check/pool.ts executeAll), then,
 * for every run outside the proposition searches with a violated property that
 * has a trace, the traces and counterexample graphs the page shows (parts.ts),
 * in worker processes like the check's choice of traces (registered runs only;
 * the others here).
 */
import { fileURLToPath } from 'node:url';
import type { CheckOptions } from '../engine/index.js';
import { executeAll, inWorkers } from '../check/pool.js';
import type { RunResult, RunSpec } from '../check/run.js';
import { choiceRequest, type ChoiceRequest } from '../check/shortest.js';
import { runPart, type PartOptions, type RunPart } from './parts.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface CollectOptions {
  readonly jobs: number;
  readonly threads?: number;
  /** Whether a fresh default registry has this run (only those go to worker processes). */
  readonly registered: (run: RunSpec) => boolean;
  readonly onResult?: (r: RunResult) => void;
  /** Called with each run's traces and graphs as they complete, and how many runs have them to make. */
  readonly onPart?: (part: RunPart, of: number) => void;
  readonly part?: PartOptions;
}

/** The properties whose traces a run's part chooses: its violations with a trace (none for a proposition search, which shows the engine's). */
export function partRequests(r: RunResult): ChoiceRequest[] {
  if (r.run.tags.group === 'propositions') return [];
  return r.outcome.violations.filter((v) => v.trace !== undefined).map((v) => choiceRequest(v.name, v.trace!.length - 1, r.outcome.stats));
}

export async function collect(runs: readonly RunSpec[], bounds: CheckOptions, options: CollectOptions): Promise<{ results: RunResult[]; parts: Map<string, RunPart> }> {
  const results = await executeAll(runs, bounds, {
    jobs: options.jobs,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    registered: options.registered,
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  const wanted = results.map((r) => ({ run: r.run, requests: partRequests(r) })).filter((j) => j.requests.length > 0);
  const parts = new Map<string, RunPart>();
  const remote = wanted.filter((j) => options.registered(j.run));
  const local = options.jobs <= 1 || remote.length <= 1 ? wanted : wanted.filter((j) => !options.registered(j.run));
  const done = (p: RunPart) => {
    parts.set(p.id, p);
    options.onPart?.(p, wanted.length);
  };
  for (const j of local) done(runPart(j.run, j.requests, options.part));
  if (local.length < wanted.length) {
    await inWorkers(
      options.jobs,
      remote.map((j) => ({ id: j.run.id, requests: j.requests, options: options.part ?? {} })),
      (m: { id: string; part: RunPart }) => done(m.part),
      undefined,
      WORKER,
    );
  }
  return { results, parts };
}
