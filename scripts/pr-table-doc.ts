/** Regenerates docs/pr-table.md from check-manifest.json. */
import { loadManifest } from '../src/check/dialog.js';
import { prTableMarkdown } from '../src/report/pr-table.js';
import { writeAtomically } from '../src/cli-files.js';

writeAtomically(new URL('../docs/pr-table.md', import.meta.url), prTableMarkdown(loadManifest()));
