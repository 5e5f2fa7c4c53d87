/**
 * Swimlane counterexamples (plain text and Markdown): one column per actor,
 * one row per step. Each step shows its step id and first C line in its
 * actor's column, then the locks held and the reference count after it (when
 * the model's lane summary has them) and only the variables that changed (or
 * the whole state, as an option).
 *
 * The trace is not the engine's: it is chosen on the state graph (built by
 * src/graph over the Model API) among ALL shortest counterexamples, as the one
 * with the fewest switches between actors, and the report says how many
 * distinct shortest counterexamples (distinct action sequences) exist.
 *
 * The step where the violation becomes unavoidable is marked. Definition
 * (exact, on the complete state graph): a state is doomed when every path
 * from it reaches a violating state (a path that runs forever or ends
 * quiescent without violating avoids it). The marked step is the first whose
 * resulting state is doomed; the state before it is not doomed, so some other
 * enabled action there would have kept the violation avoidable. When the
 * state graph is larger than the bound, only the states up to the
 * counterexample's length are built, and the mark is left out (said so).
 */
import type { Action, Model, Property, Trace } from '../engine/index.js';
import {
  actorSwitches,
  analysisGraph,
  doomedStates,
  fewestSwitches,
  findProperty,
  shortestPaths,
  traceNodes,
  type StateGraph,
} from '../graph/state-graph.js';
import { actorsOf, defaultLanes, firstSource, rolesLine, stepText, type LaneSummary } from '../format/lanes.js';
import { diffStates, formatChange, formatInitial, renderTable, type Column } from '../format/text.js';

export interface Counterexample {
  /** Where it comes from (e.g. the run id). */
  readonly title: string;
  readonly property: { readonly name: string; readonly kind: Property<unknown>['kind']; readonly meaning: string };
  /** The property's explanation of the last state, when it has one. */
  readonly explanation?: string;
  /** The chosen trace, states projected to their readable views. */
  readonly trace: Trace<unknown, Action>;
  /** Number of distinct shortest counterexamples (null: not computed, the graph was too large). */
  readonly count: bigint | null;
  /** Actor switches in the chosen trace (the fewest among the shortest). */
  readonly switches: number;
  /**
   * The index of the step after which the violation is unavoidable (0: from
   * the initial state), or null when it could not be computed (graph too large).
   */
  readonly unavoidableAt: number | null;
  /** States in the state graph used (complete or up to the counterexample's length). */
  readonly graphStates: number;
}

export interface AnalyseOptions {
  readonly title?: string;
  /** Readable view of a state (the dialog model's `stateView`). */
  readonly project?: (state: any) => unknown;
  /** Bound on the state graph (default 20 000 states). */
  readonly maxStates?: number;
  /** The length of a shortest counterexample if known (e.g. from `check`): lets a too-large graph be cut there. */
  readonly knownLength?: number;
}

/**
 * The readable counterexample of a property (null when no violating state is
 * reachable). Throws GraphTooLargeError when not even the states up to the
 * counterexample's length fit in the bound.
 */
export function analyseCounterexample<S, A extends Action>(
  model: Model<S, A>,
  propertyName: string,
  options: AnalyseOptions = {},
): Counterexample | null {
  return analyseOnGraph(model, analysisGraph(model, options), propertyName, options);
}

/** The same on a state graph already built (from `analysisGraph`): several properties share one graph. */
export function analyseOnGraph<S, A extends Action>(
  model: Model<S, A>,
  g: StateGraph<S, A>,
  propertyName: string,
  options: Pick<AnalyseOptions, 'title' | 'project'> = {},
): Counterexample | null {
  const p = findProperty(g, propertyName);
  const sp = shortestPaths(g, p);
  if (sp === null) return null;
  const raw = fewestSwitches(g, sp);
  let unavoidableAt: number | null = null;
  if (g.complete) {
    const doomed = doomedStates(g, p);
    const nodes = traceNodes(g, raw, (s) => model.key(s));
    unavoidableAt = nodes.findIndex((n) => doomed[n] === 1);
  }
  const project = options.project ?? ((s: unknown) => s);
  const last = raw[raw.length - 1].state;
  return {
    title: options.title ?? model.name,
    property: { name: p.name, kind: p.kind, meaning: p.meaning },
    ...(p.explain ? { explanation: p.explain(last) } : {}),
    trace: raw.map((t) => ({ action: t.action, state: project(t.state) })),
    count: sp.count,
    switches: actorSwitches(raw),
    unavoidableAt,
    graphStates: g.states.length,
  };
}

/**
 * A counterexample from a trace alone (the engine's), when the state graph is
 * too large to choose among the shortest ones: nothing is counted or marked.
 */
export function fromTrace(
  title: string,
  property: Counterexample['property'],
  trace: Trace<unknown, Action>,
  explanation?: string,
): Counterexample {
  return {
    title,
    property,
    ...(explanation !== undefined ? { explanation } : {}),
    trace,
    count: null,
    switches: actorSwitches(trace),
    unavoidableAt: null,
    graphStates: 0,
  };
}

export interface SwimlaneOptions {
  readonly markdown?: boolean;
  /** Show the whole state at every step instead of the changed variables. */
  readonly fullState?: boolean;
  readonly lanes?: LaneSummary;
  /** What each actor stands for: a line under the heading names the trace's actors (RunSpec.roles). */
  readonly roles?: Readonly<Record<string, string>>;
}

const MARK_UNAVOIDABLE = '>>';
const MARK_VIOLATION = 'XX';

/** The swimlane table and the closing sentences. */
export function renderSwimlane(cex: Counterexample, options: SwimlaneOptions = {}): string {
  const lanes = options.lanes ?? defaultLanes;
  const { trace } = cex;
  const actors = actorsOf(trace);
  const views = trace.map((t) => t.state);
  const showLocks = views.some((v) => lanes.locks(v) !== undefined);
  const showRef = views.some((v) => lanes.ref(v) !== undefined);
  const last = trace.length - 1;
  const columns: Column[] = [
    { header: '', align: 'left' },
    { header: '#', align: 'right' },
    ...actors.map((a) => ({ header: a })),
    ...(showLocks ? [{ header: 'locks held' }] : []),
    ...(showRef ? [{ header: 'ref', align: 'right' as const }] : []),
    { header: options.fullState ? 'state' : 'changed' },
  ];
  const rows = trace.map((t, i) => {
    const a = t.action;
    const mark = i === last ? MARK_VIOLATION : i === cex.unavoidableAt ? MARK_UNAVOIDABLE : '';
    const cell = (actor: string) => {
      if (a === null || a.actor !== actor) return '';
      const src = firstSource(a);
      return src ? `${stepText(a)} @ ${src}` : stepText(a);
    };
    const what =
      i === 0 || options.fullState
        ? formatInitial(t.state)
        : diffStates(trace[i - 1].state, t.state)
            .map(formatChange)
            .join(', ') || '(no change)';
    return [
      mark,
      String(i),
      ...(a === null ? actors.map((_, j) => (j === 0 ? '(initial state)' : '')) : actors.map(cell)),
      ...(showLocks ? [lanes.locks(t.state) ?? ''] : []),
      ...(showRef ? [lanes.ref(t.state) ?? ''] : []),
      what,
    ];
  });
  const table = options.markdown ? markdownTable(columns, rows) : renderTable(columns, rows);
  const w = words(cex.property.kind);
  const header = `${cex.title}: ${cex.property.name} ${w.verb}, ${w.noun} of ${last} step${last === 1 ? '' : 's'} in swimlanes`;
  const roles = rolesLine(options.roles, actors);
  const legend = roles === undefined ? [] : [roles];
  const text = [options.markdown ? `### ${header}` : header, ...(options.markdown && legend.length > 0 ? [''] : []), ...legend, '', table, '', ...closing(cex)];
  return text.join('\n') + '\n';
}

/** The sentences after the table: the marks, the property in words, the choice among shortest traces. */
export function closing(cex: Counterexample): string[] {
  const last = cex.trace.length - 1;
  const stepName = (i: number) => {
    const a = cex.trace[i].action!;
    return `${a.actor}:${stepText(a)}`;
  };
  const w = words(cex.property.kind);
  const out: string[] = [];
  if (cex.unavoidableAt === null) {
    out.push(`${MARK_UNAVOIDABLE} not computed: the state graph is larger than the bound, so where ${w.event} becomes unavoidable is not known.`);
  } else if (cex.unavoidableAt === 0) {
    out.push(`${MARK_UNAVOIDABLE} ${w.event} is unavoidable from the initial state: every run reaches ${w.target}.`);
  } else if (cex.unavoidableAt === last) {
    out.push(
      `${MARK_UNAVOIDABLE} ${w.event} stays avoidable until its last step (${last}, ${stepName(last)}): before it, another enabled action leads to a state from which some run never ${w.does} ${cex.property.name}.`,
    );
  } else {
    out.push(
      `${MARK_UNAVOIDABLE} step ${cex.unavoidableAt} (${stepName(cex.unavoidableAt)}) is where ${w.event} becomes unavoidable: after it, every continuation ${w.does} ${cex.property.name}; before it, another enabled action would have kept it avoidable.`,
    );
  }
  out.push(`${MARK_VIOLATION} step ${last} (${stepName(last)}) reaches ${w.target}.`);
  out.push('');
  out.push(`${w.verb === 'violated' ? 'Violated' : 'Reached'}: ${inWords(cex.property)}`);
  if (cex.explanation !== undefined) out.push(`In the last state: ${cex.explanation}.`);
  const n = cex.count;
  out.push(
    n === null
      ? `This is the engine's first shortest ${w.noun} (${steps(last)}, ${cex.switches} actor switch${cex.switches === 1 ? '' : 'es'}); the state graph is too large to count the others.`
      : n === 1n
      ? `This is the only shortest ${w.noun} (${steps(last)}); it has ${cex.switches} actor switch${cex.switches === 1 ? '' : 'es'}.`
      : `There are ${n} distinct shortest ${w.nouns} (${steps(last)} each); this one has the fewest actor switches: ${cex.switches}.`,
  );
  return out;
}

/**
 * How a trace of a property is spoken of: a counterexample that violates it,
 * or (for a `sometimes` property) a witness that reaches it.
 */
export function words(kind: Counterexample['property']['kind']) {
  return kind === 'sometimes'
    ? { verb: 'reached', noun: 'witness', nouns: 'witnesses', event: 'reaching it', does: 'reaches', target: 'a state that witnesses it' }
    : { verb: 'violated', noun: 'counterexample', nouns: 'counterexamples', event: 'the violation', does: 'violates', target: 'the violating state' };
}

const steps = (n: number): string => `${n} step${n === 1 ? '' : 's'}`;

/** The property stated in words. */
export function inWords(p: Counterexample['property']): string {
  switch (p.kind) {
    case 'always':
      return `the invariant ${p.name} (${p.meaning}) must hold in every reachable state; it fails in the last state of this trace.`;
    case 'atQuiescence':
      return `${p.name} (${p.meaning}) must hold whenever no actor can move; the last state of this trace is such a state and it fails there.`;
    case 'sometimes':
      return `${p.name} (${p.meaning}) must be reachable; this trace reaches it.`;
  }
}

const mdCell = (s: string): string => (s === '' ? ' ' : s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\*/g, '\\*').replace(/_/g, '\\_'));

function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const head = `| ${columns.map((c) => (c.header === '' ? ' ' : c.header)).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`;
  return [head, rule, ...rows.map((r) => `| ${r.map((c, i) => (i >= 2 && i < r.length - 1 && c !== '' && c !== '(initial state)' ? `\`${c.replace(/`/g, "'")}\`` : mdCell(c))).join(' | ')} |`)].join('\n');
}

/**
 * The swimlanes of a violation as `check --swimlanes` prints them in its
 * report: the table and the closing sentences (the report's own line names
 * the run and property), indented by two spaces. From the trace chosen among
 * the shortest when there is one, else from the engine's trace.
 */
export function reportSwimlane(
  runId: string,
  v: { readonly name: string; readonly kind: Counterexample['property']['kind']; readonly meaning: string; readonly explanation?: string; readonly trace?: Trace<unknown, Action> },
  chosen: { trace: Trace<unknown, Action> | null; count: string | null; switches: number | null; explanation?: string; unavoidableAt?: number | null } | undefined,
  options: SwimlaneOptions = {},
): string[] {
  const property = { name: v.name, kind: v.kind, meaning: v.meaning };
  const cex: Counterexample =
    chosen?.trace && chosen.count !== null && chosen.switches !== null
      ? {
          title: runId,
          property,
          ...(chosen.explanation !== undefined ? { explanation: chosen.explanation } : {}),
          trace: chosen.trace,
          count: BigInt(chosen.count),
          switches: chosen.switches,
          unavoidableAt: chosen.unavoidableAt ?? null,
          graphStates: 0,
        }
      : fromTrace(runId, property, v.trace!, v.explanation);
  // Without the heading (and the line of roles, which the report prints itself) and the blank line after them.
  const all = renderSwimlane(cex, options).trimEnd().split('\n');
  const lines = all.slice(all.indexOf('') + 1);
  return lines.map((l) => (l === '' ? '' : `  ${l}`));
}

