/**
 * The report `check` prints, composed from the matrix (matrix.ts), the
 * propositions (propositions.ts) and the plain-text primitives
 * (src/format/text.ts). Deterministic: the same results give the same text.
 * Timing appears only where asked for, on a line of its own.
 */
import { formatSource } from '../engine/index.js';
import { describeDifference, type RunResult } from '../check/run.js';
import type { ChosenTrace } from '../check/shortest.js';
import { renderTable, renderTrace, traceLines, formatChange, formatInitial, type Column } from '../format/text.js';
import { actorsOf, rolesLine } from '../format/lanes.js';
import { deadSteps, isMatrixRun, matrixViolations, renderMatrix } from './matrix.js';
import { renderPropositionTable } from './propositions.js';
import { answerCell, renderAnswer } from './answer.js';

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
  /** Print the shortest counterexamples (the traces); without it, one line says how to see them. */
  readonly traces?: boolean;
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

/**
 * The report: the answer the dialog matrix gives (answer.ts), the matrix, its
 * coverage and differences; the propositions; the other runs; then (with
 * `traces`) the shortest counterexamples, or a line saying how to see them;
 * the summary line and (optionally) the time line.
 */
export function renderReport(all: readonly RunResult[], options: ReportOptions = {}): string {
  const out: string[] = [];
  const matrix = all.filter(isMatrixRun);
  const propositions = all.filter((r) => r.run.tags.group === 'propositions');
  const results = all.filter((r) => !isMatrixRun(r) && r.run.tags.group !== 'propositions');
  const chosen = (r: RunResult, property: string) => options.chosen?.get(r.run.id)?.find((c) => c.property === property);
  const traceOf: TraceOf = (r, v) => {
    const c = chosen(r, v.name);
    const lines = options.renderTrace && v.trace !== undefined ? options.renderTrace(r, v.name, c) : traceLinesOf(r, v, c);
    return [...rolesOf(r, c?.trace ?? v.trace), ...lines];
  };
  const section = (lines: readonly string[]) => {
    if (lines.length === 0) return;
    if (out.length > 0) out.push('');
    out.push(...lines);
  };
  if (matrix.length > 0) {
    section(renderAnswer(matrix.map(answerCell)));
    const lines = [renderMatrix(matrix, { sameAsFirst: true })];
    const dead = [...deadSteps(matrix)].filter(([, steps]) => steps.length > 0);
    if (dead.length > 0) lines.push('', 'steps that never fired in any variant (by reference step id):', ...dead.map(([row, steps]) => `  ${row}: ${steps.join(', ')}`));
    lines.push(...notesAndDifferences(matrix, false));
    section(lines);
  }
  if (propositions.length > 0) {
    section([`PR #3836's propositions (each stated and decided: docs/pr-propositions.md):`, renderPropositionTable(propositions), ...notesAndDifferences(propositions, false)]);
  }
  if (results.length > 0) section(renderRuns(results));

  // The traces: every violation of a run outside the matrix, one per matrix row and property.
  const traces: string[][] = [];
  for (const r of results) {
    for (const v of r.outcome.violations) traces.push([`${r.run.id}: ${v.name} violated (${v.kind}: ${v.meaning})`, ...traceOf(r, v)]);
  }
  for (const { result: r, property, alsoIn } of matrixViolations(matrix)) {
    const v = r.outcome.violations.find((p) => p.name === property)!;
    const also = alsoIn.length > 0 ? ` (also violated in: ${alsoIn.join(', ')})` : '';
    traces.push([`${r.run.id}: ${v.name} violated${also} (${v.kind}: ${v.meaning})`, ...traceOf(r, v)]);
  }
  // The propositions' traces only when they are all that was asked for.
  if (propositions.length === all.length) {
    for (const r of propositions) {
      for (const p of r.outcome.properties.filter((q) => q.trace !== undefined)) {
        traces.push([`${r.run.id}: ${p.kind === 'sometimes' ? 'witness' : 'counterexample'} (${p.meaning})`, `  shortest trace, ${p.trace!.length - 1} steps:`, renderTrace(p.trace!, '  ')]);
      }
    }
  }
  const shown = traces.length;
  if (options.traces) for (const t of traces) out.push('', ...t);
  else if (shown > 0) {
    const them = shown === 1 ? 'the shortest trace of this violation is' : `the shortest traces of these ${shown} violations are`;
    const choose = matrix.length > 0 ? ' (--scenario, --env and --variant choose the cells)' : '';
    out.push('', `${them} not printed: add --traces to print ${shown === 1 ? 'it' : 'them'}, or --swimlanes to draw ${shown === 1 ? 'it' : 'them'} as lanes${choose}`);
  }
  out.push('', summaryLine(all));
  if (options.timeMs !== undefined) out.push(`time: ${(options.timeMs / 1000).toFixed(2)} s`);
  return out.join('\n') + '\n';
}

type Violation = RunResult['outcome']['violations'][number];

/** "  actors: D = ...; O = ...": what the actors of a trace stand for, when the run says (format/lanes.ts, rolesLine). */
function rolesOf(r: RunResult, trace: Violation['trace'] | null | undefined): string[] {
  const line = trace ? rolesLine(r.run.roles, actorsOf(trace)) : undefined;
  return line === undefined ? [] : [`  ${line}`];
}
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

function renderRuns(results: readonly RunResult[]): string[] {
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
  return out;
}

/**
 * The last line: whether every run came out as declared, and (since a run
 * declared violated is as declared) how many of them hold every property.
 */
export function summaryLine(results: readonly RunResult[]): string {
  const n = results.length;
  const differing = results.filter((r) => r.differences.length > 0);
  const runs = `${n} run${n === 1 ? '' : 's'}`;
  if (differing.length === 0) {
    // As declared is not the same as no violation: say how many runs find the violations declared for them.
    const violating = results.filter((r) => r.outcome.violations.length > 0).length;
    if (violating === 0) return `${runs}, all as declared: every property holds in ${n === 1 ? 'it' : 'every run'}`;
    const finds = `${violating} find${violating === 1 ? 's' : ''} the violations declared for ${violating === 1 ? 'it' : 'them'}`;
    return `${runs}, all as declared: ${finds}${n > violating ? `, ${n - violating} hold${n - violating === 1 ? 's' : ''} every property` : ''}`;
  }
  return `${runs}, ${differing.length} not as declared: ${differing.map((r) => r.run.id).join(', ')}`;
}
