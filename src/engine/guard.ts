/**
 * Guards around a model's own code, for the explorers (explore.ts,
 * successors.ts, parallel-worker.ts):
 *
 * - A model function that throws (`actions`, `next`, `apply`) becomes a
 *   `ModelError` naming the state it was called on (its key) and the action,
 *   instead of a bare exception with neither.
 * - The first transitions (SELF_CHECKS of them) are checked: `next` must
 *   leave its input state unchanged (its key before and after), and, when the
 *   model has `clone` and `apply`, `apply` on a clone must leave the original
 *   unchanged (a shallow `clone` shares arrays with the original) and give the
 *   state `next` gives. A model that breaks this explores wrong states
 *   silently (a mutated state is stored under its old key, or a later action
 *   starts from a changed state), so the engine refuses it.
 *
 * Pure helpers: nothing here stores states or prints.
 */
import type { Action, Model } from './model.js';
import { stepLabel } from './model.js';
import { CheckerError, SpecError } from './errors.js';

/** How many transitions are checked against the model's own `next`, `key` (and codec, in successors.ts). */
export const SELF_CHECKS = 300;

/**
 * The part of the model that threw (`property`: one of its properties' predicates, named in
 * `property`; `initialStates`: with no state; `key`: on the state `action` made from `stateKey`).
 */
export type ModelPart = 'actions' | 'next' | 'apply' | 'property' | 'initialStates' | 'key';

/** Longest state key quoted in a message (the full key stays in the error's `stateKey`). */
const SHOWN_KEY = 400;

const thrownText = (t: unknown): string => (t instanceof Error ? `${t.name}: ${t.message}` : String(t));
const shown = (key: string): string => (key.length > SHOWN_KEY ? `${key.slice(0, SHOWN_KEY)}... (${key.length} characters)` : key);

/** A state's key for a message; if `key` itself throws, what it threw. */
export function keyOf<S>(model: Model<S, any>, state: S): string {
  try {
    return model.key(state);
  } catch (e) {
    return `(key() threw ${thrownText(e)})`;
  }
}

/**
 * The model's own code threw while the engine explored it: which part, on
 * which action (`actor:step`; none for `actions`), from which state (its key).
 */
export class ModelError extends CheckerError {
  override readonly code = 'model-error';
  /** With part `property`: the property whose predicate threw (absent otherwise, also in JSON). */
  declare readonly property?: string;
  constructor(
    model: string,
    readonly part: ModelPart,
    readonly stateKey: string,
    readonly action: string | undefined,
    readonly thrown: unknown,
    property?: string,
  ) {
    super(`model ${model}: ${whereThrown(part, stateKey, action, property, thrownText(thrown))}`);
    if (property !== undefined) (this as { property?: string }).property = property;
  }
}

/** What threw, and on which state, for a ModelError's message. */
function whereThrown(part: ModelPart, stateKey: string, action: string | undefined, property: string | undefined, thrown: string): string {
  switch (part) {
    case 'property':
      return `property ${property} threw ${thrown}, on state ${shown(stateKey)}`;
    case 'initialStates':
      return `initialStates() threw ${thrown}`;
    case 'key':
      // Without an action: an initial state, which has no key to show (stateKey holds it as JSON).
      if (action === undefined) return `key(state) threw ${thrown}, on the initial state ${shown(stateKey)}`;
      return `key(state) threw ${thrown}, on the state ${action} makes from state ${shown(stateKey)}`;
    default:
      return `${part}(${action === undefined ? 'state' : `state, ${action}`}) threw ${thrown}, in state ${shown(stateKey)}`;
  }
}

/** `next` or `apply` changed the state it was given (seen by its key before and after). */
export class MutatedInputError extends CheckerError {
  override readonly code = 'mutated-input';
  constructor(
    model: string,
    readonly part: 'next' | 'apply',
    readonly action: string,
    readonly stateKey: string,
    readonly changedKey: string,
  ) {
    super(
      `model ${model}: ${part} on ${action} changed its input state, from ${shown(stateKey)} to ${shown(changedKey)}; ` +
        (part === 'next'
          ? 'next must build a new state and leave its argument unchanged'
          : 'apply may change only the copy clone made: does clone share arrays or records with the original?'),
    );
  }
}

/** What a model function threw, as the engine's error: a checker error as it is, anything else as a ModelError. */
export function modelError<S, A extends Action>(model: Model<S, A>, part: ModelPart, thrown: unknown, state: S, action: A | undefined): CheckerError {
  if (thrown instanceof CheckerError) return thrown;
  return new ModelError(model.name, part, keyOf(model, state), action === undefined ? undefined : stepLabel(action), thrown);
}

/**
 * A successor the codec refuses (a field outside its declared domain, or a
 * codec of the model's own that throws): a SpecError naming the state, the
 * step and the codec's reason. The model's step did not throw; the state it
 * made does not fit the shape. (Not `instanceof`: a model file loaded as
 * CommonJS has its own copy of the engine, whose errors are other classes.)
 */
export function successorError<S, A extends Action>(model: Model<S, A>, thrown: unknown, state: S, action: A): SpecError {
  // The shape's own errors by their message alone (they are SpecErrors); a codec of the model's own with its error's name.
  const why = thrown instanceof Error ? (thrown.name === 'SpecError' ? thrown.message : thrownText(thrown)) : String(thrown);
  return new SpecError(`model ${model.name}: ${stepLabel(action)} from state ${shown(keyOf(model, state))} makes a state the codec refuses: ${why}`);
}

/** `model.key(succ)`, the key of the state `action` made from `from`; if it throws, a ModelError saying so. */
export function successorKey<S, A extends Action>(model: Model<S, A>, succ: S, from: S, action: A): string {
  try {
    return model.key(succ);
  } catch (e) {
    throw modelError(model, 'key', e, from, action);
  }
}

/**
 * The model's initial states; if `initialStates` throws, or `key` throws on
 * one of them, a ModelError saying so (for `key`, with the state as JSON in
 * place of its key).
 */
export function initialStatesOf<S, A extends Action>(model: Model<S, A>): readonly S[] {
  let inits: readonly S[];
  try {
    inits = model.initialStates();
  } catch (e) {
    if (e instanceof CheckerError) throw e;
    throw new ModelError(model.name, 'initialStates', '', undefined, e);
  }
  for (const s of Array.isArray(inits) ? inits : []) {
    try {
      model.key(s);
    } catch (e) {
      if (e instanceof CheckerError) throw e;
      throw new ModelError(model.name, 'key', asJson(s), undefined, e);
    }
  }
  return inits;
}

/** A state as JSON for a message (its key cannot be had); what JSON gives when it cannot. */
function asJson(s: unknown): string {
  try {
    return JSON.stringify(s) ?? String(s);
  } catch (e) {
    return `(not shown: ${thrownText(e)})`;
  }
}

/** Throws a MutatedInputError if `state` no longer has the key `before`. */
export function checkUnchanged<S, A extends Action>(model: Model<S, A>, state: S, before: string, part: 'next' | 'apply', action: A): void {
  const after = keyOf(model, state);
  if (after !== before) throw new MutatedInputError(model.name, part, stepLabel(action), before, after);
}

/**
 * `next(state, a)`, checked: it must not throw (else a ModelError), must leave
 * `state` unchanged and, with `clone` and `apply`, `apply(clone(state), a)`
 * must leave it unchanged too and give the same state (by key).
 */
export function checkedNext<S, A extends Action>(model: Model<S, A>, state: S, a: A): S {
  const before = keyOf(model, state);
  let succ: S;
  try {
    succ = model.next(state, a);
  } catch (e) {
    throw modelError(model, 'next', e, state, a);
  }
  checkUnchanged(model, state, before, 'next', a);
  const { clone, apply } = model;
  if (clone !== undefined && apply !== undefined) {
    let copy: S;
    try {
      copy = clone.call(model, state);
      apply.call(model, copy, a);
    } catch (e) {
      throw modelError(model, 'apply', e, state, a);
    }
    checkUnchanged(model, state, before, 'apply', a);
    const expected = keyOf(model, succ);
    const got = keyOf(model, copy);
    if (got !== expected) {
      throw new SpecError(`model ${model.name}: apply and next disagree on ${stepLabel(a)} from ${shown(before)}: apply gives ${shown(got)}, next gives ${shown(expected)}`);
    }
  }
  return succ;
}

/**
 * A model's `actions` and `next` as an explorer calls them: the first
 * `checks` transitions through `checkedNext`, every throw as a ModelError.
 */
export class Guard<S, A extends Action> {
  private left: number;

  constructor(
    private readonly model: Model<S, A>,
    checks = SELF_CHECKS,
  ) {
    this.left = checks;
  }

  actions(state: S): readonly A[] {
    try {
      return this.model.actions(state);
    } catch (e) {
      throw modelError(this.model, 'actions', e, state, undefined);
    }
  }

  next(state: S, a: A): S {
    if (this.left > 0) {
      this.left--;
      return checkedNext(this.model, state, a);
    }
    try {
      return this.model.next(state, a);
    } catch (e) {
      throw modelError(this.model, 'next', e, state, a);
    }
  }
}

/** The fields a worker thread sends back with a guard's error (see `reviveGuardError`). */
export function guardErrorFields(e: unknown): Record<string, unknown> {
  if (e instanceof ModelError) return { part: e.part, stateKey: e.stateKey, action: e.action, thrown: thrownText(e.thrown), ...(e.property !== undefined ? { property: e.property } : {}) };
  if (e instanceof MutatedInputError) return { part: e.part, stateKey: e.stateKey, action: e.action, changedKey: e.changedKey };
  return {};
}

/** A guard's error sent back by a worker thread (name, message, code and `guardErrorFields`), as its class; else undefined. */
export function reviveGuardError(e: { message: string; code?: string; [field: string]: unknown }): CheckerError | undefined {
  if (e.code === 'model-error' || e.code === 'mutated-input') {
    const err: CheckerError =
      e.code === 'model-error'
        ? new ModelError('', e.part as ModelPart, e.stateKey as string, e.action as string | undefined, e.thrown, e.property as string | undefined)
        : new MutatedInputError('', e.part as 'next' | 'apply', e.action as string, e.stateKey as string, e.changedKey as string);
    // The worker's message, word for word (it was made from the same fields).
    Object.defineProperty(err, 'message', { value: e.message, enumerable: false, writable: true, configurable: true });
    return err;
  }
  return undefined;
}
