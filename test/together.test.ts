/**
 * Runs explored together (src/check/run.ts, Together): the runs of one group
 * build the same model with different properties, and one exploration checks
 * all of them. Each run's result must be exactly what its own exploration
 * gives: the same counts, verdicts, traces and coverage, including the runs
 * that stop at their own first violation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchesOf } from '../src/check/pool.js';
import { propositionRuns } from '../src/check/propositions.js';
import { execute, executeRuns, executeTogether, type RunResult, type RunSpec } from '../src/check/run.js';
import { always, atQuiescence, check, field, shapeCodec, sometimes, wordsCodec, type Action, type CheckOptions, type Model, type Outcome, type Property } from '../src/engine/index.js';

/** Everything of an outcome but its timings. */
const exact = (o: Outcome<any, any>) => ({
  ...o,
  stats: { ...o.stats, timeMs: 0, statesPerSecond: 0 },
  properties: o.properties.map((p) => ({ ...p, trace: p.trace?.map((t) => ({ action: t.action === null ? null : `${t.action.actor}:${t.action.step}`, state: JSON.stringify(t.state) })) })),
  violations: o.violations.map((p) => p.name),
});
const alone = (r: RunSpec): RunResult => execute({ ...r, together: undefined });

/** Two counters, each actor adding 1 to its own up to 3: 16 states, the sum one more per level. */
type S = { readonly a: number; readonly b: number };
const counters = (name: string, properties: Property<S>[]): Model<S, Action> => ({
  name,
  initialStates: () => [{ a: 0, b: 0 }],
  actions: (s) => [...(s.a < 3 ? [{ actor: 'A', step: 'inc' }] : []), ...(s.b < 3 ? [{ actor: 'B', step: 'inc' }] : [])],
  next: (s, act) => (act.actor === 'A' ? { ...s, a: s.a + 1 } : { ...s, b: s.b + 1 }),
  key: (s) => `${s.a},${s.b}`,
  properties,
});
const sum = (s: S) => s.a + s.b;
const run = (id: string, p: Property<S>, model = 'counters'): RunSpec => ({
  id,
  tags: {},
  build: () => counters(model, [p]),
  expect: { violated: [] },
  stopOnFirstViolation: true,
  together: { group: 'g' },
});
const small = [
  run('sum<2', always('sum<2', 'the sum stays below 2', (s) => sum(s) < 2)),
  run('sum<5', always('sum<5', 'the sum stays below 5', (s) => sum(s) < 5)),
  run('reaches 6', sometimes('reaches 6', 'the sum reaches 6', (s) => sum(s) === 6)),
  run('a<=3', always('a<=3', 'a stays at most 3', (s) => s.a <= 3)),
  // Two runs that do not stop at their first violation: explored apart from the others, to the end.
  { ...run('sum<3', always('sum<3', 'the sum stays below 3', (s) => sum(s) < 3)), stopOnFirstViolation: false },
  { ...run('b<=3', always('b<=3', 'b stays at most 3', (s) => s.b <= 3)), stopOnFirstViolation: false },
];

describe('runs explored together', () => {
  it('give each run the outcome of its own exploration, a run that stops at its first violation stopping at its own', () => {
    const together = executeTogether(small, () => ({}));
    const own = small.map(alone);
    expect(together.map((r) => exact(r.outcome))).toEqual(own.map((r) => exact(r.outcome)));
    // Pinned: sum<2 stops at the first state of sum 2 (the 4th stored), sum<5 at the first of sum 5 (the 14th); the others see all 16.
    expect(together.map((r) => [r.run.id, r.outcome.stats.states, r.outcome.stats.complete, r.outcome.status])).toEqual([
      ['sum<2', 4, false, 'violation'],
      ['sum<5', 14, false, 'violation'],
      ['reaches 6', 16, true, 'ok'],
      ['a<=3', 16, true, 'ok'],
      ['sum<3', 16, true, 'violation'],
      ['b<=3', 16, true, 'ok'],
    ]);
    // Four explorations: one stopped by sum<2, one by sum<5, one complete for the next two, one for the last two.
    expect(together.map((r) => r.sameAs)).toEqual([undefined, undefined, undefined, 'reaches 6', undefined, 'sum<3']);
  });

  it("names as sameAs the first run an exploration settles, never one settled by another", () => {
    // a<=3 comes first, but the first exploration stops at sum<2's violation and settles only sum<2.
    const results = executeTogether([small[3], small[0], small[2]], () => ({}));
    expect(results.map((r) => [r.run.id, r.outcome.stats.states, r.sameAs])).toEqual([
      ['a<=3', 16, undefined],
      ['sum<2', 4, undefined],
      ['reaches 6', 16, 'a<=3'],
    ]);
  });

  it('would give a wrong outcome if every run took the first exploration (the comparison above catches it)', () => {
    // A seeded mutation: sum<5 restricted from the exploration that sum<2 stopped.
    const first = check({ ...counters('counters', []), properties: small.flatMap((r) => r.build().properties) }, { stopOnFirstViolation: true });
    const mutated = { ...first, properties: first.properties.filter((p) => p.name === 'sum<5') };
    expect(mutated.properties[0].verdict).toBe('unknown');
    expect(exact(alone(small[1]).outcome).stats).not.toEqual(exact(mutated).stats);
  });

  it("explores together the runs of a model that is a class's instance (its methods on the prototype)", () => {
    class Counters implements Model<S, Action> {
      readonly name = 'counters';
      constructor(readonly properties: readonly Property<S>[]) {}
      initialStates(): S[] {
        return [{ a: 0, b: 0 }];
      }
      actions(s: S): Action[] {
        return [...(s.a < 3 ? [{ actor: 'A', step: 'inc' }] : []), ...(s.b < 3 ? [{ actor: 'B', step: 'inc' }] : [])];
      }
      next(s: S, act: Action): S {
        return act.actor === 'A' ? { ...s, a: s.a + 1 } : { ...s, b: s.b + 1 };
      }
      key(s: S): string {
        return `${s.a},${s.b}`;
      }
    }
    const runs = [small[2], small[3]].map((r) => ({ ...r, build: () => new Counters(r.build().properties) }));
    const results = executeTogether(runs, () => ({}));
    // One exploration for both (a copy without the prototype's methods would fail, and each would go alone).
    expect(results.map((r) => [r.run.id, r.outcome.status, r.outcome.stats.states, r.sameAs])).toEqual([
      ['reaches 6', 'ok', 16, undefined],
      ['a<=3', 'ok', 16, 'reaches 6'],
    ]);
    expect(results.map((r) => exact(r.outcome))).toEqual(runs.map((r) => exact(alone(r).outcome)));
  });

  it('explores alone the runs whose models differ in name, and runs in a list in their order', async () => {
    const other = { ...run('other', always('other', 'a is at most 3', (s) => s.a <= 3), 'counters-2') };
    const results = await executeRuns([small[2], other, small[3]], () => ({}), 1);
    expect(results.map((r) => r.run.id)).toEqual(['reaches 6', 'other', 'a<=3']);
    // The two alike share one exploration; the one named otherwise is explored on its own.
    expect(results.map((r) => r.sameAs)).toEqual([undefined, undefined, 'reaches 6']);
    expect(results[1].outcome.model).toBe('counters-2');
    expect(results.map((r) => exact(r.outcome))).toEqual([small[2], other, small[3]].map((r) => exact(alone(r).outcome)));
  });

  it("every proposition search: the outcome of its own exploration, in 41 explorations for 61 searches, and a configuration's searches in one batch", async () => {
    const runs = propositionRuns();
    expect(runs).toHaveLength(61);
    const together = await executeRuns(runs, () => ({}), 1);
    const own = runs.map(alone);
    expect(together.map((r) => exact(r.outcome))).toEqual(own.map((r) => exact(r.outcome)));
    // 28 configurations searched once, bye-vs-timeout-B fast-lock/sc orig in 3 explorations (stopped at 2 and 106 states, then
    // complete for seven searches), its pr-assumed contrast in 2 (stopped at 176), 8 other configurations in 1 each.
    expect(together.filter((r) => r.sameAs === undefined)).toHaveLength(41);
    for (const r of together) if (r.sameAs !== undefined) expect(exact(together.find((x) => x.run.id === r.sameAs)!.outcome).stats).toEqual(exact(r.outcome).stats);
    expect(own.every((r) => r.sameAs === undefined)).toBe(true);
    const config = (id: string) => runs.find((r) => r.id === id)!.together!.group;
    const batches = batchesOf(runs, 2);
    expect(batches.every((ids) => new Set(ids.map(config)).size === 1)).toBe(true);
    expect(batches).toHaveLength(new Set(runs.map((r) => config(r.id))).size);
  }, 120_000);

  it('on random models, properties, stops and bounds: every run the outcome of its own exploration (fast-check)', () => {
    type P = { kind: 'always' | 'sometimes' | 'atQuiescence'; t: number; stop: boolean; throws: boolean };
    const shape = { a: field.int(0, 4), b: field.int(0, 4) };
    const arb = fc.record({
      top: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      starts: fc.integer({ min: 1, max: 2 }),
      codec: fc.constantFrom('none', 'number', 'words'),
      runs: fc.array(
        fc.record({ kind: fc.constantFrom('always', 'sometimes', 'atQuiescence'), t: fc.integer({ min: 0, max: 8 }), stop: fc.boolean(), throws: fc.boolean() }) as fc.Arbitrary<P>,
        { minLength: 2, maxLength: 5 },
      ),
      options: fc.constantFrom<CheckOptions>({}, { maxStates: 5 }, { maxDepth: 3 }, { stopOnFirstViolation: true }),
    });
    fc.assert(
      fc.property(arb, ({ top: [ta, tb], starts, codec, runs, options }) => {
        const property = (p: P, i: number): Property<S> => {
          const holds = (s: S) => {
            if (p.throws && sum(s) === 3) throw new Error('a property that throws');
            return p.kind === 'always' ? sum(s) < p.t : p.kind === 'sometimes' ? sum(s) === p.t : s.a + p.t > ta;
          };
          return p.kind === 'always' ? always(`p${i}`, 'always', holds) : p.kind === 'sometimes' ? sometimes(`p${i}`, 'sometimes', holds) : atQuiescence(`p${i}`, 'at quiescence', holds);
        };
        const model = (p: P, i: number): Model<S, Action> => {
          const base = counters('random', [property(p, i)]);
          const m: Model<S, Action> = {
            ...base,
            initialStates: () => [{ a: 0, b: 0 }, { a: 0, b: 1 }].slice(0, starts),
            actions: (s) => [...(s.a < ta ? [{ actor: 'A', step: 'inc' }] : []), ...(s.b < tb ? [{ actor: 'B', step: 'inc' }] : [])],
          };
          return codec === 'none' ? m : { ...m, codec: codec === 'number' ? shapeCodec<S>(shape)! : wordsCodec<S>(shape) };
        };
        const specs: RunSpec[] = runs.map((p, i) => ({ id: `r${i}`, tags: {}, build: () => model(p, i), expect: { violated: [] }, stopOnFirstViolation: p.stop, together: { group: 'g' } }));
        const together = executeTogether(specs, () => options);
        expect(together.map((r) => exact(r.outcome))).toEqual(specs.map((r) => exact(execute({ ...r, together: undefined }, options).outcome)));
      }),
      { numRuns: 300, seed: 3836 },
    );
  });
});
