/**
 * npm run bench [-- --quick] [-- --large] [-- --repeat N] [-- --spin] [-- --check]
 *
 * The counter race of the benchmark (docs/performance.md: NP=3, K = 4, 6, 8) and the
 * largest dialog matrix cell (by states, from check-manifest.json), each with
 * one worker and with --workers 2, each in a fresh child process; before each
 * counter race, the reference: the minimal exploration issue 6 describes
 * (bench/minimal.ts), so that the engine's speed is also given relative to a
 * program measured on the same machine at the same time. Prints the machine,
 * then a table: distinct states, transitions, depth, wall time, states per
 * second, CPU time of the process (all threads) and states per CPU second
 * (the fairer figure when other processes share the cores), with --workers
 * the CPU time of each worker thread (the longest is the critical path: the
 * wall time to expect on idle cores), peak resident memory and bytes per
 * state (peak resident memory / states); then the ratios to the reference and
 * the speed-ups of --workers 2. The counter race K=8 (K=6 with --quick; not
 * K=10) is also run twice at once with one worker each, in two child
 * processes: how much more this host explores in two separate runs at once
 * than in one, the yardstick for --workers 2 (a host whose two cores share
 * one physical core, or a memory bus that other machines load, gives far
 * less than 2x).
 * With --large, also NP=3 K=10 with one worker: 35,792,623 states, past the
 * 2^24 entries where JavaScript's Map and Set stop (about 45 s and 1.3 GB).
 * With --spin, Spin's verifier on the same counter races (bench/spin.ts;
 * needs spin and gcc), each next to ours. With --check, a whole
 * `npm run check` (every registered run, two job processes) timed at the end:
 * wall time, and the CPU time of all its processes (on Linux), the figure a
 * busy machine moves least; then the same for the part of the check that
 * issue 11's 20 s figure was set for (FIGURE_SCOPE in measure.ts), in one
 * invocation.
 * The summary gives the largest dialog cell's states per CPU second as a
 * share of the largest counter race's, measured in this same run (with
 * --repeat, in the same round). With --repeat, each figure of the summary is
 * then given as its median over the rounds, with its least and greatest: the
 * figure to quote from a shared host, whose speed changes from one run to the
 * next.
 * Counts are reproducible; times are not (see the load average).
 */
import { Command, CommanderError } from 'commander';
import { fileURLToPath } from 'node:url';
import { loadManifest, runId } from '../src/check/dialog.js';
import { benchSummary, benchTable, checkLines, figureRuns, labelOf, machineInfo, measure, measureTogether, selectingArgs, timeCli, TOGETHER, type BenchConfig, type BenchResult } from './measure.js';
import { measureSpin, spinAvailable } from './spin.js';

const cli = new Command('bench')
  .description('time the counter race and the largest dialog matrix cell (docs/performance.md)')
  .option('--quick', 'only K = 4 and 6')
  .option('--large', 'also NP=3 K=10 (35.8 million states, about 45 s and 1.3 GB)')
  .option('--repeat <n>', 'run the whole sequence n times')
  .option('--spin', "Spin's verifier on the same counter races (needs spin, gcc and /usr/bin/time)")
  .option('--check', 'time a whole npm run check at the end')
  .exitOverride()
  .configureOutput({ writeErr: () => {}, outputError: () => {} });
let flags: { quick?: boolean; large?: boolean; repeat?: string; spin?: boolean; check?: boolean };
try {
  flags = cli.parse(process.argv.slice(2), { from: 'user' }).opts();
} catch (e) {
  if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.help')) process.exit(0);
  process.stderr.write(`bench: ${(e as Error).message.replace(/^error: /, '').split('\n')[0]}; expected: --quick, --large, --repeat N, --spin, --check\n`);
  process.exit(2);
}
const quick = flags.quick === true;
const large = flags.large === true;
if (flags.repeat !== undefined && !/^[1-9]\d*$/.test(flags.repeat)) {
  process.stderr.write(`bench: --repeat expects a positive integer, got '${flags.repeat}'\n`);
  process.exit(2);
}
const repeat = flags.repeat === undefined ? 1 : Number(flags.repeat);
const spin = flags.spin === true;
const timeCheck = flags.check === true;
if (spin && !spinAvailable()) {
  process.stderr.write('bench: --spin needs spin, gcc and /usr/bin/time (apt-get install -y spin gcc time)\n');
  process.exit(2);
}

const biggest = [...loadManifest().runs].sort((a, b) => b.states - a.states)[0];
const dialog = runId(biggest.scenario, biggest.env, biggest.variant);
const counters = quick ? ['4', '6'] : ['4', '6', '8'];
const configs: BenchConfig[] = [];
for (const K of counters) {
  const params = { NP: '3', K };
  configs.push({ reference: 'minimal', params, workers: 1 }, { model: 'counter-race', params, workers: 1 }, { model: 'counter-race', params, workers: 2 });
  // The largest of these (not --large's K=10): also twice at once with one worker each (what the host gives two separate runs).
  if (K === counters.at(-1)) configs.push({ model: 'counter-race', params, workers: 1, together: true });
  if (spin) configs.push({ reference: 'spin', params, workers: 1 });
}
configs.push({ run: dialog, workers: 1 }, { run: dialog, workers: 2 });
if (large) configs.push({ model: 'counter-race', params: { NP: '3', K: '10' }, workers: 1 });

process.stdout.write(`${machineInfo()}\n`);
const results: BenchResult[] = [];
// With --repeat, the whole sequence again: each reference stays next to the engine runs it is compared with.
for (let i = 0; i < repeat; i++) {
  for (const c of configs) {
    process.stderr.write(`bench: ${labelOf(c)}${c.reference ? '' : ` --workers ${c.workers}`}${c.together ? TOGETHER : ''}${repeat > 1 ? ` (${i + 1}/${repeat})` : ''}\n`);
    if (c.together) results.push(...(await measureTogether(c)));
    else results.push(c.reference === 'spin' ? measureSpin(Number(c.params!.NP), Number(c.params!.K)) : await measure(c));
  }
}
const lines = [benchSummary(results)];
if (timeCheck) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write('bench: npm run check (every registered run)\n');
  const whole = timeCli(root, []);
  const selections = figureRuns(root);
  const counts = selections.map((ids) => ids.length);
  process.stderr.write(`bench: npm run check, the part the 20 s figure was set for (${counts.join(' + ')} runs, one invocation)\n`);
  lines.push(...checkLines(whole, counts, timeCli(root, selectingArgs(selections.flat()))));
}
process.stdout.write(`\n${benchTable(results)}\n\n${lines.filter((l) => l !== '').join('\n')}\n\n${machineInfo()}\n`);
