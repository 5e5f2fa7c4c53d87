/**
 * Part 4 of the rows test/packed.test.ts compares (packed against keyed by
 * text, every variant): see there.
 */
import { describe, it } from 'vitest';
import { compareRow, rowsOfPart } from './helpers/packed-rows.js';

describe('the packed dialog model explores what the text-keyed one does (part 4)', () => {
  it.each(rowsOfPart(3))('%s: every variant', { timeout: 900_000 }, (_name, runs) => compareRow(runs));
});
