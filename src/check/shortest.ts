/**
 * The trace `check` prints for a violated property: among ALL shortest
 * counterexamples (on the state graph, src/graph), the one with the fewest
 * switches between actors, with how many distinct shortest ones there are.
 * The engine keeps one parent per state, so its own trace is just the first
 * shortest one found; this rebuilds the state graph over the Model API (about
 * the cost of a second exploration) for the runs whose traces are printed.
 *
 * Only the states up to the longest printed trace's length are built (every
 * shortest counterexample lies there); when not even those fit in the bound,
 * the engine's trace is kept and the count is null (the report says so).
 * Nothing here prints.
 */
import type { Action, Model, Stats, Trace } from '../engine/index.js';
import {
  actorSwitches,
  analysisGraph,
  buildStateGraph,
  doomedStates,
  fewestSwitches,
  findProperty,
  GraphTooLargeError,
  shortestPaths,
  traceNodes,
  type StateGraph,
} from '../graph/state-graph.js';
import type { RunSpec } from './run.js';

/**
 * The bound on the state graph built to choose the printed traces (most dialog cells have under
 * 150,000 states, counter-race(NP=3,K=4) 165,340; the full tier's largest, 5,656,993).
 */
export const CHOICE_BOUND = 250_000;

/** A property to choose a trace for, with the length of the engine's (shortest) trace. */
export interface ChoiceRequest {
  readonly property: string;
  readonly length: number;
  /**
   * What the exploration counted (`choiceRequest`), when known: the states at
   * distance at most `length` from an initial state, which the graph to choose
   * the trace on holds (at least that many, if the run stopped inside that
   * level), and all the states of a complete run. A graph these say exceeds
   * the bound is not built: building it would only end in GraphTooLargeError.
   */
  readonly within?: number;
  readonly all?: number;
}

/** The request for a trace of `length` steps to `property`, with the sizes the run's statistics give (ChoiceRequest). */
export function choiceRequest(property: string, length: number, stats: Stats): ChoiceRequest {
  const levels = stats.levels;
  if (levels === undefined) return { property, length };
  let within = 0;
  for (let d = 0; d <= length && d < levels.length; d++) within += levels[d];
  return stats.complete ? { property, length, within, all: stats.states } : { property, length, within };
}

export interface ChosenTrace {
  readonly property: string;
  /** The chosen trace (states projected as the run's report shows them), or null: keep the engine's. */
  readonly trace: Trace<unknown, Action> | null;
  /** The number of distinct shortest counterexamples, in decimal (it can exceed 2^53), or null when not counted. */
  readonly count: string | null;
  /** The actor switches of the chosen trace (null when not chosen). */
  readonly switches: number | null;
  /** The property's explanation of the chosen trace's last state (it may differ from the engine trace's). */
  readonly explanation?: string;
  /**
   * With `complete`: the step after which the violation is unavoidable (see
   * report/swimlane.ts), or null when the state graph was not complete.
   */
  readonly unavoidableAt?: number | null;
  /** Why nothing was chosen, when so. */
  readonly why?: string;
}

/** Chooses the printed trace of each requested property of one run (one state graph for all of them). */
export function chooseTraces(run: RunSpec, requests: readonly ChoiceRequest[], maxStates = CHOICE_BOUND, complete = false): ChosenTrace[] {
  if (requests.length === 0) return [];
  const model = run.build();
  const g = choiceGraph(model, requests, maxStates, complete);
  if (g instanceof GraphTooLargeError) return requests.map((r) => ({ property: r.property, trace: null, count: null, switches: null, why: tooLarge(maxStates) }));
  return chooseOnGraph(run, model, g, requests, complete).map((c) => c.chosen);
}

const tooLarge = (maxStates: number) => `the states up to the trace's length exceed ${maxStates}`;

/**
 * The state graph the traces are chosen on: only the states up to the longest
 * requested trace (every shortest counterexample lies there), unless
 * `complete` asks for the whole graph (within the bound) to mark where each
 * violation becomes unavoidable. A GraphTooLargeError when not even those fit.
 */
export function choiceGraph<S, A extends Action>(
  model: Model<S, A>,
  requests: readonly ChoiceRequest[],
  maxStates = CHOICE_BOUND,
  complete = false,
): StateGraph<S, A> | GraphTooLargeError {
  const knownLength = Math.max(...requests.map((r) => r.length));
  // The graph up to the longest length holds the states within every shorter one.
  if (requests.some((r) => r.within !== undefined && r.within > maxStates)) return new GraphTooLargeError(model.name, maxStates);
  const tooLargeWhole = requests.some((r) => r.all !== undefined && r.all > maxStates);
  try {
    return complete && !tooLargeWhole ? analysisGraph(model, { maxStates, knownLength }) : buildStateGraph(model, { maxStates, maxDist: knownLength });
  } catch (e) {
    if (!(e instanceof GraphTooLargeError)) throw e;
    return e;
  }
}

/**
 * The choice of each requested property on a state graph built by
 * `choiceGraph` for `model` (built from `run`), with the chosen trace's state
 * numbers in that graph (`nodes`, one per step).
 */
export function chooseOnGraph<S, A extends Action>(
  run: RunSpec,
  model: Model<S, A>,
  g: StateGraph<S, A>,
  requests: readonly ChoiceRequest[],
  complete = false,
): { chosen: ChosenTrace; nodes: number[] }[] {
  const project = run.project ?? ((s: unknown) => s);
  return requests.map((r) => {
    const sp = shortestPaths(g, findProperty(g, r.property));
    if (sp === null || sp.length !== r.length) {
      // Cannot happen for a deterministic model: the engine and the graph explore the same states.
      throw new Error(`run ${run.id}: ${r.property}: the state graph's shortest counterexample (${sp?.length ?? 'none'}) differs from the engine's (${r.length})`);
    }
    const raw = fewestSwitches(g, sp);
    const p = findProperty(g, r.property);
    const nodes = traceNodes(g, raw, (s) => model.key(s));
    let unavoidableAt: number | null = null;
    if (complete && g.complete) {
      const doomed = doomedStates(g, p);
      unavoidableAt = nodes.findIndex((n) => doomed[n] === 1);
    }
    const chosen: ChosenTrace = {
      property: r.property,
      trace: raw.map((t) => ({ action: t.action as Action, state: project(t.state) })),
      count: sp.count.toString(),
      switches: actorSwitches(raw),
      ...(p.explain ? { explanation: p.explain(raw[raw.length - 1].state) } : {}),
      ...(complete ? { unavoidableAt } : {}),
    };
    return { chosen, nodes };
  });
}
