/**
 * The results part of docs/dialog-results.md, generated from the manifest
 * (whose every cell test/matrix.test.ts checks against a run): the matrix of
 * verdicts, the rows' notes (what was read before pinning them) and the
 * matrix of state counts.
 */
import type { Manifest } from '../check/dialog.js';
import { SHORT_NAMES } from './matrix.js';

export const BEGIN = '<!-- BEGIN GENERATED: npx tsx scripts/results-doc.ts -->';
export const END = '<!-- END GENERATED -->';

export function resultsMarkdown(m: Manifest): string {
  const variants = [...new Set(m.runs.map((r) => r.variant))];
  const cell = (scenario: string, env: string, v: string) => m.runs.find((r) => r.scenario === scenario && r.env === env && r.variant === v);
  const verdict = (r: Manifest['runs'][number] | undefined) =>
    r === undefined ? '·' : r.violated.length === 0 ? 'ok' : r.violated.map((p) => SHORT_NAMES[p] ?? p).join(' ');
  const head = `| scenario | environment | ${variants.join(' | ')} |\n|---|---|${variants.map(() => '---|').join('')}`;
  const rows = m.rows.map((row) => `| ${row.scenario} | ${row.env} | ${variants.map((v) => verdict(cell(row.scenario, row.env, v))).join(' | ')} |`);
  const counts = m.rows.map(
    (row) => `| ${row.scenario} | ${row.env} | ${variants.map((v) => String(cell(row.scenario, row.env, v)?.states ?? '·')).join(' | ')} |`,
  );
  const used = new Set(m.runs.flatMap((r) => r.violated));
  const legend = Object.entries(SHORT_NAMES)
    .filter(([name]) => used.has(name))
    .map(([name, short]) => `\`${short}\` ${name}`)
    .join(', ');
  const notes = m.rows.filter((row) => row.note !== undefined).map((row) => `- **${row.scenario}** (${row.env}): ${row.note}`);
  return [
    BEGIN,
    '',
    '### Verdicts (violated properties; `ok` = every property holds)',
    '',
    head,
    ...rows,
    '',
    `Legend: ${legend}${m.rows.some((r) => r.variants !== undefined) ? "; `·` not run: the row runs only some variants (its note below says why)" : ''}.`,
    '',
    ...(notes.length > 0 ? ["### What was read before pinning (the rows' notes in the manifest)", '', ...notes, ''] : []),
    '### Distinct states explored',
    '',
    head,
    ...counts,
    '',
    END,
  ].join('\n');
}

/** The document with its generated part replaced (the markers must be present). */
export function withResults(doc: string, m: Manifest): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/dialog-results.md: generated-part markers not found');
  return doc.slice(0, a) + resultsMarkdown(m) + doc.slice(b + END.length);
}
