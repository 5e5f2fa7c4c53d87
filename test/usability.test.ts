/**
 * What a new user hit (issue 16), each reproduced as the user ran it and
 * pinned: exact exit codes and first lines. Each of these failed before its
 * fix.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess, ROOT, spawnCli } from './helpers/cli.js';
import { executeAll } from '../src/check/pool.js';
import { defaultRegistry } from '../src/check/registry.js';
import type { Progress } from '../src/engine/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'usability-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A Node stack frame, as an unhandled error prints it. */
const STACK = /^\s+at /m;

/** Spawns the CLI with stdout piped into a reader that closes its end before anything is written. */
function closedReader(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** `CMD | head -3` in a shell: the CLI's own exit status (PIPESTATUS) and stderr. */
function throughHead(args: string): Promise<{ status: string; head: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `node --import tsx src/cli.ts ${args} | head -3; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', () => {
      const m = /status=(\d+)\n$/.exec(stderr);
      resolve({ status: m?.[1] ?? '?', head: stdout, stderr: stderr.replace(/status=\d+\n$/, '') });
    });
  });
}

describe('--workers is capped at 4 threads per core', () => {
  const max = availableParallelism() * 4;
  it(`--workers ${max + 1} is a usage error naming the cap (was: minutes and gigabytes)`, async () => {
    const t = await inProcess(['--model', 'peterson', '--workers', String(max + 1)]);
    const cores = availableParallelism();
    expect(t).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --workers ${max + 1} is more than this machine can use: at most ${max} (4 per core, ${cores} core${cores === 1 ? '' : 's'})\n`,
    });
  });

  it('--workers 999 as a process: exit 2 at once', async () => {
    const t = await spawnCli(['--model', 'peterson', '--workers', '999']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^error: --workers 999 is more than this machine can use: at most \d+ \(4 per core, \d+ cores?\)\n$/);
  });
});

describe('--jobs is capped as --workers is (check, --verify and rootcause)', () => {
  const cores = availableParallelism();
  const max = cores * 4;
  const message = `error: --jobs ${max + 1} is more than this machine can use: at most ${max} (4 per core, ${cores} core${cores === 1 ? '' : 's'})\n`;
  it(`check --jobs ${max + 1}: exit 2 naming the cap, nothing run (was: ${max + 1} job processes)`, async () => {
    expect(await inProcess(['--scenario', 'bye-vs-timeout', '--jobs', String(max + 1)])).toEqual({ code: 2, stdout: '', stderr: message });
  });
  it(`check --verify B --jobs ${max + 1}: the same line, before the bundle is read`, async () => {
    expect(await inProcess(['--verify', 'no-such-bundle.json', '--jobs', String(max + 1)])).toEqual({ code: 2, stdout: '', stderr: message });
  });
  it(`check --list --jobs ${max + 1}: the same line (the flags are read before the selection)`, async () => {
    expect(await inProcess(['--list', '--jobs', String(max + 1)])).toEqual({ code: 2, stdout: '', stderr: message });
  });
  it(`check --jobs ${max} is accepted`, async () => {
    const t = await inProcess(['--model', 'peterson', '--jobs', String(max)]);
    expect([t.code, t.stderr]).toEqual([0, '']);
  });
});

describe('a reader that closes stdout early (| head) is not an error', () => {
  it('--list into a closed pipe: exit 0, nothing on stderr (was: an EPIPE stack trace, exit 1)', async () => {
    const t = await closedReader(['--list']);
    expect(t).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('--json into a closed pipe: the exit status of the check (0, as declared), no stack', async () => {
    const t = await closedReader(['--model', 'peterson', '--json']);
    expect(t).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('a run not as declared into a closed pipe keeps its exit status 1 and its line on stderr', async () => {
    const t = await closedReader(['--model', 'two-phase', '-p', 'RM=2,buggy=true', '--json', '--no-timing']);
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('1 run, 1 not as declared: two-phase(RM=2,buggy=true)\n');
  });

  it('npm run check -- --list | head -3: three lines, status 0, no stack', async () => {
    const t = await throughHead('--list');
    expect(t.head.split('\n')[0]).toBe('models (check --model NAME -p K=V):');
    expect(t.status).toBe('0');
    expect(t.stderr).not.toMatch(STACK);
    expect(t.stderr).toBe('');
  });
});

describe('replay: a malformed entry is a usage error naming it', () => {
  const trace = (steps: unknown[]) => {
    const file = join(tmp, `trace-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ name: 'x', scenario: 'bye-vs-timeout-B-base', variant: 'orig', env: { lock: 'fast-lock', memory: 'sc', eintr: 0 }, steps }));
    return file;
  };

  it('an unknown step id (was: exit 0 with "T0.TL+ is not enabled")', async () => {
    const file = trace([{ actor: 'T', step: 'T99' }]);
    const t = await inProcess(['replay', file]);
    expect(t).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${file}: steps[0]: actor T has no step 'T99' in scenario bye-vs-timeout-B-base (in any variant); its steps: T0, T1r, T1w, T2, T5a, T5b, T5c, T5d, T6, T6N, T7w, T7l, T2', T4r, T5r, T5n, T5w, T5l\n`,
    });
  });

  it("a missing actor (was: \"unknown actor 'undefined'\")", async () => {
    const file = trace([{ actor: 'T', step: 'T0' }, { step: 'W1' }]);
    expect(await inProcess(['replay', file])).toEqual({ code: 2, stdout: '', stderr: `error: ${file}: steps[1]: 'actor' is missing; this scenario has: W, T, B1, B2, I\n` });
  });

  it('a step of the actor that this variant does not reach is still a replay verdict (exit 0)', async () => {
    // W's steps of PR #3836's versions exist in the scenario's other variants: the replay says where W stops.
    const t = await inProcess(['replay', '--code-only', join(ROOT, 'traces/TR-1.json')]);
    expect(t.code).toBe(0);
  });
});

describe('--progress shows live progress with the default --jobs 2', () => {
  it('one ad-hoc run (the README example): progress lines on stderr while it runs, then its result', { timeout: 120_000 }, async () => {
    // (--json: no shortest trace to choose after the exploration, so the run is about the exploration's 3 s.)
    const t = await spawnCli(['--model', 'counter-race', '-p', 'NP=3,K=7', '--progress', '--json', '--no-timing']);
    expect(t.code).toBe(0);
    const lines = t.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^counter-race\(NP=3,K=7\): [\d,]+ states, depth \d+, queue [\d,]+, [\d,]+ states\/s, \d+\.\d s$/);
    expect(lines.at(-1)).toMatch(/^\[1\/1\] counter-race\(NP=3,K=7\): violation, \d+ states$/);
  });

  it('registered runs in job processes send their progress back', { timeout: 120_000 }, async () => {
    const runs = defaultRegistry().runs.filter((r) => r.tags.model === 'peterson');
    const seen: [string, Progress][] = [];
    const results = await executeAll(runs, { progressIntervalMs: 0 }, { jobs: 2, registered: () => true, onProgress: (r, p) => seen.push([r.id, p]) });
    expect(results.map((r) => r.outcome.stats.states)).toEqual([38, 98]);
    expect([...new Set(seen.map(([id]) => id))].sort()).toEqual(['peterson', 'peterson-buggy']);
    for (const [, p] of seen) expect(p.states).toBeGreaterThan(0);
  });
});

describe('the smaller things', () => {
  it('--memory-limit below what the process already uses is a usage error (was: a run stopped at one state)', async () => {
    const t = await spawnCli(['--model', 'peterson', '--memory-limit', '50']);
    expect(t.code).toBe(2);
    expect(t.stdout).toBe('');
    expect(t.stderr).toMatch(/^error: --memory-limit 50 is too low: this process already uses \d+ MB before exploring anything; give at least \d+ \(MB\)\n$/);
  });

  it('--version prints the version of package.json', async () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(await spawnCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('rootcause --time-limit 0.5 is accepted, as check accepts it', async () => {
    const t = await inProcess(['rootcause', '--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--time-limit', '0.5', '--json']);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toHaveLength(1);
    const bad = await inProcess(['rootcause', '--time-limit', 'soon']);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "error: --time-limit expects a positive number of seconds, got 'soon'\n" });
  });

  it('--model with --scenario names --scenario (was: it blamed --filter or --group)', async () => {
    expect(await inProcess(['--model', 'peterson', '--scenario', 'X'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --model runs one model ad hoc and cannot be combined with --scenario (which selects registered runs)\n',
    });
  });

  it('--list --model peterson lists that model, its parameters and its registered runs (was: everything)', async () => {
    const t = await inProcess(['--list', '--model', 'peterson']);
    expect(t).toEqual({
      code: 0,
      stderr: '',
      stdout: `model peterson: Peterson's mutual exclusion for two processes (buggy: turn written before flag)
  parameter  values       default  meaning
  buggy      true, false  false    swap the first two steps

this ad-hoc run: peterson; expected: every property holds

registered runs of peterson (check --filter model=peterson):
  run             tags
  peterson        group=examples model=peterson buggy=false
  peterson-buggy  group=examples model=peterson buggy=true
`,
    });
  });

  it('--list --group examples lists the runs selected and their models only', async () => {
    const t = await inProcess(['--list', '--group', 'examples']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('registered runs selected (6 of ');
    expect(t.stdout).not.toContain('dialog/');
  });

  it('--export svg over the size bound: exit 2, one line, no directory (was: an empty directory, exit 0)', { timeout: 120_000 }, async () => {
    const out = join(tmp, 'svg-out');
    const t = await spawnCli(['--model', 'counter-race', '-p', 'NP=3,K=2', '--export', 'svg', '--out', out]);
    expect(t).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: --export svg: nothing to write: counter-race_NP-3_K-2.NoLostUpdate.cex.svg: the counterexample graph has 3809 states, more than 2000; give --force to write it anyway (and 1 more file for the same reason)\n',
    });
    expect(existsSync(out)).toBe(false);
  });

  it('the README documents the exit codes of replay and rootcause', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('Exit codes of `replay`: `0` every file was replayed (whatever the verdicts');
    expect(readme).toContain('Exit codes of `rootcause`: `0` every search finished or stopped at its bound');
  });
});
