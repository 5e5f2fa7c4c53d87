/**
 * Breadth-first explicit-state exploration.
 *
 * Why breadth-first: states are discovered in order of their distance from the
 * initial states, so the first state found to violate a property is at minimal
 * distance and the trace rebuilt to it is a shortest counterexample. The search
 * keeps going after a violation (unless told to stop) so that every violated
 * property gets its own first, shortest trace.
 *
 * Nothing here prints; progress goes to an optional callback.
 */
import type { Action, Model, Property } from './model.js';
import { stepLabel } from './model.js';
import { CheckerError, SpecError } from './errors.js';
import type { Bound, Coverage, Outcome, Progress, PropertyResult, Stats, StepCoverage, Verdict } from './outcome.js';
import { StateStore } from './store.js';
import { rebuildTrace } from './trace.js';

export interface CheckOptions {
  /** Stop (status `incomplete`) once this many distinct states are stored. */
  readonly maxStates?: number;
  /** Do not expand states at this depth (TLC counting: initial states are depth 1). */
  readonly maxDepth?: number;
  /** Stop (status `incomplete`) after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Stop at the first violation instead of collecting one per property. */
  readonly stopOnFirstViolation?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Minimum interval between progress callbacks (default 1000 ms). */
  readonly progressIntervalMs?: number;
}

/** Checks that property names are unique and the model has initial states. */
export function validateModel<S, A extends Action>(model: Model<S, A>): void {
  const seen = new Set<string>();
  for (const p of model.properties) {
    if (seen.has(p.name)) throw new SpecError(`model ${model.name}: duplicate property name '${p.name}'`);
    seen.add(p.name);
  }
  const steps = new Set<string>();
  for (const s of model.steps ?? []) {
    const l = stepLabel(s);
    if (steps.has(l)) throw new SpecError(`model ${model.name}: step '${l}' is declared twice`);
    steps.add(l);
  }
}

export function check<S, A extends Action>(model: Model<S, A>, options: CheckOptions = {}): Outcome<S, A> {
  const started = performance.now();
  try {
    validateModel(model);
    return explore(model, options, started);
  } catch (e) {
    if (!(e instanceof CheckerError)) throw e;
    return errorOutcome(model.name, e, performance.now() - started);
  }
}

/** The outcome of a run that failed before it explored anything. */
export function errorOutcome<S, A extends Action>(model: string, error: CheckerError, timeMs: number): Outcome<S, A> {
  return {
    model,
    status: 'error',
    stats: { states: 0, transitions: 0, depth: 0, timeMs, statesPerSecond: 0, complete: false },
    coverage: { steps: [], dead: [] },
    properties: [],
    violations: [],
    error,
  };
}

function explore<S, A extends Action>(model: Model<S, A>, options: CheckOptions, started: number): Outcome<S, A> {
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const deadline = options.timeLimitMs !== undefined ? started + options.timeLimitMs : Number.POSITIVE_INFINITY;
  const progressEvery = options.progressIntervalMs ?? 1000;
  let nextProgress = started + progressEvery;

  const props = model.properties;
  const invariants = props.filter((p) => p.kind === 'always');
  const quiescent = props.filter((p) => p.kind === 'atQuiescence');
  let pendingWitnesses = props.filter((p) => p.kind === 'sometimes');
  /** First state id (in BFS order) that violates / witnesses each property. */
  const found = new Map<string, number>();

  const coverageCounts = new Map<string, number>();
  for (const s of model.steps ?? []) coverageCounts.set(stepLabel(s), 0);
  const coverageActors = new Map<string, { actor: string; step: string }>();
  for (const s of model.steps ?? []) coverageActors.set(stepLabel(s), s);

  const store = new StateStore();
  let transitions = 0;
  let depth = 0;
  let bound: Bound | undefined;
  let violated = false;

  const checkNew = (id: number, state: S): void => {
    for (const p of invariants) {
      if (!found.has(p.name) && !p.holds(state)) {
        found.set(p.name, id);
        violated = true;
      }
    }
    if (pendingWitnesses.length > 0) {
      let reached = false;
      for (const p of pendingWitnesses) {
        if (p.holds(state)) {
          found.set(p.name, id);
          reached = true;
        }
      }
      if (reached) pendingWitnesses = pendingWitnesses.filter((p) => !found.has(p.name));
    }
  };

  let level: { id: number; state: S }[] = [];
  const inits = model.initialStates();
  if (inits.length === 0) throw new SpecError(`model ${model.name}: no initial state`);
  inits.forEach((state, i) => {
    const k = model.key(state);
    if (store.idOf(k) !== undefined) return;
    if (store.size >= maxStates) {
      bound = 'maxStates';
      return;
    }
    const id = store.add(k, -1, i);
    level.push({ id, state });
    checkNew(id, state);
  });
  if (level.length > 0) depth = 1;

  const stopForViolation = (): boolean => options.stopOnFirstViolation === true && violated;

  outer: while (level.length > 0 && bound === undefined) {
    if (stopForViolation()) {
      bound = 'stopOnViolation';
      break;
    }
    const nextLevel: { id: number; state: S }[] = [];
    const expand = depth < maxDepth;
    for (let qi = 0; qi < level.length; qi++) {
      const { id, state } = level[qi];
      const acts = model.actions(state);
      if (acts.length === 0) {
        for (const p of quiescent) {
          if (!found.has(p.name) && !p.holds(state)) {
            found.set(p.name, id);
            violated = true;
          }
        }
      }
      for (let ai = 0; ai < acts.length; ai++) {
        const a = acts[ai];
        const succ = model.next(state, a);
        const k = model.key(succ);
        transitions++;
        for (const part of a.parts ?? [a]) {
          const label = stepLabel(part);
          coverageCounts.set(label, (coverageCounts.get(label) ?? 0) + 1);
          if (!coverageActors.has(label)) coverageActors.set(label, { actor: part.actor, step: part.step });
        }
        if (store.idOf(k) !== undefined) continue;
        if (!expand) {
          // At the depth bound: a new successor is not stored, and the run is incomplete.
          bound = 'maxDepth';
          continue;
        }
        if (store.size >= maxStates) {
          bound = 'maxStates';
          break outer;
        }
        const sid = store.add(k, id, ai);
        if (nextLevel.length === 0) depth++;
        nextLevel.push({ id: sid, state: succ });
        checkNew(sid, succ);
        if (stopForViolation()) {
          bound = 'stopOnViolation';
          break outer;
        }
      }
      if ((qi & 255) === 0) {
        const now = performance.now();
        if (now > deadline) {
          bound = 'timeLimit';
          break outer;
        }
        if (options.onProgress && now >= nextProgress) {
          nextProgress = now + progressEvery;
          const elapsedMs = now - started;
          options.onProgress({
            states: store.size,
            transitions,
            depth,
            queue: level.length - qi - 1 + nextLevel.length,
            elapsedMs,
            statesPerSecond: rate(store.size, elapsedMs),
          });
        }
      }
    }
    level = nextLevel;
  }

  const complete = bound === undefined;
  const timeMs = performance.now() - started;
  const stats: Stats = {
    states: store.size,
    transitions,
    depth,
    timeMs,
    statesPerSecond: rate(store.size, timeMs),
    complete,
  };

  const coverage = coverageOf(coverageCounts, coverageActors);
  let properties: PropertyResult<S, A>[];
  try {
    properties = props.map((p) => resultFor(model, store, p, found.get(p.name), complete));
  } catch (e) {
    // A trace that does not replay: the statistics of the exploration still stand.
    if (!(e instanceof CheckerError)) throw e;
    return { model: model.name, status: 'error', stats, coverage, properties: [], violations: [], error: e };
  }
  const violations = properties.filter((r) => r.verdict === 'violated');
  const status = violations.length > 0 ? 'violation' : complete ? 'ok' : 'incomplete';
  const outcome: Outcome<S, A> = {
    model: model.name,
    status,
    stats,
    coverage,
    properties,
    violations,
  };
  return bound === undefined ? outcome : { ...outcome, bound };
}

function resultFor<S, A extends Action>(
  model: Model<S, A>,
  store: StateStore,
  p: Property<S>,
  foundId: number | undefined,
  complete: boolean,
): PropertyResult<S, A> {
  const base = { name: p.name, kind: p.kind, meaning: p.meaning };
  if (foundId === undefined) {
    const verdict: Verdict = !complete ? 'unknown' : p.kind === 'sometimes' ? 'violated' : 'holds';
    return { ...base, verdict };
  }
  const trace = rebuildTrace(model, store, foundId);
  const last = trace[trace.length - 1].state;
  const verdict: Verdict = p.kind === 'sometimes' ? 'holds' : 'violated';
  return p.explain ? { ...base, verdict, trace, explanation: p.explain(last) } : { ...base, verdict, trace };
}

function coverageOf(counts: Map<string, number>, steps: Map<string, { actor: string; step: string }>): Coverage {
  const list: StepCoverage[] = [];
  const dead: string[] = [];
  for (const [label, count] of counts) {
    const s = steps.get(label)!;
    list.push({ actor: s.actor, step: s.step, count });
    if (count === 0) dead.push(label);
  }
  return { steps: list, dead };
}

const rate = (states: number, ms: number): number => (ms > 0 ? Math.round((states * 1000) / ms) : 0);
