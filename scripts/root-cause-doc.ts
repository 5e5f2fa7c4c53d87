/**
 * Regenerates docs/root-cause.md: every scenario x every environment of
 * check-manifest.json, variant orig, each search without a bound: it ends
 * when both signatures (#3835's line, any 'bogus ref') were found
 * (breadth-first: shortest traces), or when every reachable state was
 * explored (none). Then the same search, without a bound too, for each
 * variant that the matrix's rows of only some variants leave out
 * (leftOutRequests). The searches run in `--jobs N` processes (default: one
 * per core); each is deterministic, so the page is the same on every machine
 * (unless a search meets the memory bound of its process, 80% of the memory
 * shared among the processes: it then says `unknown`).
 */
import { availableParallelism } from 'node:os';
import { loadManifest } from '../src/check/dialog.js';
import { UsageError } from '../src/check/registry.js';
import { perCore } from '../src/cli-args.js';
import { leftOutRequests, searchAll, sweepRequests } from '../src/check/rootcause.js';
import { leftOutAnswer, renderLeftOut, renderRootCause, workingLockAnswer } from '../src/report/rootcause.js';
import type { SweepCell } from '../src/check/rootcause.js';
import { SCENARIOS } from '../spec/dialog/scenarios.js';
import { writeAtomically } from '../src/cli-files.js';

/** One line on stderr per finished search. */
const progress = (c: SweepCell) =>
  process.stderr.write(`${c.scenario} ${c.env} ${c.variant}: ${c.status}/${c.anyBogus.status} (${c.states} states, ${Math.round(c.timeMs)} ms)\n`);

const args = process.argv.slice(2);
let jobs: number;
try {
  if (!(args.length === 0 || (args.length === 2 && args[0] === '--jobs'))) throw new UsageError(`expected no arguments or --jobs N, got '${args.join(' ')}'`);
  jobs = perCore('--jobs', args[1]) ?? availableParallelism();
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`root-cause-doc: ${e.message}\n`);
  process.exit(2);
}
const manifest = loadManifest();
const environments = manifest.environments;
const first = sweepRequests({ scenarios: SCENARIOS.map((s) => s.name), environments, variant: 'orig' });
const all = await searchAll([...first, ...leftOutRequests(manifest)], { jobs, onCell: progress });
const cells = all.slice(0, first.length);
const left = all.slice(first.length);
const leftOutSection = [
  '',
  '## The variants the matrix leaves out',
  '',
  'Five EINTR rows of the matrix run only the variants with fix 05 (check-manifest.json\'s `variants`; bye-vs-timeout-B,',
  "pr-timer-first and pr-timer-reads-first also v3, whose timer makes the transition itself: 161 million states, in the",
  'full tier): without the retry most of',
  "their cells are too large for the matrix (bye-vs-timeout-B's code as written passed 300 million states in 17 GB",
  'without finishing: docs/performance.md), so the matrix has no verdicts for their other variants. For each of those, the same',
  "breadth-first search as above answers the question of this page: a cell gives the length of the shortest trace to",
  "#3835's line and the step that printed it, and the length of the shortest to any 'bogus ref'.",
  "No search has a bound here either: each ends at #3835's line, or after every reachable state (`none`), or at the",
  'memory bound of its process (`unknown`, never `none`; 80% of the memory of the machine, shared among the processes that ran the searches).',
  '`npm run check -- rootcause --scenario S --env E --variant V --time-limit 600` prints a cell\'s trace (the command stops a search after 60 s unless told otherwise).',
  '',
  'The number in the line is the value LM_CRIT loads from `ref` (dlg_hash.h:330). `ref` is `volatile` (dlg_hash.h:136),',
  'so every build loads it again after the subtraction: for the test at 326, for the log at 330 and for the test at',
  "337, and so does the model (`.chk`, `.log`, `.chk0`). In some of these traces the printing",
  'process wrote another value itself and prints the -2 that another process wrote since (fix-bye in',
  'bye-vs-timeout-B: W wrote -1, then T wrote -2); in others the printing process computed -2 itself (v3 in',
  'bye-vs-timeout-B-shared-bucket: B1). In the table below a cell of the first kind says `(wrote N)`, N being what the printing',
  'process computed (its last read of `ref` in the trace minus cnt); so does the table of the first section.',
  '',
  "Where another process can write `ref` inside the section (an interrupted acquire, a stale pointer into reused",
  'memory), a write can land between the test and the log (the test sees -1, the log prints -2) or between the two',
  'tests; the model explores those orders, so a `none` in such a cell holds for every order of the three loads.',
  '',
  '',
];
const head = [
  "# Root cause: where the model reaches issue #3835's crash line",
  '',
  `**The answer.** ${workingLockAnswer(cells, environments).join(' ')} See the traces below and docs/dialog-results.md (finding 8):`,
  'the reuse scenarios free a dialog through a defect the model of one dialog already finds on a working lock',
  "(ok-short-lifetime's timer window, route-vs-update's on_timeout route window), a new call's dialog is built in the",
  "freed memory in another hash bucket, and a process still holding the old pointer takes the old bucket's lock",
  "(it read h_entry before the memory was reused) while the new dialog's own process takes the new bucket's lock: the",
  "stale process reads the new dialog's count before the new call links it (0), writes 0 - 1 = -1 over the 3 that",
  "link_dlg gave it (a lost update), and the new call's own `unref_dlg` (dialog_cleanup, dlg_hash.c:74) reads -1,",
  "writes -2 and prints `_unref_dlg: bogus ref -2 with cnt 1`. The printing process computed -2 itself: no other",
  "write between its own and its log is needed.",
  '',
  leftOutAnswer(left, environments),
  '',
  'Generated by `npx tsx scripts/root-cause-doc.ts`; the same search is `npm run check -- rootcause` (see `--help`).',
  "Issue #3835's title line is `CRITICAL:dialog:_unref_dlg: bogus ref -2 with cnt 1`: `unref_dlg_unsafe`, expanded in",
  "`_unref_dlg` (the name LM_CRIT prints; its expansions in `next_state_dlg` and `drop_dlg` print theirs), subtracted 1",
  "and its log loaded `ref` as -2 (dlg_hash.h:325-335, with H held): the count was already -1 (an update lost before), or a",
  "second decrement landed between this process's write and the log's load. The search looks for exactly that line.",
  'For every scenario and every environment of `check-manifest.json` (code as written, variant `orig`), one',
  'breadth-first search for a state where a process aborted printing that line, and for one where a process aborted',
  "with any 'bogus ref': `found` with the shortest trace to #3835's line (a cell also names the shortest other",
  "'bogus ref'), `none` when the search was exhaustive. No search has a bound but memory: each ends when it has found both or",
  "after every reachable state (or, `unknown`, at its process's share of the memory bound). A scenario of several cells has no cell under the PR's assumption (`-`).",
  "'canonical histories': the plain relaxed histories of that model are unbounded, and the search keeps one write per",
  'value (exact, fewer states). The matrix checks `NoCrash3835` in every cell, for every variant.',
  '',
  '',
];
writeAtomically(
  new URL('../docs/root-cause.md', import.meta.url),
  head.join('\n') + renderRootCause(cells, environments, true) + leftOutSection.join('\n') + renderLeftOut(left),
);
