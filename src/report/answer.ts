/**
 * The answer a check matrix gives, in a few lines, before any table: what the
 * code as written violates and where; how each version of the PR differs from
 * it; what the fixes leave. Composed only from the outcomes and the runs' tags
 * (`variant`, `scenario`, `env`, `eintr`, `assume`, and `role`: `code` for
 * the code as written, `pr` for a version of the PR, `fix` for a single fix,
 * `fixes` for fixes together); a matrix without roles takes its first variant
 * as the code as written and compares every other variant with it.
 */
import { CRASH_LINE } from '../../invariants/dialog.js';
import type { RunResult } from '../check/run.js';
import { SHORT_NAMES } from './matrix.js';

/** A matrix cell as the answer reads it: where it is, what it is, and its verdicts. */
export interface AnswerCell {
  readonly scenario: string;
  readonly env: string;
  readonly variant: string;
  /** `code`, `pr`, `fix` or `fixes`; none in a matrix without roles. */
  readonly role?: string;
  /** How many EINTR returns the environment allows ('0' for none). */
  readonly eintr?: string;
  /** The environment's assumptions ('none', or names joined by '+'). */
  readonly assume?: string;
  /** The violated safety properties; undefined when the run decided nothing (incomplete, error). */
  readonly violated: readonly string[] | undefined;
}

/** A check's result as a cell of the answer. Safety properties only: a witness never reached ('sometimes') is coverage, not a defect. */
export function answerCell(r: RunResult): AnswerCell {
  const { scenario, env, variant, role, eintr, assume } = r.run.tags;
  const decided = r.outcome.status !== 'error' && r.outcome.stats.complete;
  return {
    scenario,
    env,
    variant,
    ...(role !== undefined ? { role } : {}),
    ...(eintr !== undefined ? { eintr } : {}),
    ...(assume !== undefined ? { assume } : {}),
    violated: decided ? r.outcome.violations.filter((v) => v.kind !== 'sometimes').map((v) => v.name) : undefined,
  };
}

/** The property whose violation is the crash of issue #3835 (its line in the log). */
export const CRASH_PROPERTY = 'NoCrash3835';

interface Cell {
  readonly row: string;
  readonly scenario: string;
  readonly env: string;
  /** The violated safety properties, or undefined when the run did not decide them (incomplete, error). */
  readonly violated: ReadonlySet<string> | undefined;
}

const short = (p: string) => SHORT_NAMES[p] ?? p;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function cellOf(a: AnswerCell): Cell {
  return { row: `${a.scenario}  ${a.env}`, scenario: a.scenario, env: a.env, violated: a.violated === undefined ? undefined : new Set(a.violated) };
}

/** The properties in the order of SHORT_NAMES (memory safety first), then by name. */
function order(all: Iterable<string>): string[] {
  const set = new Set(all);
  const known = Object.keys(SHORT_NAMES).filter((p) => set.has(p));
  return [...known, ...[...set].filter((p) => !known.includes(p)).sort()];
}

/**
 * Where, said by scenario: "a, b; c, d (only under E1, E2)". A scenario
 * violated in every environment it was run in is named alone; otherwise the
 * environments follow. Scenarios with the same qualifier share a clause.
 */
export function where(cells: readonly Pick<Cell, 'scenario' | 'env'>[], envsOf: ReadonlyMap<string, readonly string[]>): string {
  const envs = new Map<string, string[]>();
  for (const c of cells) envs.set(c.scenario, [...(envs.get(c.scenario) ?? []), c.env]);
  const clauses = new Map<string, string[]>();
  for (const [scenario, list] of envs) {
    const all = envsOf.get(scenario) ?? [];
    const qualifier = all.length > 1 && list.length === all.length ? '' : all.length === 1 ? ` (${list[0]})` : ` (only ${list.join(', ')})`;
    clauses.set(qualifier, [...(clauses.get(qualifier) ?? []), scenario]);
  }
  return [...clauses].map(([qualifier, scenarios]) => `${scenarios.join(', ')}${qualifier}`).join('; ');
}

/** The lines of the answer; empty when the matrix has no variant to take as the code as written. */
export function renderAnswer(matrix: readonly AnswerCell[]): string[] {
  const cells = new Map<string, Map<string, Cell>>();
  const role = new Map<string, string | undefined>();
  const envTags = new Map<string, AnswerCell>();
  for (const a of matrix) {
    const { variant, env } = a;
    const c = cellOf(a);
    if (!cells.has(variant)) cells.set(variant, new Map());
    cells.get(variant)!.set(c.row, c);
    role.set(variant, a.role);
    envTags.set(env, a);
  }
  const variants = [...cells.keys()];
  const base = variants.find((v) => role.get(v) === 'code') ?? (variants.some((v) => role.get(v) !== undefined) ? undefined : variants[0]);
  if (base === undefined) return [];
  const rows = new Set([...cells.values()].flatMap((m) => [...m.keys()]));
  const undecided = [...cells.values()].flatMap((m) => [...m.values()]).filter((c) => c.violated === undefined).length;
  const runs = [...cells.values()].reduce((n, m) => n + m.size, 0);
  const partial = [...rows].filter((row) => variants.some((v) => !cells.get(v)!.has(row))).length;
  const out: string[] = [
    `The answer, from ${plural(rows.size, 'row')} (scenario x environment) x ${plural(variants.length, 'code variant')}` +
      (partial > 0 ? ` (${plural(runs, 'run')}: ${partial === 1 ? '1 row runs' : `${partial} rows run`} only some of the variants)` : '') +
      (undecided > 0 ? ` (${plural(undecided, 'run')} did not finish and decide nothing here):` : ', every run exhaustive:'),
  ];

  const baseCells = [...cells.get(base)!.values()].filter((c) => c.violated !== undefined);
  // A scenario's environments, for saying "only under ...": those of the rows the cells described were run in.
  const envsOf = envsByScenario(cells.get(base)!.values());
  const broken = baseCells.filter((c) => c.violated!.size > 0);
  out.push(
    broken.length === 0
      ? `  ${base}, the code as written, holds every property in all ${plural(baseCells.length, 'row')}.`
      : `  ${base}, the code as written, violates properties in ${broken.length} of ${plural(baseCells.length, 'row')}:`,
  );
  // The crash's line first; properties violated in exactly the same rows share a line.
  const label = (p: string) => (p === CRASH_PROPERTY ? `${short(p)} (the crash's line, '${CRASH_LINE}')` : short(p));
  const properties = order(broken.flatMap((c) => [...c.violated!]));
  if (!properties.includes(CRASH_PROPERTY) && baseCells.length > 0) out.push(`    ${label(CRASH_PROPERTY)}: in no row`);
  const crash = broken.filter((c) => c.violated!.has(CRASH_PROPERTY));
  if (crash.length > 0) out.push(`    ${label(CRASH_PROPERTY)}, ${plural(crash.length, 'row')}: ${where(crash, envsOf)}`);
  for (const [props, at] of byRows(properties.filter((p) => p !== CRASH_PROPERTY), (p) => broken.filter((c) => c.violated!.has(p)))) {
    out.push(`    ${props.map(label).join(' ')}, ${plural(at.length, 'row')}: ${where(at, envsOf)}`);
  }

  const others = variants.filter((v) => v !== base);
  const against = (v: string) => compare(cells.get(base)!, cells.get(v)!);
  const pr = others.filter((v) => role.get(v) === 'pr');
  const fixes = others.filter((v) => role.get(v) === 'fix' || role.get(v) === 'fixes');
  const rest = others.filter((v) => !pr.includes(v) && !fixes.includes(v));
  for (const [title, members] of [
    ['the PR', pr],
    ['the fixes', fixes],
    ['the other variants', rest],
  ] as const) {
    if (members.length === 0) continue;
    out.push(`  ${title}, against ${base}:`);
    // Variants that change nothing share one line.
    const same = members.filter((v) => against(v).changed.length === 0);
    if (same.length > 0) out.push(`    ${same.join(', ')}: no verdict differs in any of the ${plural(against(same[0]).compared, 'row')}`);
    for (const v of members.filter((m) => !same.includes(m))) {
      const d = against(v);
      const parts: string[] = [];
      const changes = (m: ReadonlyMap<string, Cell[]>, verb: string) =>
        byRows(order(m.keys()), (p) => m.get(p)!).map(([props, at]) => `${verb} ${props.map(short).join(' ')} in ${where(at, d.envsOf)}`);
      if (role.get(v) === 'fixes') {
        // Fixes together: what is left in every row it ran in (also those without the code as written), and whether anything is new.
        const mine = [...cells.get(v)!.values()].filter((c) => c.violated !== undefined);
        const left = mine.filter((c) => c.violated!.size > 0);
        const own = envsByScenario(mine);
        parts.push(
          left.length === 0
            ? `every property holds in all ${plural(mine.length, 'row')}`
            : `every property holds in ${mine.length - left.length} of ${plural(mine.length, 'row')}; ${byViolations(left).map(([props, at]) => `${props.map(short).join(' ')} in ${where(at, own)}`).join('; ')}`,
        );
      } else parts.push(...changes(d.cleared, 'clears'));
      parts.push(...(d.added.size === 0 ? ['adds nothing'] : changes(d.added, 'adds')));
      out.push(`    ${v}: ${parts.join('; ')}`);
    }
  }
  const special = [...envTags].filter(([, t]) => (t.eintr ?? '0') !== '0' || (t.assume ?? 'none') !== 'none');
  if (special.length > 0) {
    out.push('  environments:', ...special.map(([env, t]) => `    ${env}: ${envMeaning(t)}`));
  }
  return out;
}

/** What an environment adds to the code's own semantics, from its tags. */
function envMeaning(t: AnswerCell): string {
  const parts: string[] = [];
  const n = Number(t.eintr ?? '0');
  if (n > 0) parts.push(`a lock_get's sem_wait may return EINTR (${n === 1 ? 'once' : `up to ${n} times`}), which the code does not retry`);
  if (t.assume !== undefined && t.assume !== 'none') parts.push(`assumes ${t.assume.split('+').join(' and ')}, a premise of the PR that the code does not have`);
  return parts.join(', ');
}

/** Properties grouped by the rows they are violated in (in the given order; a property in no row is left out). */
function byRows(properties: readonly string[], rowsOf: (p: string) => Cell[]): [string[], Cell[]][] {
  const groups = new Map<string, [string[], Cell[]]>();
  for (const p of properties) {
    const at = rowsOf(p);
    if (at.length === 0) continue;
    const key = at.map((c) => c.row).join('|');
    const g = groups.get(key);
    if (g) g[0].push(p);
    else groups.set(key, [[p], at]);
  }
  return [...groups.values()];
}

/** Cells grouped by the exact set of properties they violate. */
function byViolations(cells: readonly Cell[]): [string[], Cell[]][] {
  const groups = new Map<string, [string[], Cell[]]>();
  for (const c of cells) {
    const props = order(c.violated!);
    const key = props.join(' ');
    const g = groups.get(key);
    if (g) g[1].push(c);
    else groups.set(key, [props, [c]]);
  }
  return [...groups.values()];
}

/** Each scenario's environments among these cells, in order. */
function envsByScenario(cells: Iterable<Pick<Cell, 'scenario' | 'env'>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of cells) if (!(out.get(c.scenario) ?? []).includes(c.env)) out.set(c.scenario, [...(out.get(c.scenario) ?? []), c.env]);
  return out;
}

/**
 * What a variant clears and adds against the base, per property, in the rows
 * both decided (a row that runs only one of them is not compared; one that did
 * not finish decides nothing).
 */
function compare(base: ReadonlyMap<string, Cell>, mine: ReadonlyMap<string, Cell>) {
  const cleared = new Map<string, Cell[]>();
  const added = new Map<string, Cell[]>();
  const changed: Cell[] = [];
  let compared = 0;
  const ran: Cell[] = [];
  const add = (m: Map<string, Cell[]>, p: string, c: Cell) => m.set(p, [...(m.get(p) ?? []), c]);
  for (const [row, c] of mine) {
    const b = base.get(row);
    if (b !== undefined) ran.push(c);
    if (b?.violated === undefined || c.violated === undefined) continue;
    compared++;
    let differs = false;
    for (const p of b.violated) if (!c.violated.has(p)) (add(cleared, p, c), (differs = true));
    for (const p of c.violated) if (!b.violated.has(p)) (add(added, p, c), (differs = true));
    if (differs) changed.push(c);
  }
  return { cleared, added, changed, compared, envsOf: envsByScenario(ran) };
}
