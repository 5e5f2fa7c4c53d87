/**
 * CPU time from Linux's /proc stat files (proc(5)): the sum of two adjacent
 * fields counted in clock ticks of 10 ms, e.g. utime + stime (fields 14
 * and 15) or cutime + cstime (16 and 17). NaN where the file cannot be read
 * (not Linux).
 */
import { readFileSync } from 'node:fs';

export function statCpuMs(file: '/proc/self/stat' | '/proc/thread-self/stat', field: 14 | 16): number {
  const f = statFields(file);
  return f === undefined ? Number.NaN : (Number(f[field - 3]) + Number(f[field - 2])) * 10;
}

/**
 * The fields of a /proc stat file from field 3 on (state, ppid, ...: index k is field k + 3), or
 * undefined where it cannot be read (not Linux, or the process is gone).
 */
export function statFields(file: string): string[] | undefined {
  try {
    const stat = readFileSync(file, 'utf8');
    // After the command name in parentheses (which may hold spaces), the first value is field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
