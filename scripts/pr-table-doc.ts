/** Regenerates docs/pr-table.md from check-manifest.json. */
import { writeFileSync } from 'node:fs';
import { loadManifest } from '../src/check/dialog.js';
import { prTableMarkdown } from '../src/report/pr-table.js';

writeFileSync(new URL('../docs/pr-table.md', import.meta.url), prTableMarkdown(loadManifest()));
