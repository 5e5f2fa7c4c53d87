/**
 * Part 2 of the rows test/packed.test.ts compares (packed against keyed by
 * text, every variant): see there.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRows, rowsOfPart } from './helpers/packed-rows.js';

describe('the packed dialog model explores what the text-keyed one does (part 2)', () => {
  const rows = rowsOfPart(1);
  let mismatches = new Map<string, string[]>();
  beforeAll(async () => {
    mismatches = await compareRows(rows);
  }, 1_800_000);
  it.each(rows.map(([name]) => name))('%s: every variant', (name) => expect(mismatches.get(name)).toEqual([]));
});
