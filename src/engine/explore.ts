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
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Bound, Coverage, Outcome, Progress, PropertyResult, Stats, StepCoverage, Trace, Verdict } from './outcome.js';
import { spaceFor } from './store.js';
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
  /**
   * Stop (status `incomplete`, bound `memory`) when resident memory would pass
   * this many bytes (default: 80% of the machine's memory).
   */
  readonly memoryLimitBytes?: number;
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

/** A step's firing count, found by actor then step without building a label per transition. */
interface Counter {
  readonly actor: string;
  readonly step: string;
  count: number;
}

/** Coverage counts: declared steps first, then undeclared ones in the order they first fired. */
export class CoverageCounter {
  private readonly byActor = new Map<string, Map<string, Counter>>();
  readonly ordered: Counter[] = [];

  constructor(steps: readonly { actor: string; step: string }[] = []) {
    for (const s of steps) this.counter(s.actor, s.step);
  }

  private counter(actor: string, step: string): Counter {
    let m = this.byActor.get(actor);
    if (m === undefined) {
      m = new Map();
      this.byActor.set(actor, m);
    }
    let c = m.get(step);
    if (c === undefined) {
      c = { actor, step, count: 0 };
      m.set(step, c);
      this.ordered.push(c);
    }
    return c;
  }

  /**
   * Counters by action object, for models that reuse their action objects. A
   * model that makes new ones every time fills it: then it is dropped.
   */
  private byObject: Map<Action, Counter> | undefined = new Map();

  /** Counts one firing of an action (each part of a merged action). */
  fire(a: Action): void {
    const cache = this.byObject;
    if (cache !== undefined) {
      const known = cache.get(a);
      if (known !== undefined) {
        known.count++;
        return;
      }
    }
    const parts = a.parts;
    if (parts === undefined) {
      const c = this.counter(a.actor, a.step);
      c.count++;
      if (cache !== undefined) {
        if (cache.size < 1024) cache.set(a, c);
        else this.byObject = undefined;
      }
    } else for (let i = 0; i < parts.length; i++) this.counter(parts[i].actor, parts[i].step).count++;
  }

  add(actor: string, step: string, count: number): void {
    this.counter(actor, step).count += count;
  }

  result(): Coverage {
    const steps: StepCoverage[] = this.ordered.map((c) => ({ actor: c.actor, step: c.step, count: c.count }));
    return { steps, dead: steps.filter((s) => s.count === 0).map(stepLabel) };
  }
}

/** The default memory budget: 80% of the machine's memory. */
export const defaultMemoryLimit = (): number => Math.floor(totalmem() * 0.8);

/**
 * Whether the process is near its memory budget: resident memory (plus the
 * bytes about to be allocated) above `limit`, or the V8 heap above 90% of its
 * own limit (string keys and state objects live there; exhausting it would
 * crash the process).
 */
export function overMemory(limit: number, extra = 0): boolean {
  if (process.memoryUsage.rss() + extra > limit) return true;
  const h = getHeapStatistics();
  return h.used_heap_size > 0.9 * h.heap_size_limit;
}

function explore<S, A extends Action>(model: Model<S, A>, options: CheckOptions, started: number): Outcome<S, A> {
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const deadline = options.timeLimitMs !== undefined ? started + options.timeLimitMs : Number.POSITIVE_INFINITY;
  const memoryLimit = options.memoryLimitBytes ?? defaultMemoryLimit();
  const progressEvery = options.progressIntervalMs ?? 1000;
  let nextProgress = started + progressEvery;
  // Reading the resident memory costs microseconds: at most every 100 ms.
  let nextMemoryCheck = started + 100;

  const props = model.properties;
  const invariants = props.filter((p) => p.kind === 'always');
  const quiescent = props.filter((p) => p.kind === 'atQuiescence');
  let pendingWitnesses = props.filter((p) => p.kind === 'sometimes');
  /** First state id (in BFS order) that violates / witnesses each property. */
  const found = new Map<string, number>();
  let openInvariants = invariants.slice();
  let openQuiescent = quiescent.slice();

  const coverage = new CoverageCounter(model.steps);

  const inits = model.initialStates();
  if (inits.length === 0) throw new SpecError(`model ${model.name}: no initial state`);
  const space = spaceFor(model);
  let transitions = 0;
  let depth = 0;
  let bound: Bound | undefined;
  let violated = false;

  const checkNew = (id: number, state: S): void => {
    if (openInvariants.length > 0) {
      let hit = false;
      for (const p of openInvariants) {
        if (!p.holds(state)) {
          found.set(p.name, id);
          violated = hit = true;
        }
      }
      if (hit) openInvariants = openInvariants.filter((p) => !found.has(p.name));
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

  for (let i = 0; i < inits.length; i++) {
    const state = inits[i];
    if (space.size >= maxStates) {
      if (!space.has(state)) bound = 'maxStates';
      continue;
    }
    const id = space.add(state, -1, i);
    if (id >= 0) checkNew(id, state);
  }
  space.nextLevel();
  let levelStart = 0;
  let levelEnd = space.size;
  if (levelEnd > 0) depth = 1;

  const stopForViolation = (): boolean => options.stopOnFirstViolation === true && violated;

  outer: while (levelEnd > levelStart && bound === undefined) {
    if (stopForViolation()) {
      bound = 'stopOnViolation';
      break;
    }
    if (overMemory(memoryLimit)) {
      bound = 'memory';
      break;
    }
    const expand = depth < maxDepth;
    for (let id = levelStart; id < levelEnd; id++) {
      const state = space.state(id);
      const acts = model.actions(state);
      if (acts.length === 0 && openQuiescent.length > 0) {
        let hit = false;
        for (const p of openQuiescent) {
          if (!p.holds(state)) {
            found.set(p.name, id);
            violated = hit = true;
          }
        }
        if (hit) openQuiescent = openQuiescent.filter((p) => !found.has(p.name));
      }
      for (let ai = 0; ai < acts.length; ai++) {
        const a = acts[ai];
        const succ = model.next(state, a);
        transitions++;
        coverage.fire(a);
        if (!expand || space.size >= maxStates) {
          if (space.has(succ)) continue;
          // At a bound: a new successor is not stored, and the run is incomplete.
          if (!expand) {
            bound = 'maxDepth';
            continue;
          }
          bound = 'maxStates';
          break outer;
        }
        if (space.growthBytes !== 0 && overMemory(memoryLimit, space.growthBytes)) {
          // The visited set is about to double: not if that would pass the budget.
          bound = 'memory';
          break outer;
        }
        const sid = space.add(succ, id, ai);
        if (sid < 0) continue;
        checkNew(sid, succ);
        if (stopForViolation()) {
          bound = 'stopOnViolation';
          break outer;
        }
      }
      if ((id & 255) === 0) {
        const now = performance.now();
        if (now > deadline) {
          bound = 'timeLimit';
          break outer;
        }
        if (now >= nextMemoryCheck) {
          nextMemoryCheck = now + 100;
          if (overMemory(memoryLimit, space.growthBytes)) {
            bound = 'memory';
            break outer;
          }
        }
        if (options.onProgress && now >= nextProgress) {
          nextProgress = now + progressEvery;
          const elapsedMs = now - started;
          options.onProgress({
            states: space.size,
            transitions,
            depth,
            queue: space.size - id - 1,
            elapsedMs,
            statesPerSecond: rate(space.size, elapsedMs),
          });
        }
      }
    }
    space.nextLevel();
    levelStart = levelEnd;
    levelEnd = space.size;
    if (levelEnd > levelStart) depth++;
  }

  // Stopped inside a level: the states it added are one level deeper.
  if (space.size > levelEnd) depth++;
  const complete = bound === undefined;
  const timeMs = performance.now() - started;
  const stats: Stats = {
    states: space.size,
    transitions,
    depth,
    timeMs,
    statesPerSecond: rate(space.size, timeMs),
    complete,
  };
  return finish(model, stats, coverage.result(), found, bound, (id) => rebuildTrace(model, space, id, { of: (s) => space.identity(s), describe: (k) => space.describe(k) }));
}

/** The outcome from the exploration's results: verdicts, traces, status. */
export function finish<S, A extends Action>(
  model: Model<S, A>,
  stats: Stats,
  coverage: Coverage,
  found: ReadonlyMap<string, number>,
  bound: Bound | undefined,
  trace: (id: number) => Trace<S, A>,
): Outcome<S, A> {
  const complete = bound === undefined;
  let properties: PropertyResult<S, A>[];
  try {
    properties = model.properties.map((p) => resultFor(p, found.get(p.name), complete, trace));
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
  p: Property<S>,
  foundId: number | undefined,
  complete: boolean,
  rebuild: (id: number) => Trace<S, A>,
): PropertyResult<S, A> {
  const base = { name: p.name, kind: p.kind, meaning: p.meaning };
  if (foundId === undefined) {
    const verdict: Verdict = !complete ? 'unknown' : p.kind === 'sometimes' ? 'violated' : 'holds';
    return { ...base, verdict };
  }
  const trace = rebuild(foundId);
  const last = trace[trace.length - 1].state;
  const verdict: Verdict = p.kind === 'sometimes' ? 'holds' : 'violated';
  return p.explain ? { ...base, verdict, trace, explanation: p.explain(last) } : { ...base, verdict, trace };
}

export const rate = (states: number, ms: number): number => (ms > 0 ? Math.round((states * 1000) / ms) : 0);
