/**
 * Model builders for worker threads (engine/parallel.ts): a worker cannot be
 * sent a closure, so it imports this module and builds the run's model from
 * plain data (a model name and its parameters, or a matrix cell's run id).
 */
import type { Model } from '../engine/index.js';
import { dialogRuns } from './dialog.js';
import { MODELS, type Params } from './registry.js';

export function buildModel(name: string, params: Params): Model<any, any> {
  const def = MODELS.find((m) => m.name === name);
  if (def === undefined) throw new Error(`load: no model '${name}'`);
  return def.build(params);
}

export function buildDialogRun(id: string): Model<any, any> {
  const run = dialogRuns().find((r) => r.id === id);
  if (run === undefined) throw new Error(`load: no dialog run '${id}'`);
  return run.build();
}
