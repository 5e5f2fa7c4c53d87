/**
 * Machine-readable exports parsed back: ITF (our reader, round trip), the
 * graphology JSON (graphology import), GraphML (graphology-graphml), GEXF
 * (graphology-gexf), and DOT laid out by @viz-js/viz without error.
 */
import { describe, expect, it } from 'vitest';
import { MultiDirectedGraph } from 'graphology';
import { parse as parseGraphml } from 'graphology-graphml';
import { parse as parseGexf } from 'graphology-gexf';
import type { Action, Model, Trace } from '../src/engine/index.js';
import { check } from '../src/engine/index.js';
import { buildStateGraph, GraphTooLargeError } from '../src/graph/state-graph.js';
import { counterexampleGraph, dotToSvg, fullGraph, toDot, toGexf, toGraphml, toGraphologyJson, type ExportGraph } from '../src/graph/export.js';
import { decodeValue, encodeValue, itfText, readItf, Tuple } from '../src/report/itf.js';
import { analyseCounterexample } from '../src/report/swimlane.js';
import { dialogCell, petersonBuggy } from './export-helpers.js';

describe('ITF', () => {
  it('encodes integers, big integers, maps, sets and tuples as the format defines, and decodes them back', () => {
    const v = { n: 3, big: 2n ** 70n, huge: 2 ** 60, m: new Map([['a', 1]]), s: new Set([1, 2]), t: new Tuple([1, 'x']), l: [true, 'y'] };
    const e = encodeValue(v) as Record<string, unknown>;
    expect(e.n).toBe(3);
    expect(e.big).toEqual({ '#bigint': '1180591620717411303424' });
    expect(e.huge).toEqual({ '#bigint': '1152921504606846976' });
    expect(e.m).toEqual({ '#map': [['a', 1]] });
    expect(e.s).toEqual({ '#set': [1, 2] });
    expect(e.t).toEqual({ '#tup': [1, 'x'] });
    const d = decodeValue(JSON.parse(JSON.stringify(e))) as Record<string, unknown>;
    expect(d.big).toBe(2n ** 70n);
    expect(d.m).toEqual(new Map([['a', 1]]));
    expect(d.s).toEqual(new Set([1, 2]));
    expect(d.t).toEqual(new Tuple([1, 'x']));
    expect(d.l).toEqual([true, 'y']);
  });

  const roundTrip = (trace: Trace<unknown, Action>) => {
    const text = itfText(trace, { source: 'test', description: 'round trip' });
    const raw = JSON.parse(text);
    expect(raw['#meta'].format).toBe('ITF');
    raw.states.forEach((s: { '#meta': { index: number } }, i: number) => expect(s['#meta'].index).toBe(i));
    const back = readItf(text);
    expect(back.states.length).toBe(trace.length);
    back.states.forEach((s, i) => {
      const state = trace[i].state;
      const expected = typeof state === 'object' && state !== null && !Array.isArray(state) ? state : { state };
      expect(s.values).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(s.action?.actor).toBe(trace[i].action?.actor);
    });
  };

  it('round-trips the peterson-buggy counterexample', () => roundTrip(check(petersonBuggy()).violations[0].trace!));

  it('round-trips the dialog counterexample (readable states)', () => {
    const { model, project } = dialogCell();
    const c = analyseCounterexample(model, 'NoUseAfterFree', { project })!;
    roundTrip(c.trace);
  });

  it('rejects a state variable not declared in vars', () => {
    expect(() => readItf(JSON.stringify({ vars: ['a'], states: [{ '#meta': { index: 0 }, b: 1 }] }))).toThrow(/not in vars/);
  });
});

function parsesBack(graph: ExportGraph): void {
  const json = MultiDirectedGraph.from(JSON.parse(toGraphologyJson(graph)));
  expect(json.order).toBe(graph.order);
  expect(json.size).toBe(graph.size);
  expect(json.getAttributes()).toEqual(graph.getAttributes());

  const gml = parseGraphml(MultiDirectedGraph, toGraphml(graph));
  expect(gml.order).toBe(graph.order);
  expect(gml.size).toBe(graph.size);
  graph.forEachNode((n, a) => {
    const b = gml.getNodeAttributes(n);
    expect(b.violating).toBe(a.violating);
    expect(b.depth).toBe(a.depth);
    expect(b.label).toBe(a.label);
  });

  const gexf = parseGexf(MultiDirectedGraph, toGexf(graph));
  expect(gexf.order).toBe(graph.order);
  expect(gexf.size).toBe(graph.size);
  graph.forEachNode((n, a) => expect(gexf.getNodeAttribute(n, 'violating')).toBe(a.violating));
  graph.forEachEdge((e, a) => {
    expect(gml.getEdgeAttribute(e, 'label')).toBe(a.label);
    expect(gexf.getEdgeAttribute(e, 'label')).toBe(a.label);
  });
}

async function rendersSvg(graph: ExportGraph): Promise<string> {
  const svg = await dotToSvg(toDot(graph));
  expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
  return svg;
}

describe('graphs of peterson-buggy', () => {
  const m = petersonBuggy();
  const g = buildStateGraph(m);
  const p = m.properties[0];

  it('builds the same state space as the engine', () => {
    const o = check(m);
    expect(g.states.length).toBe(o.stats.states);
    expect(g.out.flat().length).toBe(o.stats.transitions);
  });

  it('the counterexample graph is the union of the 8 shortest paths, violating states and edges marked', async () => {
    const cg = counterexampleGraph(g, p)!;
    expect(cg.getAttribute('shortestCount')).toBe('8');
    const violating = cg.filterNodes((_, a) => a.violating);
    expect(violating.length).toBeGreaterThan(0);
    for (const n of violating) expect(cg.inEdges(n).every((e) => cg.getEdgeAttribute(e, 'violating'))).toBe(true);
    cg.forEachNode((_, a) => expect(a.depth).toBeLessThanOrEqual(8));
    parsesBack(cg);
    await rendersSvg(cg);
  });

  it('the full graph has every state and transition', async () => {
    const fg = fullGraph(g, [p]);
    expect(fg.order).toBe(98);
    expect(fg.size).toBe(186);
    parsesBack(fg);
    await rendersSvg(fg);
  });

  it('refuses a graph above the size bound', () => {
    expect(() => buildStateGraph(m, { maxStates: 50 })).toThrow(GraphTooLargeError);
  });
});

describe('graphs of the dialog counterexample (ok-short-lifetime, orig, NoUseAfterFree)', () => {
  const { model, project } = dialogCell();
  const g = buildStateGraph(model as Model<unknown, Action>);
  const p = g.properties.find((q) => q.name === 'NoUseAfterFree')!;

  it('labels every edge with its action and C line and parses back', async () => {
    const cg = counterexampleGraph(g, p, { project })!;
    expect(cg.getAttribute('length')).toBe(19);
    cg.forEachEdge((_, a) => expect(a.label).toMatch(/^[A-Z]\w*:\S+ @ dlg_\w+\.c:\d+/));
    cg.forEachNode((_, a) => expect(a.label).toMatch(/^s\d+ ref=-?\d+ H=\S+ TL=\S+$/));
    parsesBack(cg);
    const svg = await rendersSvg(cg);
    expect(svg).toContain('dlg_handlers.c');
  });

  it('DOT with a syntax error makes @viz-js/viz fail (the check can fail)', async () => {
    await expect(dotToSvg('digraph { a -> }')).rejects.toThrow();
  });
});

