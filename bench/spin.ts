/**
 * Spin side by side (bench/run.ts --spin): the counter race of the benchmark
 * (test/fixtures/counter.pml, one d_step per step, so Spin stores exactly our
 * states) compiled as docs/cross-check.md shows (-O2, no partial-order
 * reduction, safety only) and run in a fresh process. The compile is not
 * timed; the run's CPU time (user + system, from /usr/bin/time) and wall
 * time are. Needs spin and gcc (apt-get install -y spin gcc).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './measure.js';

const PML = fileURLToPath(new URL('../test/fixtures/counter.pml', import.meta.url));

/** Whether spin, gcc and /usr/bin/time are on this machine. */
export function spinAvailable(): boolean {
  try {
    execFileSync('spin', ['-V'], { stdio: 'ignore' });
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    execFileSync('/usr/bin/time', ['true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Spin's pan on the counter race NP, K: states stored, transitions (stored + matched - 1, as we count), depth, times, peak memory. */
export function measureSpin(NP: number, K: number): BenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'bench-spin-'));
  try {
    copyFileSync(PML, join(dir, 'counter.pml'));
    execFileSync('spin', [`-DNP=${NP}`, `-DK=${K}`, '-a', 'counter.pml'], { cwd: dir, stdio: 'ignore' });
    execFileSync('gcc', ['-O2', '-w', '-DNOREDUCE', '-DSAFETY', '-o', 'pan', 'pan.c'], { cwd: dir, stdio: 'ignore' });
    const t0 = performance.now();
    // /usr/bin/time writes its line to stderr, after pan's own output on stdout: read both.
    const run = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', './pan', '-m100000', '-w26'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24 });
    const wall = performance.now() - t0;
    if (run.error !== undefined || !/TIME /.test(run.stderr)) throw new Error(run.error?.message ?? `pan exited with ${run.status}: ${run.stderr.trim().split('\n').at(-1)}`);
    return parsePan(`${run.stdout}\n${run.stderr}`, wall, NP, K);
  } catch (e) {
    throw new Error(`bench: Spin failed: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parsePan(text: string, wallMs: number, NP: number, K: number): BenchResult {
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? Number.NaN);
  const stored = num(/(\d+) states, stored/);
  const matched = num(/(\d+) states, matched/);
  const time = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(text);
  const elapsed = num(/elapsed time ([\d.e+-]+) seconds/);
  return {
    label: `spin counter-race(NP=${NP},K=${K})`,
    workers: 1,
    status: '-',
    states: stored,
    transitions: stored + matched - 1,
    // Spin counts the initial state at depth 0 and searches depth-first: its "depth reached" is no BFS depth.
    depth: Number.NaN,
    timeMs: Number.isNaN(wallMs) ? elapsed * 1000 : wallMs,
    cpuMs: time ? (Number(time[1]) + Number(time[2])) * 1000 : Number.NaN,
    peakBytes: time ? Number(time[3]) * 1024 : Number.NaN,
  };
}
