/**
 * Part 3 of the rows test/packed.test.ts compares (packed against keyed by
 * text, every variant): see there.
 */
import { describe, it } from 'vitest';
import { compareRow, rowsOfPart } from './helpers/packed-rows.js';

describe('the packed dialog model explores what the text-keyed one does (part 3)', () => {
  it.each(rowsOfPart(2))('%s: every variant', { timeout: 900_000 }, (_name, runs) => compareRow(runs));
});
