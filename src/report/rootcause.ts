/**
 * The root-cause search's report: which (scenario, environment) reach the
 * crash line of issue #3835 or any 'bogus ref' abort, the answer on a working
 * lock, what the line needs, and the shortest traces.
 */
import { featuresOf, needs, workingLock, type Finding, type SweepCell } from '../check/rootcause.js';
import { CRASH_LINE } from '../../invariants/dialog.js';
import type { Env } from '../../spec/dialog/state.js';
import { VARIANT_NAMES, variantRole } from '../../spec/dialog/variants.js';
import { renderTable, renderTrace } from '../format/text.js';

export const SIGNATURE = CRASH_LINE;

const steps = (c: { trace?: readonly unknown[] }) => c.trace!.length - 1;

/** " (wrote -1)" when the printed number is not the printer's own result (Finding.wrote), else "". */
const wroteText = (f: Finding): string => (f.wrote !== undefined ? ` (wrote ${f.wrote})` : '');

/** The sentence that explains "(wrote N)", for a page or table that shows it. */
export const WROTE_LEGEND =
  "'(wrote N)': the printer's own `ref -= cnt` gave N; the line's number is another process's write that landed after it, which the log loads (`ref` is volatile, dlg_hash.h:136: every build loads it again for the test at 326 and for the log at 330).";

/** The printed line of a found trace, with what its printer wrote when that differs. */
const printedText = (f: Finding): string => (f.wrote !== undefined ? `${f.printed} (its own \`ref -= cnt\` gave ${f.wrote})` : f.printed!);

const cellText = (c: SweepCell): string => {
  const how = c.canonical ? ', canonical histories' : '';
  if (c.status === 'found') return `found: ${steps(c)} steps${wroteText(c)}`;
  const base = c.status === 'none' ? `none (${c.states} states, exhaustive${how})` : `unknown (${c.states} states before the bound${how})`;
  return c.anyBogus.status === 'found' ? `${base}; other 'bogus ref': ${steps(c.anyBogus)} steps` : base;
};

/** The lengths of found traces: "86 steps" or "75 to 98 steps". */
const stepRange = (xs: readonly { trace?: readonly unknown[] }[]): string => {
  const n = xs.map(steps);
  return Math.min(...n) === Math.max(...n) ? `${n[0]} steps` : `${Math.min(...n)} to ${Math.max(...n)} steps`;
};

const shortest = <T extends { trace?: readonly unknown[] }>(xs: readonly T[]): T | undefined => [...xs].sort((a, b) => steps(a) - steps(b))[0];

/**
 * The answer to "can a defect reachable on a working lock (no interrupted
 * acquire, the code's own semantics) end in issue #3835's line, or in any
 * 'bogus ref'?", as sentences: the shortest trace of each, or "no" with the
 * state counts, and the searches that stopped at a bound.
 */
export function workingLockAnswer(cells: readonly SweepCell[], environments: Readonly<Record<string, Env>>): string[] {
  const mine = cells.filter((c) => workingLock(environments[c.env]));
  if (mine.length === 0) return [];
  const envs = [...new Set(mine.map((c) => c.env))].join(', ');
  const states = mine.reduce((n, c) => n + c.states, 0);
  const where = (xs: readonly SweepCell[]) => [...new Set(xs.map((c) => c.scenario))].join(', ');
  const out: string[] = [];
  const exact = mine.filter((c) => c.status === 'found');
  const anyFound = mine.filter((c) => c.anyBogus.status === 'found');
  const unknown = mine.filter((c) => c.status === 'unknown' || c.anyBogus.status === 'unknown');
  const variant = mine[0].variant;
  const complete = unknown.length === 0 ? ` Every one of these ${mine.length} searches was decided: it ended at its findings or after every reachable state (${states} states in all).` : '';
  if (exact.length > 0) {
    const s = shortest(exact)!;
    out.push(
      `On a working lock (${envs}; variant ${variant}), '${SIGNATURE}' is reached: in ${where(exact)} (${exact.length} of ${mine.length} searches). Shortest: ${s.scenario} (${s.env}), ${steps(s)} steps, ${s.printed}.${complete}`,
    );
  } else if (unknown.length === 0) {
    out.push(`On a working lock (${envs}; variant ${variant}), no search reaches '${SIGNATURE}': ${mine.length} exhaustive searches, ${states} states in all.`);
  } else {
    out.push(`On a working lock (${envs}; variant ${variant}), no search reaches '${SIGNATURE}' before its bound, but ${unknown.length} of ${mine.length} searches stopped at a bound (${where(unknown)}).`);
  }
  if (anyFound.length > 0) {
    const s = shortest(anyFound.map((c) => ({ ...c.anyBogus, c })))!;
    out.push(`Any 'bogus ref' abort is reached in ${where(anyFound)} (${anyFound.length} of ${mine.length} searches); shortest: ${s.c.scenario} (${s.c.env}), ${steps(s)} steps, ${s.printed}.`);
  } else if (unknown.length === 0) {
    out.push(`No search reaches any 'bogus ref' abort (${mine.length} exhaustive searches, ${states} states in all).`);
  }
  if (unknown.length > 0 && exact.length > 0) out.push(`${unknown.length} of these searches stopped at a bound (${where(unknown)}).`);
  return out;
}

export function renderRootCause(cells: readonly SweepCell[], environments: Readonly<Record<string, Env>>, markdown = false): string {
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const envs = [...new Set(cells.map((c) => c.env))];
  const variant = cells[0]?.variant ?? '-';
  const at = (s: string, e: string) => cells.find((c) => c.scenario === s && c.env === e);
  const needLine = (s: string): string => {
    const mine = cells.filter((c) => c.scenario === s);
    if (!mine.some((c) => c.status === 'found')) return mine.every((c) => c.status === 'none') ? 'never reached' : 'not reached (some searches incomplete)';
    const n = needs(mine, environments);
    return n.length > 0 ? `needs ${n.join(' and ')}` : `reached in ${mine.filter((c) => c.status === 'found').map((c) => c.env).join(', ')}; no single environment feature separates these from the rest`;
  };
  const header = ['scenario', ...envs, 'what it needs'];
  const body = scenarios.map((s) => [s, ...envs.map((e) => (at(s, e) ? cellText(at(s, e)!) : '-')), needLine(s)]);
  const out: string[] = [];
  if (markdown) {
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`));
  } else {
    out.push(`searching for '${SIGNATURE}' and for any 'bogus ref' (variant ${variant}):`, renderTable(header.map((h) => ({ header: h })), body));
  }
  if (cells.some((c) => c.wrote !== undefined)) out.push('', WROTE_LEGEND);
  const found = cells.filter((c) => c.status === 'found');
  const common = found.length === 0 ? [] : featuresOf(environments[found[0].env]).filter((f) => found.every((c) => featuresOf(environments[c.env]).includes(f)));
  const unknown = cells.filter((c) => c.status === 'unknown').length;
  out.push(
    '',
    found.length === 0
      ? `'${SIGNATURE}' is reached in no searched configuration.`
      : `'${SIGNATURE}' is reached in ${found.length} of ${cells.length} searches${common.length > 0 ? `, all of them in environments with ${common.join(' and ')}` : ''}.`,
  );
  if (unknown > 0) out.push(`${unknown} search(es) stopped at a bound without an answer (unknown).`);
  out.push(...workingLockAnswer(cells, environments));
  for (const s of scenarios) {
    // A scenario's trace: its shortest on a working lock if it has one there, else its shortest.
    const mine = cells.filter((c) => c.scenario === s && c.status === 'found');
    const first = shortest(mine.filter((c) => workingLock(environments[c.env]))) ?? shortest(mine);
    if (first === undefined) continue;
    out.push('', markdown ? `### ${s} (${first.env}, ${steps(first)} steps)` : `${s} (${first.env}): ${printedText(first)}`, '');
    if (markdown) out.push(printedText(first), '', '```text', renderTrace(first.trace!), '```');
    else out.push(renderTrace(first.trace!, '  '));
  }
  // 'bogus ref' of any kind on a working lock: the shortest of all, and each scenario's where #3835's line is not reached there.
  const anyWorking = cells.filter((c) => workingLock(environments[c.env]) && c.anyBogus.status === 'found').map((c) => ({ ...c.anyBogus, c }));
  const overall = shortest(anyWorking);
  const shown: typeof anyWorking = overall !== undefined && !overall.printed!.includes(`'${SIGNATURE}'`) ? [overall] : [];
  for (const s of scenarios) {
    if (cells.some((c) => c.scenario === s && c.status === 'found' && workingLock(environments[c.env]))) continue;
    const first = shortest(anyWorking.filter((x) => x.c.scenario === s));
    if (first !== undefined && !shown.some((x) => x.c === first.c)) shown.push(first);
  }
  for (const other of shown) {
    const title = `any 'bogus ref' on a working lock: ${other.c.scenario} (${other.c.env}, ${steps(other)} steps)`;
    out.push('', markdown ? `### ${title}` : `${title}: ${printedText(other)}`, '');
    if (markdown) out.push(printedText(other), '', '```text', renderTrace(other.trace!), '```');
    else out.push(renderTrace(other.trace!, '  '));
  }
  return out.join('\n') + '\n';
}

/** Who printed a found signature ('T:T5d.log' of "T:T5d.log printed '...'"). */
const printer = (f: Finding): string => f.printed!.slice(0, f.printed!.indexOf(' printed '));

/** A left-out cell: the shortest trace to #3835's line and its printer, or why there is none, and the shortest to any 'bogus ref'. */
const leftOutText = (c: SweepCell): string => {
  const exact = c.status === 'found' ? `${steps(c)} steps, ${printer(c)}${wroteText(c)}` : c.status === 'none' ? `none (${c.states} states, exhaustive)` : `unknown (not within ${c.states} states)`;
  const any = c.anyBogus.status === 'found' ? `; any 'bogus ref': ${steps(c.anyBogus)}` : '';
  return exact + any;
};

/**
 * The signature searches in the cells the matrix leaves out (leftOutRequests), as
 * Markdown: a row per variant, a column per (scenario, environment), and a
 * sentence that counts them.
 */
export function renderLeftOut(cells: readonly SweepCell[], maxStates?: number): string {
  const rows = [...new Set(cells.map((c) => `${c.scenario} (${c.env})`))];
  // A row per variant, in VARIANT_NAMES' order (a variant one column runs in the matrix would otherwise come last).
  const variants = VARIANT_NAMES.filter((v) => cells.some((c) => c.variant === v));
  const at = (v: string, r: string) => cells.find((c) => c.variant === v && `${c.scenario} (${c.env})` === r);
  const header = ['variant', ...rows];
  const found = cells.filter((c) => c.status === 'found');
  const unknown = cells.filter((c) => c.status === 'unknown');
  const none = cells.filter((c) => c.status === 'none');
  const out = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...variants.map((v) => `| ${v} | ${rows.map((r) => (at(v, r) ? leftOutText(at(v, r)!) : '-')).join(' | ')} |`),
    '',
    `'${SIGNATURE}' is reached in ${found.length} of these ${cells.length} cells${found.length > 0 ? ` (shortest traces of ${stepRange(found)})` : ''}` +
      (none.length > 0 ? `; ${none.length} explored whole without it` : '') +
      (unknown.length > 0 ? `; ${unknown.length} stopped at ${maxStates !== undefined ? `a bound (${maxStates} states, or the memory bound)` : 'the memory bound'} before reaching it (unknown)` : '') +
      '.',
    ...(cells.some((c) => c.wrote !== undefined) ? ['', WROTE_LEGEND] : []),
  ];
  return out.join('\n') + '\n';
}

/** "a", "a and b", "a, b and c". */
const and = (xs: readonly string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** One sentence for the page's answer: what the searches in the cells the matrix leaves out found. */
export function leftOutAnswer(cells: readonly SweepCell[], environments: Readonly<Record<string, Env>>): string {
  const rows = [...new Set(cells.map((c) => `${c.scenario} ${c.env}`))];
  const kind = cells.every((c) => environments[c.env].eintr > 0) ? 'EINTR ' : '';
  const found = cells.filter((c) => c.status === 'found');
  const pr = [...new Set(found.map((c) => c.variant).filter((v) => variantRole(v) === 'pr'))];
  const lengths = found.length === 0 ? '' : `, ${stepRange(found)}`;
  const variants = new Set(cells.map((c) => c.variant)).size;
  const theyLeave = rows.length === 1 ? 'it leaves' : 'they leave';
  const which =
    found.length === cells.length
      ? `every one of the ${variants} variants ${theyLeave} out${pr.length > 0 ? ` (the PR's ${pr.length === 1 ? 'version' : 'versions'} ${and(pr)} among them)` : ''} reaches '${SIGNATURE}' too`
      : `'${SIGNATURE}' is reached in ${found.length} of the ${cells.length} cells ${theyLeave} out`;
  const where = rows.length === 1 ? `the ${kind}row` : `the ${rows.length} ${kind}rows`;
  return `In ${where} that the matrix runs with only some of its variants, ${which} (${found.length} of ${cells.length} searches${lengths}; the last section).`;
}
