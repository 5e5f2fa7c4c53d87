/**
 * Property-based test: the engine against a naive reference explorer on random small
 * transition systems. The reference computes shortest distances from scratch by repeated
 * relaxation (Bellman-Ford with unit weights), knowing nothing of queues, levels or parent
 * links; from them it derives the reachable set, the number of transitions, the depth
 * (TLC's: initial states at depth 1) and each property's expected verdict and trace length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { always, atQuiescence, check, sometimes } from '../src/engine/index.js';
import type { Outcome, Property } from '../src/engine/index.js';
import { graphModel, type GraphAction, type Node } from './helpers/graph-model.js';

interface System {
  readonly n: number;
  readonly edges: readonly { from: number; to: number; label: string }[];
  /** May repeat a state: a repeated initial state is one state. */
  readonly init: readonly number[];
  /** Bad-state sets of `always` properties. */
  readonly invariants: readonly (readonly number[])[];
  /** Goal sets of `sometimes` properties. */
  readonly witnesses: readonly (readonly number[])[];
  /** Bad-state sets of `atQuiescence` properties (only quiescent bad states count). */
  readonly quiescence: readonly (readonly number[])[];
}

const nodeSet = (n: number) => fc.subarray([...Array(n).keys()], { maxLength: Math.min(n, 4) });

const systemArb: fc.Arbitrary<System> = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(
      fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), label: fc.constantFrom('p.a', 'p.b', 'q.a', 'q.c', 'r.d') }),
      { maxLength: 3 * n },
    ),
    init: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 3 }),
    invariants: fc.array(nodeSet(n), { maxLength: 3 }),
    witnesses: fc.array(nodeSet(n), { maxLength: 2 }),
    quiescence: fc.array(nodeSet(n), { maxLength: 2 }),
  }),
);

function modelOf(sys: System) {
  const edges: Record<string, [string, Node][]> = {};
  for (const e of sys.edges) (edges[String(e.from)] ??= []).push([e.label, e.to]);
  const properties: Property<Node>[] = [
    ...sys.invariants.map((bad, i) => always<Node>(`Inv${i}`, 'never bad', (s) => !bad.includes(s as number))),
    ...sys.witnesses.map((goal, i) => sometimes<Node>(`Wit${i}`, 'goal reached', (s) => goal.includes(s as number))),
    ...sys.quiescence.map((bad, i) => atQuiescence<Node>(`Qui${i}`, 'clean end', (s) => !bad.includes(s as number))),
  ];
  return graphModel({ init: sys.init, edges, properties });
}

interface Reference {
  /** Shortest distance (number of steps) from an initial state; Infinity if unreachable. */
  readonly dist: number[];
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly outDegree: number[];
  /** The fewest steps to a state of the set (restricted to quiescent states if asked); undefined if none is reachable. */
  nearest(set: readonly number[], quiescentOnly?: boolean): number | undefined;
}

/** The naive explorer: relax every edge until nothing changes. */
function reference(sys: System): Reference {
  const dist = Array<number>(sys.n).fill(Number.POSITIVE_INFINITY);
  for (const i of sys.init) dist[i] = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of sys.edges) {
      if (dist[e.from] + 1 < dist[e.to]) {
        dist[e.to] = dist[e.from] + 1;
        changed = true;
      }
    }
  }
  const reachable = (v: number) => Number.isFinite(dist[v]);
  const outDegree = Array<number>(sys.n).fill(0);
  for (const e of sys.edges) outDegree[e.from]++;
  const states = dist.filter(Number.isFinite).length;
  return {
    dist,
    states,
    transitions: sys.edges.filter((e) => reachable(e.from)).length,
    depth: Math.max(...dist.filter(Number.isFinite)) + 1,
    outDegree,
    nearest(set, quiescentOnly = false) {
      const ds = set.filter((v) => reachable(v) && (!quiescentOnly || outDegree[v] === 0)).map((v) => dist[v]);
      return ds.length === 0 ? undefined : Math.min(...ds);
    },
  };
}

type GraphOutcome = Outcome<Node, GraphAction>;

/** The reference's states at each distance below `below` (Stats.levels: index 0, the initial states). */
function levelsOf(ref: Reference, below = Number.POSITIVE_INFINITY): number[] {
  const out: number[] = [];
  for (const d of ref.dist) if (d < below) out[d] = (out[d] ?? 0) + 1;
  return out;
}

/** The trace is a real path: it starts in an initial state and each step follows an edge. */
function expectValidPath(sys: System, trace: GraphOutcome['properties'][number]['trace']) {
  expect(trace).toBeDefined();
  expect(sys.init).toContain(trace![0].state);
  for (let i = 1; i < trace!.length; i++) {
    const from = trace![i - 1].state as number;
    const a = trace![i].action!;
    expect(a.to).toBe(trace![i].state);
    expect(sys.edges.some((e) => e.from === from && e.to === a.to && e.label === `${a.actor}.${a.step}`)).toBe(true);
  }
}

/** Checks every property's verdict and, where there is a trace, that it is valid and shortest. */
function expectPropertiesMatch(sys: System, ref: Reference, o: GraphOutcome) {
  const byName = new Map(o.properties.map((p) => [p.name, p]));
  const expectShortest = (name: string, d: number | undefined, found: 'violated' | 'holds', notFound: 'violated' | 'holds', last: (s: number) => boolean) => {
    const p = byName.get(name)!;
    if (d === undefined) {
      expect(p.verdict, name).toBe(notFound);
      expect(p.trace, name).toBeUndefined();
    } else {
      expect(p.verdict, name).toBe(found);
      expectValidPath(sys, p.trace);
      expect(p.trace!.length - 1, `${name}: trace length`).toBe(d);
      expect(last(p.trace![p.trace!.length - 1].state as number), name).toBe(true);
    }
  };
  sys.invariants.forEach((bad, i) => expectShortest(`Inv${i}`, ref.nearest(bad), 'violated', 'holds', (s) => bad.includes(s)));
  sys.witnesses.forEach((goal, i) => expectShortest(`Wit${i}`, ref.nearest(goal), 'holds', 'violated', (s) => goal.includes(s)));
  sys.quiescence.forEach((bad, i) =>
    expectShortest(`Qui${i}`, ref.nearest(bad, true), 'violated', 'holds', (s) => bad.includes(s) && ref.outDegree[s] === 0),
  );
  expect(o.status).toBe(o.properties.some((p) => p.verdict === 'violated') ? 'violation' : 'ok');
}

const runs = { numRuns: 300 };

describe('engine vs a naive reference explorer on random transition systems', () => {
  it('same reachable states, transitions, depth, verdicts and shortest trace lengths', () => {
    fc.assert(
      fc.property(systemArb, (sys) => {
        const ref = reference(sys);
        const model = modelOf(sys);
        const o = check(model);
        expect(o.stats).toMatchObject({ states: ref.states, transitions: ref.transitions, depth: ref.depth, complete: true });
        expect(o.stats.levels).toEqual(levelsOf(ref));
        expect(o.bound).toBeUndefined();
        expectPropertiesMatch(sys, ref, o);
        // Breadth-first: states are expanded in nondecreasing distance, each reachable state once.
        const expanded = model.expanded.slice(0, ref.states) as number[];
        expect(new Set(expanded).size).toBe(ref.states);
        for (let i = 1; i < expanded.length; i++) expect(ref.dist[expanded[i]]).toBeGreaterThanOrEqual(ref.dist[expanded[i - 1]]);
        // Coverage adds up to the transitions.
        expect(o.coverage.steps.reduce((n, s) => n + s.count, 0)).toBe(ref.transitions);
      }),
      runs,
    );
  });

  it('stopOnFirstViolation: stops at a shortest violation of an invariant', () => {
    const invariantsOnly = systemArb.map((s) => ({ ...s, witnesses: [], quiescence: [] }));
    fc.assert(
      fc.property(invariantsOnly, (sys) => {
        const ref = reference(sys);
        const o = check(modelOf(sys), { stopOnFirstViolation: true });
        const nearest = sys.invariants.map((bad) => ref.nearest(bad)).filter((d): d is number => d !== undefined);
        if (nearest.length === 0) {
          expect(o.status).toBe('ok');
          expect(o.stats.states).toBe(ref.states);
          return;
        }
        expect(o.status).toBe('violation');
        expect(o.violations.length).toBeGreaterThan(0);
        // Every reported violation is a shortest one for its property, and the first is the nearest of all.
        for (const v of o.violations) {
          const i = Number(v.name.slice(3));
          expect(v.trace!.length - 1).toBe(ref.nearest(sys.invariants[i]));
        }
        expect(Math.min(...o.violations.map((v) => v.trace!.length - 1))).toBe(Math.min(...nearest));
        // Stopped inside a level: one count per level, whole levels as the reference has them.
        const levels = o.stats.levels!;
        expect(levels).toHaveLength(o.stats.depth);
        expect(levels.reduce((a, b) => a + b, 0)).toBe(o.stats.states);
        expect(levels.slice(0, -1)).toEqual(levelsOf(ref).slice(0, levels.length - 1));
        for (const p of o.properties) if (p.verdict !== 'violated') expect(p.verdict).toBe('unknown');
      }),
      runs,
    );
  });

  it('maxDepth: below the depth gives the states within it; at or above it, the full verdicts', () => {
    const withBound = systemArb.chain((sys) => fc.record({ sys: fc.constant(sys), maxDepth: fc.integer({ min: 1, max: 32 }) }));
    fc.assert(
      fc.property(withBound, ({ sys, maxDepth }) => {
        const ref = reference(sys);
        const o = check(modelOf(sys), { maxDepth });
        if (maxDepth >= ref.depth) {
          expect(o.stats).toMatchObject({ states: ref.states, depth: ref.depth, complete: true });
          expect(o.bound).toBeUndefined();
          expectPropertiesMatch(sys, ref, o);
          // At maxDepth == depth the engine does not count the last level's transitions (see engine.test.ts).
          if (maxDepth > ref.depth) expect(o.stats.transitions).toBe(ref.transitions);
        } else {
          expect(o.stats).toMatchObject({ states: ref.dist.filter((d) => d < maxDepth).length, depth: maxDepth, complete: false });
          expect(o.stats.levels).toEqual(levelsOf(ref, maxDepth));
          expect(o.bound).toBe('maxDepth');
          expect(o.status).not.toBe('ok');
          expect(o.status).toBe(o.violations.length > 0 ? 'violation' : 'incomplete');
        }
      }),
      runs,
    );
  });

  it('maxStates: never ok while states remain unexplored', () => {
    const withBound = systemArb.chain((sys) => fc.record({ sys: fc.constant(sys), maxStates: fc.integer({ min: 1, max: 31 }) }));
    fc.assert(
      fc.property(withBound, ({ sys, maxStates }) => {
        const ref = reference(sys);
        const o = check(modelOf(sys), { maxStates });
        if (maxStates >= ref.states) {
          expect(o.stats).toMatchObject({ states: ref.states, transitions: ref.transitions, complete: true });
          expectPropertiesMatch(sys, ref, o);
        } else {
          expect(o.stats).toMatchObject({ states: maxStates, complete: false });
          // Whole levels as the reference has them, then the part of the level it stopped inside.
          const levels = o.stats.levels!;
          const full = levelsOf(ref);
          expect(levels).toHaveLength(o.stats.depth);
          expect(levels.reduce((a, b) => a + b, 0)).toBe(maxStates);
          expect(levels.slice(0, -1)).toEqual(full.slice(0, levels.length - 1));
          expect(levels.at(-1)!).toBeLessThanOrEqual(full[levels.length - 1]);
          expect(o.bound).toBe('maxStates');
          expect(o.status).not.toBe('ok');
        }
      }),
      runs,
    );
  });
});
