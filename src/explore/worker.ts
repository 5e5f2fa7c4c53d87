/**
 * A job process of `explore` (run by src/check/pool.ts inWorkers): computes
 * the traces and counterexample graphs of registered runs by id (parts.ts)
 * and answers with plain data.
 */
import { defaultRegistry } from '../check/registry.js';
import type { ChoiceRequest } from '../check/shortest.js';
import { runPart, type PartOptions } from './parts.js';

const runs = new Map(defaultRegistry().runs.map((r) => [r.id, r]));

process.on('message', (m: { id?: string; requests?: ChoiceRequest[]; options?: PartOptions; done?: boolean }) => {
  if (m.done) {
    process.disconnect();
    return;
  }
  const run = runs.get(m.id!);
  if (run === undefined) throw new Error(`explore worker: no registered run '${m.id}'`);
  process.send!({ id: run.id, part: runPart(run, m.requests ?? [], m.options ?? {}) });
});
