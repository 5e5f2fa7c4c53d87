/**
 * Every cell of the dialog check matrix (check-manifest.json) is pinned: its
 * verdict per property, distinct states, transitions and depth. A row runs
 * every variant (or those its `variants` names); any difference from the manifest fails with the list of
 * differences. Also: a malformed manifest is refused with the entry named.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, dialogRuns, loadManifest, rowVariants, validateManifest } from '../src/check/dialog.js';
import { executeAll } from '../src/check/pool.js';
import { describeDifference, type RunResult } from '../src/check/run.js';
import { deadSteps } from '../src/report/matrix.js';
import { PROPOSITIONS, propositionRuns } from '../src/check/propositions.js';
import { propositionResults as verdicts, renderPropositionsDoc } from '../src/report/propositions.js';
import { VARIANT_NAMES } from '../spec/dialog/variants.js';

const manifest = loadManifest();
const runs = dialogRuns(manifest);
const searches = propositionRuns(manifest);
let results: RunResult[] = [];
let propositionResults: RunResult[] = [];

// The cells (and the proposition searches) are independent: run them in two
// processes (each rebuilds the registry and runs cells by id). The full tier's
// ping-timeout row is one batch (its variants may share explorations), about
// 25 minutes of one core on the project's 2-core machine since next_state_dlg's
// second load of state became a step: hence an hour's bound.
beforeAll(async () => {
  const all = await executeAll([...runs, ...searches], {}, { jobs: 2, registered: () => true });
  results = all.filter((r) => r.run.tags.group === 'dialog');
  propositionResults = all.filter((r) => r.run.tags.group === 'propositions');
}, 3_600_000);

describe('the manifest declares every cell of every row', () => {
  it('has one declaration per row and variant it runs', () => {
    expect(manifest.runs.length).toBe(manifest.rows.reduce((n, r) => n + rowVariants(r).length, 0));
    // The rows that run only some variants: those with fix 05 (the others' state spaces under EINTR are too large), and in
    // bye-vs-timeout-B and the PR's two orderings with the timer first also v3 (161 million states each, in the full tier).
    expect(manifest.rows.filter((r) => r.variants !== undefined).map((r) => `${r.scenario} ${r.env} ${rowVariants(r).join(',')}`)).toEqual([
      ...['bye-vs-timeout-B', 'pr-timer-first', 'pr-timer-reads-first'].map((s) => `${s} posix-sem/sc/eintr1 v3,fix-eintr,fixed,v3+fixes`),
      ...['bye-vs-timeout-B-base', 'bye-vs-timeout-B-shared-bucket'].map((s) => `${s} posix-sem/sc/eintr1 fix-eintr,fixed,v3+fixes`),
    ]);
    // The EINTR rows of the full tier: those with fix 05 run in the default check, the others with --all.
    expect(manifest.rows.filter((r) => r.defaultTier !== undefined).map((r) => `${r.scenario} ${r.env} ${r.tier} ${r.defaultTier!.join(',')}`)).toEqual(
      ['bye-vs-timeout-B', 'pr-timer-first', 'pr-timer-reads-first', 'ping-timeout', 'route-vs-update-reuse', 'drop-after-sync-two-early'].map(
        (s) => `${s} posix-sem/sc/eintr1 full fix-eintr,fixed,v3+fixes`,
      ),
    );
    for (const s of ['bye-vs-timeout-B', 'pr-timer-first', 'pr-timer-reads-first']) {
      const b = runs.filter((r) => r.tags.scenario === s && r.tags.env === 'posix-sem/sc/eintr1');
      expect(b.map((r) => `${r.tags.variant}:${r.tags.tier}`)).toEqual(['v3:full', 'fix-eintr:default', 'fixed:default', 'v3+fixes:default']);
    }
    const tiers = runs.filter((r) => r.tags.scenario === 'drop-after-sync-two-early' && r.tags.env === 'posix-sem/sc/eintr1');
    expect(tiers.filter((r) => r.tags.tier === 'default').map((r) => r.tags.variant)).toEqual(['fix-eintr', 'fixed', 'v3+fixes']);
    expect(tiers.filter((r) => r.tags.tier === 'full')).toHaveLength(VARIANT_NAMES.length - 3);
    expect(runs.every((r) => r.declared !== false)).toBe(true);
  });
});

describe.each(manifest.rows.map((r) => [`${r.scenario} ${r.env}`, r] as const))('%s', (_name, row) => {
  it('every variant is as declared, and exactly the declared steps never fire', () => {
    const mine = results.filter((r) => r.run.tags.scenario === row.scenario && r.run.tags.env === row.env);
    expect(mine.map((r) => r.run.tags.variant)).toEqual(rowVariants(row));
    const differences = mine.flatMap((r) => r.differences.map((d) => `${r.run.id}: ${describeDifference(d)}`));
    expect(differences).toEqual([]);
    expect(deadSteps(mine).get(`${row.scenario}  ${row.env}`)).toEqual(row.dead ?? []);
  });
});

describe('a malformed manifest is refused, naming the entry', () => {
  const good = { environments: manifest.environments, rows: manifest.rows.slice(0, 1), runs: manifest.runs.slice(0, 1) };
  const bad = (patch: object, msg: RegExp) => {
    expect(() => validateManifest({ ...good, ...patch })).toThrow(ManifestError);
    expect(() => validateManifest({ ...good, ...patch })).toThrow(msg);
  };
  it('unknown scenario, environment, variant; bad counts; a run outside the rows', () => {
    bad({ rows: [{ scenario: 'nope', env: 'fast-lock/sc' }] }, /rows\[0\]: unknown scenario 'nope'/);
    bad({ rows: [{ scenario: good.rows[0].scenario, env: 'x/y' }] }, /rows\[0\]: unknown environment 'x\/y'/);
    bad({ runs: [{ ...good.runs[0], variant: 'v9' }] }, /runs\[0\].*unknown variant/);
    bad({ runs: [{ ...good.runs[0], states: -1 }] }, /runs\[0\].*'states' must be a non-negative integer/);
    bad({ runs: [{ ...good.runs[0], env: 'posix-sem/sc' }] }, /runs\[0\].*not in any declared row/);
    bad({ environments: { e: { lock: 'spin', memory: 'sc', eintr: 0 } }, rows: [], runs: [] }, /environment 'e': lock must be one of/);
    // A row that runs only some variants: known ones, a note saying why, and no declaration for another variant.
    const row = { ...good.rows[0], note: 'too large' };
    expect(() => validateManifest({ ...good, rows: [{ ...row, variants: [good.runs[0].variant] }] })).not.toThrow();
    bad({ rows: [{ ...row, variants: ['fixed', 'v9'] }] }, /rows\[0\]: unknown variant 'v9' in 'variants'/);
    bad({ rows: [{ ...row, variants: [] }] }, /rows\[0\]: 'variants' must be a non-empty list/);
    bad({ rows: [{ ...good.rows[0], note: undefined, variants: [good.runs[0].variant] }] }, /rows\[0\]: a row that runs only some variants needs a 'note'/);
    bad({ rows: [{ ...row, variants: ['fixed'] }] }, /runs\[0\].*the row does not run this variant \(its 'variants': fixed\)/);
    // A full row with some variants in the default check: only in the full tier, and variants the row runs.
    expect(() => validateManifest({ ...good, rows: [{ ...row, tier: 'full', defaultTier: ['fixed'] }] })).not.toThrow();
    bad({ rows: [{ ...row, defaultTier: ['fixed'] }] }, /rows\[0\]: 'defaultTier' applies to a row of the full tier only/);
    bad({ rows: [{ ...row, tier: 'full', defaultTier: [] }] }, /rows\[0\]: 'defaultTier' must be a non-empty list/);
    bad({ rows: [{ ...row, tier: 'full', variants: [good.runs[0].variant], defaultTier: ['fixed'] }] }, /rows\[0\]: 'defaultTier' names 'fixed', which is not a variant the row runs/);
    const search = { id: 'P-01', scenario: 'bye-vs-timeout-B', env: 'fast-lock/sc', variant: 'orig', violated: ['P-01'], states: 1, transitions: 0, depth: 1 };
    expect(() => validateManifest({ ...good, propositions: [search] })).not.toThrow();
    bad({ propositions: [{ ...search, id: 'P1' }] }, /propositions\[0\].*'id' must be a proposition id/);
    bad({ propositions: [{ ...search, variant: 'v9' }] }, /propositions\[0\].*unknown variant/);
    bad({ propositions: {} }, /'propositions' must be an array/);
    expect(() => validateManifest('[]')).toThrow(ManifestError);
  });
});

describe('docs/dialog-results.md', () => {
  it('shows the manifest as it is (regenerate with npx tsx scripts/results-doc.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const { withResults } = await import('../src/report/manifest-doc.js');
    const doc = readFileSync(new URL('../docs/dialog-results.md', import.meta.url), 'utf8');
    expect(withResults(doc, manifest)).toBe(doc);
  });
});

describe('docs/proof.md and docs/README.md', () => {
  it('show the answer and the theorems of these runs (regenerate with npx tsx scripts/proof-doc.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const { proofDocs } = await import('../src/report/proof-doc.js');
    const { SCENARIOS } = await import('../spec/dialog/scenarios.js');
    const { VARIANTS } = await import('../spec/dialog/variants.js');
    const read = (f: string) => readFileSync(new URL(`../${f}`, import.meta.url), 'utf8');
    const docs = proofDocs({ results, manifest, scenarios: SCENARIOS, variants: VARIANT_NAMES.map((v) => VARIANTS[v]) }, read);
    for (const [file, text] of Object.entries(docs)) expect(text, file).toBe(read(file));
  });
});

describe('docs/pr-table.md', () => {
  it('shows the PR table against the manifest as it is (regenerate with npx tsx scripts/pr-table-doc.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const { prTableMarkdown } = await import('../src/report/pr-table.js');
    expect(readFileSync(new URL('../docs/pr-table.md', import.meta.url), 'utf8')).toBe(prTableMarkdown(manifest));
  });
});

describe("PR #3836's propositions", () => {
  it('every search is declared in the manifest and gives its declared verdict', () => {
    expect(searches.every((r) => r.declared !== false)).toBe(true);
    expect(manifest.propositions?.length).toBe(searches.length);
    const differences = propositionResults.flatMap((r) => r.differences.map((d) => `${r.run.id}: ${describeDifference(d)}`));
    expect(differences).toEqual([]);
  });

  it('gives each proposition the verdict the project states (issue 4 note, docs/pr-propositions.md)', () => {
    const got = Object.fromEntries(verdicts(propositionResults, manifest).map((x) => [x.proposition.id, x.verdict]));
    const holds = ['P-07', 'P-08', 'P-09', 'P-14'];
    const outside = ['P-13', 'P-16', 'P-17', 'P-18', 'P-21', 'P-22'];
    const expected = Object.fromEntries(PROPOSITIONS.map((p) => [p.id, holds.includes(p.id) ? 'holds' : outside.includes(p.id) ? 'outside' : 'fails']));
    expect(got).toEqual(expected);
    expect(PROPOSITIONS.map((p) => p.id)).toEqual(Array.from({ length: 27 }, (_, i) => `P-${String(i + 1).padStart(2, '0')}`));
  });

  it('docs/pr-propositions.md shows them as they are (regenerate with npx tsx scripts/propositions-doc.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../docs/pr-propositions.md', import.meta.url), 'utf8');
    expect(renderPropositionsDoc(propositionResults, manifest)).toBe(doc);
  });
});
