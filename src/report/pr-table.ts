/**
 * The PR's scenario table (docs/pr-3836.md §2.6) side by side with what the model
 * finds, generated from the manifest (each cell of which test/matrix.test.ts
 * checks against a run). A cell is "crash" when a memory-safety property is
 * violated, "safe" when the exhaustive exploration found none.
 */
import type { Manifest, ManifestRun } from '../check/dialog.js';
import { SHORT_NAMES } from './matrix.js';
import { PROPOSITIONS, comparedVerdict, verdictOf } from '../check/propositions.js';
import { VERDICT_WORDS } from './propositions.js';

/** The properties whose violation is a crash (a memory-safety failure), as the PR's table counts them. */
export const MEMORY_SAFETY: readonly string[] = ['RefNonNegative', 'NoUseAfterFree', 'NoDoubleFree', 'LockExclusion', 'TimerListIntegrity', 'RefMatchesHolders', 'NothingLeaked'];

const PR_TABLE: readonly { scenario: string; name: string; claims: Record<string, string> }[] = [
  { scenario: 'pr-bye-first', name: 'BYE before timer fires', claims: { 'v1-part1': 'safe', 'v1-part2': 'safe', 'v1-both': 'safe' } },
  { scenario: 'pr-timer-first', name: 'Timer fires, then BYE', claims: { 'v1-part1': 'crash ("stale read")', 'v1-part2': 'safe', 'v1-both': 'safe' } },
  {
    scenario: 'pr-timer-reads-first',
    name: 'Timer reads state before BYE',
    claims: { 'v1-part1': 'crash ("stale read")', 'v1-part2': 'crash ("double cleanup")', 'v1-both': 'safe' },
  },
];
const COLUMNS = ['v1-part1', 'v1-part2', 'v1-both'] as const;
const ENVS: readonly { env: string; label: string }[] = [
  { env: 'fast-lock/sc', label: 'the code as written, fast-lock, sc memory' },
  { env: 'fast-lock/relaxed', label: 'the code as written, fast-lock, relaxed (ARM64-like) memory' },
  { env: 'posix-sem/sc', label: 'the code as written, POSIX-semaphore lock, sc memory' },
  { env: 'fast-lock/sc/pr-assumed', label: "the PR's assumed semantics (remove_dlg_timer returns 0 after T0 detached the tl)" },
];

const crashes = (r: ManifestRun) => r.violated.filter((p) => MEMORY_SAFETY.includes(p));

function cell(m: Manifest, scenario: string, env: string, variant: string, claim: string): string {
  const r = m.runs.find((x) => x.scenario === scenario && x.env === env && x.variant === variant);
  if (r === undefined) return 'not run';
  const c = crashes(r);
  const found = c.length > 0 ? `crash: ${c.map((p) => SHORT_NAMES[p] ?? p).join(' ')}` : `safe (exhaustive, ${r.states} states)`;
  const other = r.violated.filter((p) => !MEMORY_SAFETY.includes(p)).map((p) => SHORT_NAMES[p] ?? p);
  const anomalies = other.length > 0 ? `; protocol: ${other.join(' ')}` : '';
  const agree = claim.startsWith('crash') === c.length > 0;
  let why = '';
  if (!agree && c.length === 0) {
    // Which step makes the difference: the PR's assumption, if switching it on alone yields the crash in this cell.
    const assumed = m.runs.find((x) => x.scenario === scenario && x.env === 'fast-lock/sc/pr-assumed' && x.variant === variant);
    why =
      env !== 'fast-lock/sc/pr-assumed' && assumed !== undefined && crashes(assumed).length > 0
        ? ' — the step that makes the difference: remove_dlg_timer (W10, or N1′ inside next_state_dlg) after T0 detached the tl. The crash needs it to return 0; the code returns 1 (dlg_timer.c:492-498), so the timer reference is dropped once. With that one assumption switched on, this cell crashes.'
        : ' — no semantics the model has yields the claimed crash here';
  }
  if (!agree && c.length > 0) why = ` — the PR's fix does not hold here (\`npm run check -- --scenario ${scenario} --env ${env} --variant ${variant}\`)`;
  return `${agree ? 'agrees' : '**differs**'}: ${found}${anomalies}${why}`;
}

/** The PR's table and the model's cells beside it, as data (cells are Markdown: `**differs**`, code spans). */
export interface PrTable {
  /** The PR's columns: the variants its table names. */
  readonly variants: readonly string[];
  /** The PR's rows: its scenario (the model's scenario name), its name for it, and its claim per variant. */
  readonly claims: readonly { readonly scenario: string; readonly name: string; readonly claims: readonly string[] }[];
  /** Per environment, the model's cell for each of the PR's rows and variants. */
  readonly sections: readonly {
    readonly env: string;
    readonly label: string;
    readonly rows: readonly { readonly scenario: string; readonly name: string; readonly cells: readonly string[] }[];
  }[];
}

export function prTable(m: Manifest): PrTable {
  return {
    variants: COLUMNS,
    claims: PR_TABLE.map((row) => ({ scenario: row.scenario, name: row.name, claims: COLUMNS.map((v) => row.claims[v]) })),
    sections: ENVS.map(({ env, label }) => ({
      env,
      label,
      rows: PR_TABLE.map((row) => ({ scenario: row.scenario, name: row.name, cells: COLUMNS.map((v) => cell(m, row.scenario, env, v, row.claims[v])) })),
    })),
  };
}

export function prTableMarkdown(m: Manifest): string {
  const t = prTable(m);
  const out = [
    "# PR #3836's scenario table, side by side with the model",
    '',
    'Generated by `npx tsx scripts/pr-table-doc.ts` from `check-manifest.json` (kept fresh by `test/matrix.test.ts`).',
    "Scenario readings as in [pr-3836.md](pr-3836.md) §2.6 (the PR's orderings are gates in `spec/dialog/scenarios.ts`).",
    '"crash" = a memory-safety property is violated (ref<0, uaf, dfree, lock, tlist, holders, leak); "safe" = the',
    'exhaustive exploration found none; protocol anomalies are listed separately. Every cell\'s shortest counterexample:',
    '`npm run check -- --scenario <scenario> --env <env> --variant <variant>`. The table has no EINTR column: under EINTR',
    '`pr-bye-first` runs every variant, `pr-timer-first` and `pr-timer-reads-first` only the variants with fix 05 (see',
    'docs/dialog-results.md, Limits).',
    '',
    "| PR's scenario | PR: Part 1 alone | PR: Part 2 alone | PR: both |",
    '|---|---|---|---|',
    ...t.claims.map((row) => `| ${row.name} | ${row.claims.join(' | ')} |`),
  ];
  for (const { env, label, rows } of t.sections) {
    out.push('', `## Model: ${label} (\`${env}\`)`, '', '| scenario | Part 1 alone (v1-part1) | Part 2 alone (v1-part2) | both (v1-both) |', '|---|---|---|---|');
    for (const row of rows) out.push(`| ${row.name} | ${row.cells.join(' | ')} |`);
  }
  out.push(...propositionSummary(m));
  out.push('');
  return out.join('\n');
}

/**
 * The propositions of docs/pr-3836.md §6 with the verdicts their pinned searches
 * give (check-manifest.json, `propositions`); witnesses, counterexamples and
 * state counts are in docs/pr-propositions.md.
 */
function propositionSummary(m: Manifest): string[] {
  const out = [
    '',
    "## The PR's propositions ([pr-3836.md](pr-3836.md) §6)",
    '',
    'Verdicts of the pinned searches in `check-manifest.json`; each one\'s witness or counterexample, state counts and the C',
    'lines it rests on: [pr-propositions.md](pr-propositions.md). Where the crash line of #3835 comes from: [root-cause.md](root-cause.md).',
    '',
    '| id | proposition | verdict |',
    '|---|---|---|',
  ];
  for (const p of PROPOSITIONS) {
    let verdict: string;
    if (p.decide) {
      const pinned = p.decide.configs.map((c) => m.propositions?.find((r) => r.id === p.id && r.scenario === c.scenario && r.env === c.env && r.variant === c.variant));
      verdict = pinned.some((r) => r === undefined)
        ? 'not pinned'
        : verdictOf(p, pinned.map((r) => (r!.violated.includes(p.id) ? 'violated' : 'holds')));
    } else if (p.compareVariants) {
      verdict = VERDICT_WORDS[comparedVerdict(p, m)];
    } else verdict = 'outside the model';
    out.push(`| ${p.id} | ${p.claim.replace(/\|/g, '\\|')} | ${verdict} |`);
  }
  return out;
}
