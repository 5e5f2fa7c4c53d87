/**
 * The state graph as a graphology graph, in two scopes, and its exporters.
 *
 * - full: every state and transition (the graph must be complete);
 * - counterexample: the union of all shortest paths from the initial states
 *   to the nearest violating states of one property, with the violating
 *   states and the edges into them marked.
 *
 * Node keys are `s<n>` (breadth-first numbering); edge keys `e<from>.<index>`
 * (the action's index in the source state's action list). Every attribute is
 * a string, number or boolean, so each format keeps it.
 *
 * Formats: graphology JSON (`graph.export()`), GraphML (written here:
 * graphology-graphml only parses), GEXF (graphology-gexf), DOT (written
 * here), SVG (the DOT laid out by Graphviz compiled to WebAssembly, @viz-js/viz).
 */
import { MultiDirectedGraph } from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import type { Action, Property } from '../engine/index.js';
import { defaultLanes, firstSource, sourceText, stepText, type LaneSummary } from '../format/lanes.js';
import { formatInitial } from '../format/text.js';
import { isTarget, shortestPaths, type Edge, type StateGraph } from './state-graph.js';

/** Above this many states a state graph is not written (nor drawn by the explorer) unless forced. */
export const FULL_GRAPH_BOUND = 2_000;

export interface NodeAttrs {
  label: string;
  depth: number;
  initial: boolean;
  violating: boolean;
  /** The readable state, one line. */
  state: string;
  [k: string]: unknown;
}

export interface EdgeAttrs {
  label: string;
  actor: string;
  step: string;
  /** The first C line of the step ("file:line"). */
  source: string;
  /** Every C line of the step (a merged step has several). */
  sources: string;
  violating: boolean;
  [k: string]: unknown;
}

export interface GraphAttrs {
  model: string;
  scope: 'full' | 'counterexample';
  [k: string]: unknown;
}

export type ExportGraph = MultiDirectedGraph<NodeAttrs, EdgeAttrs, GraphAttrs>;

export interface LabelOptions {
  /** The readable view of a state (default: the state). */
  readonly project?: (state: any) => unknown;
  readonly lanes?: LaneSummary;
}

function nodeAttrs<S>(g: StateGraph<S, Action>, i: number, violating: boolean, o: LabelOptions): NodeAttrs {
  const view = (o.project ?? ((s: unknown) => s))(g.states[i]);
  const lanes = o.lanes ?? defaultLanes;
  const extra = [lanes.ref(view) !== undefined ? `ref=${lanes.ref(view)}` : undefined, lanes.locks(view)].filter((x) => x !== undefined);
  return {
    label: [`s${i}`, ...extra].join(' '),
    depth: g.dist[i],
    initial: g.dist[i] === 0,
    violating,
    state: formatInitial(view),
  };
}

function edgeAttrs(e: Edge, violating: boolean): EdgeAttrs {
  const source = firstSource(e.action);
  const step = stepText(e.action);
  return {
    label: `${e.action.actor}:${step}${source ? ` @ ${source}` : ''}`,
    actor: e.action.actor,
    step,
    source,
    sources: sourceText(e.action),
    violating,
  };
}

const edgeKey = (e: Edge) => `e${e.from}.${e.index}`;

/**
 * The full state graph. `violating` marks the states violating any of the
 * given properties (default: none). Refuses an incomplete graph.
 */
export function fullGraph<S>(g: StateGraph<S, Action>, violated: readonly Property<S>[] = [], o: LabelOptions = {}): ExportGraph {
  if (!g.complete) throw new Error(`model ${g.model}: the state graph is incomplete; the full graph needs every state`);
  const graph: ExportGraph = new MultiDirectedGraph();
  graph.replaceAttributes({ model: g.model, scope: 'full', states: g.states.length, violated: violated.map((p) => p.name).join(',') });
  const bad = g.states.map((_, i) => violated.some((p) => isTarget(g, p, i)));
  g.states.forEach((_, i) => graph.addNode(`s${i}`, nodeAttrs(g, i, bad[i], o)));
  for (const es of g.out) for (const e of es) graph.addEdgeWithKey(edgeKey(e), `s${e.from}`, `s${e.to}`, edgeAttrs(e, bad[e.to]));
  return graph;
}

/** The counterexample graph of one property (null when no violating state is reachable). */
export function counterexampleGraph<S>(g: StateGraph<S, Action>, p: Property<S>, o: LabelOptions = {}): ExportGraph | null {
  const sp = shortestPaths(g, p);
  if (sp === null) return null;
  const targets = new Set(sp.targets);
  const graph: ExportGraph = new MultiDirectedGraph();
  graph.replaceAttributes({
    model: g.model,
    scope: 'counterexample',
    property: p.name,
    kind: p.kind,
    meaning: p.meaning,
    length: sp.length,
    shortestCount: sp.count.toString(),
  });
  for (const i of sp.nodes) graph.addNode(`s${i}`, nodeAttrs(g, i, targets.has(i), o));
  for (const e of sp.edges) graph.addEdgeWithKey(edgeKey(e), `s${e.from}`, `s${e.to}`, edgeAttrs(e, targets.has(e.to)));
  return graph;
}

// ---------------------------------------------------------------------------
// Exporters

/** graphology's own serialisation, as JSON text. */
export const toGraphologyJson = (graph: ExportGraph): string => JSON.stringify(graph.export(), null, 2) + '\n';

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

type XmlType = 'boolean' | 'int' | 'double' | 'string';

function typeOf(values: unknown[]): XmlType {
  const present = values.filter((v) => v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.length > 0 && present.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'int';
  if (present.length > 0 && present.every((v) => typeof v === 'number')) return 'double';
  return 'string';
}

/** GraphML (http://graphml.graphdrawing.org/): one key per attribute, typed from its values. */
export function toGraphml(graph: ExportGraph): string {
  const keysFor = (what: 'graph' | 'node' | 'edge', records: Record<string, unknown>[]) => {
    const names: string[] = [];
    for (const r of records) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
    return names.map((name) => ({ id: `${what[0]}_${name}`, name, type: typeOf(records.map((r) => r[name])), what }));
  };
  const graphKeys = keysFor('graph', [graph.getAttributes()]);
  const nodeKeys = keysFor('node', graph.mapNodes((_, a) => a));
  const edgeKeys = keysFor('edge', graph.mapEdges((_, a) => a));
  const data = (keys: { id: string; name: string }[], attrs: Record<string, unknown>, indent: string) =>
    keys
      .filter((k) => attrs[k.name] !== undefined)
      .map((k) => `${indent}<data key="${k.id}">${xml(String(attrs[k.name]))}</data>\n`)
      .join('');
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ';
  out += 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n';
  for (const k of [...graphKeys, ...nodeKeys, ...edgeKeys]) {
    out += `  <key id="${xml(k.id)}" for="${k.what}" attr.name="${xml(k.name)}" attr.type="${k.type}"/>\n`;
  }
  out += '  <graph id="G" edgedefault="directed">\n';
  out += data(graphKeys, graph.getAttributes(), '    ');
  graph.forEachNode((n, a) => {
    out += `    <node id="${xml(n)}">\n${data(nodeKeys, a, '      ')}    </node>\n`;
  });
  graph.forEachEdge((e, a, s, t) => {
    out += `    <edge id="${xml(e)}" source="${xml(s)}" target="${xml(t)}">\n${data(edgeKeys, a, '      ')}    </edge>\n`;
  });
  out += '  </graph>\n</graphml>\n';
  return out;
}

/** GEXF 1.3 through graphology-gexf; violating states and edges coloured red, initial states green. */
export function toGexf(graph: ExportGraph): string {
  return writeGexf(graph, {
    formatNode: (_key, a) => {
      const { label, ...attributes } = a;
      const color = a.violating ? '#d62728' : a.initial ? '#2ca02c' : undefined;
      return { label, attributes, ...(color ? { viz: { color } } : {}) };
    },
    formatEdge: (_key, a) => {
      const { label, ...attributes } = a;
      return { label, attributes, ...(a.violating ? { viz: { color: '#d62728' } } : {}) };
    },
  });
}

const dotString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** DOT for Graphviz: initial states doubled and green, violating states and edges red. */
export function toDot(graph: ExportGraph): string {
  const g = graph.getAttributes();
  const title =
    g.scope === 'counterexample'
      ? `${g.model}: ${String(g.property)} — ${String(g.shortestCount)} shortest counterexample(s) of ${String(g.length)} steps`
      : `${g.model}: full state graph, ${graph.order} states, ${graph.size} transitions`;
  const lines = [
    `digraph ${dotString(`${g.model} ${g.scope}`)} {`,
    `  graph [label=${dotString(title)}, labelloc=t, fontname="Helvetica", fontsize=12, rankdir=TB];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  graph.forEachNode((n, a) => {
    const style = a.violating ? ', fillcolor="#f8d0d0", color="#d62728", penwidth=2' : a.initial ? ', fillcolor="#d8f0d8", peripheries=2' : '';
    lines.push(`  ${dotString(n)} [label=${dotString(a.label)}, tooltip=${dotString(a.state)}${style}];`);
  });
  graph.forEachEdge((_e, a, s, t) => {
    const style = a.violating ? ', color="#d62728", fontcolor="#d62728", penwidth=2' : '';
    lines.push(`  ${dotString(s)} -> ${dotString(t)} [label=${dotString(a.label.replace(' @ ', '\n'))}, tooltip=${dotString(a.sources)}${style}];`);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

let vizInstance: Promise<{ renderString(input: string, options?: { format?: string; engine?: string }): string }> | undefined;

/** SVG of a DOT text, laid out by Graphviz in WebAssembly (throws on a DOT error). */
export async function dotToSvg(dot: string): Promise<string> {
  vizInstance ??= import('@viz-js/viz').then((m) => m.instance());
  const viz = await vizInstance;
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}
