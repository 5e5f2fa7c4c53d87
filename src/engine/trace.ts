import type { Action, Model } from './model.js';
import { stepLabel } from './model.js';
import { DETERMINISM_CAUSES, DeterminismError } from './errors.js';
import type { StateStore } from './store.js';
import type { Trace, TraceStep } from './outcome.js';

/**
 * Rebuilds the trace to state `id` by replaying, from its initial state, the
 * action index stored for each state on the path. Every re-derived state must
 * have the stored key: if not, the model is not deterministic and a
 * DeterminismError says where replay diverged.
 */
export function rebuildTrace<S, A extends Action>(model: Model<S, A>, store: StateStore, id: number): Trace<S, A> {
  const path = store.pathTo(id);
  const root = path[0];
  const inits = model.initialStates();
  const initIndex = store.action(root);
  const first = inits[initIndex];
  const rootKey = store.key(root);
  if (first === undefined || model.key(first) !== rootKey) {
    throw new DeterminismError(
      `model ${model.name}: replay diverged at the initial state (#${initIndex}): initialStates() ` +
        `no longer returns the state explored first. ${DETERMINISM_CAUSES}`,
      0,
      rootKey,
      first === undefined ? undefined : model.key(first),
    );
  }
  const steps: TraceStep<S, A>[] = [{ action: null, state: first }];
  let state: S = first;
  for (let i = 1; i < path.length; i++) {
    const acts = model.actions(state);
    const ai = store.action(path[i]);
    const expected = store.key(path[i]);
    const a = acts[ai];
    if (a === undefined) {
      throw new DeterminismError(
        `model ${model.name}: replay diverged at step ${i}: action #${ai} is no longer enabled ` +
          `(${acts.length} enabled). ${DETERMINISM_CAUSES}`,
        i,
        expected,
        undefined,
      );
    }
    const succ = model.next(state, a);
    const got = model.key(succ);
    if (got !== expected) {
      throw new DeterminismError(
        `model ${model.name}: replay diverged at step ${i} (${stepLabel(a)}): the successor ` +
          `differs from the state explored. ${DETERMINISM_CAUSES}`,
        i,
        expected,
        got,
      );
    }
    steps.push({ action: a, state: succ });
    state = succ;
  }
  return steps;
}
