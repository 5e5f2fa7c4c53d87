/**
 * Re-pins check-manifest.json: runs every declared row for every variant and
 * writes the observed verdicts and counts. This is a deliberate act: a pinned
 * verdict is a claim to OpenSIPS maintainers, so read the counterexamples
 * (npm run check -- --filter ...) against the C code before committing the
 * result, and say what you checked.
 *
 *   npx tsx scripts/pin-manifest.ts            # all rows
 *   npx tsx scripts/pin-manifest.ts --dry-run  # print, do not write
 *   npx tsx scripts/pin-manifest.ts --scenario NAME [--scenario NAME2]
 *                                              # re-pin only these scenarios' rows
 *   npx tsx scripts/pin-manifest.ts --propositions [--proposition P-NN ...]
 *                                              # re-pin the searches of PR #3836's propositions (or only these)
 */
import { parseArgs } from 'node:util';
import { MANIFEST_PATH, loadManifest, type ManifestPropositionRun, type ManifestRun } from '../src/check/dialog.js';
import { writeAtomically } from '../src/cli-files.js';
import { executeAll } from '../src/check/pool.js';
import { deadSteps } from '../src/report/matrix.js';
import { defaultRegistry } from '../src/check/registry.js';
import type { RunResult } from '../src/check/run.js';
import type { VariantName } from '../spec/dialog/variants.js';

const USAGE = `usage: npx tsx scripts/pin-manifest.ts [--dry-run] [--scenario NAME ...] | --propositions [--proposition P-NN ...] [--dry-run]
Re-pins check-manifest.json from what the runs find (all the matrix's rows, or these scenarios' rows; or the proposition searches).
--dry-run prints the manifest instead of writing it. Read the counterexamples against the C code before committing the result.
`;

/** One line on stderr and exit 2 (as the checker's own usage errors). */
function usageError(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

let args: { values: { 'dry-run'?: boolean; scenario?: string[]; propositions?: boolean; proposition?: string[]; help?: boolean } };
try {
  args = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      scenario: { type: 'string', multiple: true },
      propositions: { type: 'boolean' },
      proposition: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
} catch (e) {
  const first = (e as Error).message.split('\n')[0].replace(/\.$/, '');
  usageError(`${first.charAt(0).toLowerCase()}${first.slice(1)} (see --help)`);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const manifest = loadManifest();
const registry = defaultRegistry();
const dryRun = args.values['dry-run'] === true;
const only = args.values.scenario ?? [];
const ids = args.values.proposition ?? [];
if (args.values.propositions !== true && ids.length > 0) usageError('--proposition selects among the proposition searches; give --propositions too');
if (args.values.propositions === true && only.length > 0) usageError('--scenario selects rows of the matrix; it cannot be combined with --propositions');
const knownScenarios = new Set(registry.runs.filter((r) => r.tags.group === 'dialog').map((r) => r.tags.scenario));
for (const s of only) if (!knownScenarios.has(s)) usageError(`--scenario ${s}: no row of the matrix has it; expected one of: ${[...knownScenarios].join(', ')}`);
const knownIds = new Set(registry.runs.filter((r) => r.tags.group === 'propositions').map((r) => r.tags.proposition));
for (const id of ids) if (!knownIds.has(id)) usageError(`--proposition ${id}: no search has it; expected one of: ${[...knownIds].join(', ')}`);
const started = performance.now();
const format = (m: object) => JSON.stringify(m, null, 1).replace(/\[\n\s+([^\]{]*?)\n\s+\]/g, (_m, inner: string) => `[${inner.replace(/\n\s+/g, ' ')}]`) + '\n';
/** What a finished run declares; a search that stopped at its first counterexample is finished too, when allowed. */
function declaration({ run, outcome: o }: RunResult, stopAllowed: boolean): ManifestRun {
  if (o.status === 'error' || (!o.stats.complete && !(stopAllowed && o.bound === 'stopOnViolation'))) throw new Error(`${run.id}: ${o.status} ${o.error?.message ?? ''}`);
  return {
    scenario: run.tags.scenario,
    env: run.tags.env,
    variant: run.tags.variant as VariantName,
    violated: o.violations.map((v) => v.name),
    states: o.stats.states,
    transitions: o.stats.transitions,
    depth: o.stats.depth,
  };
}

if (args.values.propositions === true) {
  const selected = registry.runs.filter((r) => r.tags.group === 'propositions' && (ids.length === 0 || ids.includes(r.tags.proposition)));
  const results = await executeAll(selected, {}, {
    jobs: 2,
    registered: () => true,
    onResult: (r) => process.stderr.write(`${r.run.id}: ${r.outcome.stats.states} states, ${r.outcome.properties.map((p) => `${p.name} ${p.verdict}`).join(',')} (${Math.round(r.outcome.stats.timeMs)} ms)\n`),
  });
  const pinned: ManifestPropositionRun[] = results.map((r) => ({ id: r.run.tags.proposition, ...declaration(r, true) }));
  // Keep the other propositions' declarations; order as the registered runs are.
  const order = (r: ManifestPropositionRun) => registry.runs.findIndex((x) => x.tags.group === 'propositions' && x.tags.proposition === r.id && x.tags.scenario === r.scenario && x.tags.env === r.env && x.tags.variant === r.variant);
  const propositions = [...(manifest.propositions ?? []).filter((r) => ids.length > 0 && !ids.includes(r.id)), ...pinned].sort((a, b) => order(a) - order(b));
  const text = format({ ...manifest, propositions });
  if (dryRun) process.stdout.write(text);
  else writeAtomically(MANIFEST_PATH, text);
  process.stderr.write(`${pinned.length} proposition searches pinned in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(0);
}
const selected = registry.runs.filter((r) => r.tags.group === 'dialog' && (only.length === 0 || only.includes(r.tags.scenario)));
const results = await executeAll(selected, {}, {
  jobs: 2,
  registered: () => true,
  onResult: (r) => process.stderr.write(`${r.run.id}: ${r.outcome.stats.states} states, ${r.outcome.violations.map((v) => v.name).join(',') || 'ok'} (${Math.round(r.outcome.stats.timeMs)} ms)\n`),
});
const runs: ManifestRun[] = results.map((r) => declaration(r, false));
// Keep the declarations of rows not re-pinned; order everything as the rows and variants are.
const kept = manifest.runs.filter((r) => only.length > 0 && !only.includes(r.scenario));
const order = (r: ManifestRun) => registry.runs.findIndex((x) => x.tags.scenario === r.scenario && x.tags.env === r.env && x.tags.variant === r.variant);
const all = [...kept, ...runs].sort((a, b) => order(a) - order(b));
const dead = deadSteps(results);
const rows = manifest.rows.map((r) => {
  const d = dead.get(`${r.scenario}  ${r.env}`);
  return d === undefined ? r : { ...r, dead: d };
});
const text = format({ ...manifest, rows, runs: all });
if (dryRun) process.stdout.write(text);
else writeAtomically(MANIFEST_PATH, text);
process.stderr.write(`${runs.length} runs pinned (${all.length} in the manifest) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
