/** The benchmark's measuring and table code (bench/), on a tiny configuration in a child process. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchSummary, benchTable, checkLines, childrenCpuMs, figureRuns, listedRuns, machineInfo, measure, selectingArgs, timeCli } from '../bench/measure.js';
import { measureSpin, spinAvailable } from '../bench/spin.js';

describe('bench', () => {
  it.runIf(process.platform === 'linux')('counts the CPU time of a finished child and of its own children', () => {
    const before = childrenCpuMs();
    // A child that runs a grandchild, each busy for about 300 ms of CPU.
    const busy = 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000);';
    const r = spawnSync(process.execPath, ['-e', `${busy} require('child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(busy)}]);`]);
    expect(r.status).toBe(0);
    // At least both busy loops (the clock ticks are 10 ms).
    expect(childrenCpuMs() - before).toBeGreaterThanOrEqual(580);
  });

  it('measures a configuration in a child process and prints its row', { timeout: 120_000 }, async () => {
    const r = await measure({ model: 'counter-race', params: { NP: '3', K: '2' }, workers: 1 });
    expect(r).toMatchObject({ label: 'counter-race(NP=3,K=2)', workers: 1, status: 'violation', states: 5787, transitions: 15279, depth: 28 });
    expect(r.peakBytes).toBeGreaterThan(1 << 20);
    const lines = benchTable([r]).split('\n');
    expect(lines[0]).toMatch(/^configuration +workers +status +states +transitions +depth +time s +states\/s +cpu s +states\/cpu-s +thread cpu s +peak MB +B\/state$/);
    expect(lines[1]).toMatch(/^counter-race\(NP=3,K=2\) +1 +violation +5,787 +15,279 +28 /);
    expect(machineInfo()).toMatch(/^machine: .+, \d+ cores, .* node v\d+/);
  });

  it('measures the minimal reference exploration, and the engine relative to it', { timeout: 120_000 }, async () => {
    const ref = await measure({ reference: 'minimal', params: { NP: '3', K: '2' }, workers: 1 });
    // The reference explores the same state space (its own code: bench/minimal.ts).
    expect(ref).toMatchObject({ label: 'reference: minimal counter-race(NP=3,K=2)', states: 5787, transitions: 15279, depth: 28 });
    const engine = { ...ref, label: 'counter-race(NP=3,K=2)', status: 'violation', cpuMs: ref.cpuMs / 2 };
    const two = { ...engine, workers: 2, timeMs: engine.timeMs / 4 };
    const lines = benchSummary([ref, engine, two]).split('\n');
    expect(lines).toHaveLength(2);
    // With --repeat, round by round: the second reference is compared with the second engine run.
    const again = benchSummary([ref, engine, two, { ...ref, cpuMs: ref.cpuMs * 2 }, { ...engine }, { ...two }]).split('\n');
    expect(again.map((l) => l.match(/explores ([\d.]+)x/)?.[1])).toEqual(['2.00', '4.00', undefined, undefined, undefined, undefined]);
    // Then each figure's median over the rounds, with its least and greatest.
    expect(again.slice(4)).toEqual([
      "counter-race(NP=3,K=2): states per CPU second against the minimal exploration's, median of 2 rounds: 3.00x (from 2.00x to 4.00x)",
      "counter-race(NP=3,K=2): --workers 2's speed-up, median of 2 rounds: 4.00x (from 4.00x to 4.00x)",
    ]);
    expect(lines[0]).toMatch(/^counter-race\(NP=3,K=2\): the engine explores 2\.00x as many states per CPU second as the minimal exploration \([\d,]+ vs [\d,]+\)$/);
    expect(lines[1]).toMatch(/^counter-race\(NP=3,K=2\): --workers 2 takes [\d.]+ s against [\d.]+ s with one, a speed-up of 4\.00x \(wall clock\)$/);
  });

  it('compares the largest dialog cell with the largest counter race, and Spin with the engine, from the same run', () => {
    const base = { workers: 1, status: 'violation', transitions: 0, depth: 0, timeMs: 1000, peakBytes: 0 };
    const k4 = { ...base, label: 'counter-race(NP=3,K=4)', states: 100_000, cpuMs: 200 };
    const k6 = { ...base, label: 'counter-race(NP=3,K=6)', states: 1_000_000, cpuMs: 1000 };
    const cell = { ...base, label: 'dialog/x/fast-lock/sc/orig', states: 50_000, cpuMs: 500 };
    const spin = { ...base, label: 'spin counter-race(NP=3,K=6)', states: 1_000_000, cpuMs: 2500, timeMs: 3000 };
    const lines = benchSummary([k4, k6, spin, cell]).split('\n');
    expect(lines).toEqual([
      "counter-race(NP=3,K=6): Spin's pan takes 2.50 CPU s (3.00 s wall), the engine 1.00 CPU s (1.00 s wall): 2.50x in CPU time, 3.00x in wall time",
      "dialog/x/fast-lock/sc/orig: 100,000 states per CPU second, 10.0% of counter-race(NP=3,K=6)'s 1,000,000",
    ]);
  });

  it("gives what the host gets from two separate runs at once, from the two of the same round, and the share of it --workers 2 got", () => {
    const base = { status: 'violation', states: 1000, transitions: 0, depth: 0, cpuMs: 1, peakBytes: 0 };
    const round = (alone: number, two: number, a: number, b: number) => [
      { ...base, label: 'counter-race(NP=3,K=8)', workers: 1, timeMs: alone },
      { ...base, label: 'counter-race(NP=3,K=8)', workers: 2, timeMs: two },
      { ...base, label: 'counter-race(NP=3,K=8), two at once', workers: 1, timeMs: a },
      { ...base, label: 'counter-race(NP=3,K=8), two at once', workers: 1, timeMs: b },
    ];
    // A host that runs two at once as fast as one each, then one that slows both: 2c / the slower of the two.
    const lines = benchSummary([...round(5000, 3125, 5000, 4900), ...round(5500, 5000, 6050, 7750)]).split('\n');
    expect(lines).toEqual([
      'counter-race(NP=3,K=8): --workers 2 takes 3.13 s against 5.00 s with one, a speed-up of 1.60x (wall clock)',
      "counter-race(NP=3,K=8): two one-worker runs at once take 5.00 s and 4.90 s against 5.00 s alone: this host gets 2.00x one run's throughput from two separate runs at once, and --workers 2 got 80% of that",
      'counter-race(NP=3,K=8): --workers 2 takes 5.00 s against 5.50 s with one, a speed-up of 1.10x (wall clock)',
      "counter-race(NP=3,K=8): two one-worker runs at once take 6.05 s and 7.75 s against 5.50 s alone: this host gets 1.42x one run's throughput from two separate runs at once, and --workers 2 got 78% of that",
      "counter-race(NP=3,K=8): --workers 2's speed-up, median of 2 rounds: 1.35x (from 1.10x to 1.60x)",
      'counter-race(NP=3,K=8): two separate one-worker runs at once, median of 2 rounds: 1.71x (from 1.42x to 2.00x)',
    ]);
    // Three rounds: the middle value.
    const third = benchSummary([...round(5000, 3125, 5000, 4900), ...round(5500, 5000, 6050, 7750), ...round(5000, 2500, 5000, 5000)]).split('\n');
    expect(third.at(-2)).toBe("counter-race(NP=3,K=8): --workers 2's speed-up, median of 3 rounds: 1.60x (from 1.10x to 2.00x)");
    // The runs at once are not the counter race the dialog cell is compared with.
    const cell = { ...base, label: 'dialog/x/fast-lock/sc/orig', workers: 1, timeMs: 1, cpuMs: 10 };
    expect(benchSummary([{ ...round(5000, 3125, 5000, 4900)[0], cpuMs: 2 }, { ...round(5000, 3125, 5000, 4900)[2], states: 4000 }, cell]).split('\n').at(-1)).toBe(
      "dialog/x/fast-lock/sc/orig: 100,000 states per CPU second, 20.0% of counter-race(NP=3,K=8)'s 500,000",
    );
  });

  it("with --repeat, gives the dialog cell's share of the counter race's speed from the counter race of its own round", () => {
    const base = { workers: 1, status: 'violation', transitions: 0, depth: 0, timeMs: 1000, peakBytes: 0 };
    // The host is twice as slow in the second round: both runs there take twice the CPU time.
    const rounds = [1, 2].flatMap((slow) => [
      { ...base, label: 'counter-race(NP=3,K=8)', states: 1_000_000, cpuMs: 1000 * slow },
      { ...base, label: 'dialog/x/fast-lock/sc/orig', states: 200_000, cpuMs: 1000 * slow },
    ]);
    expect(benchSummary(rounds).split('\n')).toEqual([
      "dialog/x/fast-lock/sc/orig: 200,000 states per CPU second, 20.0% of counter-race(NP=3,K=8)'s 1,000,000",
      "dialog/x/fast-lock/sc/orig: 100,000 states per CPU second, 20.0% of counter-race(NP=3,K=8)'s 500,000",
      "dialog/x/fast-lock/sc/orig: states per CPU second as a share of counter-race(NP=3,K=8)'s, median of 2 rounds: 20.0% (from 20.0% to 20.0%)",
    ]);
  });

  it.each([
    [['--frob'], "bench: unknown option '--frob'; expected: --quick, --large, --repeat N, --spin, --check\n"],
    [['--repeat', 'x'], "bench: --repeat expects a positive integer, got 'x'\n"],
  ])('%j: one line on stderr, exit 2, nothing run', (args, line) => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: root, encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 2, stdout: '', stderr: line });
  });

  // .ci/run installs spin and time; on a machine without them the bench refuses --spin (exit 2).
  it.runIf(spinAvailable())("Spin's pan on the counter race NP=2 K=1: its counts and its CPU time, read from /usr/bin/time", { timeout: 120_000 }, () => {
    const r = measureSpin(2, 1);
    expect({ states: r.states, transitions: r.transitions }).toEqual({ states: 51, transitions: 82 });
    expect(Number.isFinite(r.cpuMs) && r.cpuMs >= 0).toBe(true);
    expect(r.peakBytes).toBeGreaterThan(1 << 20);
    expect(r.timeMs).toBeGreaterThan(0);
  });

  it('selects the part of the check the 20 s figure was set for: 240 runs, 61 searches, 6 examples, and all 307 in one invocation', { timeout: 120_000 }, () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const selections = figureRuns(root);
    expect(selections.map((ids) => ids.length)).toEqual([240, 61, 6]);
    expect(selections[2]).toEqual(['counter-race(NP=3,K=4)', 'counter-race(NP=2,K=1)', 'peterson', 'peterson-buggy', 'two-phase(RM=3)', 'two-phase-buggy(RM=3)']);
    expect(selections[0].every((id) => /^dialog\/[^/]+\/.+\/(orig|v1-part1|v1-part2|v1-both|v2|v3)$/.test(id))).toBe(true);
    expect(selections[1].every((id) => id.startsWith('proposition/'))).toBe(true);
    const all = selections.flat();
    expect(new Set(all).size).toBe(307);
    // The one invocation selects exactly these runs.
    expect(listedRuns(root, selectingArgs(all)).sort()).toEqual([...all].sort());
  });

  it('times one invocation of the CLI, with its exit code and the count of its summary line', { timeout: 120_000 }, () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const t = timeCli(root, ['--group', 'examples', '--filter', 'model=peterson']);
    expect({ code: t.code, runs: t.runs }).toEqual({ code: 0, runs: 2 });
    expect(t.ms).toBeGreaterThan(0);
    const bad = timeCli(root, ['--frob']);
    expect({ code: bad.code, runs: bad.runs }).toEqual({ code: 2, runs: undefined });
  });

  it("prints the whole check's time and the figure's part, one invocation", () => {
    const t = (ms: number, cpuMs: number, runs?: number, code = 0) => ({ ms, cpuMs, code, ...(runs === undefined ? {} : { runs }) });
    expect(checkLines(t(101_000, 197_600, 972), [240, 61, 6], t(22_350, 43_700, 307))).toEqual([
      'npm run check: 101.0 s wall, 197.6 CPU s (exit 0; two job processes)',
      "npm run check, the part the 20 s figure was set for (240 + 61 + 6 runs: the PR's variants on one dialog, the proposition searches, the examples; one invocation): 22.4 s wall, 43.7 CPU s (exit 0; its summary counts 307)",
    ]);
    expect(checkLines(t(1_000, NaN), [240, 61, 6], t(3_000, NaN, undefined, 2))[1]).toBe(
      "npm run check, the part the 20 s figure was set for (240 + 61 + 6 runs: the PR's variants on one dialog, the proposition searches, the examples; one invocation): 3.0 s wall (exit 2)",
    );
  });
});
