/**
 * Plain-text primitives: aligned tables, values, state diffs and traces as
 * lines. Below both the reports (src/report/) and the graph exports
 * (src/graph/), which use them; deterministic, the same input gives the same
 * text. The report `check` prints is composed in src/report/check-report.ts.
 */
import { formatSource, type Action, type Trace } from '../engine/index.js';

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

