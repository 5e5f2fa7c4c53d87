/**
 * Readable counterexamples: swimlanes (text, Markdown) and Mermaid against
 * golden files (UPDATE_GOLDEN=1 rewrites them), and the analysis behind them
 * (counting the shortest counterexamples, fewest actor switches, the step
 * where the violation becomes unavoidable) on tiny literal graphs.
 */
import { describe, expect, it } from 'vitest';
import { always, atQuiescence, check, sometimes, type Model } from '../src/engine/index.js';
import { actorSwitches, buildStateGraph, doomedStates, fewestSwitches, shortestPaths } from '../src/graph/state-graph.js';
import { choiceGraph, choiceRequest, chooseTraces } from '../src/check/shortest.js';
import { execute, type RunSpec } from '../src/check/run.js';
import { dialogRuns, loadManifest } from '../src/check/dialog.js';
import { analyseCounterexample, renderSwimlane } from '../src/report/swimlane.js';
import { renderMermaid } from '../src/report/mermaid.js';
import { graphModel, type Node } from './helpers/graph-model.js';
import { ACTOR_ROLES } from '../spec/dialog/actors.js';
import { dialogCell, golden, petersonBuggy } from './export-helpers.js';

const bad = (name: string) => always<Node>('NotBad', 'the state bad is never reached', (s) => s !== name);

describe('shortest counterexamples on literal graphs', () => {
  // Two actors; three shortest paths to 'bad' (a.x b.y, b.y a.x, a.z a.w), one longer.
  const m = graphModel({
    init: ['s'],
    edges: {
      s: [['a.x', 'p'], ['b.y', 'q'], ['a.z', 'r']],
      p: [['b.y', 'bad']],
      q: [['a.x', 'bad'], ['b.k', 'safe']],
      r: [['a.w', 'bad']],
      safe: [['b.loop', 'safe']],
    },
    properties: [bad('bad')],
  });

  it('finds the shortest paths to 300,000 targets (more than a call\'s arguments may be)', () => {
    const N = 300_000;
    const fan: Model<number> = {
      name: 'fan',
      initialStates: () => [0],
      actions: (s) => (s === 0 ? Array.from({ length: N }, (_, i) => ({ actor: 'p', step: `to${i + 1}` })) : []),
      next: (_s, a) => Number(a.step.slice(2)),
      key: String,
      properties: [always<number>('Zero', 'stays at 0', (s) => s === 0)],
    };
    const g = buildStateGraph(fan, { maxStates: N + 1 });
    const sp = shortestPaths(g, fan.properties[0])!;
    expect(sp.length).toBe(1);
    expect(sp.count).toBe(BigInt(N));
  });

  it('counts every distinct shortest path and picks the one with the fewest actor switches', () => {
    const g = buildStateGraph(m);
    const sp = shortestPaths(g, m.properties[0])!;
    expect(sp.length).toBe(2);
    expect(sp.count).toBe(3n);
    const t = fewestSwitches(g, sp);
    expect(t.map((x) => x.action?.step ?? 'init')).toEqual(['init', 'z', 'w']);
    expect(actorSwitches(t)).toBe(0);
    // The engine's own trace is the first found (two actors, one switch).
    expect(actorSwitches(check(m).violations[0].trace!)).toBe(1);
  });

  it('marks as doomed exactly the states from which every path reaches the violation', () => {
    const g = buildStateGraph(m);
    const doomed = doomedStates(g, m.properties[0]);
    const byName = Object.fromEntries(g.states.map((s, i) => [String(s), doomed[i]]));
    // s and q can still escape (q -> safe loops forever); p and r cannot.
    expect(byName).toEqual({ s: 0, p: 1, q: 0, r: 1, bad: 1, safe: 0 });
  });

  it('marks the step after which the violation is unavoidable', () => {
    const c = analyseCounterexample(m, 'NotBad')!;
    expect(c.unavoidableAt).toBe(1);
    expect(c.count).toBe(3n);
  });
});

describe('a graph cut at the counterexample length', () => {
  // 'end' is quiescent and violates Done; it is the last state before the cut.
  const m = graphModel({
    init: ['s'],
    edges: { s: [['a.x', 'p'], ['b.y', 'q']], p: [['a.z', 'end']], q: [['b.w', 'end'], ['b.v', 'more']], more: [['b.u', 'more2']] },
    properties: [atQuiescence<Node>('Done', 'quiescent only in a good state', (s) => s !== 'end')],
  });

  it('still finds a quiescent violating state at the cut (quiescence is known beyond the depth bound)', () => {
    const g = buildStateGraph(m, { maxDist: 2 });
    expect(g.complete).toBe(false);
    const sp = shortestPaths(g, m.properties[0])!;
    expect(sp.length).toBe(2);
    expect(sp.count).toBe(2n);
    expect(sp.targets.map((t) => g.states[t])).toEqual(['end']);
  });

  it('chooses the printed trace the same way, falling back to the engine trace above the bound', () => {
    const run: RunSpec = { id: 'cut', tags: {}, build: () => m, expect: { violated: ['Done'] } };
    const [c] = chooseTraces(run, [{ property: 'Done', length: 2 }]);
    expect(c.count).toBe('2');
    expect(c.switches).toBe(0);
    expect(c.trace!.map((t) => t.state)).toEqual(['s', 'p', 'end']);
    const [none] = chooseTraces(run, [{ property: 'Done', length: 2 }], 3);
    expect(none).toMatchObject({ trace: null, count: null, switches: null });
    expect(none.why).toMatch(/exceed 3/);
  });

  it("takes the graph's size from the run's statistics, and does not build a graph they put above the bound", () => {
    const o = check(m);
    expect(o.stats.levels).toEqual([1, 2, 2, 1]); // s; p, q; end, more; more2
    const r = choiceRequest('Done', 2, o.stats);
    expect(r).toEqual({ property: 'Done', length: 2, within: 5, all: 6 });
    expect(buildStateGraph(m, { maxDist: 2 }).states).toHaveLength(5);
    // A run stopped by a bound: no whole count, and the level it stopped in counts what it stored.
    expect(choiceRequest('Done', 2, check(m, { maxStates: 4 }).stats)).toEqual({ property: 'Done', length: 2, within: 4 });
    // Statistics made by hand have no levels: the graph is built as before.
    expect(choiceRequest('Done', 2, { ...o.stats, levels: undefined })).toEqual({ property: 'Done', length: 2 });

    let expanded = 0;
    const counted = { ...m, actions: (s: Node) => (expanded++, m.actions(s)) };
    const run: RunSpec = { id: 'cut', tags: {}, build: () => counted, expect: { violated: ['Done'] } };
    const [none] = chooseTraces(run, [r], 4);
    expect(none).toMatchObject({ trace: null, count: null, why: expect.stringMatching(/exceed 4/) });
    expect(expanded).toBe(0);
    const [c] = chooseTraces(run, [r], 5);
    expect(c.count).toBe('2');
    expect(expanded).toBeGreaterThan(0);
    // The whole graph (to mark where a violation becomes unavoidable) is tried only when the run's
    // states fit: at a bound of 5 the actions of the 5 states within the trace's length are asked
    // for once, not also for a whole graph cut at the bound (5 more), as without the run's counts.
    expanded = 0;
    expect(choiceGraph(counted, [r], 5, true)).toMatchObject({ complete: false, states: { length: 5 } });
    expect(expanded).toBe(5);
    expect(choiceGraph(counted, [{ property: 'Done', length: 2 }], 5, true)).toMatchObject({ complete: false, states: { length: 5 } });
    expect(expanded).toBe(5 + 5 + 5);
    expanded = 0;
    expect(choiceGraph(counted, [r], 6, true)).toMatchObject({ complete: true, states: { length: 6 } });
    expect(expanded).toBe(6);
  });

  it("on dialog cells, the states the run counted up to a trace's length are the states of the graph built to that length", () => {
    const runs = dialogRuns(loadManifest());
    // One dialog under sc and relaxed memory, one under EINTR, and two dialogs sharing memory.
    const ids = ['dialog/ping-timeout/fast-lock/sc/orig', 'dialog/replicated-delete/fast-lock/relaxed/v1-part1', 'dialog/ok-short-lifetime/posix-sem/sc/eintr1/fix-drop', 'dialog/route-vs-update-reuse/fast-lock/sc/v2'];
    let compared = 0;
    for (const id of ids) {
      const run = runs.find((x) => x.id === id)!;
      const o = execute(run).outcome;
      expect(o.violations.length, id).toBeGreaterThan(0);
      for (const v of o.violations) {
        const r = choiceRequest(v.name, v.trace!.length - 1, o.stats);
        expect(buildStateGraph(run.build(), { maxStates: 1e6, maxDist: r.length }).states.length, `${id} ${v.name}`).toBe(r.within);
        compared++;
      }
    }
    expect(compared).toBe(17);
  });
});

describe('a sometimes property', () => {
  const m = graphModel({
    init: ['s'],
    edges: { s: [['a.x', 'p'], ['b.y', 'goal']], p: [['a.z', 'goal']] },
    properties: [sometimes<Node>('Goal', 'goal is reachable', (s) => s === 'goal')],
  });

  it('gets its shortest witness, worded as a witness, not a violation', () => {
    const c = analyseCounterexample(m, 'Goal')!;
    expect(c.trace.map((t) => t.state)).toEqual(['s', 'goal']);
    const text = renderSwimlane(c);
    expect(text).toMatch(/^\S+: Goal reached, witness of 1 step in swimlanes\n/);
    expect(text).toContain('XX step 1 (b:y) reaches a state that witnesses it.');
    expect(text).toContain('Reached: Goal (goal is reachable) must be reachable; this trace reaches it.');
    expect(text).toContain('This is the only shortest witness (1 step)');
    expect(text).not.toMatch(/violat/);
    expect(renderMermaid(c)).toMatch(/title \S+: Goal reached\n/);
  });
});

describe('peterson-buggy (MutualExclusion)', () => {
  const c = analyseCounterexample(petersonBuggy(), 'MutualExclusion', { title: 'peterson-buggy' })!;

  it('finds 8 shortest counterexamples of 8 steps and one with 2 actor switches', () => {
    expect(c.trace.length - 1).toBe(8);
    expect(c.count).toBe(8n);
    expect(c.switches).toBe(2);
    expect(c.switches).toBeLessThan(actorSwitches(check(petersonBuggy()).violations[0].trace!));
    expect(c.unavoidableAt).toBe(8);
  });

  it('prints the swimlane text as the golden file', () => golden('peterson-buggy.swimlane.txt', renderSwimlane(c)));
  it('prints the full-state swimlane as the golden file', () => golden('peterson-buggy.swimlane-full.txt', renderSwimlane(c, { fullState: true })));
  it('prints the Markdown swimlane as the golden file', () => golden('peterson-buggy.swimlane.md', renderSwimlane(c, { markdown: true })));
  it('prints the Mermaid diagram as the golden file', () => golden('peterson-buggy.mmd', renderMermaid(c)));
});

describe('dialog ok-short-lifetime / fast-lock/sc / orig (NoUseAfterFree)', () => {
  const { model, project } = dialogCell();
  const c = analyseCounterexample(model, 'NoUseAfterFree', { title: 'dialog/ok-short-lifetime/fast-lock/sc/orig', project })!;

  it('has the length of the engine trace and marks a point of no return before the violation', () => {
    const engine = check(model).violations.find((v) => v.name === 'NoUseAfterFree')!;
    expect(c.trace.length).toBe(engine.trace!.length);
    expect(c.unavoidableAt).not.toBeNull();
    expect(c.unavoidableAt!).toBeLessThan(c.trace.length - 1);
  });

  it('shows locks and ref count columns', () => {
    const text = renderSwimlane(c);
    expect(text).toMatch(/locks held/);
    expect(text).toMatch(/ ref /);
    expect(text).toMatch(/dlg_handlers\.c:\d+/);
  });

  // With the roles the check's export passes (RunSpec.roles): the README shows this file as what --export swimlane writes.
  it('prints the swimlane text as the golden file', () => golden('dialog-ok-short-lifetime.swimlane.txt', renderSwimlane(c, { roles: ACTOR_ROLES })));
  it('prints the Mermaid diagram as the golden file', () => {
    const text = renderMermaid(c);
    expect(text).toMatch(/acquires H/);
    expect(text).toMatch(/ref 2 → 0/);
    golden('dialog-ok-short-lifetime.mmd', text);
  });
});
