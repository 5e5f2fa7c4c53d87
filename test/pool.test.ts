/**
 * The pool's job processes (src/check/pool.ts, worker.ts) do not outlive the
 * command that forked them: a `check` killed by a signal (SIGKILL, which it
 * cannot catch, included) leaves no exploration running on alone. And the
 * batches they take: a group of runs that may share explorations stays in one
 * batch, unless it alone costs more than a process's share.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dialogRuns, loadManifest } from '../src/check/dialog.js';
import { batchesOf, executeAll, inWorkers, jobV8Flags, lastJobEntry, lastJobFlags } from '../src/check/pool.js';
import { UsageError } from '../src/check/registry.js';
import type { Expectation, RunSpec } from '../src/check/run.js';
import type { Action, Model } from '../src/engine/index.js';
import { statFields } from '../src/engine/proc-stat.js';
import { inProcess } from './helpers/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The pids whose parent is `pid` (from /proc: Linux, as the project's CI; field 4 is the ppid). */
const childrenOf = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(statFields(`/proc/${name}/stat`)?.[1]) === pid)
    .map(Number);

/** Whether `pid` still runs (a zombie, ended but not yet reaped by its new parent, does not; field 3 is the state). */
const alive = (pid: number): boolean => {
  const state = statFields(`/proc/${pid}/stat`)?.[0];
  return state !== undefined && state !== 'Z';
};

it('the first job process to fail ends the others: its error, nothing more sent, the process still working killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pool-test-'));
  process.env.POOL_TEST_DIR = dir; // inherited by the job processes (the fixture's rendezvous)
  try {
    const replies: string[] = [];
    const started = performance.now();
    const worker = fileURLToPath(new URL('./fixtures/pool-worker.ts', import.meta.url));
    await expect(inWorkers(2, [{ id: 'hang' }, { id: 'die' }, { id: 'a' }, { id: 'b' }], (m: { id: string }) => replies.push(m.id), undefined, worker)).rejects.toThrow(
      'worker exited with code 3',
    );
    // 'die' was the second process's first message: no other message was sent, and 'hang' never answered.
    expect(replies).toEqual([]);
    // 'die' exits only once 'hang' has written its pid: the hanging process was working, and was killed, not waited for
    // (it would answer after a minute).
    const hanging = Number(readFileSync(join(dir, 'hang.pid'), 'utf8'));
    expect(hanging).toBeGreaterThan(0);
    for (let i = 0; i < 50 && alive(hanging); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(hanging)).toBe(false);
    expect(performance.now() - started).toBeLessThan(30_000);
  } finally {
    delete process.env.POOL_TEST_DIR;
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('job processes from a bundle (src/engine/worker-bundle.ts)', () => {
  /** A job module in a fresh folder: answers each message with whether it runs from a bundle (a .mjs file of the bundles' folder). */
  const answering = `const bundled = /dialog-race-checker-[^/]*\\/[0-9a-f]{32}\\.mjs$/.test(process.argv[1]);
process.on('message', (m: { id?: string; done?: boolean }) => {
  if (m.done) return void process.disconnect();
  process.send!({ id: m.id, bundled });
});
`;
  /**
   * Runs `source` as the job module of two processes given a, b and c; its bundles go to the test's own
   * folder (TMPDIR), not the user's. `look` sees the folder before it is removed, and what reached stderr.
   */
  async function jobs<R extends { id: string } = { id: string; bundled: boolean }>(
    source: string,
    env: Record<string, string | undefined> = {},
    look?: (dir: string, stderr: string) => void,
    ids = ['a', 'b', 'c'],
    n = 2,
  ): Promise<R[]> {
    const dir = mkdtempSync(join(tmpdir(), 'pool-bundle-'));
    env = { TMPDIR: dir, ...env };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    // A variable given as undefined is unset for the call.
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    const write = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
    try {
      writeFileSync(join(dir, 'job.ts'), source);
      const replies: R[] = [];
      try {
        await inWorkers(n, ids.map((id) => ({ id })), (m: R) => replies.push(m), undefined, join(dir, 'job.ts'));
      } finally {
        process.stderr.write = write;
        look?.(dir, stderr);
      }
      return replies.sort((x, y) => x.id.localeCompare(y.id));
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const each = (bundled: boolean) => ['a', 'b', 'c'].map((id) => ({ id, bundled }));

  it('start from a bundle of their module; CHECKER_WORKER_BUNDLE=0 starts them on tsx', { timeout: 60_000 }, async () => {
    expect(await jobs(answering)).toEqual(each(true));
    expect(lastJobEntry?.bundle).toBeDefined();
    expect(await jobs(answering, { CHECKER_WORKER_BUNDLE: '0' })).toEqual(each(false));
    expect(lastJobEntry).toEqual({ why: 'CHECKER_WORKER_BUNDLE=0' });
  });

  it("take V8's flags for them (jobV8Flags), from a bundle and on tsx", { timeout: 60_000 }, async () => {
    const flagging = `process.on('message', (m: { id?: string; done?: boolean }) => {
  if (m.done) return void process.disconnect();
  process.send!({ id: m.id, flags: process.execArgv.filter((a) => a.startsWith('--single')) });
});
`;
    const flagsOf = async (bundle: string, single: string | undefined): Promise<string[][]> =>
      (await jobs<{ id: string; flags: string[] }>(flagging, { CHECKER_WORKER_BUNDLE: bundle, CHECKER_JOB_SINGLE_THREADED: single }, undefined, ['a', 'b'])).map((r) => r.flags);
    for (const bundle of ['require', '0']) {
      expect(await flagsOf(bundle, '1')).toEqual([['--single-threaded'], ['--single-threaded']]);
      expect(lastJobFlags).toEqual(['--single-threaded']);
      expect(await flagsOf(bundle, '0')).toEqual([[], []]);
      const auto = availableParallelism() <= 2 ? ['--single-threaded'] : [];
      expect(await flagsOf(bundle, undefined)).toEqual([auto, auto]);
    }
  });

  it('a bundle that builds but fails to load: each of its processes starts again on tsx with the message it had, each message answered once, what it printed dropped', { timeout: 60_000 }, async () => {
    const failing = `${answering}if (bundled) throw new Error('run from a bundle');\n`;
    let printed: string | undefined;
    expect(await jobs(failing, {}, (_, stderr) => (printed = stderr))).toEqual(each(false));
    expect(lastJobEntry?.bundle).toBeDefined();
    expect(printed).toBe('');
    // With CHECKER_WORKER_BUNDLE=require, not: the error says so, and what the process printed is shown.
    await expect(jobs(failing, { CHECKER_WORKER_BUNDLE: 'require' }, (_, stderr) => (printed = stderr))).rejects.toThrow(
      /^a job process of the bundle .*\.mjs exited with code 1 before its module was loaded \(CHECKER_WORKER_BUNDLE=require\)$/,
    );
    expect(printed).toContain('Error: run from a bundle');
  });

  it('a job process of a bundle that fails once loaded is not started again', { timeout: 60_000 }, async () => {
    // Each start of the module adds a line to 'starts' beside it (its own import.meta.url, also in the bundle).
    const dying = `import { appendFileSync } from 'node:fs';
appendFileSync(new URL('./starts', import.meta.url), 'start\\n');
process.on('message', () => process.exit(3));
`;
    let starts = '';
    await expect(jobs(dying, {}, (dir) => (starts = readFileSync(join(dir, 'starts'), 'utf8')), ['a'], 1)).rejects.toThrow('worker exited with code 3');
    expect(lastJobEntry?.bundle).toBeDefined();
    expect(starts).toBe('start\n');
  });

  it("the check's own job processes: registered runs from a bundle, as declared", { timeout: 120_000 }, async () => {
    const runs = dialogRuns(loadManifest()).filter((r) => r.tags.scenario === 'ok-short-lifetime' && r.tags.env === 'fast-lock/sc' && ['orig', 'v2'].includes(r.tags.variant));
    expect(runs).toHaveLength(2);
    process.env.CHECKER_WORKER_BUNDLE = 'require';
    try {
      const results = await executeAll(runs, {}, { jobs: 2, registered: () => true });
      expect(results.map((r) => [r.run.id, r.differences])).toEqual(runs.map((r) => [r.id, []]));
      expect(lastJobEntry?.bundle).toBeDefined();
      // One thread each: without V8's background threads when the two processes take every core.
      expect(lastJobFlags).toEqual(availableParallelism() <= 2 ? ['--single-threaded'] : []);
      // Two worker threads each: with them.
      const threaded = await executeAll(runs, {}, { jobs: 2, threads: 2, registered: () => true });
      expect(threaded.map((r) => [r.run.id, r.differences])).toEqual(runs.map((r) => [r.id, []]));
      expect(lastJobFlags).toEqual([]);
    } finally {
      delete process.env.CHECKER_WORKER_BUNDLE;
    }
  });
});

describe("job processes' V8 flags (jobV8Flags)", () => {
  it('without background threads exactly when the processes, one thread each, take every core; CHECKER_JOB_SINGLE_THREADED forces it; another value is a usage error', () => {
    expect(jobV8Flags(2, 1, 2, undefined)).toEqual(['--single-threaded']);
    expect(jobV8Flags(3, 1, 2, undefined)).toEqual(['--single-threaded']);
    expect(jobV8Flags(2, 1, 4, undefined)).toEqual([]);
    expect(jobV8Flags(2, 2, 2, undefined)).toEqual([]);
    expect(jobV8Flags(1, 1, 1, undefined)).toEqual(['--single-threaded']);
    // A lone job process on a free core keeps them.
    expect(jobV8Flags(1, 1, 2, undefined)).toEqual([]);
    expect(jobV8Flags(2, 1, 4, '1')).toEqual(['--single-threaded']);
    expect(jobV8Flags(2, 2, 2, '1')).toEqual(['--single-threaded']);
    expect(jobV8Flags(2, 1, 2, '0')).toEqual([]);
    for (const bad of ['', 'yes', 'true', '2']) expect(() => jobV8Flags(2, 1, 2, bad)).toThrow(UsageError);
    expect(() => jobV8Flags(2, 1, 2, 'yes')).toThrow(/^CHECKER_JOB_SINGLE_THREADED=yes: expected 1 .*, 0 .*, or unset/);
  });

  it('a bad CHECKER_JOB_SINGLE_THREADED is refused before any run, the local ones included', async () => {
    const saved = process.env.CHECKER_JOB_SINGLE_THREADED;
    // A run of this process (not registered) that would run, and be reported, before the job processes start.
    const tiny: Model<{ n: number }, Action> = {
      name: 'tiny',
      initialStates: () => [{ n: 0 }],
      actions: (s) => (s.n < 2 ? [{ actor: 'a', step: 'inc' }] : []),
      next: (s) => ({ n: s.n + 1 }),
      key: (s) => String(s.n),
      properties: [],
    };
    const local: RunSpec = { id: 'local', tags: {}, build: () => tiny, expect: { violated: [] } };
    const remote = (id: string) => ({ id, expect: { violated: [] } }) as unknown as RunSpec;
    try {
      delete process.env.CHECKER_JOB_SINGLE_THREADED;
      expect((await executeAll([local], {}, { jobs: 2, registered: () => false })).map((r) => [r.run.id, r.outcome.stats.states, r.differences])).toEqual([['local', 3, []]]);
      process.env.CHECKER_JOB_SINGLE_THREADED = 'yes';
      let ran = 0;
      await expect(executeAll([local, remote('a'), remote('b')], {}, { jobs: 2, registered: (r) => r.id !== 'local', onResult: () => ran++ })).rejects.toThrow(UsageError);
      expect(ran).toBe(0);
      // The command: one line, exit 2, no run.
      const t = await inProcess(['check', '--group', 'examples', '--jobs', '2', '--no-timing']);
      expect([t.code, t.stdout, t.stderr.trim().split('\n').length]).toEqual([2, '', 1]);
      expect(t.stderr).toMatch(/^error: CHECKER_JOB_SINGLE_THREADED=yes: expected 1 /);
    } finally {
      if (saved === undefined) delete process.env.CHECKER_JOB_SINGLE_THREADED;
      else process.env.CHECKER_JOB_SINGLE_THREADED = saved;
    }
  });
});

it('a job process whose command is killed (SIGKILL) stops at its next progress tick instead of exploring on', async () => {
  // Two full-tier cells of 51 and 96 million states (over a minute each), run in job processes (--jobs 2; one run alone
  // would run in the command's own process).
  const cmd = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'check', '--all', '--scenario', 'ping-timeout', '--env', 'posix-sem/sc/eintr1', '--variant', 'orig', '--variant', 'v3', '--jobs', '2', '--progress'],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let jobs: number[] = [];
  try {
    // The first progress line comes from the job process, exploring.
    await new Promise<void>((resolve, reject) => {
      cmd.stderr!.on('data', (d: Buffer) => (/states/.test(String(d)) ? resolve() : undefined));
      cmd.on('exit', (code) => reject(new Error(`check ended (${code}) before any progress`)));
    });
    jobs = childrenOf(cmd.pid!);
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every(alive)).toBe(true);
    cmd.kill('SIGKILL');
    const until = Date.now() + 15_000;
    while (jobs.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(jobs.filter(alive)).toEqual([]);
  } finally {
    cmd.kill('SIGKILL');
    for (const j of jobs) if (alive(j)) process.kill(j, 'SIGKILL');
  }
}, 120_000);

describe('batchesOf', () => {
  const spec = (id: string, group: string, expect: Expectation) => ({ id, expect, sameAs: { group } }) as unknown as RunSpec;
  const X = { violated: ['P'], states: 10, transitions: 100, depth: 5 };
  const Y = { violated: [], states: 7, transitions: 50, depth: 4 };
  const runs = [spec('a', 'g', X), spec('b', 'g', X), spec('c', 'g', Y), spec('d', 'g', { violated: [] }), spec('e', 'h', { violated: [], states: 2, transitions: 10, depth: 1 })];

  it("splits a group that costs more than a process's share by declared outcome (runs declaring the same one together, in order); an undeclared run stays with its group; longest first", () => {
    // Cost: once per declared outcome (a and b share one): 100 + 50 + 10 = 160; a share of two processes is 80, g costs 150.
    expect(batchesOf(runs, 2)).toEqual([['a', 'b'], ['c'], ['e'], ['d']]);
    // One process: its share is everything, no group is split.
    expect(batchesOf(runs, 1)).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it("on the manifest: the default tier's groups stay whole; in the full tier ping-timeout's EINTR row is split, the runs declaring orig's outcome together", () => {
    const all = dialogRuns(loadManifest());
    const group = (r: RunSpec) => r.sameAs?.group ?? r.id;
    const byGroup = (rs: readonly RunSpec[]) => new Set(rs.map(group)).size;
    const def = all.filter((r) => r.tags.tier !== 'full');
    expect(batchesOf(def, 2)).toHaveLength(byGroup(def));
    const ping = batchesOf(all, 2).filter((ids) => ids[0].startsWith('dialog/ping-timeout/posix-sem/sc/eintr1/'));
    const orig = ping.find((ids) => ids[0].endsWith('/orig'))!;
    const same = all.filter((r) => r.id.startsWith('dialog/ping-timeout/posix-sem/sc/eintr1/') && JSON.stringify(r.expect) === JSON.stringify(all.find((x) => x.id === orig[0])!.expect));
    expect(orig).toEqual(same.map((r) => r.id));
    expect(orig.length).toBeGreaterThan(1);
    expect(ping.length).toBeGreaterThan(1);
    expect(ping.flat().sort()).toEqual(all.filter((r) => r.id.startsWith('dialog/ping-timeout/posix-sem/sc/eintr1/')).map((r) => r.id).sort());
  });
});
