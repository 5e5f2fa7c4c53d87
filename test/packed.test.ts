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
 * command line, comparing every run with a proof bundle's hashes.
 */
import { describe, expect, it } from 'vitest';
import { dialogConfig, dialogRuns, loadManifest, rowVariants } from '../src/check/dialog.js';
import { explorable } from '../src/check/granularity.js';
import { execute, forgetExplorations, type RunSpec } from '../src/check/run.js';
import { keyedByText, type Outcome } from '../src/engine/index.js';
import { dialogModel } from '../spec/dialog/model.js';

const manifest = loadManifest();
const summary = (o: Outcome<unknown>) => ({
  status: o.status,
  complete: o.stats.complete,
  states: o.stats.states,
  transitions: o.stats.transitions,
  depth: o.stats.depth,
  levels: o.stats.levels,
  coverage: o.coverage,
  verdicts: o.properties.map((p) => `${p.name}:${p.verdict}`),
  traces: o.properties.map((p) => (p.trace === undefined ? '-' : JSON.stringify(p.trace))),
});

const rows = new Map<string, RunSpec[]>();
for (const run of dialogRuns(manifest)) {
  if (run.tags.tier === 'full') continue;
  const name = `${run.tags.scenario} ${run.tags.env}`;
  rows.set(name, [...(rows.get(name) ?? []), run]);
}

describe('the packed dialog model explores what the text-keyed one does', () => {
  it('the model is packed: it has a codec of 32-bit words, which keyedByText removes', () => {
    const m = explorable(dialogModel(dialogConfig(manifest, 'bye-vs-timeout-B', 'fast-lock/sc', 'orig')));
    expect(m.codec).toBeDefined();
    expect(keyedByText(m).codec).toBeUndefined();
  });

  it('covers every default-tier cell of the matrix', () => {
    expect([...rows.values()].flat().length).toBe(manifest.rows.filter((r) => r.tier !== 'full').reduce((n, r) => n + rowVariants(r).length, 0));
    expect(rows.size).toBe(manifest.rows.filter((r) => r.tier !== 'full').length);
  });

  it.each([...rows])('%s: every variant', { timeout: 900_000 }, (_name, runs) => {
    forgetExplorations();
    for (const run of runs) {
      const packed = execute(run);
      const text = execute(run, { textKeys: true });
      expect(packed.differences, run.id).toEqual([]);
      expect(packed.outcome.stats.complete, run.id).toBe(true);
      expect(summary(text.outcome), run.id).toEqual(summary(packed.outcome));
      // Both modes share with the same earlier variant, or neither does.
      expect(text.sameAs, run.id).toBe(packed.sameAs);
    }
    forgetExplorations();
  });
});
