/**
 * The page's reading of its data (src/explore/data.ts): pooled strings and
 * actions resolved, the run's states as field lists, and the URL fragment
 * that names what is shown (run, property, step, compared run).
 */
import type { ActionData, ExplorerData, PropertyData, RunData, StepData, TraceData } from '../src/explore/data.js';

export type { ActionData, ExplorerData, PropertyData, RunData, StepData, TraceData };

export interface Field {
  readonly name: string;
  readonly value: string;
}

export interface Change {
  readonly path: string;
  readonly from: string;
  readonly to: string;
}

export class Explorer {
  readonly runIndex: ReadonlyMap<string, number>;
  readonly propertyByName: ReadonlyMap<string, PropertyData>;

  constructor(readonly data: ExplorerData) {
    this.runIndex = new Map(data.runs.map((r, i) => [r.id, i]));
    this.propertyByName = new Map(data.properties.map((p) => [p.name, p]));
  }

  run(i: number): RunData {
    return this.data.runs[i];
  }

  property(name: string): PropertyData | undefined {
    return this.propertyByName.get(name);
  }

  action(step: StepData): ActionData | null {
    return step.a < 0 ? null : this.data.actions[step.a];
  }

  private readonly decoded = new Map<RunData, Map<number, readonly number[]>>();

  /** A state of a run as its flat (field, value) string indexes, undoing the writing as changes from an earlier state. */
  private flat(run: RunData, v: number): readonly number[] {
    let memo = this.decoded.get(run);
    if (memo === undefined) this.decoded.set(run, (memo = new Map()));
    const chain: number[] = [];
    let i = v;
    while (!memo.has(i) && run.views[i][0] < 0) {
      chain.push(i);
      i += run.views[i][0];
    }
    let flat: readonly number[] = memo.get(i) ?? run.views[i];
    memo.set(i, flat);
    for (let k = chain.length - 1; k >= 0; k--) {
      const d = run.views[chain[k]];
      const next = [...flat];
      for (let j = 1; j < d.length; j += 2) next[2 * d[j] + 1] = d[j + 1];
      memo.set(chain[k], (flat = next));
    }
    return flat;
  }

  /** A state of a run: its fields in order. */
  view(run: RunData, v: number): Field[] {
    const flat = this.flat(run, v);
    const s = this.data.strings;
    const out: Field[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ name: s[flat[i]], value: s[flat[i + 1]] });
    return out;
  }

  changes(step: StepData): Change[] {
    const s = this.data.strings;
    const out: Change[] = [];
    for (let i = 0; i < step.c.length; i += 3) out.push({ path: s[step.c[i]], from: s[step.c[i + 1]], to: s[step.c[i + 2]] });
    return out;
  }

  /** The runs in the same matrix row as this one (same scenario and environment), in column order. */
  rowMates(run: RunData): number[] {
    const m = this.data.matrix;
    if (m === null || run.kind !== 'matrix') return [];
    const row = m.rows.findIndex((w) => w.scenario === run.tags.scenario && w.env === run.tags.env);
    return row < 0 ? [] : m.cells[row].filter((i) => i >= 0);
  }
}

/** The top-level field a change path is under ("holders.timer" -> "holders", 'holders["T.pctx"]' -> "holders"). */
export function rootField(path: string, fields: readonly string[]): string {
  // Field names may themselves contain dots ("pc.O"): the longest field name the path starts with.
  let best = '';
  for (const f of fields) {
    if ((path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`)) && f.length > best.length) best = f;
  }
  return best || path.split(/[.[]/)[0];
}

/** A change as the check's trace prints it (src/format/text.ts formatChange). */
export const changeText = (c: Change): string => `${c.path}: ${c.from} -> ${c.to}`;

// ---------------------------------------------------------------------------
// A drawn counterexample graph

export interface Drawn {
  readonly ids: number[];
  readonly depth: Map<number, number>;
  readonly flags: Map<number, number>;
  readonly view: Map<number, number>;
  readonly edges: { from: number; to: number; action: number; violating: boolean }[];
}

export type DrawnData = Extract<TraceData['graph'], { kind: 'drawn' }>;

/** The graph as written in the data (src/explore/data.ts GraphData): ids, depths, flags and edges by state number. */
export function decode(g: DrawnData): Drawn {
  const ids: number[] = [];
  g.ids.forEach((d, i) => ids.push(i === 0 ? d : ids[i - 1] + d));
  const depth = new Map<number, number>();
  let at = 0;
  g.perDepth.forEach((n, k) => {
    for (let j = 0; j < n; j++) depth.set(ids[at++], k);
  });
  const flags = new Map<number, number>(ids.map((id) => [id, 0]));
  for (const i of g.initial) flags.set(ids[i], flags.get(ids[i])! | 1);
  for (const i of g.violating) flags.set(ids[i], flags.get(ids[i])! | 2);
  const view = new Map<number, number>(ids.map((id, i) => [id, g.views[i]]));
  const edges: Drawn['edges'] = [];
  let from = 0;
  for (let i = 0; i < g.edgeList.length; i += 3) {
    from += g.edgeList[i];
    const to = ids[from + g.edgeList[i + 1]];
    edges.push({ from: ids[from], to, action: g.edgeList[i + 2], violating: (flags.get(to)! & 2) !== 0 });
  }
  return { ids, depth, flags, view, edges };
}

// ---------------------------------------------------------------------------
// The URL fragment: #run=<id>&prop=<name>&step=<n>&cmp=<id>&view=<tab>

export type Tab = 'matrix' | 'runs' | 'pr' | 'propositions';
export const TABS: readonly Tab[] = ['matrix', 'runs', 'pr', 'propositions'];

export interface Place {
  readonly tab: Tab;
  readonly run: string | null;
  readonly prop: string | null;
  readonly step: number;
  readonly cmp: string | null;
}

export const NOWHERE: Place = { tab: 'matrix', run: null, prop: null, step: 0, cmp: null };

export function parseFragment(hash: string): Place {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const step = Number(q.get('step'));
  const tab = q.get('view') as Tab | null;
  return {
    tab: tab !== null && TABS.includes(tab) ? tab : 'matrix',
    run: q.get('run'),
    prop: q.get('prop'),
    step: Number.isInteger(step) && step >= 0 ? step : 0,
    cmp: q.get('cmp'),
  };
}

export function formatFragment(p: Place): string {
  const q = new URLSearchParams();
  if (p.tab !== 'matrix') q.set('view', p.tab);
  if (p.run !== null) q.set('run', p.run);
  if (p.run !== null && p.prop !== null) q.set('prop', p.prop);
  if (p.run !== null && p.prop !== null) q.set('step', String(p.step));
  if (p.run !== null && p.cmp !== null) q.set('cmp', p.cmp);
  const s = q.toString();
  return s === '' ? '' : `#${s}`;
}

/** The first step at which two traces differ in actor or step (their length when one is a prefix of the other). */
export function firstDivergence(x: Explorer, a: TraceData, b: TraceData): number {
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 1; i < n; i++) {
    const p = x.action(a.steps[i]);
    const q = x.action(b.steps[i]);
    if (p?.actor !== q?.actor || p?.step !== q?.step) return i;
  }
  return n;
}
