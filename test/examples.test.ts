/**
 * The example models in ok/violation pairs, with pinned state spaces (distinct states,
 * transitions, depth as TLC counts it: initial state = depth 1) and the exact shortest
 * counterexample as "actor.step" strings.
 *
 * Cross-checks (docs/cross-check.md, test/fixtures/cross-check.sh):
 * - counter race: Spin 6.5.2 on test/fixtures/counter.pml (-DNOREDUCE, one d_step per step)
 *   stores exactly our distinct states for NP=2 K=1, NP=3 K=4 and NP=3 K=6; its
 *   stored+matched is our transitions + 1 (the initial state) and its BFS depth (-DBFS)
 *   is ours - 1 (Spin's initial state is at depth 0). Rumur 2022.08.20 on
 *   test/fixtures/counter.m gives the same distinct states and, as "rules fired", the same
 *   transitions. Both find the lost update in 8 (NP=2 K=1) and 48 (NP=3 K=4) steps.
 * - Peterson: Rumur on test/fixtures/peterson.m gives 38 states / 64 rules fired and, buggy,
 *   98 / 186, with the same 8-step counterexample as ours, step for step.
 * - two-phase commit RM=3: the tlaplus/Examples manifest for TwoPhase.cfg publishes (TLC)
 *   288 distinct states, 1146 total states (= our 1145 transitions + 1 initial state), depth 11.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/index.js';
import type { Action, Model, Outcome } from '../src/engine/index.js';
import { counterRace, type CounterState } from '../spec/examples/counter.js';
import { peterson } from '../spec/examples/peterson.js';
import { twoPhase } from '../spec/examples/twophase.js';

const steps = (o: Outcome<unknown, Action>, property: string): string[] => {
  const p = o.properties.find((r) => r.name === property);
  expect(p, property).toBeDefined();
  expect(p!.trace, `${property} has a trace`).toBeDefined();
  return p!.trace!.slice(1).map((s) => `${s.action!.actor}.${s.action!.step}`);
};

const verdicts = (o: Outcome<unknown, Action>) => Object.fromEntries(o.properties.map((p) => [p.name, p.verdict]));

const run = <S, A extends Action>(m: Model<S, A>) => check(m) as unknown as Outcome<unknown, Action>;

/** `times` full increments of process p: head, load, store, incr. */
const increments = (p: string, times: number): string[] =>
  Array.from({ length: times }, () => ['head', 'load', 'store', 'incr'].map((s) => `${p}.${s}`)).flat();

/**
 * For the Spin comparison (docs/cross-check.md): states[j] counts the distinct states in which
 * processes j..NP-1 are all done, transitions[j] the transitions leaving them.
 */
function finishedTally(NP: number) {
  const seen = new Set<string>();
  const states = Array<number>(NP).fill(0);
  const transitions = Array<number>(NP).fill(0);
  return {
    states,
    transitions,
    record<A>(s: CounterState, actions: readonly A[], key: string): readonly A[] {
      if (s.pc[NP - 1] === 'done' && !seen.has(key)) {
        seen.add(key);
        for (let j = NP - 1; j >= 0 && s.pc[j] === 'done'; j--) {
          states[j]++;
          transitions[j] += actions.length;
        }
      }
      return actions;
    },
  };
}

/** The lost update between p1 and p2: both load the same x, both store it + 1. */
const lostUpdate = ['p1.head', 'p1.load', 'p2.head', 'p2.load', 'p1.store', 'p1.incr', 'p2.store', 'p2.incr'];

describe('counter race', () => {
  it('NP=2 K=1: 51 states, 82 transitions, depth 11; the 8-step lost update', () => {
    const o = run(counterRace({ NP: 2, K: 1 }));
    expect(o.status).toBe('violation');
    expect(o.stats).toMatchObject({ states: 51, transitions: 82, depth: 11, complete: true });
    expect(verdicts(o)).toEqual({ Bound: 'holds', NoLostUpdate: 'violated' });
    expect(steps(o, 'NoLostUpdate')).toEqual([
      'p0.head', 'p0.load', 'p1.head', 'p1.load', 'p0.store', 'p0.incr', 'p1.store', 'p1.incr',
    ]);
    const last = o.violations[0].trace!.at(-1)!.state as { x: number; n: number[] };
    expect(last).toMatchObject({ x: 1, n: [1, 1] });
    expect(o.coverage.dead).toEqual([]);
  });

  it('NP=3 K=4: 165340 states, 465273 transitions, depth 52; Bound holds, NoLostUpdate violated in 48 steps', () => {
    const model = counterRace({ NP: 3, K: 4 });
    const tally = finishedTally(3);
    const o = run({ ...model, actions: (s: CounterState) => tally.record(s, model.actions(s), model.key(s)) });
    expect(o.status).toBe('violation');
    expect(o.stats).toMatchObject({ states: 165340, transitions: 465273, depth: 52, complete: true });
    expect(verdicts(o)).toEqual({ Bound: 'holds', NoLostUpdate: 'violated' });
    const trace = steps(o, 'NoLostUpdate');
    expect(trace).toHaveLength(48);
    expect(trace).toEqual([...increments('p0', 4), ...increments('p1', 3), ...lostUpdate, ...increments('p2', 3)]);
    expect(o.violations[0].explanation).toBe('all 3 processes did 4 increments but x = 11, not 12');

    // Spin with the process location as pc (counter.pml -DNATIVE_PC) stores 176023 states and
    // 496021 = stored+matched: it adds, for j = 2, 1, 0, a copy of our states in which processes
    // j..2 are done, with those processes removed (Spin removes a finished process only once every
    // later-created one is gone). The copies have our transitions among those states, plus one
    // removal transition into each copied state; Spin's count also has the initial state.
    expect(tally.states).toEqual([11, 423, 10249]);
    expect(tally.transitions).toEqual([0, 412, 19652]);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(o.stats.states + sum(tally.states)).toBe(176_023);
    expect(o.stats.transitions + sum(tally.states) + sum(tally.transitions) + 1).toBe(496_021);
  });

  // The biggest pinned configuration: about 20-30 s, so it has a timeout of its own.
  it('NP=3 K=6: 1659317 states, 4785123 transitions, depth 76; NoLostUpdate violated in 72 steps', { timeout: 240_000 }, () => {
    const o = run(counterRace({ NP: 3, K: 6 }));
    expect(o.status).toBe('violation');
    expect(o.stats).toMatchObject({ states: 1_659_317, transitions: 4_785_123, depth: 76, complete: true });
    expect(verdicts(o)).toEqual({ Bound: 'holds', NoLostUpdate: 'violated' });
    expect(steps(o, 'NoLostUpdate')).toEqual([...increments('p0', 6), ...increments('p1', 5), ...lostUpdate, ...increments('p2', 5)]);
  });
});

describe("Peterson's mutual exclusion", () => {
  it('correct: 38 states, 64 transitions, depth 10; MutualExclusion holds', () => {
    const o = run(peterson({ buggy: false }));
    expect(o.status).toBe('ok');
    expect(o.stats).toMatchObject({ states: 38, transitions: 64, depth: 10, complete: true });
    expect(verdicts(o)).toEqual({ MutualExclusion: 'holds' });
    expect(o.coverage.dead).toEqual([]);
  });

  it('buggy (turn before flag): 98 states, 186 transitions, depth 14; MutualExclusion violated in 8 steps', () => {
    const o = run(peterson({ buggy: true }));
    expect(o.status).toBe('violation');
    expect(o.stats).toMatchObject({ states: 98, transitions: 186, depth: 14, complete: true });
    expect(verdicts(o)).toEqual({ MutualExclusion: 'violated' });
    // p0 gives way first; p1 gives way and, seeing p0's flag still down, enters; then p0,
    // seeing turn = 0, enters too.
    expect(steps(o, 'MutualExclusion')).toEqual(['p0.s1', 'p1.s1', 'p1.s2', 'p1.s3', 'p0.s2', 'p0.s3', 'p0.s4', 'p1.s4']);
    expect((o.violations[0].trace!.at(-1)!.state as { ncrit: number }).ncrit).toBe(2);
  });
});

describe('two-phase commit (TwoPhase.tla)', () => {
  it('RM=3: 288 states, 1145 transitions, depth 11 (as TLC publishes); consistent', () => {
    const o = run(twoPhase({ RM: 3 }));
    expect(o.status).toBe('ok');
    expect(o.stats).toMatchObject({ states: 288, transitions: 1145, depth: 11, complete: true });
    expect(verdicts(o)).toEqual({ TPTypeOK: 'holds', TCConsistent: 'holds' });
    expect(o.coverage.dead).toEqual([]);
  });

  it('buggy (TM commits without every RM prepared), RM=3: 623 states, 2507 transitions, depth 11; TCConsistent violated in 3 steps', () => {
    const o = run(twoPhase({ RM: 3, buggy: true }));
    expect(o.status).toBe('violation');
    expect(o.stats).toMatchObject({ states: 623, transitions: 2507, depth: 11, complete: true });
    expect(verdicts(o)).toEqual({ TPTypeOK: 'holds', TCConsistent: 'violated' });
    expect(steps(o, 'TCConsistent')).toEqual(['TM.TMCommit', 'rm0.RMChooseToAbort', 'rm1.RMRcvCommitMsg']);
  });
});
