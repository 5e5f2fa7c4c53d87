/** Regenerates docs/fixes.md from check-manifest.json, fixes/*.patch and the defects' shortest counterexamples (a few seconds). */
import { loadManifest } from '../src/check/dialog.js';
import { beforeCounterexamples } from '../src/check/fixes.js';
import { renderFixesDoc } from '../src/report/fixes.js';
import { writeAtomically } from '../src/cli-files.js';

const manifest = loadManifest();
writeAtomically(new URL('../docs/fixes.md', import.meta.url), renderFixesDoc(manifest, beforeCounterexamples(manifest)));
