/**
 * An open run (a matrix cell, a proposition search or another run): its
 * counts, its properties and their verdicts, and per violated property the
 * trace the check prints (stepped in TraceView); beside it, the same
 * property's trace in another variant of the row (before and after a fix).
 */
import { useEffect } from 'preact/hooks';
import { cellClass, cellStyle } from './grid.js';
import { firstDivergence, type Explorer, type Place, type RunData, type TraceData } from './model.js';
import { Swimlane, TraceView, traceHeadline } from './trace.js';

/** The trace a run opens on: its worst violated property's, else its first. */
export function defaultProp(x: Explorer, r: RunData): string | null {
  if (r.traces.length === 0) return null;
  const ranked = [...r.traces].sort((a, b) => (x.property(a.property)?.rank ?? 0) - (x.property(b.property)?.rank ?? 0));
  return ranked[0].property;
}

export function Detail({ x, runIndex, place, go }: { x: Explorer; runIndex: number; place: Place; go: (p: Partial<Place>) => void }) {
  const r = x.run(runIndex);
  const prop = place.prop !== null && r.traces.some((t) => t.property === place.prop) ? place.prop : defaultProp(x, r);
  const trace = r.traces.find((t) => t.property === prop) ?? null;
  const step = trace === null ? 0 : Math.min(place.step, trace.length);
  const mates = x.rowMates(r).filter((i) => i !== runIndex);
  const cmpIndex = place.cmp === null ? undefined : x.runIndex.get(place.cmp);
  const cmp = cmpIndex === undefined ? null : x.run(cmpIndex);
  useEffect(() => {
    document.getElementById('detail')?.scrollIntoView({ block: 'nearest' });
  }, [runIndex]);
  return (
    <section class="detail" id="detail" data-run={r.id}>
      <h2>
        <span class="run-id">{r.id}</span>{' '}
        <span class={`cell-text ${cellClass(r)}`} style={cellStyle(x, r)}>
          {r.cell}
        </span>
      </h2>
      <p class="counts" id="run-counts">
        {r.status}
        {r.bound ? ` (stopped by ${r.bound})` : ''}: {r.states} states, {r.transitions} transitions, depth {r.depth}
        {r.timeMs !== undefined ? `, ${(r.timeMs / 1000).toFixed(2)} s` : ''} · {r.asDeclared ? 'as declared' : 'differs from its declaration'}
      </p>
      {r.error ? <p class="bad">{r.error}</p> : null}
      {r.differences.length > 0 ? (
        <ul class="differences">
          {r.differences.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      ) : null}
      <Properties x={x} r={r} prop={prop} pick={(p) => go({ prop: p, step: 0 })} />
      {r.dead.length > 0 ? (
        <details class="dead">
          <summary>{r.dead.length} declared steps never fired</summary>
          <p>{r.dead.join(', ')}</p>
        </details>
      ) : null}
      {trace !== null ? (
        <>
          {r.traces.length > 1 ? (
            <nav class="trace-tabs" aria-label="traces">
              {r.traces.map((t) => {
                const p = x.property(t.property);
                return (
                  <button key={t.property} class={t.property === prop ? 'active' : ''} data-prop={t.property} onClick={() => go({ prop: t.property, step: 0 })}>
                    <span class="swatch" style={{ background: p?.color }} /> {p?.short ?? t.property} ({t.length} steps)
                  </button>
                );
              })}
            </nav>
          ) : null}
          <TraceView key={`${r.id} ${prop}`} x={x} run={r} trace={trace} step={step} setStep={(s) => go({ step: s })} />
          {mates.length > 0 ? (
            <Compare x={x} run={r} trace={trace} step={step} mates={mates} cmp={cmp} choose={(id) => go({ cmp: id })} setStep={(s) => go({ step: s })} />
          ) : null}
        </>
      ) : (
        <p class="notice" id="no-trace">
          No trace:{' '}
          {r.verdicts.some((v) => v.verdict === 'violated')
            ? 'the violated properties were never reached (a witness that does not exist has no trace).'
            : r.status === 'error'
              ? 'the run failed.'
              : r.status === 'incomplete'
                ? 'nothing was found violated before the exploration stopped.'
                : 'every property holds.'}
        </p>
      )}
    </section>
  );
}

function Properties({ x, r, prop, pick }: { x: Explorer; r: RunData; prop: string | null; pick: (p: string) => void }) {
  return (
    <table class="properties" id="properties">
      <thead>
        <tr>
          <th>property</th>
          <th>kind</th>
          <th>verdict</th>
          <th>meaning</th>
        </tr>
      </thead>
      <tbody>
        {r.verdicts.map((v) => {
          const p = x.property(v.name);
          const t = r.traces.find((q) => q.property === v.name);
          return (
            <tr key={v.name} class={`${v.verdict}${v.name === prop ? ' current' : ''}`} data-prop={v.name}>
              <td>
                <span class="swatch" style={{ background: v.verdict === 'violated' ? p?.color : 'transparent' }} />{' '}
                {t ? (
                  <button type="button" class="link" onClick={() => pick(v.name)}>
                    {v.name}
                  </button>
                ) : (
                  v.name
                )}
              </td>
              <td>{p?.kind}</td>
              <td class="verdict">{v.verdict}</td>
              <td>
                {p?.meaning}
                {v.explanation ? <div class="explanation">{v.explanation}</div> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The trace beside another variant's trace of the same property (the same row: before and after a fix). */
function Compare({
  x,
  run,
  trace,
  step,
  mates,
  cmp,
  choose,
  setStep,
}: {
  x: Explorer;
  run: RunData;
  trace: TraceData;
  step: number;
  mates: readonly number[];
  cmp: RunData | null;
  choose: (id: string | null) => void;
  setStep: (s: number) => void;
}) {
  const other = cmp?.traces.find((t) => t.property === trace.property) ?? null;
  const verdict = cmp?.verdicts.find((v) => v.name === trace.property)?.verdict;
  const diverge = other ? firstDivergence(x, trace, other) : null;
  return (
    <section class="compare" id="compare">
      <h3>
        Side by side with{' '}
        <select id="compare-with" value={cmp?.id ?? ''} onChange={(e) => choose((e.target as HTMLSelectElement).value || null)}>
          <option value="">(another variant of this row)</option>
          {mates.map((i) => {
            const m = x.run(i);
            return (
              <option key={m.id} value={m.id}>
                {m.tags.variant}: {m.cell}
              </option>
            );
          })}
        </select>
      </h3>
      {cmp === null ? null : (
        <>
          {other === null ? (
            <p class="notice" id="compare-verdict">
              {trace.property} {verdict === 'holds' ? 'holds' : verdict === 'violated' ? 'is violated but has no trace' : 'is not decided'} in {cmp.tags.variant ?? cmp.id}
              {verdict === 'holds' ? ` (explored exhaustively: ${cmp.states} states)` : ''}
              {cmp.traces.length > 0 ? `; its violations: ${cmp.traces.map((t) => t.property).join(', ')}` : '; nothing is violated there'}.
            </p>
          ) : (
            <p class="notice" id="compare-verdict">
              {diverge! < Math.min(trace.steps.length, other.steps.length)
                ? `The two traces take the same steps up to step ${diverge! - 1}; they part at step ${diverge}.`
                : trace.length === other.length
                  ? `The two traces take the same ${trace.length} steps.`
                  : 'The shorter trace is a prefix of the longer one.'}
            </p>
          )}
          <div class="side-by-side">
            <div class="pane" data-run={run.id}>
              <h4>{run.tags.variant ?? run.id}</h4>
              <p class="headline">{traceHeadline(trace)}</p>
              <Swimlane x={x} run={run} trace={trace} step={step} setStep={setStep} diverge={diverge} compact />
            </div>
            <div class="pane" data-run={cmp.id}>
              <h4>{cmp.tags.variant ?? cmp.id}</h4>
              {other ? (
                <>
                  <p class="headline">{traceHeadline(other)}</p>
                  <Swimlane x={x} run={cmp} trace={other} step={Math.min(step, other.length)} setStep={setStep} diverge={diverge} compact />
                </>
              ) : (
                <p>no counterexample of {trace.property}</p>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
