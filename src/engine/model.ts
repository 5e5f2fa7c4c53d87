/**
 * The model interface: what a specification gives the engine.
 *
 * A model is a transition system. The engine only ever calls these functions;
 * it knows nothing of what the states mean. Specs (under `spec/`) implement this
 * interface without importing anything else from the engine.
 */

/** A place in the modelled source code (for the dialog model: an OpenSIPS C file and line). */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  /** Last line of a range, when the step stands for several lines. */
  readonly endLine?: number;
}

/**
 * One enabled action. `actor` and `step` identify the step for coverage and
 * reports (`actor` is the process or role, `step` the step id, e.g. "W4").
 * Any further fields are the spec's own (parameters of the step).
 */
export interface Action {
  readonly actor: string;
  readonly step: string;
  readonly source?: SourceLoc;
  /** A merged action (several steps run as one transition): its steps, for coverage and traces. */
  readonly parts?: readonly Action[];
  /** A short text shown with the step in traces (e.g. the value a read returned); not part of its identity. */
  readonly note?: string;
}

/** A declared step, so that coverage can report steps that never fired. */
export interface StepDecl {
  readonly actor: string;
  readonly step: string;
  readonly source?: SourceLoc;
}

export type PropertyKind = 'always' | 'sometimes' | 'atQuiescence';

/**
 * A named property over single states.
 * - `always`: must hold in every reachable state (an invariant).
 * - `sometimes`: must hold in at least one reachable state (a witness; a model
 *   in which it is never reached fails it, so a vacuous model cannot pass).
 * - `atQuiescence`: must hold in every reachable state with no enabled action.
 */
export interface Property<S> {
  readonly kind: PropertyKind;
  readonly name: string;
  /** One line saying what the property means. */
  readonly meaning: string;
  holds(state: S): boolean;
  /** Optional: why it fails in this state (e.g. which holder was dropped twice). */
  explain?(state: S): string;
}

/**
 * An optional state codec (usually generated from the state's shape by
 * `shapeCodec`, shape.ts): packs a state into one integer from 0 to 2^53 - 2
 * (exact in a double) and back. With it the engine stores a state in a few bytes
 * of typed arrays instead of a string key, and expands a level by unpacking.
 * `pack` must be injective on reachable states and agree with `key`:
 * `key(unpack(pack(s))) === key(s)`. Actions still work on plain state objects.
 */
export interface StateCodec<S> {
  pack(state: S): number;
  unpack(code: number): S;
  /**
   * Optional: writes the state with code `code` into an existing state object
   * (as `shapeCodec` generates). With it and `apply`, the engine expands
   * states in place, without allocating per transition.
   */
  unpackInto?(code: number, into: S): void;
  /** Optional: the state's containers (arrays, records), which an in-place `apply` must keep (checked on the first transitions). */
  containers?(state: S): readonly unknown[];
}

export { field, shapeCodec, type ShapeOf, type ShapeCodec, type Field, type IntField, type EnumField, type ArrayField, type RecordField } from './shape.js';

export interface Model<S, A extends Action = Action> {
  readonly name: string;
  /** Initial states, in a fixed order. */
  initialStates(): readonly S[];
  /** Enabled actions, as a deterministic ordered list. Empty means quiescent. */
  actions(state: S): readonly A[];
  /** Optional: the enabled actions of one actor (the same as filtering `actions`, only faster). */
  actorActions?(state: S, actor: string): readonly A[];
  /** The successor state. Must be pure: never mutate `state`. */
  next(state: S, action: A): S;
  /**
   * Optional, together: a copy of a state, and `next` done in place on such a
   * copy (`next(s, a)` must equal `apply(clone(s), a)`). Reductions that run
   * several steps in a row use them to copy once instead of once per step;
   * with a codec that has `unpackInto`, the explorer applies every action in
   * place on a state object it reuses (then `apply` must change the state
   * only by assigning to its declared fields, not replace its arrays or
   * records; and `actions`, `key` and the properties receive state objects
   * that are reused afterwards, so they must not keep them).
   */
  clone?(state: S): S;
  apply?(draft: S, action: A): void;
  /** Canonical key: equal states give equal keys, different states different keys. */
  key(state: S): string;
  /** Optional: a compact encoding of states (see StateCodec); the engine then uses it instead of `key` to store states. */
  readonly codec?: StateCodec<S>;
  readonly properties: readonly Property<S>[];
  /** Every step the model can take (for coverage: a declared step that never fires is reported). */
  readonly steps?: readonly StepDecl[];
}

function makeProperty<S>(
  kind: PropertyKind,
  name: string,
  meaning: string,
  holds: (s: S) => boolean,
  explain?: (s: S) => string,
): Property<S> {
  return explain ? { kind, name, meaning, holds, explain } : { kind, name, meaning, holds };
}

/** An invariant: holds in every reachable state. */
export const always = <S>(name: string, meaning: string, holds: (s: S) => boolean, explain?: (s: S) => string) =>
  makeProperty('always', name, meaning, holds, explain);

/** A witness: reached in at least one state. */
export const sometimes = <S>(name: string, meaning: string, holds: (s: S) => boolean, explain?: (s: S) => string) =>
  makeProperty('sometimes', name, meaning, holds, explain);

/** Holds in every state where no action is enabled. */
export const atQuiescence = <S>(
  name: string,
  meaning: string,
  holds: (s: S) => boolean,
  explain?: (s: S) => string,
) => makeProperty('atQuiescence', name, meaning, holds, explain);

/** The coverage label of an action or step: "actor:step". */
export const stepLabel = (a: { actor: string; step: string }): string => `${a.actor}:${a.step}`;

/** Formats a source location as "file:line" or "file:line-end". */
export const formatSource = (loc: SourceLoc | undefined): string =>
  loc === undefined ? '' : loc.endLine !== undefined && loc.endLine !== loc.line ? `${loc.file}:${loc.line}-${loc.endLine}` : `${loc.file}:${loc.line}`;
