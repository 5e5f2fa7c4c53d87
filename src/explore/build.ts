/**
 * The explorer page's data (data.ts) from a check run: its results, and for the
 * runs whose traces are shown the parts computed from their state graphs
 * (parts.ts). Every text it holds is made by the project's reports: the matrix
 * cell (report/matrix.ts), the trace lines and changed fields
 * (format/text.ts), the locks and reference count (format/lanes.ts), the PR's
 * table (report/pr-table.ts) and the propositions (report/propositions.ts).
 * Deterministic: the same results give the same data. Nothing here prints.
 */
import { describeDifference, type RunResult } from '../check/run.js';
import type { Manifest, ManifestPropositionRun, ManifestRun } from '../check/dialog.js';
import type { Action, Trace } from '../engine/index.js';
import { cellText, isMatrixRun, SHORT_NAMES } from '../report/matrix.js';
import { defaultLanes, partsOf, stepText, type LaneSummary } from '../format/lanes.js';
import { MEMORY_SAFETY, prTable } from '../report/pr-table.js';
import { propositionResults, searchText, VERDICT_WORDS } from '../report/propositions.js';
import { traceLines, formatValue } from '../format/text.js';
import { summaryLine } from '../report/check-report.js';
import { VARIANT_NAMES, type VariantName } from '../../spec/dialog/variants.js';
import { citation, type Citation } from './citations.js';
import {
  EXPLORER_FORMAT,
  type ActionData,
  type ChartData,
  type ExplorerData,
  type GraphData,
  type MatrixData,
  type PropertyData,
  type PropositionData,
  type RunData,
  type Severity,
  type StepData,
  type TraceData,
} from './data.js';
import { DRAW_BOUND, formattedView, type FormattedView, type PartTrace, type RunPart } from './parts.js';

export interface ExplorerInput {
  readonly results: readonly RunResult[];
  /** Per run id, its traces and graphs (runs without one show the engine's traces). */
  readonly parts: ReadonlyMap<string, RunPart>;
  /** The selection, as command-line options. */
  readonly selection?: string;
  readonly timeMs?: number;
  readonly drawBound?: number;
  /** The environments by name (the manifest's), for the PR's table. */
  readonly environments?: Manifest['environments'];
  readonly lanes?: LaneSummary;
}

/**
 * The properties counted as a crash: the memory-safety ones of the PR's table,
 * and the abort of issue #3835. Any other property is a protocol property, or a
 * witness when it is a `sometimes` property.
 */
const CRASHES: readonly string[] = [...MEMORY_SAFETY, 'NoCrash3835'];
const SEVERITY_ORDER: readonly Severity[] = ['crash', 'protocol', 'witness'];
const PALETTE: Record<Severity, readonly string[]> = {
  crash: ['#c0392b', '#e4572e', '#a4243b', '#d35400', '#e67e22', '#b03a2e', '#cb4335', '#f0883e'],
  protocol: ['#7d3c98', '#5b4fc4', '#2e86c1', '#8e44ad', '#1f6f8b', '#6c5ce7'],
  witness: ['#b8a878', '#a0a0a0', '#c9b458', '#8d8d8d'],
};

const severityOf = (p: { name: string; kind: string }): Severity => (p.kind === 'sometimes' ? 'witness' : CRASHES.includes(p.name) ? 'crash' : 'protocol');

/** Interns values, giving each distinct one an index. */
class Pool<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  add(key: string, make: () => T): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(make());
      this.index.set(key, i);
    }
    return i;
  }
}

export function explorerData(input: ExplorerInput): ExplorerData {
  const lanes = input.lanes ?? defaultLanes;
  const drawBound = input.drawBound ?? DRAW_BOUND;
  const strings = new Pool<string>();
  const str = (s: string) => strings.add(s, () => s);
  const actions = new Pool<ActionData>();

  const properties = propertiesOf(input.results);
  const rankOf = new Map(properties.map((p) => [p.name, p.rank]));

  const actionIndex = (a: Action): number => {
    const data = actionData(a);
    return actions.add(JSON.stringify(data), () => data);
  };

  const runs: RunData[] = input.results.map((r) => {
    const views = new Pool<number[]>();
    const viewOf = (formatted: FormattedView) => {
      const flat = formatted.flatMap(([k, v]) => [str(k), str(v)]);
      return views.add(flat.join(','), () => flat);
    };
    const kind: RunData['kind'] = isMatrixRun(r) ? 'matrix' : r.run.tags.group === 'propositions' ? 'proposition' : 'other';
    const part = input.parts.get(r.run.id);
    const traces: TraceData[] = [];
    const o = r.outcome;
    for (const p of o.properties) {
      if (p.trace === undefined) continue;
      const violated = p.verdict === 'violated';
      // Witnesses of the properties that hold are shown for the proposition searches only (their answer is the witness).
      if (!violated && kind !== 'proposition') continue;
      const role = p.kind === 'sometimes' && !violated ? 'witness' : 'counterexample';
      const pt = violated && kind !== 'proposition' ? part?.traces.find((t) => t.property === p.name) : undefined;
      traces.push(traceData(p, role, pt, { viewOf, str, actionIndex, lanes }));
    }
    const violatedNames = o.violations.map((v) => v.name);
    const worst = violatedNames.length === 0 ? null : [...violatedNames].sort((a, b) => (rankOf.get(a) ?? 0) - (rankOf.get(b) ?? 0))[0];
    return {
      id: r.run.id,
      tags: { ...r.run.tags },
      kind,
      status: o.status,
      ...(o.bound !== undefined ? { bound: o.bound } : {}),
      ...(o.error !== undefined ? { error: `${o.error.name}: ${o.error.message}` } : {}),
      states: o.stats.states,
      transitions: o.stats.transitions,
      depth: o.stats.depth,
      ...(input.timeMs !== undefined ? { timeMs: Math.round(o.stats.timeMs) } : {}),
      cell: cellText(r),
      asDeclared: r.differences.length === 0,
      differences: r.differences.map(describeDifference),
      expected: [...r.run.expect.violated],
      verdicts: o.properties.map((p) => ({ name: p.name, verdict: p.verdict, ...(p.explanation !== undefined ? { explanation: p.explanation } : {}) })),
      worst,
      dead: [...o.coverage.dead],
      views: compactViews(views.items),
      traces,
    };
  });

  const manifest = resultsManifest(input.results, input.environments ?? {});
  const table = prTable(manifest);
  const prRan = table.claims.some((c) => manifest.runs.some((r) => r.scenario === c.scenario));
  return {
    format: EXPLORER_FORMAT,
    title: 'dialog-race-checker explorer',
    selection: input.selection ?? '',
    summary: summaryLine(input.results),
    exitCode: input.results.every((r) => r.differences.length === 0) ? 0 : 1,
    ...(input.timeMs !== undefined ? { timeMs: Math.round(input.timeMs) } : {}),
    drawBound,
    strings: strings.items,
    actions: actions.items,
    properties,
    runs,
    matrix: matrixOf(input.results),
    prTable: prRan ? { variants: [...table.variants], claims: table.claims, sections: table.sections } : null,
    propositions: propositionsOf(input.results, manifest),
  };
}

/** Every property of the runs, first-seen order, ranked worst first: crash, protocol, witness, each in first-seen order. */
function propertiesOf(results: readonly RunResult[]): PropertyData[] {
  const seen: { name: string; kind: PropertyData['kind']; meaning: string }[] = [];
  for (const r of results) for (const p of r.outcome.properties) if (!seen.some((q) => q.name === p.name)) seen.push({ name: p.name, kind: p.kind, meaning: p.meaning });
  const ranked = [...seen].sort((a, b) => SEVERITY_ORDER.indexOf(severityOf(a)) - SEVERITY_ORDER.indexOf(severityOf(b)));
  const used: Record<Severity, number> = { crash: 0, protocol: 0, witness: 0 };
  const color = new Map<string, string>();
  for (const p of ranked) {
    const s = severityOf(p);
    color.set(p.name, PALETTE[s][used[s]++ % PALETTE[s].length]);
  }
  return seen.map((p) => ({
    name: p.name,
    short: SHORT_NAMES[p.name] ?? p.name,
    kind: p.kind,
    meaning: p.meaning,
    severity: severityOf(p),
    rank: ranked.indexOf(p),
    color: color.get(p.name)!,
  }));
}

/** An action as the page shows it: the step as the check's trace lines write it, and its C citations. */
function actionData(a: Action): ActionData {
  // traceLines is what the check's trace and --json print: the step of a one-step trace is the action's.
  const line = traceLines([{ action: null, state: null }, { action: a, state: null }])[1];
  const cites: Citation[] = [];
  for (const p of partsOf(a)) if (p.source !== undefined && !cites.some((c) => c.text === citation(p.source!).text)) cites.push(citation(p.source));
  const parts = a.parts !== undefined && a.parts.length > 1 ? a.parts.map((p) => ({ actor: p.actor, step: stepText(p), cites: p.source ? [citation(p.source)] : [] })) : undefined;
  return { actor: a.actor, step: line.step!, cites, ...(parts ? { parts } : {}) };
}

interface TraceContext {
  /** A state's index in the run's view table. */
  readonly viewOf: (formatted: FormattedView) => number;
  readonly str: (s: string) => number;
  readonly actionIndex: (a: Action) => number;
  readonly lanes: LaneSummary;
}

function traceData(
  p: { name: string; kind: string; trace?: Trace<unknown, Action>; explanation?: string },
  role: TraceData['role'],
  pt: PartTrace | undefined,
  cx: TraceContext,
): TraceData {
  const chosen = pt?.chosen.trace ? pt.chosen : undefined;
  const trace = chosen?.trace ?? p.trace!;
  const lines = traceLines(trace);
  const nodes = chosen ? pt!.nodes : null;
  const steps: StepData[] = lines.map((l, i) => {
    const state = trace[i].state;
    const c: number[] = [];
    for (const ch of l.changes) c.push(cx.str(ch.path), cx.str('from' in ch ? formatValue(ch.from) : '(absent)'), cx.str('to' in ch ? formatValue(ch.to) : '(absent)'));
    return {
      a: trace[i].action === null ? -1 : cx.actionIndex(trace[i].action!),
      v: cx.viewOf(formattedView(state)),
      c,
      ref: cx.lanes.ref(state) ?? null,
      locks: cx.lanes.locks(state) ?? null,
      n: nodes?.[i] ?? null,
    };
  });
  const actors: string[] = [];
  for (const t of trace) if (t.action !== null && !actors.includes(t.action.actor)) actors.push(t.action.actor);
  const explanation = chosen ? chosen.explanation : p.explanation;
  const why = chosen ? undefined : role === 'witness' || pt === undefined ? "the engine's shortest trace" : `the engine's first shortest trace: ${pt.chosen.why ?? 'none chosen'}`;
  return {
    property: p.name,
    role,
    length: trace.length - 1,
    source: chosen ? 'chosen' : 'engine',
    count: chosen?.count ?? null,
    switches: chosen?.switches ?? switchesOf(trace),
    ...(why !== undefined ? { why } : {}),
    ...(explanation !== undefined ? { explanation } : {}),
    unavoidableAt: chosen?.unavoidableAt ?? null,
    actors,
    steps,
    chart: chartOf(trace, cx.lanes),
    graph: pt === undefined ? { kind: 'none', why: "no counterexample graph: the trace is the engine's" } : graphData(pt, cx),
  };
}

const switchesOf = (trace: Trace<unknown, Action>): number => {
  let n = 0;
  for (let i = 2; i < trace.length; i++) if (trace[i].action!.actor !== trace[i - 1].action!.actor) n++;
  return n;
};

function graphData(pt: PartTrace, cx: TraceContext): GraphData {
  const g = pt.graph;
  if (g.kind !== 'drawn') return g;
  const nodes = [...g.nodes].sort((a, b) => a.id - b.id);
  const pos = new Map(nodes.map((n, i) => [n.id, i]));
  const perDepth: number[] = [];
  nodes.forEach((n, i) => {
    if (i > 0 && n.depth < nodes[i - 1].depth) throw new Error(`state graph: state ${n.id} is nearer the initial states than state ${nodes[i - 1].id}`);
    perDepth[n.depth] = (perDepth[n.depth] ?? 0) + 1;
  });
  const edges = [...g.edges].sort((a, b) => pos.get(a.from)! - pos.get(b.from)! || pos.get(a.to)! - pos.get(b.to)!);
  const edgeList: number[] = [];
  let from = 0;
  for (const e of edges) {
    const f = pos.get(e.from)!;
    edgeList.push(f - from, pos.get(e.to)! - f, cx.actionIndex(e.action));
    from = f;
  }
  return {
    kind: 'drawn',
    states: nodes.length,
    edges: edges.length,
    length: g.length,
    count: g.count,
    ids: nodes.map((n, i) => (i === 0 ? n.id : n.id - nodes[i - 1].id)),
    perDepth: Array.from(perDepth, (n) => n ?? 0),
    views: nodes.map((n) => cx.viewOf(n.view)),
    initial: nodes.flatMap((n, i) => (n.initial ? [i] : [])),
    violating: nodes.flatMap((n, i) => (n.violating ? [i] : [])),
    edgeList,
  };
}

/** How far back `compactViews` looks for a state to write another as its changes from. */
const VIEW_WINDOW = 64;

/**
 * A run's states with each written, where it is shorter, as the changed values
 * of one of the VIEW_WINDOW states before it that has the same fields in the
 * same order (see RunData.views).
 */
export function compactViews(views: readonly (readonly number[])[]): number[][] {
  return views.map((v, i) => {
    let best: number[] | null = null;
    for (let b = Math.max(0, i - VIEW_WINDOW); b < i; b++) {
      const w = views[b];
      if (w.length !== v.length) continue;
      let same = true;
      for (let j = 0; j < v.length && same; j += 2) same = w[j] === v[j];
      if (!same) continue;
      const d = [b - i];
      for (let j = 1; j < v.length; j += 2) if (v[j] !== w[j]) d.push((j - 1) / 2, v[j]);
      if (best === null || d.length < best.length) best = d;
    }
    return best !== null && best.length < v.length ? best : [...v];
  });
}

/** The reference count over the steps, and the first field that is a record of counts at every step (the dialog's holders). */
function chartOf(trace: Trace<unknown, Action>, lanes: LaneSummary): ChartData | null {
  const ref = trace.map((t) => {
    const r = lanes.ref(t.state);
    const n = r === undefined ? NaN : Number(r);
    return Number.isFinite(n) ? n : null;
  });
  const isCounts = (v: unknown): v is Record<string, number> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number');
  let breakdown: ChartData['breakdown'] = null;
  const first = trace[0].state;
  if (typeof first === 'object' && first !== null) {
    for (const field of Object.keys(first)) {
      const values = trace.map((t) => (t.state as Record<string, unknown>)[field]);
      if (!values.every(isCounts)) continue;
      const keys: string[] = [];
      for (const v of values) for (const k of Object.keys(v)) if (!keys.includes(k)) keys.push(k);
      if (keys.length === 0) continue;
      breakdown = { field, keys, values: values.map((v) => keys.map((k) => (v as Record<string, number>)[k] ?? 0)) };
      break;
    }
  }
  if (ref.every((x) => x === null) && breakdown === null) return null;
  return { ref, breakdown };
}

function matrixOf(results: readonly RunResult[]): MatrixData | null {
  const rows: { scenario: string; env: string }[] = [];
  const variants: string[] = [];
  const at = new Map<string, number>();
  results.forEach((r, i) => {
    if (!isMatrixRun(r)) return;
    const { scenario, env, variant } = r.run.tags;
    if (!rows.some((w) => w.scenario === scenario && w.env === env)) rows.push({ scenario, env });
    if (!variants.includes(variant)) variants.push(variant);
    at.set(`${scenario}\u0000${env}\u0000${variant}`, i);
  });
  if (rows.length === 0) return null;
  return { rows, variants, cells: rows.map((w) => variants.map((v) => at.get(`${w.scenario}\u0000${w.env}\u0000${v}`) ?? -1)) };
}

/**
 * The matrix of this run in the manifest's form (complete runs only: an
 * incomplete one says nothing exhaustive), for the PR's table and the
 * propositions that compare variants.
 */
export function resultsManifest(results: readonly RunResult[], environments: Manifest['environments']): Manifest {
  const done = results.filter((r) => r.outcome.status !== 'error' && r.outcome.stats.complete);
  const cellOf = (r: RunResult): ManifestRun => ({
    scenario: r.run.tags.scenario,
    env: r.run.tags.env,
    variant: r.run.tags.variant as VariantName,
    violated: r.outcome.violations.map((v) => v.name),
    states: r.outcome.stats.states,
    transitions: r.outcome.stats.transitions,
    depth: r.outcome.stats.depth,
  });
  const runs = done.filter(isMatrixRun).map(cellOf);
  // The rows in the order of their first run, each with the variants it ran.
  const ran = new Map<string, { scenario: string; env: string; variants: Set<VariantName> }>();
  for (const r of runs) {
    const key = `${r.scenario}|${r.env}`;
    if (!ran.has(key)) ran.set(key, { scenario: r.scenario, env: r.env, variants: new Set() });
    ran.get(key)!.variants.add(r.variant);
  }
  // A row whose runs are not every variant (the manifest's `variants`, or a selection) says which it ran.
  const rows = [...ran.values()].map(({ scenario, env, variants }) =>
    variants.size < VARIANT_NAMES.length ? { scenario, env, variants: VARIANT_NAMES.filter((v) => variants.has(v)) } : { scenario, env },
  );
  const propositions: ManifestPropositionRun[] = done
    .filter((r) => r.run.tags.group === 'propositions' && r.run.tags.proposition !== undefined)
    .map((r) => ({ ...cellOf(r), id: r.run.tags.proposition }));
  return { environments, rows, runs, propositions };
}

function propositionsOf(results: readonly RunResult[], manifest: Manifest): PropositionData[] | null {
  if (!results.some((r) => r.run.tags.group === 'propositions')) return null;
  const index = new Map(results.map((r, i) => [r, i]));
  return propositionResults(results, manifest).map((x) => {
    const p = x.proposition;
    const d = p.decide;
    const answer = (r: RunResult) => ({ run: index.get(r)!, text: d ? searchText(r, p.id, d.quant) : '' });
    return {
      id: p.id,
      claim: p.claim,
      verdict: VERDICT_WORDS[x.verdict],
      note: p.note,
      ...(p.outside !== undefined ? { outside: p.outside } : {}),
      ...(d ? { searched: { property: d.property, quant: d.quant } } : {}),
      searches: x.deciding.map(answer),
      contrast: x.contrast.map(answer),
      total: x.searches,
      ...(x.differingRows !== undefined ? { differingRows: [...x.differingRows] } : {}),
    };
  });
}
