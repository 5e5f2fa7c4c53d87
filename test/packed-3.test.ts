/**
 * Part 3 of the rows test/packed.test.ts compares (packed against keyed by
 * text, every variant): see there.
 */
import { describe } from 'vitest';
import { comparePart } from './helpers/packed-part.js';

describe('the packed dialog model explores what the text-keyed one does (part 3)', () => {
  comparePart(2);
});
