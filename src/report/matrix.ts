/**
 * The compact view of a check matrix: rows are scenario and environment,
 * columns are code variants, a cell is `ok` or the short names of the violated
 * properties (a legend follows). A cell that differs from its declaration is
 * marked with `!`.
 */
import type { RunResult } from '../check/run.js';
import { renderTable, type Column } from '../format/text.js';

/** Short names for the matrix cells; any other property shows under its own name. */
export const SHORT_NAMES: Readonly<Record<string, string>> = {
  TypeOK: 'type',
  RefNonNegative: 'ref<0',
  NoCrash3835: '#3835',
  NoUseAfterFree: 'uaf',
  NoDoubleFree: 'dfree',
  LockExclusion: 'lock',
  TimerListIntegrity: 'tlist',
  TimerListWalkSafe: 'walk',
  RefMatchesHolders: 'holders',
  NothingLeaked: 'leak',
  NoDeadlock: 'deadlock',
  NoByeAfterDelete: 'bye',
  DbDeleteOnce: 'db2',
  TerminationCallbacksOnce: 'cb2',
  TimerFired: '-fired',
  ByeWon: '-byewon',
  DialogFreed: '-freed',
};

export const isMatrixRun = (r: RunResult): boolean =>
  r.run.tags.group !== 'propositions' &&
  r.run.tags.scenario !== undefined && r.run.tags.env !== undefined && r.run.tags.variant !== undefined;

export function cellText(r: RunResult): string {
  const o = r.outcome;
  const mark = r.differences.length > 0 ? '!' : '';
  if (o.status === 'error') return `error${mark}`;
  if (!o.stats.complete) return `incomplete${mark}`;
  const v = o.violations.map((p) => SHORT_NAMES[p.name] ?? p.name);
  return (v.length === 0 ? 'ok' : v.join(' ')) + mark;
}

/**
 * The matrix table, rows in first-seen order, variants in first-seen order.
 * With `sameAsFirst`, a cell whose verdicts equal those of the row's first
 * variant (and that is as declared) prints as '=', so that a variant's
 * differences stand out.
 */
export function renderMatrix(results: readonly RunResult[], options: { sameAsFirst?: boolean } = {}): string {
  const rows: string[] = [];
  const variants: string[] = [];
  const cells = new Map<string, RunResult>();
  for (const r of results) {
    const row = `${r.run.tags.scenario}  ${r.run.tags.env}`;
    if (!rows.includes(row)) rows.push(row);
    if (!variants.includes(r.run.tags.variant)) variants.push(r.run.tags.variant);
    cells.set(`${row}|${r.run.tags.variant}`, r);
  }
  const text = (row: string, v: string): string => {
    const r = cells.get(`${row}|${v}`);
    if (r === undefined) return '';
    const t = cellText(r);
    const first = cells.get(`${row}|${variants[0]}`);
    if (options.sameAsFirst && v !== variants[0] && first !== undefined && r.differences.length === 0 && t === cellText(first).replace(/!$/, '')) return '=';
    return t;
  };
  const columns: Column[] = [{ header: 'scenario  environment' }, ...variants.map((v) => ({ header: v }))];
  const body = rows.map((row) => [row, ...variants.map((v) => text(row, v))]);
  const used = new Set<string>();
  for (const r of results) for (const p of r.outcome.violations) used.add(p.name);
  const legend = Object.entries(SHORT_NAMES)
    .filter(([name]) => used.has(name))
    .map(([name, short]) => `${short} = ${name}`);
  const lines = [renderTable(columns, body)];
  const keys: string[] = [];
  if (legend.length > 0) keys.push(`${legend.join(', ')} (a leading '-' is a witness never reached)`);
  keys.push("'!' = differs from check-manifest.json");
  if (options.sameAsFirst && variants.length > 1) keys.push(`'=' = the same verdicts as ${variants[0]}`);
  if (body.some((r) => r.includes(''))) keys.push('blank = the row does not run that variant (its note in check-manifest.json says why)');
  lines.push('', `legend: ${keys.join('; ')}`);
  return lines.join('\n');
}

/**
 * Which violations to print a trace for: one per (scenario, environment,
 * property), from the first variant (in column order) that violates it, with
 * the other variants that violate it too.
 */
export function matrixViolations(results: readonly RunResult[]): { result: RunResult; property: string; alsoIn: string[] }[] {
  const out: { result: RunResult; property: string; alsoIn: string[] }[] = [];
  const seen = new Map<string, { alsoIn: string[] }>();
  for (const r of results) {
    for (const p of r.outcome.violations) {
      const k = `${r.run.tags.scenario}|${r.run.tags.env}|${p.name}`;
      const prev = seen.get(k);
      if (prev) prev.alsoIn.push(r.run.tags.variant);
      else {
        const entry = { result: r, property: p.name, alsoIn: [] as string[] };
        seen.set(k, entry);
        out.push(entry);
      }
    }
  }
  return out;
}

/** The reference step a model step belongs to: its id up to the first '.' ("W12w.ref-R" -> "W12w"). */
export const referenceStep = (step: string): string => step.split('.')[0];

/**
 * Per row, the reference steps (actor:step) none of whose parts fired in any
 * variant of the row. A step of one variant only (e.g. v3's T5w) is counted
 * for the variants that have it.
 */
export function deadSteps(results: readonly RunResult[]): Map<string, string[]> {
  const fired = new Map<string, Map<string, number>>();
  for (const r of results) {
    const row = `${r.run.tags.scenario}  ${r.run.tags.env}`;
    const counts = fired.get(row) ?? new Map<string, number>();
    for (const c of r.outcome.coverage.steps) {
      const k = `${c.actor}:${referenceStep(c.step)}`;
      counts.set(k, (counts.get(k) ?? 0) + c.count);
    }
    fired.set(row, counts);
  }
  const out = new Map<string, string[]>();
  for (const [row, counts] of fired) out.set(row, [...counts].filter(([, n]) => n === 0).map(([k]) => k));
  return out;
}
