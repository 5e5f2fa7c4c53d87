/**
 * Regenerates the generated parts of docs/proof.md (the answer, the
 * definitions and the theorems) and of docs/README.md (the answer): runs
 * every cell of the dialog matrix, both tiers (two processes; the full tier
 * takes minutes), and refuses to write if any is not as declared.
 * test/matrix.test.ts compares both documents with its own runs.
 */
import { readFileSync } from 'node:fs';
import { dialogRuns, loadManifest } from '../src/check/dialog.js';
import { executeAll } from '../src/check/pool.js';
import { proofDocs } from '../src/report/proof-doc.js';
import { SCENARIOS } from '../spec/dialog/scenarios.js';
import { VARIANT_NAMES, VARIANTS } from '../spec/dialog/variants.js';
import { writeAtomically } from '../src/cli-files.js';

const manifest = loadManifest();
const results = await executeAll(dialogRuns(manifest), {}, { jobs: 2, registered: () => true });
const differing = results.filter((r) => r.differences.length > 0);
if (differing.length > 0) {
  process.stderr.write(`not as declared in check-manifest.json (pin first): ${differing.map((r) => r.run.id).join(', ')}\n`);
  process.exit(1);
}
const input = { results, manifest, scenarios: SCENARIOS, variants: VARIANT_NAMES.map((v) => VARIANTS[v]) };
for (const [file, text] of Object.entries(proofDocs(input, (f) => readFileSync(new URL(`../${f}`, import.meta.url), 'utf8')))) {
  writeAtomically(new URL(`../${file}`, import.meta.url), text);
}
