/**
 * Which properties an exploration has settled, and where: the first state (in
 * the order states are checked) that violates each invariant or quiescence
 * property, or witnesses each `sometimes` property. Properties already
 * settled are no longer evaluated.
 */
import type { Model, Property } from './model.js';
import { CheckerError } from './errors.js';
import { keyOf, ModelError } from './guard.js';

export class Findings<S> {
  /** Property name -> id of its first violating (or witnessing) state. */
  readonly found = new Map<string, number>();
  /** Whether a property was violated (a witness found is not a violation). */
  violated = false;
  private invariants: Property<S>[];
  private witnesses: Property<S>[];
  private quiescent: Property<S>[];

  /** `model`: whose properties these are, to name the property and the state when one throws. */
  constructor(properties: readonly Property<S>[], private readonly model?: Model<S, any>) {
    this.invariants = properties.filter((p) => p.kind === 'always');
    this.witnesses = properties.filter((p) => p.kind === 'sometimes');
    this.quiescent = properties.filter((p) => p.kind === 'atQuiescence');
  }

  /** Whether a new state still needs checking (some invariant or witness open). */
  get checksNew(): boolean {
    return this.invariants.length > 0 || this.witnesses.length > 0;
  }

  /** Whether a quiescent state still needs checking. */
  get checksQuiescent(): boolean {
    return this.quiescent.length > 0;
  }

  /** Checks a newly stored state against the open invariants and witnesses. */
  checkNew(id: number, state: S): void {
    if (this.invariants.length > 0) {
      let hit = false;
      for (const p of this.invariants) {
        if (!this.holds(p, state)) {
          this.found.set(p.name, id);
          this.violated = hit = true;
        }
      }
      if (hit) this.invariants = this.invariants.filter((p) => !this.found.has(p.name));
    }
    if (this.witnesses.length > 0) {
      let reached = false;
      for (const p of this.witnesses) {
        if (this.holds(p, state)) {
          this.found.set(p.name, id);
          reached = true;
        }
      }
      if (reached) this.witnesses = this.witnesses.filter((p) => !this.found.has(p.name));
    }
  }

  /** Checks a state with no enabled action against the open quiescence properties. */
  checkQuiescent(id: number, state: S): void {
    let hit = false;
    for (const p of this.quiescent) {
      if (!this.holds(p, state)) {
        this.found.set(p.name, id);
        this.violated = hit = true;
      }
    }
    if (hit) this.quiescent = this.quiescent.filter((p) => !this.found.has(p.name));
  }

  /** `p.holds(state)`; a predicate that throws is a ModelError naming the property and the state. */
  private holds(p: Property<S>, state: S): boolean {
    try {
      return p.holds(state);
    } catch (e) {
      if (e instanceof CheckerError || this.model === undefined) throw e;
      throw new ModelError(this.model.name, 'property', keyOf(this.model, state), undefined, e, p.name);
    }
  }
}
