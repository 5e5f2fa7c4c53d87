/**
 * The root-cause search's report: which (scenario, environment) reach the
 * crash line of issue #3835, what each needs, and the shortest traces.
 */
import { featuresOf, needs, type SweepCell } from '../check/rootcause.js';
import { CRASH_3835 } from '../../invariants/dialog.js';
import type { Env } from '../../spec/dialog/state.js';
import { renderTable, renderTrace } from '../format/text.js';

const SIGNATURE = `bogus ref ${CRASH_3835.ref} with cnt ${CRASH_3835.cnt}`;

const cellText = (c: SweepCell): string =>
  c.status === 'found'
    ? `found: ${c.trace!.length - 1} steps`
    : c.status === 'none'
      ? `none (${c.states} states, exhaustive)`
      : `unknown (${c.states} states before the bound)`;

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
    out.push(`searching for '${SIGNATURE}' (variant ${variant}):`, renderTable(header.map((h) => ({ header: h })), body));
  }
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
  for (const s of scenarios) {
    const shortest = cells
      .filter((c) => c.scenario === s && c.status === 'found')
      .sort((a, b) => a.trace!.length - b.trace!.length)[0];
    if (shortest === undefined) continue;
    out.push('', markdown ? `### ${s} (${shortest.env}, ${shortest.trace!.length - 1} steps)` : `${s} (${shortest.env}): ${shortest.printed}`, '');
    if (markdown) out.push(`${shortest.printed}`, '', '```text', renderTrace(shortest.trace!), '```');
    else out.push(renderTrace(shortest.trace!, '  '));
  }
  return out.join('\n') + '\n';
}
