/**
 * The pool's job processes (src/check/pool.ts, worker.ts) do not outlive the
 * command that forked them: a `check` killed by a signal (SIGKILL, which it
 * cannot catch, included) leaves no exploration running on alone.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { statFields } from '../src/engine/proc-stat.js';

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

it('a job process whose command is killed (SIGKILL) stops at its next progress tick instead of exploring on', async () => {
  // Two full-tier cells of 34 and 64 million states (over a minute each), run in job processes (--jobs 2; one run alone
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
