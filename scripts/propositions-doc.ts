/** Regenerates docs/pr-propositions.md: runs every proposition search (two processes) and renders the verdicts. */
import { loadManifest } from '../src/check/dialog.js';
import { executeAll } from '../src/check/pool.js';
import { defaultRegistry } from '../src/check/registry.js';
import { renderPropositionsDoc } from '../src/report/propositions.js';
import { writeAtomically } from '../src/cli-files.js';

const runs = defaultRegistry().runs.filter((r) => r.tags.group === 'propositions');
const results = await executeAll(runs, {}, { jobs: 2, registered: () => true });
const differing = results.filter((r) => r.differences.length > 0);
if (differing.length > 0) {
  process.stderr.write(`not as declared in check-manifest.json (pin first): ${differing.map((r) => r.run.id).join(', ')}\n`);
  process.exit(1);
}
writeAtomically(new URL('../docs/pr-propositions.md', import.meta.url), renderPropositionsDoc(results, loadManifest()));
