/**
 * A job process of the pool (pool.ts): runs registered runs by id (with
 * `threads` worker threads each), or chooses the printed traces of one
 * (src/check/shortest.ts); answers with plain data.
 */
import type { CheckOptions } from '../engine/index.js';
import { toPlain } from '../format/plain.js';
import { exitWhenOrphaned } from './pool.js';
import { defaultRegistry } from './registry.js';
import { executeRuns, type RunSpec } from './run.js';
import { chooseTraces, type ChoiceRequest } from './shortest.js';

const runs = new Map(defaultRegistry().runs.map((r) => [r.id, r]));

const stopIfOrphaned = exitWhenOrphaned();

process.on('message', async (m: { id?: string; ids?: string[]; options?: CheckOptions; threads?: number; progress?: boolean; choose?: ChoiceRequest[]; complete?: boolean; done?: boolean }) => {
  if (m.done) {
    process.disconnect();
    return;
  }
  const run = runs.get(m.id!);
  if (run === undefined) throw new Error(`worker: no registered run '${m.id}'`);
  if (m.choose !== undefined) {
    process.send!({ id: run.id, chosen: chooseTraces(run, m.choose, undefined, m.complete === true) });
    return;
  }
  // A batch of runs (those that may share an exploration, run.ts), one after the other; one reply for all.
  const batch = (m.ids ?? [run.id]).map((id) => {
    const one = runs.get(id);
    if (one === undefined) throw new Error(`worker: no registered run '${id}'`);
    return one;
  });
  const optionsOf = (one: RunSpec): CheckOptions => ({
    ...m.options,
    onProgress: (progress) => {
      stopIfOrphaned();
      if (m.progress) process.send!({ id: one.id, progress });
    },
  });
  const results = (await executeRuns(batch, optionsOf, m.threads ?? 1)).map(({ run: one, outcome, differences, sameAs }) => ({
    id: one.id,
    // JSON drops absent fields as the parent expects them; an Error becomes its name, message and fields.
    outcome: { ...outcome, error: outcome.error === undefined ? undefined : toPlain(outcome.error) },
    differences,
    sameAs,
  }));
  process.send!({ results });
});
