/** Regenerates docs/pr-replays.md: every trace in traces/ replayed as written and under the PR's assumptions. */
import { replaysMarkdown } from '../src/report/replay.js';
import { writeAtomically } from '../src/cli-files.js';

writeAtomically(new URL('../docs/pr-replays.md', import.meta.url), replaysMarkdown());
