/** A job process of the pool (pool.ts): runs registered runs by id, answers with plain data. */
import type { CheckOptions } from '../engine/index.js';
import { toPlain } from '../report/plain.js';
import { defaultRegistry } from './registry.js';
import { executeWith } from './run.js';

const runs = new Map(defaultRegistry().runs.map((r) => [r.id, r]));

process.on('message', async (m: { id?: string; options?: CheckOptions; threads?: number; done?: boolean }) => {
  if (m.done) {
    process.disconnect();
    return;
  }
  const run = runs.get(m.id!);
  if (run === undefined) throw new Error(`worker: no registered run '${m.id}'`);
  const { outcome, differences } = await executeWith(run, m.options ?? {}, m.threads ?? 1);
  // JSON drops absent fields as the parent expects them; an Error becomes its name, message and fields.
  process.send!({ id: run.id, outcome: { ...outcome, error: outcome.error === undefined ? undefined : toPlain(outcome.error) }, differences });
});
