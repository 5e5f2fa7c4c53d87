/**
 * The packed dialog model (a few 32-bit words per state, steps applied in
 * place; spec/dialog/shape.ts) explores exactly what the same model keyed by
 * its text explores (`textKeys`: the engine ignores the codec and the
 * in-place successors, keys every state by `key`, written independently of
 * the codec, and generates successors with `actions` and `next`;
 * test/text-keys.test.ts shows the engine then never calls the codec). On every cell
 * of the default tier: the same distinct states, transitions, depth, states
 * per level, coverage, verdicts and shortest counterexamples, step by step.
 * (The model's own steps run the same either way: what this checks is the
 * packing and the engine's expansion in place.)
 *
 * Each mode shares explorations between the variants of a row as
 * `npm run check` does (src/check/run.ts, SameAs; test/same-as.test.ts): a
 * variant that read the same fields as an earlier one takes its outcome.
 * `npm run check -- --verify BUNDLE --text-keys` does the same from the
 * command line, comparing every run with a proof bundle's hashes. The rows
 * are in four parts of about the same cost (test/helpers/packed-rows.ts):
 * this file's and those of test/packed-2.test.ts to test/packed-4.test.ts,
 * one file each (a machine whose vitest runs several files at a time shares
 * them out); each file compares its rows in two child processes (on a 2-core
 * machine vitest runs one file at a time).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { dialogConfig, rowVariants, runTier } from '../src/check/dialog.js';
import { explorable } from '../src/check/granularity.js';
import { keyedByText } from '../src/engine/index.js';
import { dialogModel } from '../spec/dialog/model.js';
import { comparePart } from './helpers/packed-part.js';
import { childProcesses, compareRows, defaultRows, manifest, PARTS, rowMismatches, rowsOfPart, rowWeight } from './helpers/packed-rows.js';

describe('the packed dialog model explores what the text-keyed one does', () => {
  it('the model is packed: it has a codec of 32-bit words, which keyedByText removes', () => {
    const m = explorable(dialogModel(dialogConfig(manifest, 'bye-vs-timeout-B', 'fast-lock/sc', 'orig')));
    expect(m.codec).toBeDefined();
    expect(keyedByText(m).codec).toBeUndefined();
  });

  it('covers every default-tier cell of the matrix, in PARTS parts (this file, test/packed-2.test.ts and so on)', () => {
    const rows = defaultRows();
    const inDefault = (r: (typeof manifest.rows)[number]) => rowVariants(r).filter((v) => runTier(r, v) === 'default');
    expect([...rows.values()].flat().length).toBe(manifest.rows.reduce((n, r) => n + inDefault(r).length, 0));
    expect(rows.size).toBe(manifest.rows.filter((r) => inDefault(r).length > 0).length);
    const parts = Array.from({ length: PARTS }, (_, i) => rowsOfPart(i).map(([name]) => name));
    expect(parts.flat().sort()).toEqual([...rows.keys()].sort());
    for (const p of parts) expect(p.length).toBeGreaterThan(0);
    // Every part has its file.
    for (let i = 2; i <= PARTS; i++) expect(existsSync(new URL(`./packed-${i}.test.ts`, import.meta.url))).toBe(true);
  });

  it('the parts cost about the same: the heaviest pins at most 1.25 times the transitions of the lightest (each exploration once)', () => {
    const loads = Array.from({ length: PARTS }, (_, i) => rowsOfPart(i).reduce((n, [, runs]) => n + rowWeight(runs), 0));
    expect(Math.max(...loads) / Math.min(...loads)).toBeLessThanOrEqual(1.25);
  });

  it('a text-keyed model that merges states the packed one keeps, and a run not as declared, are each reported with the run', () => {
    const runs = defaultRows().get('bye-vs-timeout fast-lock/sc')!;
    expect(rowMismatches(runs)).toEqual([]);
    // Seeded: the key forgets the program counters, so keyed by text fewer states are distinct.
    const coarse = {
      ...runs[0],
      build: () => {
        const m = runs[0].build();
        return { ...m, key: (s: { actors: { pc: number }[] }) => m.key({ ...s, actors: s.actors.map((a) => ({ ...a, pc: 0 })) }) };
      },
    };
    expect(rowMismatches([coarse]).some((m) => m.startsWith(`${runs[0].id}: states: packed `))).toBe(true);
    // Seeded: the declaration pins one state more than there are.
    const off = { ...runs[0], expect: { ...runs[0].expect, states: runs[0].expect.states! + 1 } };
    expect(rowMismatches([off]).filter((m) => m.includes('not as declared'))).toEqual([
      `${runs[0].id}: not as declared: ${runs[0].expect.states} states, expected ${runs[0].expect.states! + 1}`,
    ]);
  });

  it('through the child processes, every row named gets its list: an unknown row its own line', async () => {
    const got = await compareRows([['no such row', []], ['bye-vs-timeout fast-lock/sc', []]]);
    expect(Object.fromEntries(got)).toEqual({ 'no such row': ['no default-tier row named no such row'], 'bye-vs-timeout fast-lock/sc': [] });
    expect(childProcesses(2)).toBe(2);
    expect([1, 3, 4, 8, 64].map((c) => childProcesses(c))).toEqual([1, 1, 1, 1, 1]);
  });

  describe('part 1', () => comparePart(0));
});
