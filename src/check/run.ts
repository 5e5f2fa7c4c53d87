/**
 * A registered run: a model configuration, the tags it is selected by, and
 * what its outcome is declared to be. `compare` says how an outcome differs
 * from the declaration; an empty list means "as declared".
 *
 * Nothing here prints.
 */
import { check, CheckerError, errorOutcome, statusOf } from '../engine/index.js';
import type { Bound, CheckOptions, Model, Outcome, Property, Verdict } from '../engine/index.js';
import { checkParallel, type ModelRef } from '../engine/parallel.js';

/** What a run is declared to give. */
export interface Expectation {
  /** Exactly the properties whose verdict must be `violated`; every other property must `hold`. */
  readonly violated: readonly string[];
  /** Pinned distinct states, transitions and depth (compared only when the exploration completed). */
  readonly states?: number;
  readonly transitions?: number;
  readonly depth?: number;
}

export interface RunSpec {
  /** Unique among the registered runs. */
  readonly id: string;
  /** Generic labels for selection, e.g. {group: 'examples', model: 'counter-race', NP: '3', K: '4'}. */
  readonly tags: Readonly<Record<string, string>>;
  build(): Model<any, any>;
  readonly expect: Expectation;
  /**
   * False when nobody declared an expectation (an ad-hoc run with parameters
   * that no registered run pins): `expect` is then the default "every property
   * holds". Absent means declared.
   */
  readonly declared?: boolean;
  /** The run belongs to a declared matrix: with no declaration (`declared: false`) it differs. */
  readonly mustBeDeclared?: boolean;
  /**
   * The run stops at its first violation whatever the caller asks (a search
   * whose only question is whether a counterexample exists).
   */
  readonly stopOnFirstViolation?: boolean;
  /** A readable view of a state, used for the states of traces in reports (default: the state itself). */
  readonly project?: (state: any) => unknown;
  /** What each actor stands for, in a line: printed with the run's traces (absent: the actors are not described). */
  readonly roles?: Readonly<Record<string, string>>;
  /**
   * Where a worker thread finds the same model (closures cannot cross threads).
   * Without it, the run always explores on one thread.
   */
  readonly ref?: ModelRef;
  /** Runs whose explorations are the same, found out as they run (see SameAs). */
  readonly sameAs?: SameAs;
  /** Runs that explore the same model with different properties, checked in one exploration (see Together). */
  readonly together?: Together;
}

/**
 * Runs whose models are the same (the same states, actions and order, and the
 * same name) but for their properties: the proposition searches of one
 * configuration. Run together (`executeRuns`, the runs of one `group` in one
 * list), they are explored once with all their properties, and each gets the
 * outcome restricted to its own: the same counts, verdicts and traces as its
 * own exploration, since what the engine explores does not depend on the
 * properties it checks. The one exception is a stop at the first violation:
 * a run stops at its own first violation, not another's; see executeTogether.
 */
export interface Together {
  readonly group: string;
}

/**
 * How to tell that a run's exploration is another's: the runs of one `group`
 * build the same model but for some named parameters; `depends(model)`, after
 * a complete exploration, gives the parameters the model read and the values
 * it read (a deterministic model that reads the same values explores the
 * same states); `value(name)` is this run's value of a parameter. A run whose
 * values agree with everything an earlier run of its group depended on gets
 * that run's outcome, under its own model name, without exploring again.
 */
export interface SameAs {
  readonly group: string;
  depends(model: Model<any, any>): ReadonlyMap<string, unknown>;
  value(name: string): unknown;
}

/** Explored outcomes that later runs may share, by group and options (one process's memory). */
const explored = new Map<string, { depends: ReadonlyMap<string, unknown>; run: string; outcome: Outcome<any, any> }[]>();

/** Forgets the explorations kept for sharing (for tests that count what is shared). */
export function forgetExplorations(): void {
  explored.clear();
}

/** The earlier exploration `run` shares, if one agrees with it on everything it depended on. */
function shared(run: RunSpec, options: CheckOptions): { run: string; outcome: Outcome<any, any> } | undefined {
  const same = run.sameAs;
  if (same === undefined) return undefined;
  const list = explored.get(sharingKey(same, options)) ?? [];
  return list.find((e) => [...e.depends].every(([name, value]) => Object.is(same.value(name), value)));
}

const sharingKey = (same: SameAs, options: CheckOptions): string =>
  `${same.group}|${JSON.stringify([options.maxStates, options.maxDepth, options.timeLimitMs, options.stopOnFirstViolation, options.memoryLimitBytes, options.textKeys === true])}`;

/** Keeps a complete outcome for the runs that may share it. */
function remember(run: RunSpec, options: CheckOptions, model: Model<any, any>, outcome: Outcome<any, any>): void {
  const same = run.sameAs;
  if (same === undefined || outcome.status === 'error' || !outcome.stats.complete) return;
  const key = sharingKey(same, options);
  const list = explored.get(key) ?? [];
  list.push({ depends: new Map(same.depends(model)), run: run.id, outcome });
  explored.set(key, list);
}

/** One way an outcome differs from its expectation. */
export type Difference =
  /** The exploration stopped at a bound: an incomplete run never counts as as-declared. */
  | { readonly kind: 'incomplete'; readonly expected: 'complete'; readonly actual: Bound }
  /** The engine (or the model) failed. */
  | { readonly kind: 'error'; readonly expected: 'no error'; readonly actual: string }
  | { readonly kind: 'verdict'; readonly property: string; readonly expected: 'holds' | 'violated'; readonly actual: Verdict }
  /** The expectation names a property the model does not have. */
  | { readonly kind: 'unknown-property'; readonly property: string; readonly expected: 'violated'; readonly actual: 'absent' }
  | { readonly kind: 'states' | 'transitions' | 'depth'; readonly expected: number; readonly actual: number }
  /** A matrix cell with no declaration in its manifest. */
  | { readonly kind: 'undeclared'; readonly expected: 'a declaration'; readonly actual: 'none' };

/** The default expectation of an ad-hoc run: every property holds. */
export const EVERY_PROPERTY_HOLDS: Expectation = { violated: [] };

/**
 * The differences between an outcome and an expectation.
 *
 * - `error`: always differs (nothing else is compared).
 * - A bound was hit (`stats.complete` false): differs, and only definite
 *   verdicts are compared; counts are not. The one exception is the bound
 *   `stopOnViolation` (the user asked to stop at the first violation): the
 *   definite verdicts are compared, unknown verdicts and counts are not, and
 *   no difference is reported for stopping early.
 * - Otherwise: every property's verdict, then the pinned counts.
 */
export function compare(outcome: Outcome<any, any>, expect: Expectation): Difference[] {
  const diffs: Difference[] = [];
  if (outcome.status === 'error') {
    const e = outcome.error;
    diffs.push({ kind: 'error', expected: 'no error', actual: e ? `${e.name}: ${e.message}` : 'unknown error' });
    return diffs;
  }
  const complete = outcome.stats.complete;
  const stoppedOnViolation = outcome.bound === 'stopOnViolation';
  if (!complete && !stoppedOnViolation) {
    diffs.push({ kind: 'incomplete', expected: 'complete', actual: outcome.bound ?? 'maxStates' });
  }
  const violated = new Set(expect.violated);
  const names = new Set<string>();
  for (const p of outcome.properties) {
    names.add(p.name);
    const expected = violated.has(p.name) ? 'violated' : 'holds';
    if (p.verdict === expected) continue;
    if (p.verdict === 'unknown' && !complete) continue;
    diffs.push({ kind: 'verdict', property: p.name, expected, actual: p.verdict });
  }
  for (const name of expect.violated) {
    if (!names.has(name)) diffs.push({ kind: 'unknown-property', property: name, expected: 'violated', actual: 'absent' });
  }
  if (complete) {
    for (const kind of ['states', 'transitions', 'depth'] as const) {
      const want = expect[kind];
      if (want !== undefined && want !== outcome.stats[kind]) diffs.push({ kind, expected: want, actual: outcome.stats[kind] });
    }
  }
  return diffs;
}

/** One line saying what a difference is. */
export function describeDifference(d: Difference): string {
  switch (d.kind) {
    case 'incomplete':
      return `exploration incomplete (stopped by the ${d.actual} bound); an incomplete run never counts as as-declared`;
    case 'error':
      return `error: ${d.actual}`;
    case 'verdict':
      return `${d.property} ${d.actual === 'holds' ? 'holds' : d.actual === 'violated' ? 'is violated' : 'is unknown'}, expected it to ${d.expected === 'holds' ? 'hold' : 'be violated'}`;
    case 'unknown-property':
      return `the expectation names property ${d.property}, which the model does not have`;
    case 'states':
    case 'transitions':
    case 'depth':
      return `${d.actual} ${d.kind}, expected ${d.expected}`;
    case 'undeclared':
      return 'no declaration in the manifest for this cell';
  }
}

/** A run's outcome together with its declaration and the differences. */
export interface RunResult {
  readonly run: RunSpec;
  readonly outcome: Outcome<any, any>;
  readonly differences: readonly Difference[];
  /**
   * The run whose exploration this is, when it was not explored again: the same states, read from
   * the same values (see SameAs), or the same model explored once for several runs' properties
   * (see Together).
   */
  readonly sameAs?: string;
}


/**
 * Builds the model and checks it. A model that throws (when built, or while
 * being explored) gives an `error` outcome rather than an exception: the
 * engine turns only its own typed errors into outcomes.
 */
export function execute(run: RunSpec, options: CheckOptions = {}): RunResult {
  const started = performance.now();
  let name = run.id;
  let outcome: Outcome<any, any>;
  let same: string | undefined;
  try {
    const model = run.build();
    name = model.name;
    const prior = shared(run, options);
    if (prior !== undefined) {
      outcome = { ...prior.outcome, model: name };
      same = prior.run;
    } else {
      outcome = check(model, optionsFor(run, options));
      remember(run, options, model, outcome);
    }
  } catch (e) {
    outcome = threw(name, e, started);
  }
  return result(run, outcome, same);
}

/**
 * The same with `workers` threads exploring the run's one state space
 * (engine/parallel.ts): the same states, transitions, depth and shortest trace
 * lengths. One worker, or a run without a `ref`, explores on this thread.
 */
export async function executeWith(run: RunSpec, options: CheckOptions, workers: number): Promise<RunResult> {
  if (workers <= 1 || run.ref === undefined) return execute(run, options);
  const started = performance.now();
  let name = run.id;
  let outcome: Outcome<any, any>;
  let same: string | undefined;
  try {
    const model = run.build();
    name = model.name;
    const prior = shared(run, options);
    if (prior !== undefined) {
      outcome = { ...prior.outcome, model: name };
      same = prior.run;
    } else {
      // Not remembered: the worker threads explored their own copies of the model, so this
      // thread's copy knows only what building it read, not what the exploration read.
      outcome = await checkParallel(model, run.ref, workers, optionsFor(run, options));
    }
  } catch (e) {
    outcome = threw(name, e, started);
  }
  return result(run, outcome, same);
}

/**
 * Runs `runs` in order, each with `optionsOf(run)` and `workers` threads
 * (executeWith), except that the runs of one Together group in the list are
 * explored together (executeTogether) when the first of them comes.
 * `onResult` gets each result in the order of the runs.
 */
export async function executeRuns(
  runs: readonly RunSpec[],
  optionsOf: (run: RunSpec) => CheckOptions,
  workers: number,
  onResult?: (r: RunResult) => void,
): Promise<RunResult[]> {
  const done = new Map<string, RunResult>();
  const out: RunResult[] = [];
  for (const run of runs) {
    let res = done.get(run.id);
    if (res === undefined) {
      const group = run.together?.group;
      const members = group === undefined ? [run] : runs.filter((r) => r.together?.group === group && !done.has(r.id));
      // Worker threads explore a run's model from its ref, with its own properties: those runs go alone.
      if (members.length > 1 && (workers <= 1 || members.every((r) => r.ref === undefined))) {
        for (const r of executeTogether(members, optionsOf)) done.set(r.run.id, r);
        res = done.get(run.id)!;
      } else {
        res = await executeWith(run, optionsOf(run), workers);
      }
    }
    onResult?.(res);
    out.push(res);
  }
  return out;
}

/** A run with its model, built once. */
type Built = { readonly run: RunSpec; readonly model: Model<any, any> };

/**
 * Runs whose models are the same but for their properties (Together), on
 * this thread, in as few explorations as their stops allow: each explores
 * one run's model with the properties of every run not settled yet, and
 * gives each run it settles the outcome restricted to its own properties.
 * The first run an exploration settles is its own; the others name it as
 * `sameAs`.
 *
 * A run that stops at its first violation stops at its own: the runs that
 * stop are explored apart from those that do not, and their exploration stops
 * at the first violation of any of their properties (the same state, and so
 * the same counts, as the violated property's own run stops at), settles the
 * runs whose properties that state violates, and the others are explored
 * together again without them. Each exploration settles at least one run.
 *
 * `optionsOf` must give the runs the same bounds (the pool's options differ
 * only in where progress goes): an exploration runs with the options of the
 * first run it explores for. The same model is trusted, not proved: runs are
 * explored together only when their models have the same name and the same
 * initial states (by key). Runs whose models fail to build, or share a
 * property's name, run alone (execute), as do all the runs left if an
 * exploration ends in an error. (The first run's model is copied, its
 * prototype kept, with the properties of all: a model whose state is in
 * private class fields, which a copy does not carry, fails and its runs then
 * go alone.)
 */
export function executeTogether(runs: readonly RunSpec[], optionsOf: (run: RunSpec) => CheckOptions): RunResult[] {
  const results = new Map<string, RunResult>();
  // A run's own options, with its own stop at the first violation (as `execute` runs it).
  const own = (run: RunSpec) => optionsFor(run, optionsOf(run));
  const alone = (run: RunSpec) => results.set(run.id, execute(run, optionsOf(run)));

  /** Explores built runs of one model that all stop at their first violation or none does: a stop is then always some run's own. */
  const together = (built: readonly Built[]): void => {
    let left = built;
    while (left.length > 0) {
      const names = left.flatMap((b) => b.model.properties.map((p: Property<any>) => p.name));
      if (left.length === 1 || new Set(names).size !== names.length) {
        for (const b of left) alone(b.run);
        return;
      }
      // The first run's model with every run's properties; its prototype kept (a model may be a class's instance).
      const base = left[0].model;
      const model = Object.assign(Object.create(Object.getPrototypeOf(base) as object | null) as typeof base, base, { properties: left.flatMap((b) => b.model.properties) });
      let outcome: Outcome<any, any> | undefined;
      try {
        outcome = check(model, own(left[0].run));
      } catch {
        outcome = undefined;
      }
      // Each run's own exploration then says what went wrong, under its own name.
      if (outcome === undefined || outcome.status === 'error') {
        for (const b of left) alone(b.run);
        return;
      }
      const stopped = outcome.bound === 'stopOnViolation';
      const next: Built[] = [];
      let first: string | undefined;
      for (const b of left) {
        const mine = new Set(b.model.properties.map((p: Property<any>) => p.name));
        const properties = outcome.properties.filter((p) => mine.has(p.name));
        const violations = properties.filter((p) => p.verdict === 'violated');
        // Stopped at another run's violation (a `sometimes` property is violated only by a complete exploration).
        if (stopped && violations.length === 0) {
          next.push(b);
          continue;
        }
        const status = statusOf(violations.length, outcome.stats.complete);
        results.set(b.run.id, result(b.run, { ...outcome, model: b.model.name, status, properties, violations }, first));
        first ??= b.run.id;
      }
      left = next;
    }
  };

  const built: Built[] = [];
  for (const run of runs) {
    try {
      built.push({ run, model: run.build() });
    } catch {
      alone(run);
    }
  }
  // Apart: models that differ in name or initial states, and runs that stop at their first violation from those that do not.
  const apart = new Map<string, Built[]>();
  for (const b of built) {
    let key: string;
    try {
      key = JSON.stringify([b.model.name, b.model.initialStates().map((s: unknown) => b.model.key(s)), own(b.run).stopOnFirstViolation === true]);
    } catch {
      alone(b.run);
      continue;
    }
    apart.set(key, [...(apart.get(key) ?? []), b]);
  }
  for (const group of apart.values()) together(group);
  return runs.map((r) => results.get(r.id)!);
}

/** The caller's options, with the run's own stop at the first violation. */
const optionsFor = (run: RunSpec, options: CheckOptions): CheckOptions =>
  run.stopOnFirstViolation ? { ...options, stopOnFirstViolation: true } : options;

/** The outcome of a run whose model (or the engine) threw while being built or explored. */
function threw(name: string, e: unknown, started: number): Outcome<any, any> {
  const err = e instanceof CheckerError ? e : new ModelThrewError(name, e);
  return errorOutcome(name, err, performance.now() - started);
}

function result(run: RunSpec, explored: Outcome<any, any>, sameAs?: string): RunResult {
  const outcome = run.project !== undefined ? projectTraces(explored, run.project) : explored;
  const differences = compare(outcome, run.expect);
  if (run.mustBeDeclared && run.declared === false) differences.unshift({ kind: 'undeclared', expected: 'a declaration', actual: 'none' });
  return sameAs === undefined ? { run, outcome, differences } : { run, outcome, differences, sameAs };
}

/** The outcome with every trace's states replaced by their readable views. */
function projectTraces(outcome: Outcome<any, any>, project: (s: any) => unknown): Outcome<any, any> {
  const properties = outcome.properties.map((p) =>
    p.trace === undefined ? p : { ...p, trace: p.trace.map((t) => ({ action: t.action, state: project(t.state) })) },
  );
  return { ...outcome, properties, violations: properties.filter((p) => p.verdict === 'violated') };
}

/** A model's own code threw something other than a checker error. */
export class ModelThrewError extends CheckerError {
  override readonly code = 'model-threw';
  constructor(
    model: string,
    readonly thrown: unknown,
  ) {
    super(`model ${model} threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
  }
}
