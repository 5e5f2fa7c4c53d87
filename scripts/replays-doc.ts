/** Regenerates docs/pr-replays.md: every trace in traces/ replayed as written and under the PR's assumptions. */
import { writeFileSync } from 'node:fs';
import { replaysMarkdown } from '../src/report/replay.js';

writeFileSync(new URL('../docs/pr-replays.md', import.meta.url), replaysMarkdown());
