/**
 * The tests of one part of the packed comparison (test/packed*.test.ts),
 * apart from packed-rows.ts, which the child processes load without vitest.
 */
import { beforeAll, expect, it } from 'vitest';
import { compareRows, rowsOfPart } from './packed-rows.js';

/**
 * The tests of part `part`: its rows compared in child processes before
 * them (compareRows), then one test per row that its comparison found no
 * difference. Call inside a describe (whose tests alone start the comparison).
 * Selecting one row (vitest -t) still compares every row of its part.
 */
export function comparePart(part: number): void {
  const rows = rowsOfPart(part);
  let mismatches = new Map<string, string[]>();
  beforeAll(async () => {
    mismatches = await compareRows(rows);
  }, 1_800_000);
  it.each(rows.map(([name]) => name))('%s: every variant', (name) => expect(mismatches.get(name)).toEqual([]));
}
