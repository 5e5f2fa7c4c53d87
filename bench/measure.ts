/**
 * The benchmark's parts (bench/run.ts): what one configuration is, running it
 * in a fresh child process (so that peak resident memory is that run's own),
 * and the table. A child prints one JSON line with its figures.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { adHocRun, defaultRegistry, findModel, MODELS, parseParams } from '../src/check/registry.js';
import { executeWith, type RunSpec } from '../src/check/run.js';
import { statCpuMs } from '../src/engine/proc-stat.js';
import { renderTable } from '../src/format/text.js';
import { minimalCounterRace } from './minimal.js';

export interface BenchConfig {
  /** A table model and its parameters, or a registered run id (the dialog cells). */
  readonly model?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly run?: string;
  /** Or a reference: the minimal exploration of the counter race (bench/minimal.ts), or Spin's verifier (bench/spin.ts), with params NP and K. */
  readonly reference?: 'minimal' | 'spin';
  readonly workers: number;
  /** bench/run.ts: measure it twice at once (measureTogether) instead of once. */
  readonly together?: boolean;
}

export interface BenchResult {
  readonly label: string;
  readonly workers: number;
  readonly status: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Wall-clock time of the exploration. */
  readonly timeMs: number;
  /** CPU time of the whole child process (every thread) during the exploration. */
  readonly cpuMs: number;
  /** Peak resident memory of the child process. */
  readonly peakBytes: number;
  /** With several workers: each worker thread's CPU time after loading the model (its longest is the critical path). */
  readonly threadCpuMs?: readonly number[];
}

export const labelOf = (c: BenchConfig): string =>
  c.run ?? `${c.reference !== undefined ? `reference: ${c.reference} counter-race` : c.model}(${Object.entries(c.params ?? {}).map(([k, v]) => `${k}=${v}`).join(',')})`;

function runOf(c: BenchConfig): RunSpec {
  const registry = defaultRegistry();
  if (c.run !== undefined) {
    const r = registry.runs.find((x) => x.id === c.run);
    if (r === undefined) throw new Error(`bench: no registered run '${c.run}'`);
    return r;
  }
  const def = findModel(MODELS, c.model!);
  return adHocRun(registry, def, parseParams(def, Object.entries(c.params ?? {})));
}

/** In the child: runs the configuration and returns its figures. */
export async function measureHere(c: BenchConfig): Promise<BenchResult> {
  if (c.reference === 'minimal') {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const r = minimalCounterRace(Number(c.params?.NP ?? 3), Number(c.params?.K ?? 4));
    const cpu = process.cpuUsage(cpu0);
    const timeMs = performance.now() - t0;
    return { label: labelOf(c), workers: 1, status: '-', ...r, timeMs, cpuMs: (cpu.user + cpu.system) / 1000, peakBytes: process.resourceUsage().maxRSS * 1024 };
  }
  const run = runOf(c);
  const cpu0 = process.cpuUsage();
  const r = await executeWith(run, {}, c.workers);
  const cpu = process.cpuUsage(cpu0);
  const s = r.outcome.stats;
  return {
    label: labelOf(c),
    workers: c.workers,
    status: r.outcome.status + (r.differences.length > 0 ? ' (not as declared)' : ''),
    states: s.states,
    transitions: s.transitions,
    depth: s.depth,
    timeMs: s.timeMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * Two fresh child processes of the same one-worker configuration at the same
 * time: what this host gives two explorations at once (a shared core, a
 * shared memory bus), against which `--workers 2` (one exploration split in
 * two, each thread with half the table) is measured. Each child times its own
 * exploration, and the two start a few milliseconds apart, so they overlap a
 * little less than wholly: the figure is a little better than the host's.
 * If one fails, the other is left to end on its own.
 */
export async function measureTogether(c: BenchConfig): Promise<BenchResult[]> {
  const both = await Promise.all([measure(c), measure(c)]);
  return both.map((r) => ({ ...r, label: `${r.label}${TOGETHER}` }));
}

/** The label's suffix of a run measured together with another (measureTogether). */
export const TOGETHER = ', two at once';

/** Runs the configuration in a fresh child process. */
export function measure(c: BenchConfig): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CHECKER_THREAD_CPU: '1' };
    execFile(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(c)], { maxBuffer: 1 << 20, env }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`bench child failed: ${err.message}\n${stderr}`));
      try {
        const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as BenchResult;
        const threads = /^thread-cpu-ms (.*)$/m.exec(stderr);
        resolve(threads ? { ...r, threadCpuMs: JSON.parse(threads[1]) as number[] } : r);
      } catch {
        reject(new Error(`bench child printed no result: ${stdout}\n${stderr}`));
      }
    });
  });
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** The table: one row per result. */
export function benchTable(results: readonly BenchResult[]): string {
  return renderTable(
    [
      { header: 'configuration' },
      { header: 'workers', align: 'right' },
      { header: 'status' },
      { header: 'states', align: 'right' },
      { header: 'transitions', align: 'right' },
      { header: 'depth', align: 'right' },
      { header: 'time s', align: 'right' },
      { header: 'states/s', align: 'right' },
      { header: 'cpu s', align: 'right' },
      { header: 'states/cpu-s', align: 'right' },
      { header: 'thread cpu s', align: 'right' },
      { header: 'peak MB', align: 'right' },
      { header: 'B/state', align: 'right' },
    ],
    results.map((r) => [
      r.label,
      String(r.workers),
      r.status,
      int(r.states),
      int(r.transitions),
      String(r.depth),
      (r.timeMs / 1000).toFixed(2),
      int(r.timeMs > 0 ? (r.states * 1000) / r.timeMs : 0),
      (r.cpuMs / 1000).toFixed(2),
      int(r.cpuMs > 0 ? (r.states * 1000) / r.cpuMs : 0),
      r.threadCpuMs ? r.threadCpuMs.map((ms) => (ms / 1000).toFixed(1)).join('+') : '-',
      (r.peakBytes / 2 ** 20).toFixed(0),
      int(r.states > 0 ? r.peakBytes / r.states : 0),
    ]),
  );
}

/**
 * The CPU time of this process's finished children and their own finished
 * children (Linux: cutime + cstime of /proc/self/stat, in clock ticks of
 * 10 ms); NaN elsewhere. Its difference over a child's run is the CPU that
 * run took in all its processes (npm run check's job processes included).
 */
export const childrenCpuMs = (): number => statCpuMs('/proc/self/stat', 16);

export function machineInfo(): string {
  const c = cpus();
  return `machine: ${c[0]?.model ?? 'unknown cpu'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
}

const statesPerCpuSecond = (r: BenchResult): number => (r.cpuMs > 0 ? (r.states * 1000) / r.cpuMs : 0);

/**
 * Lines under the table: for each counter race measured with the reference,
 * the engine's states per CPU second relative to the minimal exploration's
 * (both measured in this run, so the machine's speed cancels out), and for
 * each configuration measured with 1 and 2 workers, the wall-clock speed-up
 * (and, when it was also measured twice at once, what two separate runs get);
 * with --repeat, round by round (the n-th reference with the n-th engine run),
 * then each figure's median over the rounds, with its least and greatest: on
 * a shared host, whose speed changes between one run and the next, the
 * figure to quote.
 */
export function benchSummary(results: readonly BenchResult[]): string {
  const lines: string[] = [];
  /** The n-th result (0-based) with this label and number of workers: with --repeat, the n-th round. */
  const nth = (label: string, workers: number, n: number) => results.filter((r) => r.label === label && r.workers === workers)[n];
  const round = (r: BenchResult) => results.filter((q) => q.label === r.label && q.workers === r.workers).indexOf(r);
  /** Each figure's values, round by round, in the order first given (for the medians). */
  const figures = new Map<string, { values: number[]; show: (v: number) => string }>();
  const figure = (name: string, value: number, show: (v: number) => string): void => {
    const f = figures.get(name) ?? { values: [], show };
    f.values.push(value);
    figures.set(name, f);
  };
  const times = (v: number) => `${v.toFixed(2)}x`;
  const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
  for (const ref of results.filter((r) => r.label.startsWith('reference: minimal '))) {
    const engine = nth(ref.label.slice('reference: minimal '.length), 1, round(ref));
    if (engine === undefined) continue;
    const ratio = statesPerCpuSecond(engine) / statesPerCpuSecond(ref);
    figure(`${engine.label}: states per CPU second against the minimal exploration's`, ratio, times);
    lines.push(`${engine.label}: the engine explores ${ratio.toFixed(2)}x as many states per CPU second as the minimal exploration (${int(statesPerCpuSecond(engine))} vs ${int(statesPerCpuSecond(ref))})`);
  }
  for (const spin of results.filter((r) => r.label.startsWith('spin '))) {
    const engine = nth(spin.label.slice('spin '.length), 1, round(spin));
    if (engine === undefined) continue;
    figure(`${engine.label}: Spin's pan's CPU time against the engine's`, spin.cpuMs / engine.cpuMs, times);
    lines.push(
      `${engine.label}: Spin's pan takes ${(spin.cpuMs / 1000).toFixed(2)} CPU s (${(spin.timeMs / 1000).toFixed(2)} s wall), the engine ${(engine.cpuMs / 1000).toFixed(2)} CPU s (${(engine.timeMs / 1000).toFixed(2)} s wall): ${(spin.cpuMs / engine.cpuMs).toFixed(2)}x in CPU time, ${(spin.timeMs / engine.timeMs).toFixed(2)}x in wall time`,
    );
  }
  for (const two of results.filter((r) => r.workers === 2)) {
    const one = nth(two.label, 1, round(two));
    if (one === undefined) continue;
    figure(`${two.label}: --workers 2's speed-up`, one.timeMs / two.timeMs, times);
    lines.push(`${two.label}: --workers 2 takes ${(two.timeMs / 1000).toFixed(2)} s against ${(one.timeMs / 1000).toFixed(2)} s with one, a speed-up of ${(one.timeMs / two.timeMs).toFixed(2)}x (wall clock)`);
    // The same configuration run twice at once, in this round: what the host gives two separate runs.
    const label = `${two.label}${TOGETHER}`;
    const pair = [nth(label, 1, 2 * round(two)), nth(label, 1, 2 * round(two) + 1)];
    if (pair[0] === undefined || pair[1] === undefined) continue;
    const slower = Math.max(pair[0].timeMs, pair[1].timeMs);
    const limit = (2 * one.timeMs) / slower;
    figure(`${two.label}: two separate one-worker runs at once`, limit, times);
    lines.push(
      `${two.label}: two one-worker runs at once take ${(pair[0].timeMs / 1000).toFixed(2)} s and ${(pair[1].timeMs / 1000).toFixed(2)} s against ${(one.timeMs / 1000).toFixed(2)} s alone: ` +
        `this host gets ${limit.toFixed(2)}x one run's throughput from two separate runs at once, and --workers 2 got ${((one.timeMs / two.timeMs / limit) * 100).toFixed(0)}% of that`,
    );
  }
  // The dialog model against the counter race, both with one worker in the same round: the share of its speed.
  const counters = results.filter((r) => r.workers === 1 && r.label.startsWith('counter-race(') && !r.label.endsWith(TOGETHER));
  const largest = counters.reduce<BenchResult | undefined>((a, r) => (a === undefined || r.states > a.states ? r : a), undefined);
  for (const d of results.filter((r) => r.workers === 1 && r.label.startsWith('dialog/'))) {
    const counter = largest && nth(largest.label, 1, round(d));
    if (counter === undefined) continue;
    const share = statesPerCpuSecond(d) / statesPerCpuSecond(counter);
    figure(`${d.label}: states per CPU second as a share of ${counter.label}'s`, share, percent);
    lines.push(`${d.label}: ${int(statesPerCpuSecond(d))} states per CPU second, ${(share * 100).toFixed(1)}% of ${counter.label}'s ${int(statesPerCpuSecond(counter))}`);
  }
  for (const [name, { values, show }] of figures) {
    if (values.length < 2) continue;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    lines.push(`${name}, median of ${values.length} rounds: ${show(median)} (from ${show(sorted[0])} to ${show(sorted.at(-1)!)})`);
  }
  return lines.join('\n');
}

/**
 * The part of `npm run check` that issue 11 set its 20 s figure for: what the
 * check ran then (the PR's six variants on the 13 scenarios of one dialog,
 * the proposition searches, the examples), with the rows that issue added
 * (240 runs, 61 searches, 6 examples today). The check has since grown (the
 * fix variants, the models of several dialogs), so the bench times this part
 * on its own too: the runs these three selections give (figureRuns), in one
 * invocation of the CLI, as `npm run check` runs them.
 */
export const FIGURE_SCOPE: readonly (readonly string[])[] = [
  [
    '--group',
    'dialog',
    ...[
      'bye-vs-timeout-B',
      'bye-vs-timeout-B-base',
      'bye-vs-timeout',
      'two-byes-vs-timeout',
      'pr-bye-first',
      'pr-timer-first',
      'pr-timer-reads-first',
      'ok-short-lifetime',
      'route-vs-update',
      'route-rearm',
      'replicated-delete',
      'ping-timeout',
      'drop-after-sync',
    ].flatMap((s) => ['--scenario', s]),
    ...['orig', 'v1-part1', 'v1-part2', 'v1-both', 'v2', 'v3'].flatMap((v) => ['--variant', v]),
  ],
  ['--group', 'propositions'],
  ['--group', 'examples'],
];

/** One timed invocation of the CLI: its wall and CPU time (all its processes), exit code and the count of its summary line. */
export interface CliTime {
  readonly ms: number;
  readonly cpuMs: number;
  readonly code: number;
  /** The runs its summary line counts ("N runs, ..."), or undefined without one. */
  readonly runs?: number;
}

/** Runs the CLI (`node --import tsx src/cli.ts ...args --no-timing` in `root`) and times it. */
export function timeCli(root: string, args: readonly string[]): CliTime {
  const t0 = performance.now();
  const cpu0 = childrenCpuMs();
  let code = 0;
  let stdout = '';
  try {
    stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--no-timing'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (e) {
    code = (e as { status?: number }).status ?? -1;
    stdout = String((e as { stdout?: string }).stdout ?? '');
  }
  const runs = /^(\d+) runs?, /m.exec(stdout);
  return { ms: performance.now() - t0, cpuMs: childrenCpuMs() - cpu0, code, ...(runs ? { runs: Number(runs[1]) } : {}) };
}

/** The ids of the runs `check --list ...args` selects (run in `root`), in its order. */
export function listedRuns(root: string, args: readonly string[]): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check', '--list', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const heading = /^registered runs selected \((\d+) of \d+\):$/m.exec(out);
  if (heading === null) throw new Error(`check --list ${args.join(' ')}: no list of the runs selected`);
  // After the heading, a header line ("run  tags"), then one run per line: its id (no spaces), then its tags.
  const ids = out.slice(heading.index).split('\n').slice(2).map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter((id): id is string => id !== undefined);
  if (ids.length !== Number(heading[1])) throw new Error(`check --list ${args.join(' ')}: read ${ids.length} run ids where its heading says ${heading[1]}`);
  return ids;
}

/** The runs of each of FIGURE_SCOPE's selections (240, 61 and 6 today). */
export const figureRuns = (root: string): string[][] => FIGURE_SCOPE.map((args) => listedRuns(root, args));

/** The arguments that select exactly these runs in one invocation (`--filter id=...`, repeated: the values of one tag are alternatives). */
export const selectingArgs = (ids: readonly string[]): string[] => ids.flatMap((id) => ['--filter', `id=${id}`]);

/**
 * The bench's lines for the whole check and for the part the 20 s figure was
 * set for: `part`, one invocation running the runs of FIGURE_SCOPE's
 * selections, `counts` of them.
 */
export function checkLines(whole: CliTime, counts: readonly number[], part: CliTime): string[] {
  const cpu = (t: { cpuMs: number }) => (Number.isNaN(t.cpuMs) ? '' : `, ${(t.cpuMs / 1000).toFixed(1)} CPU s`);
  const ran = part.runs === undefined ? '' : `; its summary counts ${part.runs}`;
  return [
    `npm run check: ${(whole.ms / 1000).toFixed(1)} s wall${cpu(whole)} (exit ${whole.code}; two job processes)`,
    `npm run check, the part the 20 s figure was set for (${counts.join(' + ')} runs: the PR's variants on one dialog, the proposition searches, the examples; one invocation): ` +
      `${(part.ms / 1000).toFixed(1)} s wall${cpu(part)} (exit ${part.code}${ran})`,
  ];
}
