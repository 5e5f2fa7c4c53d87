/**
 * The counterexample graph (the union of all shortest counterexamples, from
 * src/graph/export.ts): drawn with sigma (WebGL) over a graphology graph, in
 * layers by distance from the initial states, the shown trace in blue and its
 * current state enlarged, violating states red, initial states green. A click
 * on a state shows it. Above the page's bound the graph is summarised (states
 * per distance), not drawn.
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { decode, type Drawn, type Explorer, type RunData, type TraceData } from './model.js';

/** Layers by distance; within a layer, states ordered by the mean position of their predecessors (one pass down). */
export function layeredLayout(d: Drawn): Map<number, { x: number; y: number }> {
  const layers = new Map<number, number[]>();
  for (const id of d.ids) {
    const k = d.depth.get(id)!;
    if (!layers.has(k)) layers.set(k, []);
    layers.get(k)!.push(id);
  }
  const preds = new Map<number, number[]>();
  for (const e of d.edges) {
    if (!preds.has(e.to)) preds.set(e.to, []);
    preds.get(e.to)!.push(e.from);
  }
  const pos = new Map<number, { x: number; y: number }>();
  const widest = Math.max(...[...layers.values()].map((l) => l.length));
  const gap = Math.max(1, widest / Math.max(1, layers.size)) * 1.2;
  for (const k of [...layers.keys()].sort((a, b) => a - b)) {
    const layer = layers.get(k)!;
    const key = (id: number) => {
      const ps = (preds.get(id) ?? []).map((p) => pos.get(p)?.x).filter((v): v is number => v !== undefined);
      return ps.length === 0 ? 0 : ps.reduce((s, v) => s + v, 0) / ps.length;
    };
    const order = layer.map((id, i) => ({ id, i, k: key(id) })).sort((a, b) => a.k - b.k || a.i - b.i);
    order.forEach((o, i) => pos.set(o.id, { x: i - (layer.length - 1) / 2, y: -k * gap }));
  }
  return pos;
}

const COLOR = { initial: '#2ca02c', violating: '#d62728', trace: '#1f4e9c', other: '#9aa7b8', edge: '#c9d0da', current: '#ff8c00' };

export function GraphPane({ x, run, trace, step }: { x: Explorer; run: RunData; trace: TraceData; step: number }) {
  const g = trace.graph;
  if (g.kind === 'none') {
    return (
      <section class="graph" id="graph">
        <h3>Counterexample graph</h3>
        <p class="notice" id="graph-none">
          {g.why}
        </p>
      </section>
    );
  }
  if (g.kind === 'summary') return <GraphSummary g={g} />;
  return <DrawnGraph x={x} run={run} trace={trace} step={step} g={g} />;
}

function GraphSummary({ g }: { g: Extract<TraceData['graph'], { kind: 'summary' }> }) {
  const widest = Math.max(1, ...g.perDepth);
  return (
    <section class="graph" id="graph">
      <h3>Counterexample graph</h3>
      <p class="notice" id="graph-summary" data-states={g.states}>
        {g.states} states, {g.edges} transitions, {g.violating} violating state{g.violating === 1 ? '' : 's'}; {g.count} shortest counterexamples of {g.length} steps.
        The graph is {g.why}.
      </p>
      <figure class="per-depth">
        <figcaption>states at each distance from the initial states</figcaption>
        <svg width={320} height={g.perDepth.length * 9 + 4} role="img" aria-label="states per distance">
          {g.perDepth.map((n, d) => (
            <g key={d}>
              <rect x={36} y={d * 9 + 2} height={7} width={Math.max(1, (n / widest) * 270)} class="depth-bar">
                <title>{`distance ${d}: ${n} states`}</title>
              </rect>
              {d % 5 === 0 ? (
                <text class="tick" x={32} y={d * 9 + 9} text-anchor="end">
                  {d}
                </text>
              ) : null}
            </g>
          ))}
        </svg>
      </figure>
    </section>
  );
}

function DrawnGraph({ x, run, trace, step, g }: { x: Explorer; run: RunData; trace: TraceData; step: number; g: Extract<TraceData['graph'], { kind: 'drawn' }> }) {
  const container = useRef<HTMLDivElement>(null);
  const renderer = useRef<Sigma | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const d = useMemo(() => decode(g), [g]);
  const onTrace = useMemo(() => new Map(trace.steps.map((s, i) => [s.n, i] as const).filter(([n]) => n !== null) as [number, number][]), [trace]);
  const current = trace.steps[step]?.n ?? null;
  const state = useRef({ current, selected });
  state.current = { current, selected };

  useEffect(() => {
    const el = container.current;
    if (el === null) return;
    const graph = new Graph({ multi: true, type: 'directed' });
    const pos = layeredLayout(d);
    for (const id of d.ids) {
      const f = d.flags.get(id)!;
      graph.addNode(String(id), {
        ...pos.get(id)!,
        size: onTrace.has(id) ? 5 : 3.5,
        label: `s${id}`,
        color: f & 2 ? COLOR.violating : f & 1 ? COLOR.initial : onTrace.has(id) ? COLOR.trace : COLOR.other,
      });
    }
    const traceEdges = new Set<string>();
    for (let i = 1; i < trace.steps.length; i++) traceEdges.add(`${trace.steps[i - 1].n}>${trace.steps[i].n}`);
    d.edges.forEach((e, i) => {
      const a = x.data.actions[e.action];
      const on = traceEdges.has(`${e.from}>${e.to}`);
      graph.addDirectedEdgeWithKey(`e${i}`, String(e.from), String(e.to), {
        size: on ? 2.5 : 1,
        color: e.violating ? COLOR.violating : on ? COLOR.trace : COLOR.edge,
        label: `${a.actor}:${a.step}`,
        type: 'arrow',
      });
    });
    let r: Sigma;
    try {
      r = new Sigma(graph, el, {
        renderEdgeLabels: d.ids.length <= 60,
        labelRenderedSizeThreshold: d.ids.length <= 150 ? 0 : 8,
        defaultEdgeType: 'arrow',
        zIndex: true,
        nodeReducer: (node, attrs) => {
          const id = Number(node);
          const { current: cur, selected: sel } = state.current;
          if (id === cur) return { ...attrs, size: 10, color: COLOR.current, zIndex: 2, forceLabel: true, highlighted: true };
          if (id === sel) return { ...attrs, size: 8, zIndex: 1, forceLabel: true, highlighted: true };
          return attrs;
        },
      });
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e));
      return;
    }
    r.on('clickNode', ({ node }) => setSelected(Number(node)));
    r.on('clickStage', () => setSelected(null));
    renderer.current = r;
    // For tests and the console: where each state is drawn.
    (el as HTMLDivElement & { sigma?: Sigma }).sigma = r;
    return () => {
      renderer.current = null;
      r.kill();
    };
  }, [d, trace, x]);

  useEffect(() => {
    renderer.current?.refresh();
  }, [current, selected]);

  const sel = selected === null ? null : selected;
  const selView = sel === null ? null : x.view(run, d.view.get(sel)!);
  const inEdges = sel === null ? [] : d.edges.filter((e) => e.to === sel);
  const outEdges = sel === null ? [] : d.edges.filter((e) => e.from === sel);
  const label = (e: { action: number }) => {
    const a = x.data.actions[e.action];
    return `${a.actor}:${a.step}${a.cites.length > 0 ? ` @ ${a.cites[0].text}` : ''}`;
  };
  return (
    <section class="graph" id="graph">
      <h3>Counterexample graph</h3>
      <p class="notice" id="graph-drawn" data-states={g.states}>
        {g.states} states and {g.edges} transitions: every one of the {g.count} shortest counterexamples ({g.length} steps). Blue: the trace shown; orange: its state at step {step}; red: violating; green:
        initial. Click a state to see it; scroll to zoom, drag to move.
      </p>
      {failed ? <p class="bad">The graph cannot be drawn here (WebGL: {failed}).</p> : null}
      <div class="graph-body">
        <div class="graph-canvas" id="graph-canvas" ref={container} />
        <aside class="node-state" id="node-state" data-node={sel ?? ''}>
          {sel === null ? (
            <p>Click a state of the graph to see it.</p>
          ) : (
            <>
              <h4>
                state s{sel}, distance {d.depth.get(sel)}
                {(d.flags.get(sel)! & 1) !== 0 ? ', initial' : ''}
                {(d.flags.get(sel)! & 2) !== 0 ? ', violating' : ''}
                {onTrace.has(sel) ? `, step ${onTrace.get(sel)} of the trace` : ''}
              </h4>
              <table class="state">
                <tbody>
                  {selView!.map((f) => (
                    <tr key={f.name} data-field={f.name}>
                      <th>{f.name}</th>
                      <td>{f.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {inEdges.length > 0 ? <p class="edges">from: {inEdges.map((e) => `s${e.from} (${label(e)})`).join(', ')}</p> : null}
              {outEdges.length > 0 ? <p class="edges">to: {outEdges.map((e) => `s${e.to} (${label(e)})`).join(', ')}</p> : null}
            </>
          )}
        </aside>
      </div>
    </section>
  );
}
