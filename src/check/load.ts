/**
 * Model builders for worker threads (engine/parallel.ts): a worker cannot be
 * sent a closure, so it imports this module and builds the run's model from
 * plain data (a model name and its parameters, a matrix cell's run id, or a
 * user's model module with its export and parameters). It imports only what
 * the model it builds needs: a worker's start is part of every run's time.
 */
import type { Model } from '../engine/index.js';
import { MODELS, type Params } from './models.js';
import { importModule } from '../engine/preloaded.js';

export function buildModel(name: string, params: Params): Model<any, any> {
  const def = MODELS.find((m) => m.name === name);
  if (def === undefined) throw new Error(`load: no model '${name}'`);
  return def.build(params);
}

/** A dialog matrix cell's model (the matrix is loaded only here: a worker building another model does not load it). */
export async function buildDialogRun(id: string): Promise<Model<any, any>> {
  const { dialogRuns } = await import('./dialog.js');
  const run = dialogRuns().find((r) => r.id === id);
  if (run === undefined) throw new Error(`load: no dialog run '${id}'`);
  return run.build();
}

/** A model of a user's module (check --model-file, src/cli-model-file.ts): the export, called with the parameters if it is a function. */
export async function buildFromFile(url: string, exportName: string, params: Params): Promise<Model<any, any>> {
  const mod = await importModule(url);
  const v = mod[exportName];
  return (typeof v === 'function' ? v(params) : v) as Model<any, any>;
}
