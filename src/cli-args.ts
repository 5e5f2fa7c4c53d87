/** Option-value parsers shared by the command line's subcommands: a bad value is a UsageError naming the flag. */
import { UsageError } from './check/registry.js';

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
