/** Regenerates docs/fixes.md from check-manifest.json, fixes/*.patch and the defects' shortest counterexamples (a few seconds). */
import { writeFileSync } from 'node:fs';
import { loadManifest } from '../src/check/dialog.js';
import { beforeCounterexamples } from '../src/check/fixes.js';
import { renderFixesDoc } from '../src/report/fixes.js';

const manifest = loadManifest();
writeFileSync(new URL('../docs/fixes.md', import.meta.url), renderFixesDoc(manifest, beforeCounterexamples(manifest)));
