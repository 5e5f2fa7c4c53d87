/** Option-value parsers shared by the command line's subcommands: a bad value is a UsageError naming the flag. */
import { availableParallelism } from 'node:os';
import { UsageError } from './check/registry.js';

/** At most this many worker threads, or job processes, per core (os.availableParallelism()). */
export const WORKERS_PER_CORE = 4;

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function positiveInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive integer, got '${raw}'`);
  return n;
}

/** A positive number of seconds, fractions allowed (`--time-limit 0.5`). */
export function positiveSeconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0)) throw new UsageError(`${flag} expects a positive number of seconds, got '${raw}'`);
  return n;
}

/** A number of threads or processes (--workers, --jobs): a positive integer, at most WORKERS_PER_CORE per core of this machine. */
export function perCore(flag: string, raw: string | undefined): number | undefined {
  const n = positiveInt(flag, raw);
  const cores = availableParallelism();
  const max = cores * WORKERS_PER_CORE;
  if (n !== undefined && n > max) {
    throw new UsageError(`${flag} ${n} is more than this machine can use: at most ${max} (${WORKERS_PER_CORE} per core, ${cores} core${cores === 1 ? '' : 's'})`);
  }
  return n;
}

/**
 * --jobs: job processes, at most WORKERS_PER_CORE per core; by default 2 on a
 * machine of 2 or more cores, 1 when each run has several worker threads.
 */
export function jobProcesses(raw: string | undefined, threads = 1): number {
  return perCore('--jobs', raw) ?? (threads === 1 && availableParallelism() >= 2 ? 2 : 1);
}

/** --workers: worker threads per run, at most WORKERS_PER_CORE per core; by default 1. */
export function workerThreads(raw: string | undefined): number {
  return perCore('--workers', raw) ?? 1;
}
