/** Typed errors of the engine. Tests match on the class (or `code`), not on the text. */

export class CheckerError extends Error {
  readonly code: string = 'checker';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The model itself is malformed (duplicate property names, no initial state, ...). */
export class SpecError extends CheckerError {
  override readonly code = 'spec';
}

/**
 * Replaying the stored actions from an initial state did not re-derive the
 * stored states: the model is not deterministic.
 */
export class DeterminismError extends CheckerError {
  override readonly code = 'determinism';
  constructor(
    message: string,
    /** Index in the trace (0 = initial state) where replay diverged. */
    readonly position: number,
    readonly expectedKey: string,
    readonly actualKey: string | undefined,
  ) {
    super(message);
  }
}

export const DETERMINISM_CAUSES =
  'Likely causes: next() or actions() depends on something outside the state ' +
  '(Math.random, Date, a mutable global or closure), next() mutates its input state, ' +
  'actions() does not return its list in a stable order, or key() is not canonical ' +
  '(e.g. JSON.stringify of objects whose key order varies).';
