/**
 * Plain-text rendering: aligned tables, state diffs, traces, and the report
 * `check` prints. Deterministic: the same results give the same text. Timing
 * appears only where asked for, on a line of its own.
 */
import { formatSource, type Action, type Trace } from '../engine/index.js';
import { describeDifference, type RunResult } from '../check/run.js';
import type { ChosenTrace } from '../check/shortest.js';
import { deadSteps, isMatrixRun, matrixViolations, renderMatrix } from './matrix.js';
import { renderPropositionTable } from './propositions.js';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/**
 * An aligned table: columns separated by two spaces, a header row, no trailing
 * spaces. `indent` prefixes every line.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = ''): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        return c.align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// Values and diffs

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A compact one-line rendering of a state value. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return /^[A-Za-z_][\w.:-]*$/.test(v) && !['true', 'false', 'null'].includes(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(',')}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${formatValue(k)}:${formatValue(x)}`).join(',')}}`;
  if (v instanceof Set) return `Set{${[...v].map(formatValue).join(',')}}`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}:${formatValue(x)}`).join(',')}}`;
  return String(v);
}

/** One changed leaf: `from`/`to` absent means the path did not exist on that side. */
export interface Change {
  readonly path: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

const join = (path: string, key: string): string => (path === '' ? key : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/**
 * The leaves that differ between two plain values: objects are compared
 * key by key, arrays index by index, Maps key by key; anything else (and a
 * change of shape) is one change of the whole value at that path. Keys are
 * visited in the order of `a`, then the keys only `b` has.
 */
export function diffStates(a: unknown, b: unknown): Change[] {
  const out: Change[] = [];
  walk(a, b, '', out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: Change[]): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) out.push({ path: p, to: b[i] });
      else if (i >= b.length) out.push({ path: p, from: a[i] });
      else walk(a[i], b[i], p, out);
    }
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of Object.keys(a)) {
      const p = path === '' ? k : join(path, k);
      if (!(k in b)) out.push({ path: p, from: a[k] });
      else walk(a[k], b[k], p, out);
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: path === '' ? k : join(path, k), to: b[k] });
    return;
  }
  if (a instanceof Map && b instanceof Map) {
    for (const [k, v] of a) {
      const p = `${path}[${formatValue(k)}]`;
      if (!b.has(k)) out.push({ path: p, from: v });
      else walk(v, b.get(k), p, out);
    }
    for (const [k, v] of b) if (!a.has(k)) out.push({ path: `${path}[${formatValue(k)}]`, to: v });
    return;
  }
  if (a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((x) => b.has(x))) return;
  // Other objects (class instances, ...) are compared by their rendering.
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && formatValue(a) === formatValue(b)) return;
  out.push({ path: path === '' ? '(state)' : path, from: a, to: b });
}

export const formatChange = (c: Change): string =>
  `${c.path}: ${'from' in c ? formatValue(c.from) : '(absent)'} -> ${'to' in c ? formatValue(c.to) : '(absent)'}`;

/** The fields of an initial state, one `name=value` each (the whole value for a non-object state). */
export function formatInitial(state: unknown): string {
  if (isPlainObject(state)) return Object.entries(state).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
  return formatValue(state);
}

/** One step of a trace in a form shared by text and JSON: what fired and what it changed. */
export interface TraceLine {
  readonly index: number;
  /** null for the initial state. */
  readonly actor: string | null;
  readonly step: string | null;
  /** "file:line", or null when the action carries no source. */
  readonly source: string | null;
  readonly changes: readonly Change[];
  /** For a merged action: every step it ran, in order. */
  readonly parts?: readonly TracePart[];
}

/** A step of a merged action (several steps run as one transition). */
export interface TracePart {
  readonly actor: string;
  readonly step: string;
  readonly source: string | null;
}

/** The steps of a merged action, when it has more than one (read structurally: `parts` is optional). */
const partsOf = (a: Action | null): readonly Action[] | undefined => {
  const parts = (a as { parts?: readonly Action[] } | null)?.parts;
  return parts !== undefined && parts.length > 1 ? parts : undefined;
};

/** A merged action of one part is that part (with its note, e.g. the value a read returned). */
const soleStep = (a: Action): Action => {
  const parts = (a as { parts?: readonly Action[] }).parts;
  return parts?.length === 1 ? parts[0] : a;
};

/** Sources as "file:l1,l2 other.c:l3" (first appearance order, repeats dropped). */
function joinSources(parts: readonly Action[]): string | null {
  const byFile = new Map<string, string[]>();
  for (const p of parts) {
    if (p.source === undefined) continue;
    const lines = formatSource(p.source).slice(p.source.file.length + 1);
    const list = byFile.get(p.source.file) ?? [];
    if (!list.includes(lines)) list.push(lines);
    byFile.set(p.source.file, list);
  }
  return byFile.size === 0 ? null : [...byFile].map(([f, ls]) => `${f}:${ls.join(',')}`).join(' ');
}

/** A step as shown in traces: its id, and its note in brackets when it has one. */
const shown = (a: Action): string => (a.note ? `${a.step}[${a.note}]` : a.step);

export function traceLines(trace: Trace<unknown, Action>): TraceLine[] {
  return trace.map((t, i) => {
    const a = t.action;
    const parts = partsOf(a);
    const line: TraceLine = {
      index: i,
      actor: a?.actor ?? null,
      step: a ? shown(soleStep(a)) : null,
      source: parts !== undefined ? joinSources(parts) : a?.source ? formatSource(a.source) : null,
      changes: i === 0 ? [] : diffStates(trace[i - 1].state, t.state),
    };
    return parts === undefined
      ? line
      : { ...line, parts: parts.map((p) => ({ actor: p.actor, step: shown(p), source: p.source ? formatSource(p.source) : null })) };
  });
}

/**
 * A trace, one line per step: index, actor, step id, source (a column only
 * when some action has one), then the changed fields `path: old -> new`.
 * Step 0 shows the whole initial state. A merged action shows every step it
 * ran (`W1+W2+W3`) and their sources.
 */
export function renderTrace(trace: Trace<unknown, Action>, indent = ''): string {
  const lines = traceLines(trace);
  const withSource = lines.some((l) => l.source !== null);
  const columns: Column[] = [
    { header: '#', align: 'right' },
    { header: 'actor' },
    { header: 'step' },
    ...(withSource ? [{ header: 'source' }] : []),
    { header: 'changes' },
  ];
  const rows = lines.map((l) => [
    String(l.index),
    l.actor ?? '-',
    l.parts !== undefined ? l.parts.map((p) => (p.actor === l.actor ? p.step : `${p.actor}:${p.step}`)).join('+') : (l.step ?? 'init'),
    ...(withSource ? [l.source ?? ''] : []),
    l.index === 0 ? formatInitial(trace[0].state) : l.changes.length === 0 ? '(no change)' : l.changes.map(formatChange).join(', '),
  ]);
  return renderTable(columns, rows, indent);
}

// ---------------------------------------------------------------------------
// The report of `check`

export interface ReportOptions {
  /** Total wall-clock time; printed as a final `time:` line only when given. */
  readonly timeMs?: number;
  /**
   * Per run id, the trace chosen for each printed violation among all shortest
   * ones (src/check/shortest.ts), printed instead of the engine's with the count.
   */
  readonly chosen?: ReadonlyMap<string, readonly ChosenTrace[]>;
  /** Renders a violation's trace instead of the trace table (e.g. as swimlanes): the lines, indented. */
  readonly renderTrace?: (r: RunResult, property: string, chosen: ChosenTrace | undefined) => string[];
}

/**
 * The violations whose traces the report prints: every violation with a
 * trace of a run outside the matrix; for the matrix, one per row and
 * property (see `matrixViolations`).
 */
export function printedViolations(all: readonly RunResult[]): { result: RunResult; property: string }[] {
  const out: { result: RunResult; property: string }[] = [];
  // Proposition searches print their own traces (the engine's), only when they are all that was asked for.
  for (const r of all.filter((x) => !isMatrixRun(x) && x.run.tags.group !== 'propositions')) for (const v of r.outcome.violations) out.push({ result: r, property: v.name });
  out.push(...matrixViolations(all.filter(isMatrixRun)));
  return out.filter(({ result, property }) => result.outcome.violations.find((v) => v.name === property)?.trace !== undefined);
}

const statusText = (r: RunResult): string => {
  const o = r.outcome;
  if (o.status === 'error') return 'error';
  if (!o.stats.complete && o.bound !== undefined) return `${o.status} (${o.bound})`;
  return o.status;
};

/** The results table, dead steps, differences, traces, the summary line and (optionally) the time line. */
export function renderReport(all: readonly RunResult[], options: ReportOptions = {}): string {
  const out: string[] = [];
  const matrix = all.filter(isMatrixRun);
  const propositions = all.filter((r) => r.run.tags.group === 'propositions');
  const results = all.filter((r) => !isMatrixRun(r) && r.run.tags.group !== 'propositions');
  const chosen = (r: RunResult, property: string) => options.chosen?.get(r.run.id)?.find((c) => c.property === property);
  const traceOf: TraceOf = (r, v) => {
    const c = chosen(r, v.name);
    return options.renderTrace && v.trace !== undefined ? options.renderTrace(r, v.name, c) : traceLinesOf(r, v, c);
  };
  if (results.length > 0) out.push(...renderRuns(results, traceOf));
  if (matrix.length > 0) {
    if (out.length > 0) out.push('');
    out.push(renderMatrix(matrix));
    const dead = [...deadSteps(matrix)].filter(([, steps]) => steps.length > 0);
    if (dead.length > 0) out.push('', 'steps that never fired in any variant (by reference step id):', ...dead.map(([row, steps]) => `  ${row}: ${steps.join(', ')}`));
    out.push(...notesAndDifferences(matrix, false));
    for (const { result: r, property, alsoIn } of matrixViolations(matrix)) {
      const v = r.outcome.violations.find((p) => p.name === property)!;
      const also = alsoIn.length > 0 ? ` (also violated in: ${alsoIn.join(', ')})` : '';
      out.push('', `${r.run.id}: ${v.name} violated${also} (${v.kind}: ${v.meaning})`);
      out.push(...traceOf(r, v));
    }
  }
  if (propositions.length > 0) {
    if (out.length > 0) out.push('');
    out.push("PR #3836's propositions (docs/pr-3836.md §6; all of them: docs/pr-propositions.md):", renderPropositionTable(propositions));
    out.push(...notesAndDifferences(propositions, false));
    // Their traces only when they are all that was asked for.
    if (propositions.length === all.length) {
      for (const r of propositions) {
        for (const p of r.outcome.properties.filter((q) => q.trace !== undefined)) {
          out.push('', `${r.run.id}: ${p.kind === 'sometimes' ? 'witness' : 'counterexample'} (${p.meaning})`, `  shortest trace, ${p.trace!.length - 1} steps:`, renderTrace(p.trace!, '  '));
        }
      }
    }
  }
  out.push('', summaryLine(all));
  if (options.timeMs !== undefined) out.push(`time: ${(options.timeMs / 1000).toFixed(2)} s`);
  return out.join('\n') + '\n';
}

type Violation = RunResult['outcome']['violations'][number];
type TraceOf = (r: RunResult, v: Violation) => string[];

function traceLinesOf(r: RunResult, v: Violation, chosen?: ChosenTrace): string[] {
  const out: string[] = [];
  // The explanation of the trace shown: the chosen one's when a trace was chosen.
  const explanation = chosen?.trace ? chosen.explanation : v.explanation;
  if (explanation !== undefined) out.push(`  ${explanation}`);
  if (v.trace === undefined) {
    out.push(`  never reached in ${r.outcome.stats.states} states, so there is no trace`);
    return out;
  }
  const n = v.trace.length - 1;
  if (chosen === undefined) {
    out.push(`  shortest trace, ${n} steps:`, renderTrace(v.trace, '  '));
  } else if (chosen.trace === null || chosen.count === null || chosen.switches === null) {
    out.push(`  shortest trace, ${n} steps (the engine's first; the others were not counted: ${chosen.why ?? 'the state graph is too large'}):`, renderTrace(v.trace, '  '));
  } else {
    const k = chosen.switches;
    const switches = `${k} actor switch${k === 1 ? '' : 'es'}`;
    const which = chosen.count === '1' ? 'the only shortest trace' : `the fewest among ${chosen.count} distinct shortest traces`;
    out.push(`  shortest trace, ${n} steps, ${switches} (${which}):`, renderTrace(chosen.trace, '  '));
  }
  return out;
}

function notesAndDifferences(results: readonly RunResult[], perRunCoverage = true): string[] {
  const out: string[] = [];
  const notes: string[] = [];
  for (const r of results) {
    if (r.run.declared === false && !r.run.mustBeDeclared) notes.push(`${r.run.id}: no declared expectation for these parameters; every property is expected to hold`);
    if (perRunCoverage && r.outcome.coverage.dead.length > 0) {
      const what = r.outcome.stats.complete ? 'steps that never fired' : 'steps not fired before the exploration stopped';
      notes.push(`${r.run.id}: ${what}: ${r.outcome.coverage.dead.join(', ')}`);
    }
  }
  if (notes.length > 0) out.push('', ...notes);
  for (const r of results.filter((x) => x.differences.length > 0)) {
    out.push('', `${r.run.id} differs from its declaration:`, ...r.differences.map((d) => `  - ${describeDifference(d)}`));
  }
  return out;
}

function renderRuns(results: readonly RunResult[], traceOf: TraceOf): string[] {
  const out: string[] = [];
  const columns: Column[] = [
    { header: 'run' },
    { header: 'status' },
    { header: 'states', align: 'right' },
    { header: 'transitions', align: 'right' },
    { header: 'depth', align: 'right' },
    { header: 'violated' },
    { header: 'as declared' },
  ];
  const count = (r: RunResult, n: number) => (r.outcome.status === 'error' ? '-' : String(n));
  const rows = results.map((r) => [
    r.run.id,
    statusText(r),
    count(r, r.outcome.stats.states),
    count(r, r.outcome.stats.transitions),
    count(r, r.outcome.stats.depth),
    r.outcome.violations.length === 0 ? '-' : r.outcome.violations.map((v) => v.name).join(','),
    r.differences.length === 0 ? 'yes' : 'NO',
  ]);
  out.push(renderTable(columns, rows));
  out.push(...notesAndDifferences(results));
  for (const r of results) {
    for (const v of r.outcome.violations) {
      out.push('', `${r.run.id}: ${v.name} violated (${v.kind}: ${v.meaning})`);
      out.push(...traceOf(r, v));
    }
  }
  return out;
}

export function summaryLine(results: readonly RunResult[]): string {
  const n = results.length;
  const differing = results.filter((r) => r.differences.length > 0);
  const runs = `${n} run${n === 1 ? '' : 's'}`;
  if (differing.length === 0) return `${runs}, all as declared`;
  return `${runs}, ${differing.length} not as declared: ${differing.map((r) => r.run.id).join(', ')}`;
}
