import type { Action, Model } from './model.js';
import { stepLabel } from './model.js';
import { DETERMINISM_CAUSES, DeterminismError } from './errors.js';
import type { TraceStore } from './store.js';
import type { Trace, TraceStep } from './outcome.js';

/** How a trace compares a replayed state with the stored one. */
export interface Identity<S> {
  /** The identity of a state, comparable with what the store holds. */
  of(state: S): string | number;
  /** A readable form of a stored identity (for the error). */
  describe(stored: string | number): string;
}

const byKey = <S>(model: Model<S, Action>): Identity<S> => ({ of: (s) => model.key(s), describe: String });

/**
 * Rebuilds the trace to state `id` by replaying, from its initial state, the
 * action index stored for each state on the path. Every re-derived state must
 * have the stored identity (key, or packed code): if not, the model is not
 * deterministic and a DeterminismError says where replay diverged.
 */
export function rebuildTrace<S, A extends Action>(
  model: Model<S, A>,
  store: TraceStore,
  id: number,
  identity: Identity<S> = byKey(model as Model<S, Action>),
): Trace<S, A> {
  const path = store.pathTo(id);
  const root = path[0];
  const inits = model.initialStates();
  const initIndex = store.action(root);
  const first = inits[initIndex];
  const rootKey = store.stored(root);
  if (first === undefined || identity.of(first) !== rootKey) {
    throw new DeterminismError(
      `model ${model.name}: replay diverged at the initial state (#${initIndex}): initialStates() ` +
        `no longer returns the state explored first. ${DETERMINISM_CAUSES}`,
      0,
      identity.describe(rootKey),
      first === undefined ? undefined : model.key(first),
    );
  }
  const steps: TraceStep<S, A>[] = [{ action: null, state: first }];
  let state: S = first;
  for (let i = 1; i < path.length; i++) {
    const acts = model.actions(state);
    const ai = store.action(path[i]);
    const expected = store.stored(path[i]);
    const a = acts[ai];
    if (a === undefined) {
      throw new DeterminismError(
        `model ${model.name}: replay diverged at step ${i}: action #${ai} is no longer enabled ` +
          `(${acts.length} enabled). ${DETERMINISM_CAUSES}`,
        i,
        identity.describe(expected),
        undefined,
      );
    }
    const succ = model.next(state, a);
    const got = identity.of(succ);
    if (got !== expected) {
      throw new DeterminismError(
        `model ${model.name}: replay diverged at step ${i} (${stepLabel(a)}): the successor ` +
          `differs from the state explored. ${DETERMINISM_CAUSES}`,
        i,
        identity.describe(expected),
        model.key(succ),
      );
    }
    steps.push({ action: a, state: succ });
    state = succ;
  }
  return steps;
}
