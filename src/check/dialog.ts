/**
 * The dialog check matrix: scenario x environment x code variant, with the
 * declared verdicts and pinned state counts read from the single manifest
 * file `check-manifest.json` at the top of the repository.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dialogModel, type DialogConfig, type DialogModel, type DialogNames } from '../../spec/dialog/model.js';
import { SCENARIOS, scenarioByName } from '../../spec/dialog/scenarios.js';
import { ASSUMPTIONS, type Env } from '../../spec/dialog/state.js';
import { VARIANT_NAMES, VARIANTS, variantRole, type VariantName } from '../../spec/dialog/variants.js';
import { stateView } from '../../spec/dialog/view.js';
import { ACTOR_ROLES } from '../../spec/dialog/actors.js';
import { LOCK_IMPLS } from '../memory/locks.js';
import { MEMORY_MODELS } from '../memory/views.js';
import { explorable, type Granularity } from './granularity.js';
import type { Expectation, RunSpec } from './run.js';

/** Where a worker thread rebuilds a cell's model (see load.ts). */
const LOAD = new URL('./load.ts', import.meta.url).href;

export const MANIFEST_PATH = fileURLToPath(new URL('../../check-manifest.json', import.meta.url));

/** One declared cell of the matrix. */
export interface ManifestRun {
  readonly scenario: string;
  readonly env: string;
  readonly variant: VariantName;
  readonly violated: readonly string[];
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
}

export interface Manifest {
  /** Environments by name: lock implementation, memory model, EINTR budget. */
  readonly environments: Readonly<Record<string, Env>>;
  /**
   * The (scenario, environment) rows the project runs, each for every variant,
   * with the reference steps (actor:step) that fire in no variant of the row:
   * each was read against the scenario and is unreachable in it.
   */
  readonly rows: readonly ManifestRow[];
  readonly runs: readonly ManifestRun[];
  /** The searches that decide PR #3836's propositions (src/check/propositions.ts), by proposition id. */
  readonly propositions?: readonly ManifestPropositionRun[];
}

/** A (scenario, environment) row of the matrix. */
export interface ManifestRow {
  readonly scenario: string;
  readonly env: string;
  /** The reference steps (actor:step) that fire in no variant of the row, each read against the scenario. */
  readonly dead?: readonly string[];
  /**
   * `full`: a row too large for every `npm run check` (millions of states per
   * variant), run with `--all`; its verdicts and counts are pinned like the others.
   */
  readonly tier?: 'full';
  /**
   * With `tier: full`: the variants of the row that run in every `npm run check`
   * all the same (their state spaces are small, e.g. those with a fix that
   * removes the environment's cause of growth); the others run with `--all`.
   */
  readonly defaultTier?: readonly VariantName[];
  /**
   * The variants run in this row (in the order of VARIANT_NAMES), when not all
   * of them: a row whose environment makes the other variants' state spaces too
   * large to explore (its note says which and why). Default: every variant.
   */
  readonly variants?: readonly VariantName[];
  /** What was read to pin the row's verdicts (the counterexamples against the C code, or the coverage of an ok row). */
  readonly note?: string;
}

/** One declared proposition search: the proposition's id and a configuration, with its verdicts and counts. */
export interface ManifestPropositionRun extends Omit<ManifestRun, 'variant'> {
  readonly id: string;
  readonly variant: VariantName;
}

export class ManifestError extends Error {
  readonly code = 'manifest';
}

/** Reads and validates the manifest; every problem is a ManifestError naming the entry. */
export function loadManifest(path = MANIFEST_PATH): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(`${path}: ${(e as Error).message}`);
  }
  return validateManifest(raw, path);
}

export function validateManifest(raw: unknown, where = 'manifest'): Manifest {
  const fail = (msg: string): never => {
    throw new ManifestError(`${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const m = raw as Record<string, unknown>;
  const envs = m.environments as Record<string, Env> | undefined;
  if (typeof envs !== 'object' || envs === null) fail("'environments' must be an object");
  for (const [name, e] of Object.entries(envs!)) {
    if (!LOCK_IMPLS.includes(e?.lock)) fail(`environment '${name}': lock must be one of ${LOCK_IMPLS.join(', ')}`);
    if (!MEMORY_MODELS.includes(e.memory)) fail(`environment '${name}': memory must be one of ${MEMORY_MODELS.join(', ')}`);
    if (!Number.isInteger(e.eintr) || e.eintr < 0) fail(`environment '${name}': eintr must be an integer >= 0`);
    if (e.eintr > 0 && e.lock !== 'posix-sem') fail(`environment '${name}': eintr applies to posix-sem only`);
    if (e.assume !== undefined && !(Array.isArray(e.assume) && e.assume.every((a) => ASSUMPTIONS.includes(a)))) {
      fail(`environment '${name}': assume must be a list of: ${ASSUMPTIONS.join(', ')}`);
    }
  }
  if (!Array.isArray(m.rows)) fail("'rows' must be an array");
  const rows = m.rows as ManifestRow[];
  rows.forEach((r, i) => {
    if (r?.tier !== undefined && r.tier !== 'full') fail(`rows[${i}]: 'tier' must be "full" when given`);
    if (r?.note !== undefined && typeof r.note !== 'string') fail(`rows[${i}]: 'note' must be a string`);
    if (r?.dead !== undefined && !(Array.isArray(r.dead) && r.dead.every((d) => typeof d === 'string'))) fail(`rows[${i}]: 'dead' must be a list of actor:step`);
    if (r?.variants !== undefined) {
      if (!Array.isArray(r.variants) || r.variants.length === 0) fail(`rows[${i}]: 'variants' must be a non-empty list of variants`);
      for (const v of r.variants) if (!VARIANT_NAMES.includes(v)) fail(`rows[${i}]: unknown variant '${String(v)}' in 'variants' (known: ${VARIANT_NAMES.join(', ')})`);
      if (r.note === undefined) fail(`rows[${i}]: a row that runs only some variants needs a 'note' saying why`);
    }
    if (r?.defaultTier !== undefined) {
      if (r.tier !== 'full') fail(`rows[${i}]: 'defaultTier' applies to a row of the full tier only`);
      if (!Array.isArray(r.defaultTier) || r.defaultTier.length === 0) fail(`rows[${i}]: 'defaultTier' must be a non-empty list of variants`);
      for (const v of r.defaultTier) if (!rowVariants(r).includes(v)) fail(`rows[${i}]: 'defaultTier' names '${String(v)}', which is not a variant the row runs`);
    }
    if (!scenarioByName(r?.scenario)) fail(`rows[${i}]: unknown scenario '${r?.scenario}' (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    if (!(r.env in envs!)) fail(`rows[${i}]: unknown environment '${r.env}'`);
  });
  if (!Array.isArray(m.runs)) fail("'runs' must be an array");
  const runs = m.runs as ManifestRun[];
  runs.forEach((r, i) => {
    const at = `runs[${i}] (${r?.scenario}/${r?.env}/${r?.variant})`;
    const row = rows.find((w) => w.scenario === r?.scenario && w.env === r?.env) ?? fail(`${at}: not in any declared row`);
    if (!VARIANT_NAMES.includes(r.variant)) fail(`${at}: unknown variant (known: ${VARIANT_NAMES.join(', ')})`);
    if (!rowVariants(row).includes(r.variant)) fail(`${at}: the row does not run this variant (its 'variants': ${rowVariants(row).join(', ')})`);
    if (!Array.isArray(r.violated) || !r.violated.every((v) => typeof v === 'string')) fail(`${at}: 'violated' must be a list of property names`);
    for (const k of ['states', 'transitions', 'depth'] as const) {
      if (!Number.isInteger(r[k]) || r[k] < 0) fail(`${at}: '${k}' must be a non-negative integer`);
    }
  });
  if (m.propositions !== undefined && !Array.isArray(m.propositions)) fail("'propositions' must be an array");
  const props = (m.propositions ?? []) as ManifestPropositionRun[];
  props.forEach((r, i) => {
    const at = `propositions[${i}] (${r?.id} ${r?.scenario}/${r?.env}/${r?.variant})`;
    if (typeof r?.id !== 'string' || !/^P-\d\d$/.test(r.id)) fail(`${at}: 'id' must be a proposition id like P-01`);
    if (!scenarioByName(r.scenario)) fail(`${at}: unknown scenario`);
    if (!(r.env in envs!)) fail(`${at}: unknown environment`);
    if (!VARIANT_NAMES.includes(r.variant)) fail(`${at}: unknown variant (known: ${VARIANT_NAMES.join(', ')})`);
    if (!Array.isArray(r.violated) || !r.violated.every((v) => typeof v === 'string')) fail(`${at}: 'violated' must be a list of property names`);
    for (const k of ['states', 'transitions', 'depth'] as const) {
      if (!Number.isInteger(r[k]) || r[k] < 0) fail(`${at}: '${k}' must be a non-negative integer`);
    }
  });
  return { environments: envs!, rows, runs, ...(m.propositions !== undefined ? { propositions: props } : {}) };
}

/** The variants a row runs, in the order of VARIANT_NAMES. */
export const rowVariants = (row: Pick<ManifestRow, 'variants'>): readonly VariantName[] =>
  row.variants === undefined ? VARIANT_NAMES : VARIANT_NAMES.filter((v) => row.variants!.includes(v));

/** The tier of one cell: the row's, but for the variants of a full row that run in the default check. */
export const runTier = (row: Pick<ManifestRow, 'tier' | 'defaultTier'>, variant: VariantName): 'full' | 'default' =>
  row.tier === 'full' && !(row.defaultTier ?? []).includes(variant) ? 'full' : 'default';

/** Whether a row runs a variant. */
export const rowRuns = (row: Pick<ManifestRow, 'variants'>, variant: VariantName): boolean => row.variants === undefined || row.variants.includes(variant);

/** The rows that run every one of these variants (where they can be compared). */
export const rowsRunning = (m: Pick<Manifest, 'rows'>, ...variants: VariantName[]): ManifestRow[] => m.rows.filter((row) => variants.every((v) => rowRuns(row, v)));

/** What a declared cell (or search) expects; with no declaration, every property holds. */
export const expectationOf = (declared: ManifestRun | undefined): Expectation =>
  declared ? { violated: declared.violated, states: declared.states, transitions: declared.transitions, depth: declared.depth } : { violated: [] };

export const runId = (scenario: string, env: string, variant: string) => `dialog/${scenario}/${env}/${variant}`;

export function dialogConfig(manifest: Manifest, scenario: string, env: string, variant: VariantName): DialogConfig {
  return { scenario: scenarioByName(scenario)!, variant, env: manifest.environments[env] };
}

/** Every cell of the matrix as a registered run, in row order then variant order. */
export function dialogRuns(manifest: Manifest = loadManifest(), granularity?: Granularity): RunSpec[] {
  const out: RunSpec[] = [];
  for (const row of manifest.rows) {
    for (const variant of rowVariants(row)) {
      const declared = manifest.runs.find((r) => r.scenario === row.scenario && r.env === row.env && r.variant === variant);
      const env = manifest.environments[row.env];
      const cfg = dialogConfig(manifest, row.scenario, row.env, variant);
      let names: DialogNames | undefined;
      let built: DialogModel | undefined;
      const expect = expectationOf(declared);
      out.push({
        id: runId(row.scenario, row.env, variant),
        tags: {
          group: 'dialog',
          scenario: row.scenario,
          env: row.env,
          variant,
          lock: env.lock,
          memory: env.memory,
          eintr: String(env.eintr),
          assume: env.assume?.join('+') ?? 'none',
          tier: runTier(row, variant),
          role: variantRole(variant),
        },
        build: () => {
          const m = dialogModel(cfg);
          names = m.names;
          built = m;
          return explorable(m, granularity);
        },
        // The variants of a row explore the same states wherever they agree on every field of
        // Variant that the exploration read (spec/dialog/variants.ts, recordingVariant).
        sameAs: {
          group: `dialog|${row.scenario}|${row.env}|${granularity ?? 'default'}`,
          depends: () => built!.variantReads,
          value: (field) => (VARIANTS[variant] as unknown as Record<string, unknown>)[field],
        },
        expect,
        ...(declared ? {} : { declared: false }),
        mustBeDeclared: true,
        project: (s) => stateView(names!, s),
        roles: ACTOR_ROLES,
        ...(granularity === undefined ? { ref: { module: LOAD, exportName: 'buildDialogRun', args: [runId(row.scenario, row.env, variant)] } } : {}),
      });
    }
  }
  return out;
}

