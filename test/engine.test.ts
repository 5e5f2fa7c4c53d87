/**
 * The engine on tiny literal graphs: discovery order, counts, shortest traces,
 * property kinds, bounds, typed errors and coverage. Errors are matched on their class.
 */
import { describe, expect, it } from 'vitest';
import { always, atQuiescence, check, DeterminismError, ModelError, sometimes, SpecError } from '../src/engine/index.js';
import type { Action, Model } from '../src/engine/index.js';
import { actionsOf, graphModel, statesOf, type Node } from './helpers/graph-model.js';

const is = (...bad: Node[]) => (s: Node) => !bad.includes(s);
const isOneOf = (...good: Node[]) => (s: Node) => good.includes(s);

/** A straight line 0 -> 1 -> ... -> n-1 with steps "s0", "s1", ... */
const chain = (n: number) =>
  Object.fromEntries([...Array(n - 1).keys()].map((i) => [String(i), [[`s${i}`, i + 1] as const]]));

describe('breadth-first exploration', () => {
  it('expands states in order of discovery, level by level', () => {
    const m = graphModel({
      init: ['A'],
      edges: {
        A: [['a1', 'B'], ['a2', 'C']],
        B: [['b1', 'D'], ['b2', 'E']],
        C: [['c1', 'F'], ['c2', 'B']],
        D: [['d1', 'G']],
        F: [['f1', 'A']],
      },
    });
    const o = check(m);
    expect(o.status).toBe('ok');
    expect(m.expanded).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  });

  it('counts distinct states, every transition (also to known states and self-loops) and depth as TLC does', () => {
    const m = graphModel({
      init: ['A'],
      edges: {
        A: [['x', 'B'], ['y', 'C']],
        B: [['x', 'D']],
        C: [['x', 'D'], ['y', 'D']], // a parallel edge is a transition of its own
        D: [['loop', 'D'], ['back', 'A']],
      },
    });
    const o = check(m);
    expect(o.status).toBe('ok');
    expect(o.stats).toMatchObject({ states: 4, transitions: 7, depth: 3, complete: true });
    expect(o.bound).toBeUndefined();
    expect(o.violations).toEqual([]);
  });

  it('gives depth 1 to a lone initial state (TLC counts the initial state as depth 1)', () => {
    const o = check(graphModel({ init: ['only'], edges: {} }));
    expect(o.status).toBe('ok');
    expect(o.stats).toMatchObject({ states: 1, transitions: 0, depth: 1, complete: true });
  });

  it('depth of a chain of n states is n', () => {
    const o = check(graphModel({ init: [0], edges: chain(10) }));
    expect(o.stats).toMatchObject({ states: 10, transitions: 9, depth: 10 });
  });
});

describe('shortest traces', () => {
  it('finds the shortest path even when a longer one is explored first', () => {
    const m = graphModel({
      init: ['A'],
      edges: {
        A: [['long1', 'B'], ['short1', 'D']],
        B: [['long2', 'C']],
        C: [['long3', 'BAD']],
        D: [['short2', 'BAD']],
      },
      properties: [always('Safe', 'never BAD', is('BAD'))],
    });
    const o = check(m);
    expect(o.status).toBe('violation');
    const [v] = o.violations;
    expect(v.name).toBe('Safe');
    expect(actionsOf(v.trace)).toEqual(['g.short1', 'g.short2']);
    expect(statesOf(v.trace)).toEqual(['A', 'D', 'BAD']);
    expect(v.trace![0].action).toBeNull();
  });

  it('among equally short paths, takes the first in discovery order (parent first, then action order)', () => {
    const m = graphModel({
      init: ['A'],
      edges: {
        A: [['p.toB', 'B'], ['q.toC', 'C']],
        C: [['q.bad', 'BAD']],
        B: [['p.other', 'X'], ['p.bad', 'BAD']],
      },
      properties: [always('Safe', 'never BAD', is('BAD'))],
    });
    const v = check(m).violations[0];
    expect(actionsOf(v.trace)).toEqual(['p.toB', 'p.bad']);
    expect(v.trace![1].action).toMatchObject({ actor: 'p', step: 'toB', to: 'B' });
  });

  it('reports a violating initial state with a one-state trace', () => {
    const o = check(
      graphModel({ init: ['BAD'], edges: { BAD: [['go', 'A']] }, properties: [always('Safe', 'never BAD', is('BAD'))] }),
    );
    expect(o.status).toBe('violation');
    expect(statesOf(o.violations[0].trace)).toEqual(['BAD']);
    expect(actionsOf(o.violations[0].trace)).toEqual([]);
  });

  it('passes the violating state to explain()', () => {
    const o = check(
      graphModel({
        init: ['A'],
        edges: { A: [['go', 'BAD']] },
        properties: [always('Safe', 'never BAD', is('BAD'), (s) => `reached ${String(s)}`)],
      }),
    );
    expect(o.violations[0].explanation).toBe('reached BAD');
  });
});

describe('violations', () => {
  // X is violated at distance 1, Y at distance 3; the exploration goes on to Z at distance 4.
  const twoBugs = () =>
    graphModel({
      init: ['A'],
      edges: {
        A: [['a', 'X1'], ['b', 'B']],
        X1: [['x', 'X2']],
        B: [['b', 'C']],
        C: [['c', 'Y1'], ['c2', 'X2']],
        Y1: [['y', 'Z']],
      },
      properties: [
        always('NoX', 'never in an X state', is('X1', 'X2')),
        always('NoY', 'never in Y1', is('Y1')),
        always('Fine', 'always true', () => true),
      ],
    });

  it('keeps exploring after a violation and gives each violated property its own shortest trace', () => {
    const o = check(twoBugs());
    expect(o.status).toBe('violation');
    expect(o.bound).toBeUndefined();
    expect(o.stats).toMatchObject({ states: 7, transitions: 7, depth: 5, complete: true });
    expect(o.violations.map((v) => v.name)).toEqual(['NoX', 'NoY']);
    expect(actionsOf(o.violations[0].trace)).toEqual(['g.a']);
    expect(actionsOf(o.violations[1].trace)).toEqual(['g.b', 'g.b', 'g.c']);
    expect(o.properties.map((p) => [p.name, p.verdict])).toEqual([
      ['NoX', 'violated'],
      ['NoY', 'violated'],
      ['Fine', 'holds'],
    ]);
    expect(o.properties[2].trace).toBeUndefined();
  });

  it('stopOnFirstViolation stops at the first violation, leaving the other properties unknown', () => {
    const o = check(twoBugs(), { stopOnFirstViolation: true });
    expect(o.status).toBe('violation');
    expect(o.bound).toBe('stopOnViolation');
    expect(o.stats.complete).toBe(false);
    expect(o.stats.states).toBeLessThan(7);
    expect(o.violations.map((v) => v.name)).toEqual(['NoX']);
    expect(actionsOf(o.violations[0].trace)).toEqual(['g.a']);
    expect(o.properties.map((p) => [p.name, p.verdict])).toEqual([
      ['NoX', 'violated'],
      ['NoY', 'unknown'],
      ['Fine', 'unknown'],
    ]);
  });

  it('stopOnFirstViolation stops before expanding anything when an initial state violates', () => {
    const m = graphModel({ init: ['BAD'], edges: { BAD: [['go', 'A']] }, properties: [always('Safe', 'never BAD', is('BAD'))] });
    const o = check(m, { stopOnFirstViolation: true });
    expect(o.status).toBe('violation');
    expect(o.bound).toBe('stopOnViolation');
    expect(o.stats.states).toBe(1);
    expect(m.expanded).toEqual([]); // nothing expanded (a one-state trace needs no replay step)
  });

  it('stopOnFirstViolation changes nothing when there is no violation', () => {
    const o = check(graphModel({ init: [0], edges: chain(5), properties: [always('T', 'true', () => true)] }), {
      stopOnFirstViolation: true,
    });
    expect(o.status).toBe('ok');
    expect(o.bound).toBeUndefined();
    expect(o.stats).toMatchObject({ states: 5, complete: true });
  });
});

describe('sometimes', () => {
  const edges = { A: [['a', 'B'], ['b', 'C']], B: [['c', 'GOAL']], C: [['d', 'GOAL']] } as const;

  it('holds, with a shortest witness trace, when reached', () => {
    const o = check(graphModel({ init: ['A'], edges, properties: [sometimes('Reach', 'GOAL is reached', isOneOf('GOAL'))] }));
    expect(o.status).toBe('ok');
    expect(o.violations).toEqual([]);
    const [p] = o.properties;
    expect(p.verdict).toBe('holds');
    expect(actionsOf(p.trace)).toEqual(['g.a', 'g.c']);
    expect(statesOf(p.trace)).toEqual(['A', 'B', 'GOAL']);
  });

  it('holds with a one-state witness when an initial state satisfies it', () => {
    const o = check(graphModel({ init: ['A'], edges, properties: [sometimes('Start', 'A', isOneOf('A'))] }));
    expect(o.properties[0].verdict).toBe('holds');
    expect(statesOf(o.properties[0].trace)).toEqual(['A']);
  });

  it('is violated (so a vacuous model cannot pass) when never reached', () => {
    const o = check(graphModel({ init: ['A'], edges, properties: [sometimes('Reach', 'NOWHERE is reached', isOneOf('NOWHERE'))] }));
    expect(o.status).toBe('violation');
    expect(o.violations.map((v) => v.name)).toEqual(['Reach']);
    expect(o.violations[0].kind).toBe('sometimes');
    expect(o.violations[0].trace).toBeUndefined();
    expect(o.stats.complete).toBe(true);
  });
});

describe('atQuiescence', () => {
  // Q1 and Q2 have no enabled action; L has a self-loop, so it is never quiescent.
  const m = (holds: (s: Node) => boolean) =>
    graphModel({
      init: ['A'],
      edges: { A: [['a', 'L'], ['b', 'B']], L: [['spin', 'L']], B: [['c', 'Q1'], ['d', 'C']], C: [['e', 'Q2']] },
      properties: [atQuiescence('Clean', 'holds where nothing can move', holds)],
    });

  it('is checked only in states with no enabled action', () => {
    // False in A, L, B and C, which all have a successor: does not matter.
    const o = check(m(isOneOf('Q1', 'Q2')));
    expect(o.status).toBe('ok');
    expect(o.properties[0].verdict).toBe('holds');
  });

  it('a state with only a self-loop is not quiescent', () => {
    const o = check(m(is('L')));
    expect(o.status).toBe('ok');
  });

  it('is violated with a shortest trace to a quiescent state where it fails', () => {
    const o = check(m(is('Q1', 'Q2')));
    expect(o.status).toBe('violation');
    expect(actionsOf(o.violations[0].trace)).toEqual(['g.b', 'g.c']);
    const o2 = check(m(is('Q2')));
    expect(actionsOf(o2.violations[0].trace)).toEqual(['g.b', 'g.d', 'g.e']);
  });

  it('is checked in a quiescent initial state', () => {
    const o = check(graphModel({ init: ['Q'], edges: {}, properties: [atQuiescence('Clean', 'never Q', is('Q'))] }));
    expect(o.status).toBe('violation');
    expect(statesOf(o.violations[0].trace)).toEqual(['Q']);
  });
});

describe('bounds: incomplete, never ok', () => {
  const props = [
    always('NotLast', 'never state 9', is(9)),
    always('True', 'always true', () => true),
    sometimes('ReachLast', 'state 9 is reached', isOneOf(9)),
  ];
  const line = () => graphModel({ init: [0], edges: chain(10), properties: props });

  it('maxStates', () => {
    const o = check(line(), { maxStates: 4 });
    expect(o.status).toBe('incomplete');
    expect(o.bound).toBe('maxStates');
    expect(o.stats).toMatchObject({ states: 4, complete: false });
    expect(o.stats.depth).toBeGreaterThan(0);
    expect(o.properties.map((p) => p.verdict)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(o.violations).toEqual([]);
  });

  it('maxStates below the number of initial states', () => {
    const o = check(graphModel({ init: [1, 2, 3], edges: {} }), { maxStates: 2 });
    expect(o.status).toBe('incomplete');
    expect(o.bound).toBe('maxStates');
    expect(o.stats.states).toBe(2);
  });

  it('maxStates equal to the number of reachable states is not limiting', () => {
    const o = check(line(), { maxStates: 10 });
    expect(o.status).toBe('violation');
    expect(o.bound).toBeUndefined();
    expect(o.stats).toMatchObject({ states: 10, complete: true });
  });

  it('maxDepth', () => {
    const o = check(line(), { maxDepth: 3 });
    expect(o.status).toBe('incomplete');
    expect(o.bound).toBe('maxDepth');
    expect(o.stats).toMatchObject({ states: 3, depth: 3, complete: false });
    expect(o.properties.map((p) => p.verdict)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('a violation within the bound is still reported, with the bound', () => {
    const m = graphModel({ init: [0], edges: chain(10), properties: [always('Not2', 'never state 2', is(2))] });
    const o = check(m, { maxDepth: 4 });
    expect(o.status).toBe('violation');
    expect(o.bound).toBe('maxDepth');
    expect(o.stats.complete).toBe(false);
    expect(actionsOf(o.violations[0].trace)).toEqual(['g.s0', 'g.s1']);
  });

  it('a maxDepth that is not actually limiting gives ok', () => {
    const ok = graphModel({ init: [0], edges: chain(10), properties: [always('T', 'true', () => true)] });
    for (const maxDepth of [10, 11, 1000]) {
      const o = check(ok, { maxDepth });
      expect(o.status).toBe('ok');
      expect(o.bound).toBeUndefined();
      expect(o.stats).toMatchObject({ states: 10, depth: 10, complete: true });
    }
    // A cycle: the last level only leads back to known states.
    const cyc = graphModel({ init: ['A'], edges: { A: [['go', 'B']], B: [['back', 'A']] } });
    expect(check(cyc, { maxDepth: 2 })).toMatchObject({ status: 'ok', stats: { states: 2, depth: 2, complete: true } });
  });

  it('a non-limiting maxDepth equal to the depth keeps the last level\'s transitions and coverage', () => {
    // See the report: at depth == maxDepth the engine computes successors only to see whether
    // one is new; it does not count them. When none is new the run is complete (status ok),
    // yet transitions are undercounted and steps firing only there are listed as dead.
    const cyc = graphModel({ init: ['A'], edges: { A: [['go', 'B']], B: [['back', 'A']] }, steps: [{ actor: 'g', step: 'go' }, { actor: 'g', step: 'back' }] });
    const full = check(cyc);
    const bounded = check(cyc, { maxDepth: 2 });
    expect(bounded.status).toBe('ok');
    expect(bounded.stats.transitions).toBe(full.stats.transitions); // 1, not 2
    expect(bounded.coverage.dead).toEqual(full.coverage.dead); // ['g:back'], not []
  });

  it('timeLimitMs', () => {
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const far = [
      always('NotLast', 'never state 1999', is(1999)),
      always('True', 'always true', () => true),
      sometimes('ReachLast', 'state 1999 is reached', isOneOf(1999)),
    ];
    const base = graphModel({ init: [0], edges: chain(2000), properties: far });
    const slow: Model<Node, Action & { to: Node }> = { ...base, next: (s, a) => (busy(1), base.next(s, a)) };
    const o = check(slow, { timeLimitMs: 40 });
    expect(o.status).toBe('incomplete');
    expect(o.bound).toBe('timeLimit');
    expect(o.stats.complete).toBe(false);
    expect(o.stats.states).toBeGreaterThan(1);
    expect(o.stats.states).toBeLessThan(2000);
    expect(o.properties.map((p) => p.verdict)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('a sometimes property not reached within a bound is unknown, not violated', () => {
    const o = check(graphModel({ init: [0], edges: chain(10), properties: [sometimes('ReachLast', 'state 9', isOneOf(9))] }), {
      maxDepth: 5,
    });
    expect(o.status).toBe('incomplete');
    expect(o.properties[0].verdict).toBe('unknown');
  });
});

describe('typed errors', () => {
  it('duplicate property names: status error with a SpecError', () => {
    const o = check(
      graphModel({ init: ['A'], edges: {}, properties: [always('P', 'one', () => true), sometimes('P', 'two', () => true)] }),
    );
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(SpecError);
    expect(o.error!.code).toBe('spec');
    expect(o.stats.complete).toBe(false);
  });

  it('a step declared twice: SpecError', () => {
    const o = check(graphModel({ init: ['A'], edges: {}, steps: [{ actor: 'g', step: 'x' }, { actor: 'g', step: 'x' }] }));
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(SpecError);
  });

  it('no initial state: SpecError', () => {
    const o = check(graphModel({ init: [], edges: {} }));
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(SpecError);
  });

  /** Counts 0..5; the invariant fails at 3, so a trace of 3 steps is replayed. */
  interface Stamped {
    readonly v: number;
    readonly stamp: number;
  }
  const counting = (stampOf: () => number): Model<Stamped> => ({
    name: 'nondeterministic',
    initialStates: () => [{ v: 0, stamp: 0 }],
    actions: (s) => (s.v < 5 ? [{ actor: 'c', step: 'inc' }] : []),
    next: (s) => ({ v: s.v + 1, stamp: stampOf() }),
    key: (s) => `${s.v}/${s.stamp}`,
    properties: [always<Stamped>('Below3', 'v < 3', (s) => s.v < 3)],
  });

  it('next() depending on a counter in a closure: DeterminismError at trace replay', () => {
    let calls = 0;
    const o = check(counting(() => calls++));
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(DeterminismError);
    const e = o.error as DeterminismError;
    expect(e.code).toBe('determinism');
    expect(e.position).toBe(1);
    expect(e.actualKey).not.toBe(e.expectedKey);
  });

  it('next() using Math.random: DeterminismError', () => {
    const o = check(counting(() => Math.random()));
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(DeterminismError);
  });

  it('initialStates() changing between calls: DeterminismError at position 0', () => {
    let calls = 0;
    const m: Model<Stamped> = { ...counting(() => 0), initialStates: () => [{ v: 0, stamp: calls++ }] };
    const o = check(m);
    expect(o.error).toBeInstanceOf(DeterminismError);
    expect((o.error as DeterminismError).position).toBe(0);
  });

  it('actions() in an unstable order: DeterminismError', () => {
    let calls = 0;
    const m = graphModel({
      init: ['A'],
      edges: { A: [['a', 'B'], ['b', 'C']] },
      properties: [always('NotB', 'never B', is('B'))],
    });
    const flaky: typeof m = { ...m, actions: (s) => (calls++ % 2 === 0 ? m.actions(s) : [...m.actions(s)].reverse()) };
    const o = check(flaky);
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(DeterminismError);
  });

  it("an exception from the model's next is a ModelError that keeps it, with the state and the action", () => {
    const m = graphModel({ init: ['A'], edges: { A: [['a', 'B']] } });
    const broken: typeof m = {
      ...m,
      next: () => {
        throw new RangeError('model bug');
      },
    };
    const o = check(broken);
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(ModelError);
    expect(o.error).toMatchObject({ code: 'model-error', part: 'next', action: 'g:a', stateKey: 'string:A' });
    expect((o.error as ModelError).thrown).toBeInstanceOf(RangeError);
  });
});

describe('coverage', () => {
  it('counts every firing of a step (to new or known states) and lists declared steps that never fire as dead', () => {
    const o = check(
      graphModel({
        init: ['A'],
        edges: {
          A: [['p.go', 'B'], ['q.go', 'C']],
          B: [['p.go', 'C'], ['p.back', 'A']],
          C: [['r.extra', 'C']],
        },
        steps: [
          { actor: 'p', step: 'go' },
          { actor: 'p', step: 'back' },
          { actor: 'p', step: 'never' },
          { actor: 'q', step: 'go' },
          { actor: 'q', step: 'never' },
        ],
      }),
    );
    expect(o.status).toBe('ok');
    // Declared steps first, in declaration order, then undeclared ones in the order they first fired.
    expect(o.coverage.steps).toEqual([
      { actor: 'p', step: 'go', count: 2 },
      { actor: 'p', step: 'back', count: 1 },
      { actor: 'p', step: 'never', count: 0 },
      { actor: 'q', step: 'go', count: 1 },
      { actor: 'q', step: 'never', count: 0 },
      { actor: 'r', step: 'extra', count: 1 },
    ]);
    expect(o.coverage.dead).toEqual(['p:never', 'q:never']);
    const total = o.coverage.steps.reduce((n, s) => n + s.count, 0);
    expect(total).toBe(o.stats.transitions);
  });

  it('without declared steps, lists what fired and nothing dead', () => {
    const o = check(graphModel({ init: [0], edges: chain(3) }));
    expect(o.coverage).toEqual({
      steps: [
        { actor: 'g', step: 's0', count: 1 },
        { actor: 'g', step: 's1', count: 1 },
      ],
      dead: [],
    });
  });
});

describe('multiple initial states', () => {
  const m = () =>
    graphModel({
      init: ['I1', 'I2', 'I1', 'I3'], // I1 listed twice: one state
      edges: {
        I1: [['a', 'X']],
        I2: [['b', 'I3'], ['c', 'BAD']],
        I3: [['d', 'I1']],
        X: [['e', 'Y']],
        Y: [['f', 'BAD']],
      },
      properties: [always('Safe', 'never BAD', is('BAD')), sometimes('SeeI3', 'I3', isOneOf('I3')), sometimes('SeeY', 'Y', isOneOf('Y'))],
    });

  it('all are at depth 1, duplicates count once, and they are expanded first, in order', () => {
    const model = m();
    const o = check(model);
    expect(o.stats).toMatchObject({ states: 6, transitions: 6, depth: 3, complete: true });
    expect(model.expanded.slice(0, 6)).toEqual(['I1', 'I2', 'I3', 'X', 'BAD', 'Y']);
  });

  it('a trace starts from the initial state nearest to the violation', () => {
    const o = check(m());
    expect(o.status).toBe('violation');
    const safe = o.properties.find((p) => p.name === 'Safe')!;
    expect(statesOf(safe.trace)).toEqual(['I2', 'BAD']);
    expect(actionsOf(safe.trace)).toEqual(['g.c']);
    // A witness in an initial state that is not the first one.
    expect(statesOf(o.properties.find((p) => p.name === 'SeeI3')!.trace)).toEqual(['I3']);
    expect(statesOf(o.properties.find((p) => p.name === 'SeeY')!.trace)).toEqual(['I1', 'X', 'Y']);
  });
});
