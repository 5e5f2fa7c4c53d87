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
import { Findings } from './findings.js';
import { keyedByText, stepLabel } from './model.js';
import { CheckerError, SpecError } from './errors.js';
import { totalmem } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Bound, Coverage, Outcome, Progress, PropertyResult, Stats, StepCoverage, Trace, Verdict } from './outcome.js';
import { statusOf } from './outcome.js';
import { PackedSpace, spaceFor, WideSpace, type Space } from './store.js';
import { SuccessorBatch, WideBatch } from './successors.js';
import { Guard, initialStatesOf, modelError } from './guard.js';
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
  /**
   * Identify states by the model's `key` even when it has a codec (see
   * keyedByText): a cross-check of the codec, several times slower. One
   * thread only.
   */
  readonly textKeys?: boolean;
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
   * Counters by action object (a merged action's: one per part), for models
   * that reuse their action objects. A model that makes new ones every time
   * fills it: then it is dropped.
   */
  private byObject: Map<Action, Counter | Counter[]> | undefined = new Map();

  /** Counts one firing of an action (each part of a merged action). */
  fire(a: Action): void {
    const cache = this.byObject;
    if (cache !== undefined) {
      const known = cache.get(a);
      if (known !== undefined) {
        if (Array.isArray(known)) for (let i = 0; i < known.length; i++) known[i].count++;
        else known.count++;
        return;
      }
    }
    const parts = a.parts;
    const counters = parts === undefined ? this.counter(a.actor, a.step) : parts.map((p) => this.counter(p.actor, p.step));
    if (Array.isArray(counters)) for (const c of counters) c.count++;
    else counters.count++;
    if (cache !== undefined) {
      if (cache.size < 1 << 14) cache.set(a, counters);
      else this.byObject = undefined;
    }
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
 * crash the process). Garbage counts in the heap's use until V8 collects it
 * (the states of a run that has just ended, which would otherwise stop the
 * next run of the process at its first state): when either is passed, a full
 * collection runs and both are read again (resident memory may come down
 * only later).
 */
export function overMemory(limit: number, extra = 0): boolean {
  if (!nearLimits(limit, extra)) return false;
  return !collectGarbage() || nearLimits(limit, extra);
}

function nearLimits(limit: number, extra: number): boolean {
  if (process.memoryUsage.rss() + extra > limit) return true;
  const h = getHeapStatistics();
  return h.used_heap_size > 0.9 * h.heap_size_limit;
}

/**
 * V8's full collection, asked for through a new context (null: this V8 does
 * not allow it). The flag is set the first time a run nears its budget, not
 * before: it only makes `gc` a global of the contexts made after it.
 */
let gc: (() => void) | null | undefined;
/** When the last collection asked for ended, and how long it took. */
let lastCollection = { end: -Infinity, ms: 0 };

/**
 * Runs a full garbage collection; false when it cannot be asked for, or when
 * the last one ended less than ten of its durations ago (a run that stays at
 * its budget would otherwise spend most of its time collecting: it is then
 * over).
 */
function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  const start = performance.now();
  if (gc === null || start - lastCollection.end < 10 * lastCollection.ms) return false;
  gc();
  const end = performance.now();
  lastCollection = { end, ms: end - start };
  return true;
}

/** What both exploration loops share: limits, counters, findings and the checks made every so often. */
class Exploration<S, A extends Action> {
  readonly maxStates: number;
  readonly maxDepth: number;
  private readonly deadline: number;
  readonly memoryLimit: number;
  private readonly progressEvery: number;
  private nextProgress: number;
  // Reading the resident memory costs microseconds: at most every 100 ms.
  private nextMemoryCheck: number;
  readonly findings: Findings<S>;
  readonly coverage: CoverageCounter;
  transitions = 0;
  /** States first reached at each depth (Stats.levels): one entry per level reached. */
  readonly levels: number[] = [];
  bound: Bound | undefined;

  constructor(
    readonly model: Model<S, A>,
    private readonly options: CheckOptions,
    private readonly started: number,
    readonly space: Space<S>,
  ) {
    this.maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
    this.maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    this.deadline = options.timeLimitMs !== undefined ? started + options.timeLimitMs : Number.POSITIVE_INFINITY;
    this.memoryLimit = options.memoryLimitBytes ?? defaultMemoryLimit();
    this.progressEvery = options.progressIntervalMs ?? 1000;
    this.nextProgress = started + this.progressEvery;
    this.nextMemoryCheck = started;
    this.findings = new Findings(model.properties, model);
    this.coverage = new CoverageCounter(model.steps);
  }

  /** Stores the initial states: the first level. */
  roots(inits: readonly S[]): void {
    const { space } = this;
    for (let i = 0; i < inits.length; i++) {
      const state = inits[i];
      if (space.size >= this.maxStates) {
        if (!space.has(state)) this.bound = 'maxStates';
        continue;
      }
      const id = space.add(state, -1, i);
      if (id >= 0) this.findings.checkNew(id, state);
    }
    space.nextLevel();
    if (space.size > 0) this.levels.push(space.size);
  }

  /** Breadth-first levels reached so far (an initial state is at depth 1). */
  get depth(): number {
    return this.levels.length;
  }

  /** Whether the run stops here because a property is violated (and it was asked to). */
  stopsForViolation(): boolean {
    if (this.options.stopOnFirstViolation === true && this.findings.violated) {
      this.bound = 'stopOnViolation';
      return true;
    }
    return false;
  }

  /** At the start of a level: whether to stop (for a violation, or over the memory budget). */
  stopsAtLevel(): boolean {
    if (this.stopsForViolation()) return true;
    // Reading the resident memory costs tens of microseconds: at most every 100 ms (a small run has many short levels).
    const now = performance.now();
    if (now < this.nextMemoryCheck) return false;
    this.nextMemoryCheck = now + 100;
    if (overMemory(this.memoryLimit)) {
      this.bound = 'memory';
      return true;
    }
    return false;
  }

  /**
   * A successor met at a bound (its level is not expanded, or the state
   * budget is spent): a known one is skipped; a new one is not stored and
   * makes the run incomplete. Whether the run stops (at the state budget).
   */
  stopsAtBound(known: boolean, expand: boolean): boolean {
    if (known) return false;
    if (!expand) {
      this.bound = 'maxDepth';
      return false;
    }
    this.bound = 'maxStates';
    return true;
  }

  /** Before storing a state: whether the visited set's next growth would pass the memory budget. */
  stopsBeforeGrowth(): boolean {
    const g = this.space.growthBytes;
    if (g !== 0 && overMemory(this.memoryLimit, g)) {
      this.bound = 'memory';
      return true;
    }
    return false;
  }

  /** Every so often: the deadline, the memory budget, progress. Whether to stop. */
  tick(queue: number): boolean {
    const now = performance.now();
    if (now > this.deadline) {
      this.bound = 'timeLimit';
      return true;
    }
    if (now >= this.nextMemoryCheck) {
      this.nextMemoryCheck = now + 100;
      if (overMemory(this.memoryLimit, this.space.growthBytes)) {
        this.bound = 'memory';
        return true;
      }
    }
    const onProgress = this.options.onProgress;
    if (onProgress && now >= this.nextProgress) {
      this.nextProgress = now + this.progressEvery;
      const elapsedMs = now - this.started;
      const states = this.space.size;
      onProgress({ states, transitions: this.transitions, depth: this.depth, queue, elapsedMs, statesPerSecond: rate(states, elapsedMs) });
    }
    return false;
  }

  /** The states added since the level ending at `levelEnd` become the next level: its end. */
  nextLevel(levelEnd: number): number {
    this.space.nextLevel();
    const end = this.space.size;
    if (end > levelEnd) this.levels.push(end - levelEnd);
    return end;
  }

  /** At the end of the exploration: its transitions, and the depth of states added by a level stopped inside. */
  end(transitions: number, levelEnd: number): void {
    this.transitions = transitions;
    if (this.space.size > levelEnd) this.levels.push(this.space.size - levelEnd);
  }

  outcome(): Outcome<S, A> {
    const { space, model } = this;
    const timeMs = performance.now() - this.started;
    const stats: Stats = {
      states: space.size,
      transitions: this.transitions,
      depth: this.depth,
      timeMs,
      statesPerSecond: rate(space.size, timeMs),
      complete: this.bound === undefined,
      levels: this.levels,
    };
    return finish(model, stats, this.coverage.result(), this.findings.found, this.bound, (id) =>
      rebuildTrace(model, space, id, { of: (s) => space.identity(s), describe: (k) => space.describe(k) }),
    );
  }
}

function explore<S, A extends Action>(given: Model<S, A>, options: CheckOptions, started: number): Outcome<S, A> {
  const model = options.textKeys ? keyedByText(given) : given;
  const inits = initialStatesOf(model);
  if (inits.length === 0) throw new SpecError(`model ${model.name}: no initial state`);
  const space = spaceFor(model);
  const ex = new Exploration(model, options, started, space);
  ex.roots(inits);
  if (space instanceof PackedSpace) explorePacked(ex, space);
  else if (space instanceof WideSpace) exploreWide(ex, space);
  else exploreStates(ex);
  return ex.outcome();
}

/** Breadth-first, state by state: models without a codec (the level being expanded is kept as objects). */
function exploreStates<S, A extends Action>(ex: Exploration<S, A>): void {
  const { model, space, findings, coverage, maxStates, maxDepth } = ex;
  const guard = new Guard(model);
  let levelStart = 0;
  let levelEnd = space.size;
  let transitions = 0;

  outer: while (levelEnd > levelStart && ex.bound === undefined) {
    if (ex.stopsAtLevel()) break;
    const expand = ex.depth < maxDepth;
    for (let id = levelStart; id < levelEnd; id++) {
      const state = space.state(id);
      const acts = guard.actions(state);
      if (acts.length === 0 && findings.checksQuiescent) {
        findings.checkQuiescent(id, state);
        if (ex.stopsForViolation()) break outer;
      }
      for (let ai = 0; ai < acts.length; ai++) {
        const a = acts[ai];
        const succ = guard.next(state, a);
        transitions++;
        coverage.fire(a);
        let sid: number;
        try {
          if (!expand || space.size >= maxStates) {
            if (ex.stopsAtBound(space.has(succ), expand)) break outer;
            continue;
          }
          // The visited set is about to grow: not if that would pass the budget.
          if (ex.stopsBeforeGrowth()) break outer;
          sid = space.add(succ, id, ai);
        } catch (e) {
          // The space keys the successor (the model's key, or its codec: a checker error as it is).
          throw modelError(model, 'key', e, state, a);
        }
        if (sid < 0) continue;
        findings.checkNew(sid, succ);
        if (ex.stopsForViolation()) break outer;
      }
      if ((id & 255) === 0) {
        ex.transitions = transitions;
        if (ex.tick(space.size - id - 1)) break outer;
      }
    }
    levelStart = levelEnd;
    levelEnd = ex.nextLevel(levelEnd);
  }
  ex.end(transitions, levelEnd);
}

/** Successors are stored in batches of about this many (see PackedTable.hashAll). */
const BATCH = 512;

/**
 * Breadth-first over packed states. A level is a range of ids whose codes are
 * unpacked one by one; their successors are generated into a batch (in place
 * when the model allows: successors.ts) and stored in order once the batch is
 * full, after their slots in the visited set were read together (see
 * PackedTable.hashAll). Storing in the same order as one state at a time
 * keeps ids, parent links, counts and traces the same; so are the figures at
 * a bound, since a transition is counted (with its coverage) when its
 * successor is stored, and a quiescent state is checked in its turn.
 */
function explorePacked<S, A extends Action>(ex: Exploration<S, A>, space: PackedSpace<S>): void {
  const { findings, coverage, maxStates, maxDepth } = ex;
  if (space.size === 0) return;
  const batch = new SuccessorBatch(ex.model, space.codec, space.stored(0), BATCH * 2);
  const probe = batch.probe;
  let transitions = 0;
  let expand = true;
  /** The id of the next state to expand (for progress: the states left). */
  let next = 0;

  /** Stores the batch in order; false if the run stops (ex.bound says why). */
  const flush = (): boolean => {
    const m = batch.n;
    batch.n = 0;
    if (m === 0) return true;
    const { codes, hashes, firsts, parents, indices, acted } = batch;
    space.hashAll(codes, m, hashes, firsts);
    for (let k = 0; k < m; k++) {
      const a = acted[k];
      if (a === null) {
        findings.checkQuiescent(parents[k], batch.decode(codes[k], probe));
        if (ex.stopsForViolation()) return false;
        continue;
      }
      transitions++;
      coverage.fire(a);
      const c = codes[k];
      // Found at its first slot when the batch was hashed: known (a table only grows). The table is a
      // PackedTable, whose keyOf(c) is c + 1 (a parallel worker's shared set has its own: parallel-worker.ts).
      if (firsts[k] === c + 1) continue;
      if (!expand || space.size >= maxStates) {
        if (ex.stopsAtBound(space.hasHashed(c, hashes[k]), expand)) return false;
        continue;
      }
      if (ex.stopsBeforeGrowth()) return false;
      const sid = space.addHashed(c, hashes[k], parents[k], indices[k]);
      if (sid < 0) continue;
      if (findings.checksNew) {
        findings.checkNew(sid, batch.decode(c, probe));
        if (ex.stopsForViolation()) return false;
      }
    }
    ex.transitions = transitions;
    return !ex.tick(space.size - next);
  };

  let levelStart = 0;
  let levelEnd = space.size;
  outer: while (levelEnd > levelStart && ex.bound === undefined) {
    if (ex.stopsAtLevel()) break;
    expand = ex.depth < maxDepth;
    for (let id = levelStart; id < levelEnd; id++) {
      next = id + 1;
      try {
        batch.expand(id, space.stored(id), findings.checksQuiescent);
      } catch (e) {
        // As one state at a time: what came before the error is stored first, and may end the run before it.
        if (!flush()) break outer;
        throw e;
      }
      if (batch.n >= BATCH && !flush()) break outer;
    }
    if (!flush()) break;
    levelStart = levelEnd;
    levelEnd = ex.nextLevel(levelEnd);
  }
  ex.end(transitions, levelEnd);
}

/**
 * Breadth-first over word-packed states (WideSpace): as explorePacked, with
 * each state's code a run of Int32 words. A level's states are read from the
 * store one by one into a scratch buffer and expanded into a WideBatch;
 * stored in order after the batch's first slots were read together.
 */
function exploreWide<S, A extends Action>(ex: Exploration<S, A>, space: WideSpace<S>): void {
  const { findings, coverage, maxStates, maxDepth } = ex;
  if (space.size === 0) return;
  const W = space.words;
  const cur = new Int32Array(W);
  space.read(0, cur, 0);
  const batch = new WideBatch(ex.model, space.codec, cur, BATCH * 2);
  const probe = batch.probe;
  let transitions = 0;
  let expand = true;
  let next = 0;

  const flush = (): boolean => {
    const m = batch.n;
    batch.n = 0;
    if (m === 0) return true;
    const { codes, hashes, parents, indices, acted } = batch;
    space.firstAll(hashes, m, batch.firsts);
    for (let k = 0; k < m; k++) {
      const a = acted[k];
      if (a === null) {
        findings.checkQuiescent(parents[k], batch.decode(k, probe));
        if (ex.stopsForViolation()) return false;
        continue;
      }
      transitions++;
      coverage.fire(a);
      const at = k * W;
      if (!expand || space.size >= maxStates) {
        if (ex.stopsAtBound(space.hasHashed(codes, at, hashes[k]), expand)) return false;
        continue;
      }
      // (The first slots were read above only to bring them into the cache: addHashed looks the state up.)
      if (ex.stopsBeforeGrowth()) return false;
      const sid = space.addHashed(codes, at, hashes[k], parents[k], indices[k]);
      if (sid < 0) continue;
      if (findings.checksNew) {
        findings.checkNew(sid, batch.decode(k, probe));
        if (ex.stopsForViolation()) return false;
      }
    }
    ex.transitions = transitions;
    return !ex.tick(space.size - next);
  };

  let levelStart = 0;
  let levelEnd = space.size;
  outer: while (levelEnd > levelStart && ex.bound === undefined) {
    if (ex.stopsAtLevel()) break;
    expand = ex.depth < maxDepth;
    for (let id = levelStart; id < levelEnd; id++) {
      next = id + 1;
      space.read(id, cur, 0);
      try {
        batch.expand(id, cur, 0, findings.checksQuiescent);
      } catch (e) {
        if (!flush()) break outer;
        throw e;
      }
      if (batch.n >= BATCH && !flush()) break outer;
    }
    if (!flush()) break;
    levelStart = levelEnd;
    levelEnd = ex.nextLevel(levelEnd);
  }
  ex.end(transitions, levelEnd);
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
  const outcome: Outcome<S, A> = {
    model: model.name,
    status: statusOf(violations.length, complete),
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
