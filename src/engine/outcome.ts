import type { Action, PropertyKind } from './model.js';
import type { CheckerError } from './errors.js';

/** One step of a trace: the action that led here (null for the initial state) and the state reached. */
export interface TraceStep<S, A extends Action = Action> {
  readonly action: A | null;
  readonly state: S;
}

export type Trace<S, A extends Action = Action> = readonly TraceStep<S, A>[];

export type Verdict = 'holds' | 'violated' | 'unknown';

export interface PropertyResult<S, A extends Action = Action> {
  readonly name: string;
  readonly kind: PropertyKind;
  readonly meaning: string;
  readonly verdict: Verdict;
  /**
   * For a violated `always`/`atQuiescence` property: a shortest trace to a state
   * that violates it. For a `sometimes` property that holds: a shortest witness.
   * Absent otherwise (a `sometimes` never reached has no trace).
   */
  readonly trace?: Trace<S, A>;
  /** The property's own explanation of the violating (or witness) state. */
  readonly explanation?: string;
}

export interface Stats {
  /** Distinct states reached. */
  readonly states: number;
  /** Transitions fired (every successor computed, including ones to known states). */
  readonly transitions: number;
  /** Breadth-first levels, counted as TLC does: an initial state is at depth 1. */
  readonly depth: number;
  readonly timeMs: number;
  readonly statesPerSecond: number;
  /** True when every reachable state was explored. */
  readonly complete: boolean;
  /**
   * The states first reached at each depth (index 0: depth 1, the initial
   * states), one entry per level: `depth` entries summing to `states`. A
   * level that a bound stopped inside counts the states stored before it.
   * (Absent only from statistics made by hand.)
   */
  readonly levels?: readonly number[];
}

export interface StepCoverage {
  readonly actor: string;
  readonly step: string;
  readonly count: number;
}

export interface Coverage {
  /** Steps in the order first declared (then first fired), with how often they fired. */
  readonly steps: readonly StepCoverage[];
  /** Declared steps that never fired, as "actor:step". */
  readonly dead: readonly string[];
}

export type Status = 'ok' | 'violation' | 'incomplete' | 'error';

/** The status of an exploration that did not fail: from how many properties it violated, and whether it completed. */
export const statusOf = (violations: number, complete: boolean): Status => (violations > 0 ? 'violation' : complete ? 'ok' : 'incomplete');

export type Bound = 'maxStates' | 'maxDepth' | 'timeLimit' | 'stopOnViolation' | 'memory';

export interface Outcome<S, A extends Action = Action> {
  readonly model: string;
  readonly status: Status;
  readonly stats: Stats;
  readonly coverage: Coverage;
  /** Every property with its verdict, in declaration order. */
  readonly properties: readonly PropertyResult<S, A>[];
  /** The properties whose verdict is `violated`. */
  readonly violations: readonly PropertyResult<S, A>[];
  /** Which bound stopped the exploration, when it did not complete. */
  readonly bound?: Bound;
  readonly error?: CheckerError;
}

export interface Progress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queue: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
}
