/**
 * What the explorer needs of one run beyond its outcome, from one state graph:
 * for each violated property, the trace `check` prints (the fewest actor
 * switches among all shortest counterexamples, with where the violation becomes
 * unavoidable: src/check/shortest.ts) and its counterexample graph
 * (src/graph/export.ts), drawn when it has at most `drawBound` states and
 * summarised above. Plain data, so that it can come back from a worker process.
 * Nothing here prints.
 */
import type { Action } from '../engine/index.js';
import type { RunSpec } from '../check/run.js';
import { CHOICE_BOUND, choiceGraph, chooseOnGraph, type ChoiceRequest, type ChosenTrace } from '../check/shortest.js';
import { GraphTooLargeError, type StateGraph } from '../graph/state-graph.js';
import { counterexampleGraph, FULL_GRAPH_BOUND } from '../graph/export.js';
import { formatValue } from '../format/text.js';

/** Graphs of more states are summarised (the bound above which `check --export` writes no graph unless forced). */
export const DRAW_BOUND = FULL_GRAPH_BOUND;

export type PartGraph =
  | {
      readonly kind: 'drawn';
      readonly length: number;
      readonly count: string;
      readonly nodes: readonly { readonly id: number; readonly depth: number; readonly initial: boolean; readonly violating: boolean; readonly view: FormattedView }[];
      readonly edges: readonly { readonly from: number; readonly to: number; readonly action: Action; readonly violating: boolean }[];
    }
  | {
      readonly kind: 'summary';
      readonly states: number;
      readonly edges: number;
      readonly length: number;
      readonly count: string;
      readonly violating: number;
      readonly perDepth: readonly number[];
      readonly why: string;
    }
  | { readonly kind: 'none'; readonly why: string };

/** A readable state as (field, value) pairs, each value in the reports' compact form; a state that is not a record is one field, '(state)'. */
export type FormattedView = readonly (readonly [string, string])[];

export function formattedView(view: unknown): FormattedView {
  if (typeof view === 'object' && view !== null && !Array.isArray(view) && Object.getPrototypeOf(view) === Object.prototype) {
    return Object.entries(view).filter(([, v]) => v !== undefined).map(([k, v]) => [k, formatValue(v)] as const);
  }
  return [['(state)', formatValue(view)]];
}

export interface PartTrace {
  readonly property: string;
  readonly chosen: ChosenTrace;
  /** The chosen trace's states in the state graph (null when nothing was chosen). */
  readonly nodes: readonly number[] | null;
  readonly graph: PartGraph;
}

export interface RunPart {
  readonly id: string;
  readonly traces: readonly PartTrace[];
}

export interface PartOptions {
  /** Bound on the state graph (default: the one `check` chooses its traces within). */
  readonly maxStates?: number;
  /** Counterexample graphs of more states are summarised. */
  readonly drawBound?: number;
}

/** The traces and graphs of the requested properties of one run. */
export function runPart(run: RunSpec, requests: readonly ChoiceRequest[], options: PartOptions = {}): RunPart {
  if (requests.length === 0) return { id: run.id, traces: [] };
  const maxStates = options.maxStates ?? CHOICE_BOUND;
  const drawBound = options.drawBound ?? DRAW_BOUND;
  const model = run.build();
  const g = choiceGraph(model, requests, maxStates, true);
  if (g instanceof GraphTooLargeError) {
    const why = `the states up to the trace's length exceed ${maxStates}`;
    return {
      id: run.id,
      traces: requests.map((r) => ({
        property: r.property,
        chosen: { property: r.property, trace: null, count: null, switches: null, why },
        nodes: null,
        graph: { kind: 'none', why: `not built: ${why}` },
      })),
    };
  }
  const project = run.project ?? ((s: unknown) => s);
  const choices = chooseOnGraph(run, model, g, requests, true);
  return {
    id: run.id,
    traces: requests.map((r, i) => ({
      property: r.property,
      chosen: choices[i].chosen,
      nodes: choices[i].nodes,
      graph: graphOf(g, r.property, project, drawBound),
    })),
  };
}

function graphOf(g: StateGraph<unknown, Action>, property: string, project: (s: unknown) => unknown, drawBound: number): PartGraph {
  const p = g.properties.find((q) => q.name === property)!;
  const cg = counterexampleGraph(g, p, { project });
  if (cg === null) return { kind: 'none', why: 'no violating state in the state graph' };
  const length = cg.getAttribute('length') as number;
  const count = cg.getAttribute('shortestCount') as string;
  if (cg.order > drawBound) {
    const perDepth: number[] = [];
    let violating = 0;
    cg.forEachNode((_n, a) => {
      perDepth[a.depth] = (perDepth[a.depth] ?? 0) + 1;
      if (a.violating) violating++;
    });
    return {
      kind: 'summary',
      states: cg.order,
      edges: cg.size,
      length,
      count,
      violating,
      perDepth: Array.from(perDepth, (n) => n ?? 0),
      why: `${cg.order} states, more than ${drawBound}: summarised, not drawn`,
    };
  }
  const id = (key: string) => Number(key.slice(1));
  return {
    kind: 'drawn',
    length,
    count,
    nodes: cg.mapNodes((n, a) => ({ id: id(n), depth: a.depth, initial: a.initial, violating: a.violating, view: formattedView(project(g.states[id(n)])) })),
    edges: cg.mapEdges((e, a, s, t) => {
      // Edge keys are e<from>.<index>: the index-th action of the source state.
      const index = Number(e.slice(e.indexOf('.') + 1));
      return { from: id(s), to: id(t), action: g.out[id(s)][index].action, violating: a.violating };
    }),
  };
}
