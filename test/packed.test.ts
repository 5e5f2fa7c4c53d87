/**
 * The packed dialog model (a few 32-bit words per state, steps applied in
 * place; spec/dialog/shape.ts) explores exactly what the same model keyed by
 * its text (`key`, written independently of the codec) explores: for every
 * default-tier row of the matrix, in the code as written and with all the
 * fixes, the same distinct states, transitions, depth, verdicts and shortest
 * counterexample lengths.
 */
import { describe, expect, it } from 'vitest';
import { dialogConfig, loadManifest, rowRuns } from '../src/check/dialog.js';
import { explorable } from '../src/check/granularity.js';
import { check, type Action, type Model, type Outcome } from '../src/engine/index.js';
import { dialogModel } from '../spec/dialog/model.js';
import type { VariantName } from '../spec/dialog/variants.js';

const manifest = loadManifest();
const summary = (o: Outcome<unknown>) => ({
  complete: o.stats.complete,
  states: o.stats.states,
  transitions: o.stats.transitions,
  depth: o.stats.depth,
  levels: o.stats.levels,
  verdicts: o.properties.map((p) => `${p.name}:${p.verdict}:${p.trace === undefined ? '-' : p.trace.length - 1}`),
});
/** The model without its codec and its in-place successors: the engine keys its states by `key`. */
function byText<S, A extends Action>(m: Model<S, A>): Model<S, A> {
  const { codec: _codec, successors: _successors, ...rest } = m as Model<S, A> & { successors?: unknown };
  return rest as Model<S, A>;
}
const rows = manifest.rows.filter((r) => r.tier !== 'full');

describe('the packed dialog model explores what the text-keyed one does', () => {
  it('the model is packed: it has a codec of 32-bit words', () => {
    const m = explorable(dialogModel(dialogConfig(manifest, 'bye-vs-timeout-B', 'fast-lock/sc', 'orig')));
    expect(m.codec).toBeDefined();
    expect(byText(m).codec).toBeUndefined();
  });

  describe.each(rows.map((r) => [`${r.scenario} ${r.env}`, r] as const))('%s', (_name, row) => {
    // A row that runs only some variants (EINTR rows with fix 05) is compared in `fixed`.
    it.each((['orig', 'fixed'] as VariantName[]).filter((v) => rowRuns(row, v)))('%s', (variant) => {
      const build = () => explorable(dialogModel(dialogConfig(manifest, row.scenario, row.env, variant)));
      const packed = summary(check(build()));
      const text = summary(check(byText(build())));
      expect(packed.complete).toBe(true);
      expect(text).toEqual(packed);
    });
  });
});
