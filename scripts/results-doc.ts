/** Regenerates the results part of docs/dialog-results.md from check-manifest.json. */
import { readFileSync } from 'node:fs';
import { loadManifest } from '../src/check/dialog.js';
import { withResults } from '../src/report/manifest-doc.js';
import { writeAtomically } from '../src/cli-files.js';

const path = new URL('../docs/dialog-results.md', import.meta.url);
writeAtomically(path, withResults(readFileSync(path, 'utf8'), loadManifest()));
