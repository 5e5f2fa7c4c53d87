/**
 * The generated parts of docs/proof.md and docs/README.md, from the runs of
 * the dialog matrix (every row, both tiers) and the manifest: the answer as
 * `check` prints it, the properties, environments, variants and scenarios the
 * theorems speak of, and per row of the matrix the theorems themselves (per
 * variant: the properties that hold in every reachable state, those violated
 * with the length and hash of the shortest counterexample, the counts of the
 * exhaustive run, the command that re-runs it). test/matrix.test.ts
 * regenerates them from its own runs and compares.
 */
import type { Manifest } from '../check/dialog.js';
import { proofRun } from '../check/proof.js';
import type { RunResult } from '../check/run.js';
import { answerCell, renderAnswer } from './answer.js';
import { isMatrixRun, SHORT_NAMES } from './matrix.js';

/** What the documents say about each scenario and variant (from the model's definitions). */
export interface ProofDocInput {
  readonly results: readonly RunResult[];
  readonly manifest: Manifest;
  readonly scenarios: readonly { readonly name: string; readonly title: string; readonly description: string }[];
  readonly variants: readonly { readonly name: string; readonly commit: string; readonly summary: string }[];
}

const begin = (name: string) => `<!-- BEGIN GENERATED ${name}: npx tsx scripts/proof-doc.ts -->`;
const end = (name: string) => `<!-- END GENERATED ${name} -->`;

/** The document with its generated part `name` replaced (its markers must be present). */
export function withGenerated(doc: string, name: string, body: string): string {
  const a = doc.indexOf(begin(name));
  const b = doc.indexOf(end(name));
  if (a < 0 || b < a) throw new Error(`the generated part '${name}' has no markers (${begin(name)} ... ${end(name)})`);
  return `${doc.slice(0, a)}${begin(name)}\n${body}\n${doc.slice(b)}`;
}

const md = (s: string) => s.replace(/\|/g, '\\|');
const command = (scenario: string, env: string) => `npm run check -- --scenario ${scenario} --env ${env}`;

/** The answer as `check --all` prints it for the whole matrix, in a text block. */
export function answerBlock(results: readonly RunResult[]): string {
  const lines = renderAnswer(results.filter(isMatrixRun).map(answerCell));
  return ['```text', ...lines, '```'].join('\n');
}

/** The properties of the runs' outcomes, each once, in first-seen order (the witnesses differ by scenario). */
function propertiesTable(results: readonly RunResult[]): string[] {
  const seen = new Map<string, RunResult['outcome']['properties'][number]>();
  for (const r of results) for (const p of r.outcome.properties) if (!seen.has(p.name)) seen.set(p.name, p);
  return [
    '| property | short | kind | every reachable state (or run) satisfies |',
    '|---|---|---|---|',
    ...[...seen.values()].map((p) => `| \`${p.name}\` | ${SHORT_NAMES[p.name] ? `\`${SHORT_NAMES[p.name]}\`` : ''} | ${p.kind} | ${md(p.meaning)} |`),
  ];
}

function environmentsTable(m: Manifest): string[] {
  return [
    '| environment | lock | memory | EINTR returns of sem_wait | assumes |',
    '|---|---|---|---|---|',
    ...Object.entries(m.environments).map(
      ([name, e]) => `| \`${name}\` | ${e.lock} | ${e.memory} | ${e.eintr === 0 ? 'none' : `up to ${e.eintr}, not retried`} | ${e.assume?.join(', ') ?? '-'} |`,
    ),
  ];
}

/** The generated part of docs/proof.md: definitions, then the theorems row by row. */
export function theoremsMarkdown(input: ProofDocInput): string {
  const { results, manifest } = input;
  const matrix = results.filter(isMatrixRun);
  const cell = new Map(matrix.map((r) => [`${r.run.tags.scenario}|${r.run.tags.env}|${r.run.tags.variant}`, r]));
  const out: string[] = [];
  const total = { runs: 0, states: 0, transitions: 0 };
  for (const r of matrix) {
    total.runs++;
    total.states += r.outcome.stats.states;
    total.transitions += r.outcome.stats.transitions;
  }
  out.push(
    `${total.runs} exhaustive runs (${manifest.rows.length} rows x ${input.variants.length} variants${total.runs < manifest.rows.length * input.variants.length ? `; ${manifest.rows.filter((r) => r.variants !== undefined).length} rows run only some variants, as their notes say` : ''}), ${total.states.toLocaleString('en-US')} distinct states and ${total.transitions.toLocaleString('en-US')} transitions in all.`,
    '',
    '### The properties',
    '',
    ...propertiesTable(matrix),
    '',
    '### The environments',
    '',
    ...environmentsTable(manifest),
    '',
    '### The code variants',
    '',
    '| variant | code | what it changes |',
    '|---|---|---|',
    ...input.variants.map((v) => `| \`${v.name}\` | ${md(v.commit)} | ${md(v.summary)} |`),
    '',
    '### The scenarios',
    '',
    '| scenario | what runs |',
    '|---|---|',
    ...input.scenarios.filter((s) => manifest.rows.some((r) => r.scenario === s.name)).map((s) => `| \`${s.name}\` | ${md(s.title)}: ${md(s.description)} |`),
    '',
    '### The theorems, row by row',
    '',
    'In each table, a line is the theorem for one variant: in every state reachable from the',
    "scenario's initial states under the environment's semantics, every property holds except",
    'those in the column `violated`; each of those has a counterexample, of which the shortest has',
    'the length given (breadth-first, so no shorter one exists) and the SHA-256 prefix of its steps',
    '(the hash a proof bundle records). `states`, `transitions` and `depth` are those of the',
    'exhaustive run. The command re-runs the row; `--variant V --traces` prints a counterexample.',
  );
  for (const row of manifest.rows) {
    const tier =
      row.tier !== 'full' ? '' : row.defaultTier ? ` (full tier: runs with \`--all\`, but for ${row.defaultTier.map((v) => `\`${v}\``).join(', ')})` : ' (full tier: runs with `--all`)';
    out.push('', `#### ${row.scenario} under ${row.env}${tier}`, '', `\`${command(row.scenario, row.env)}${row.tier === 'full' ? ' --all' : ''}\``, '');
    out.push('| variant | violated (shortest counterexample: steps, SHA-256) | states | transitions | depth |', '|---|---|--:|--:|--:|');
    for (const v of input.variants) {
      const r = cell.get(`${row.scenario}|${row.env}|${v.name}`);
      if (r === undefined) continue;
      const o = r.outcome;
      const p = proofRun(r);
      const violated =
        o.status === 'error' || !o.stats.complete
          ? `not decided: ${o.status}`
          : o.violations.length === 0
            ? 'none: every property holds'
            : o.violations
                .map((x) => {
                  const t = p.traces[x.name];
                  return t === undefined ? `\`${x.name}\` (never reached)` : `\`${x.name}\` (${t.steps}, ${t.sha256.slice(0, 12)})`;
                })
                .join(', ');
      out.push(`| \`${v.name}\` | ${violated} | ${o.stats.states} | ${o.stats.transitions} | ${o.stats.depth} |`);
    }
    if (row.note !== undefined) out.push('', `What was read: ${row.note}`);
  }
  return out.join('\n');
}

/** The documents with their generated parts, by path from the project's root (`read` gives a document as it is). */
export function proofDocs(input: ProofDocInput, read: (file: string) => string): Record<string, string> {
  const answer = answerBlock(input.results);
  return {
    'docs/proof.md': withGenerated(withGenerated(read('docs/proof.md'), 'answer', answer), 'theorems', theoremsMarkdown(input)),
    'docs/README.md': withGenerated(read('docs/README.md'), 'answer', answer),
  };
}
