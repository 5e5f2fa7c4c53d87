/**
 * The explicit state graph of a model, built by an exploration of its own over
 * the Model API only (the engine's exploration keeps no edges and no states).
 *
 * States are numbered in breadth-first order from the initial states, so a
 * node's number never decreases with its distance; `dist[i]` is that distance
 * (0 for an initial state). Every transition is kept as an edge, in the
 * model's action order: `out[i][j]` is the j-th enabled action of state i.
 *
 * On top of it: the shortest counterexamples of a property (how many there are,
 * the one with the fewest actor switches), and the states from which a
 * violation is unavoidable. Nothing here prints.
 */
import type { Action, Model, Property, Trace } from '../engine/index.js';

export interface Edge<A extends Action = Action> {
  readonly from: number;
  readonly to: number;
  /** Index of the action in the source state's ordered action list. */
  readonly index: number;
  readonly action: A;
}

export interface StateGraph<S, A extends Action = Action> {
  readonly model: string;
  readonly states: readonly S[];
  readonly keys: readonly string[];
  readonly dist: readonly number[];
  /** The initial states' numbers, in the model's order (duplicates dropped). */
  readonly initial: readonly number[];
  /** Outgoing edges per state; empty for a quiescent state or one not expanded. */
  readonly out: readonly (readonly Edge<A>[])[];
  /** Whether each state was expanded (false beyond the depth bound). */
  readonly expanded: readonly boolean[];
  /** Whether each state is quiescent (no action enabled); known for unexpanded states too. */
  readonly quiescent: readonly boolean[];
  /** True when every reachable state was stored and expanded. */
  readonly complete: boolean;
  readonly properties: readonly Property<S>[];
}

/** The state graph has more states than the bound allows. */
export class GraphTooLargeError extends Error {
  readonly code = 'graph-too-large';
  constructor(
    readonly model: string,
    readonly bound: number,
  ) {
    super(`model ${model}: the state graph has more than ${bound} states; raise the bound (or force) to build it`);
    this.name = 'GraphTooLargeError';
  }
}

export interface BuildOptions {
  /** Refuse (GraphTooLargeError) above this many states. Default 20 000. */
  readonly maxStates?: number;
  /** Do not expand states at this distance (0 = initial states only). */
  readonly maxDist?: number;
}

export const DEFAULT_MAX_STATES = 20_000;

export function buildStateGraph<S, A extends Action>(model: Model<S, A>, options: BuildOptions = {}): StateGraph<S, A> {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const maxDist = options.maxDist ?? Number.POSITIVE_INFINITY;
  const ids = new Map<string, number>();
  const states: S[] = [];
  const keys: string[] = [];
  const dist: number[] = [];
  const out: Edge<A>[][] = [];
  const expanded: boolean[] = [];
  const quiescent: boolean[] = [];
  const initial: number[] = [];
  const add = (state: S, key: string, d: number): number => {
    if (states.length >= maxStates) throw new GraphTooLargeError(model.name, maxStates);
    const id = states.length;
    ids.set(key, id);
    states.push(state);
    keys.push(key);
    dist.push(d);
    out.push([]);
    expanded.push(false);
    quiescent.push(false);
    return id;
  };
  for (const s of model.initialStates()) {
    const k = model.key(s);
    if (!ids.has(k)) initial.push(add(s, k, 0));
  }
  let complete = true;
  for (let id = 0; id < states.length; id++) {
    const acts = model.actions(states[id]);
    quiescent[id] = acts.length === 0;
    if (dist[id] >= maxDist) {
      if (acts.length > 0) complete = false;
      continue;
    }
    expanded[id] = true;
    for (let index = 0; index < acts.length; index++) {
      const action = acts[index];
      const succ = model.next(states[id], action);
      const k = model.key(succ);
      const to = ids.get(k) ?? add(succ, k, dist[id] + 1);
      out[id].push({ from: id, to, index, action });
    }
  }
  return { model: model.name, states, keys, dist, initial, out, expanded, quiescent, complete, properties: model.properties };
}

/**
 * The state graph the analysis of a model works on: the complete one when it
 * fits in `maxStates`, otherwise (given `knownLength`, the length of a shortest
 * counterexample) the states up to that length, which hold every shortest
 * counterexample but not what comes after (so no unavoidability mark).
 * Throws GraphTooLargeError when not even that fits.
 */
export function analysisGraph<S, A extends Action>(model: Model<S, A>, options: { maxStates?: number; knownLength?: number } = {}): StateGraph<S, A> {
  try {
    return buildStateGraph(model, { maxStates: options.maxStates });
  } catch (e) {
    if (!(e instanceof GraphTooLargeError) || options.knownLength === undefined) throw e;
    return buildStateGraph(model, { maxStates: options.maxStates, maxDist: options.knownLength });
  }
}

export function findProperty<S>(g: StateGraph<S, Action>, name: string): Property<S> {
  const p = g.properties.find((q) => q.name === name);
  if (p === undefined) throw new Error(`model ${g.model} has no property '${name}'`);
  return p;
}

/**
 * Whether state i is a target of the property: violates an `always` property,
 * is quiescent and violates an `atQuiescence` one, or witnesses a `sometimes` one.
 */
export function isTarget<S>(g: StateGraph<S, Action>, p: Property<S>, i: number): boolean {
  const s = g.states[i];
  switch (p.kind) {
    case 'always':
      return !p.holds(s);
    case 'atQuiescence':
      // Quiescence is known beyond the depth bound too, so a graph cut at a
      // counterexample's length still finds a quiescent violating state there.
      return g.quiescent[i] && !p.holds(s);
    case 'sometimes':
      return p.holds(s);
  }
}

export const targetsOf = <S>(g: StateGraph<S, Action>, p: Property<S>): number[] =>
  g.states.map((_, i) => i).filter((i) => isTarget(g, p, i));

/** The shortest counterexamples of one property, as a subgraph of the state graph. */
export interface ShortestPaths<A extends Action = Action> {
  /** Number of steps of a shortest counterexample. */
  readonly length: number;
  /** The targets at that distance. */
  readonly targets: readonly number[];
  /** States on some shortest path (ascending). */
  readonly nodes: readonly number[];
  /** Edges on some shortest path. */
  readonly edges: readonly Edge<A>[];
  /** How many distinct shortest counterexamples (distinct action sequences) exist. */
  readonly count: bigint;
}

/**
 * The union of all shortest paths from the initial states to the nearest
 * targets of `p` (null when no target is reachable). Needs every state up to
 * the targets' distance: build the graph with at least that `maxDist`.
 */
export function shortestPaths<S, A extends Action>(g: StateGraph<S, A>, p: Property<S>): ShortestPaths<A> | null {
  const all = targetsOf(g, p);
  if (all.length === 0) return null;
  // A loop, not Math.min(...): a property may have hundreds of thousands of targets (more arguments than the stack holds).
  let length = Infinity;
  for (const t of all) if (g.dist[t] < length) length = g.dist[t];
  const targets = all.filter((t) => g.dist[t] === length);
  const onPath = new Uint8Array(g.states.length);
  const preds = dagPredecessors(g);
  const stack = [...targets];
  for (const t of targets) onPath[t] = 1;
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const e of preds[v]) {
      if (!onPath[e.from]) {
        onPath[e.from] = 1;
        stack.push(e.from);
      }
    }
  }
  const nodes: number[] = [];
  const edges: Edge<A>[] = [];
  const count = new Array<bigint>(g.states.length).fill(0n);
  for (const i of g.initial) count[i] = 1n;
  for (let v = 0; v < g.states.length; v++) {
    if (!onPath[v]) continue;
    nodes.push(v);
    if (g.dist[v] === length) continue; // a target: its successors are beyond the counterexample
    for (const e of g.out[v]) {
      if (onPath[e.to] && g.dist[e.to] === g.dist[v] + 1) {
        edges.push(e);
        count[e.to] += count[v];
      }
    }
  }
  return { length, targets, nodes, edges, count: targets.reduce((n, t) => n + count[t], 0n) };
}

/** Edges u -> v with dist[v] = dist[u] + 1, indexed by v. */
function dagPredecessors<S, A extends Action>(g: StateGraph<S, A>): Edge<A>[][] {
  const preds: Edge<A>[][] = g.states.map(() => []);
  for (const es of g.out) for (const e of es) if (g.dist[e.to] === g.dist[e.from] + 1) preds[e.to].push(e);
  return preds;
}

/** Number of times consecutive steps of a trace are taken by different actors. */
export function actorSwitches(trace: Trace<unknown, Action>): number {
  let n = 0;
  for (let i = 2; i < trace.length; i++) if (trace[i].action!.actor !== trace[i - 1].action!.actor) n++;
  return n;
}

/**
 * Among the shortest counterexamples, one with the fewest actor switches. Ties
 * go to the earliest in breadth-first order (targets by number, then edges in
 * action order), so the choice is deterministic.
 */
export function fewestSwitches<S, A extends Action>(g: StateGraph<S, A>, sp: ShortestPaths<A>): Trace<S, A> {
  interface Best {
    switches: number;
    edge: Edge<A> | null;
    prevActor: string | null;
  }
  /** Per state: last actor ('' for none) -> best way to get here. */
  const best = new Map<number, Map<string, Best>>();
  for (const i of g.initial) best.set(i, new Map([['', { switches: 0, edge: null, prevActor: null }]]));
  const byFrom = new Map<number, Edge<A>[]>();
  for (const e of sp.edges) {
    const list = byFrom.get(e.from) ?? [];
    list.push(e);
    byFrom.set(e.from, list);
  }
  for (const v of sp.nodes) {
    const here = best.get(v);
    if (here === undefined) continue;
    for (const e of byFrom.get(v) ?? []) {
      const there = best.get(e.to) ?? new Map<string, Best>();
      best.set(e.to, there);
      for (const [last, b] of here) {
        const switches = b.switches + (last !== '' && last !== e.action.actor ? 1 : 0);
        const cur = there.get(e.action.actor);
        if (cur === undefined || switches < cur.switches) there.set(e.action.actor, { switches, edge: e, prevActor: last });
      }
    }
  }
  let chosen: { node: number; actor: string; switches: number } | undefined;
  for (const t of sp.targets) {
    for (const [actor, b] of best.get(t) ?? []) {
      if (chosen === undefined || b.switches < chosen.switches) chosen = { node: t, actor, switches: b.switches };
    }
  }
  if (chosen === undefined) throw new Error('no shortest path reaches a target');
  const edges: Edge<A>[] = [];
  let node = chosen.node;
  let actor = chosen.actor;
  for (;;) {
    const b = best.get(node)!.get(actor)!;
    if (b.edge === null) break;
    edges.push(b.edge);
    node = b.edge.from;
    actor = b.prevActor!;
  }
  edges.reverse();
  const trace: { action: A | null; state: S }[] = [{ action: null, state: g.states[node] }];
  for (const e of edges) trace.push({ action: e.action, state: g.states[e.to] });
  return trace;
}

/** The state numbers of a trace through the graph (by key). */
export function traceNodes<S, A extends Action>(g: StateGraph<S, A>, trace: Trace<S, A>, key: (s: S) => string): number[] {
  const index = new Map(g.keys.map((k, i) => [k, i]));
  return trace.map((t) => {
    const i = index.get(key(t.state));
    if (i === undefined) throw new Error('a trace state is not in the state graph');
    return i;
  });
}

/**
 * The states from which the violation of `p` is unavoidable: every path from
 * them reaches a target (the least fixpoint of "a target, or not quiescent
 * and every successor doomed"). A path that cycles forever, or ends quiescent,
 * without reaching a target avoids it. Needs the complete graph.
 */
export function doomedStates<S, A extends Action>(g: StateGraph<S, A>, p: Property<S>): Uint8Array {
  if (!g.complete) throw new Error(`model ${g.model}: unavoidability needs the complete state graph`);
  const n = g.states.length;
  const doomed = new Uint8Array(n);
  const remaining = new Int32Array(n);
  const preds: number[][] = g.states.map(() => []);
  for (let v = 0; v < n; v++) {
    remaining[v] = g.out[v].length;
    for (const e of g.out[v]) preds[e.to].push(v);
  }
  const queue: number[] = [];
  for (let v = 0; v < n; v++) {
    if (isTarget(g, p, v)) {
      doomed[v] = 1;
      queue.push(v);
    }
  }
  while (queue.length > 0) {
    const v = queue.pop()!;
    for (const u of preds[v]) {
      remaining[u]--;
      if (!doomed[u] && remaining[u] === 0 && g.out[u].length > 0) {
        doomed[u] = 1;
        queue.push(u);
      }
    }
  }
  return doomed;
}
