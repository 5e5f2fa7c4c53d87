/**
 * A trace stepped through: the swimlanes (a column per actor, each step's id
 * and its C lines linked to the source, the locks held, the reference count,
 * the fields it changed), the state at the current step with its changed
 * fields highlighted (unchanged ones can be hidden), a chart of the reference
 * count and its holders, and the counterexample graph. Buttons and the arrow
 * keys (Home and End too) move between steps.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { RefChart } from './chart.js';
import { GraphPane } from './graph.js';
import { changeText, rootField, type ActionData, type Explorer, type RunData, type TraceData } from './model.js';

export function traceHeadline(t: TraceData): string {
  const noun = t.role === 'witness' ? 'witness' : 'counterexample';
  const switches = `${t.switches} actor switch${t.switches === 1 ? '' : 'es'}`;
  const which =
    t.source === 'engine'
      ? t.why ?? "the engine's shortest trace"
      : t.count === '1'
        ? 'the only shortest one'
        : `the fewest switches among ${t.count} distinct shortest ${noun}s`;
  return `shortest ${noun}, ${t.length} step${t.length === 1 ? '' : 's'}, ${switches} (${which})`;
}

function Cites({ a, first = false }: { a: ActionData; first?: boolean }) {
  const cites = first ? a.cites.slice(0, 1) : a.cites;
  return (
    <>
      {cites.map((c) =>
        c.url ? (
          <a key={c.text} class="cite" href={c.url} target="_blank" rel="noopener noreferrer" title={`the source at ${c.text}`}>
            {c.text}
          </a>
        ) : (
          <span key={c.text} class="cite" title={c.note}>
            {c.text}
          </span>
        ),
      )}
    </>
  );
}

export function TraceView({ x, run, trace, step, setStep }: { x: Explorer; run: RunData; trace: TraceData; step: number; setStep: (s: number) => void }) {
  const [hideUnchanged, setHide] = useState(false);
  const last = trace.length;
  const stepRef = useRef(step);
  stepRef.current = step;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      // Not while typing or choosing: a text field, a list (the compared variant), an editable element.
      const typing = t !== null && ((t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes((t as HTMLInputElement).type)) || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
      if (typing) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const s = stepRef.current;
      const next = e.key === 'ArrowRight' ? s + 1 : e.key === 'ArrowLeft' ? s - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? last : null;
      if (next === null) return;
      e.preventDefault();
      setStep(Math.max(0, Math.min(last, next)));
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [last, setStep]);
  const p = x.property(trace.property);
  const s = trace.steps[step];
  const a = x.action(s);
  return (
    <section class="trace" id="trace" data-prop={trace.property}>
      <h3>
        <span class="swatch" style={{ background: p?.color }} /> {trace.property} {trace.role === 'witness' ? 'reached' : p?.kind === 'sometimes' ? 'reached' : 'violated'}
      </h3>
      <p class="headline" id="trace-headline">
        {traceHeadline(trace)}
      </p>
      {p ? <p class="meaning">{p.meaning}</p> : null}
      {trace.explanation ? <p class="explanation">In the last state: {trace.explanation}.</p> : null}
      {trace.unavoidableAt !== null && trace.role === 'counterexample' ? (
        <p class="unavoidable">
          {trace.unavoidableAt === 0
            ? '>> the violation is unavoidable from the initial state.'
            : trace.unavoidableAt === last
              ? `>> the violation stays avoidable until its last step (${last}).`
              : `>> step ${trace.unavoidableAt} is where the violation becomes unavoidable: after it, every continuation violates ${trace.property}.`}
        </p>
      ) : null}
      <div class="controls" role="group" aria-label="step through the trace">
        <button type="button" id="first" onClick={() => setStep(0)} disabled={step === 0} title="first step (Home)">
          « first
        </button>
        <button type="button" id="prev" onClick={() => setStep(Math.max(0, step - 1))} disabled={step === 0} title="previous step (←)">
          ◀ prev
        </button>
        <span class="position" id="position">
          step {step} of {last}
        </span>
        <button type="button" id="next" onClick={() => setStep(Math.min(last, step + 1))} disabled={step === last} title="next step (→)">
          next ▶
        </button>
        <button type="button" id="last" onClick={() => setStep(last)} disabled={step === last} title="last step (End)">
          last »
        </button>
        <label class="hide">
          <input type="checkbox" id="hide-unchanged" checked={hideUnchanged} onChange={(e) => setHide((e.target as HTMLInputElement).checked)} /> hide unchanged fields
        </label>
      </div>
      <div class="trace-body">
        <div class="lanes">
          <Swimlane x={x} run={run} trace={trace} step={step} setStep={setStep} />
        </div>
        <aside class="side">
          <StepInfo x={x} trace={trace} step={step} a={a} />
          <StatePanel x={x} run={run} trace={trace} step={step} hideUnchanged={hideUnchanged} />
          {trace.chart ? <RefChart chart={trace.chart} steps={trace.steps} step={step} setStep={setStep} /> : null}
        </aside>
      </div>
      <GraphPane x={x} run={run} trace={trace} step={step} />
    </section>
  );
}

function StepInfo({ x, trace, step, a }: { x: Explorer; trace: TraceData; step: number; a: ActionData | null }) {
  const s = trace.steps[step];
  const changes = x.changes(s);
  return (
    <div class="step-info" id="step-info" data-step={step} data-actor={a?.actor ?? ''} data-step-id={a?.step ?? ''}>
      <h4>
        {a === null ? (
          'step 0: the initial state'
        ) : (
          <>
            step {step}: <span class="actor">{a.actor}</span> <span class="step-id">{a.step}</span> <Cites a={a} />
          </>
        )}
      </h4>
      {a?.parts ? (
        <ol class="parts">
          {a.parts.map((p, i) => (
            <li key={i}>
              {p.actor !== a.actor ? `${p.actor}:` : ''}
              {p.step} <Cites a={{ actor: p.actor, step: p.step, cites: p.cites }} />
            </li>
          ))}
        </ol>
      ) : null}
      {step > 0 ? (
        <ul class="changes" id="step-changes">
          {changes.length === 0 ? <li class="none">(no change)</li> : changes.map((c) => <li key={c.path} class="change">{changeText(c)}</li>)}
        </ul>
      ) : null}
    </div>
  );
}

function StatePanel({ x, run, trace, step, hideUnchanged }: { x: Explorer; run: RunData; trace: TraceData; step: number; hideUnchanged: boolean }) {
  const s = trace.steps[step];
  const fields = x.view(run, s.v);
  const before = step > 0 ? new Map(x.view(run, trace.steps[step - 1].v).map((f) => [f.name, f.value])) : null;
  const names = fields.map((f) => f.name);
  const changed = new Set(x.changes(s).map((c) => rootField(c.path, [...names, ...(before ? before.keys() : [])])));
  const gone = before ? [...before.keys()].filter((k) => !names.includes(k)) : [];
  return (
    <table class="state" id="state">
      <caption>state after step {step}</caption>
      <tbody>
        {fields.map((f) => {
          const isChanged = changed.has(f.name);
          if (hideUnchanged && !isChanged && step > 0) return null;
          return (
            <tr key={f.name} class={isChanged ? 'changed' : ''} data-field={f.name}>
              <th>{f.name}</th>
              <td>
                {f.value}
                {isChanged && before ? <span class="was"> was {before.get(f.name) ?? '(absent)'}</span> : null}
              </td>
            </tr>
          );
        })}
        {gone.map((k) => (
          <tr key={k} class="changed removed" data-field={k}>
            <th>{k}</th>
            <td>
              (absent) <span class="was"> was {before!.get(k)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Swimlane({
  x,
  run,
  trace,
  step,
  setStep,
  diverge = null,
  compact = false,
}: {
  x: Explorer;
  run: RunData;
  trace: TraceData;
  step: number;
  setStep: (s: number) => void;
  diverge?: number | null;
  compact?: boolean;
}) {
  const showLocks = trace.steps.some((s) => s.locks !== null);
  const showRef = trace.steps.some((s) => s.ref !== null);
  const current = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    current.current?.scrollIntoView({ block: 'nearest' });
  }, [step]);
  return (
    <table class={`swimlane${compact ? ' compact' : ''}`}>
      <thead>
        <tr>
          <th class="mark" />
          <th class="num">#</th>
          {trace.actors.map((actor) => (
            <th key={actor} class="actor">
              {actor}
            </th>
          ))}
          {showLocks ? <th>locks held</th> : null}
          {showRef ? <th class="num">ref</th> : null}
          {compact ? null : <th>changed</th>}
        </tr>
      </thead>
      <tbody>
        {trace.steps.map((s, i) => {
          const a = x.action(s);
          const mark = i === trace.length ? (trace.role === 'witness' ? 'OK' : 'XX') : i === trace.unavoidableAt ? '>>' : '';
          const cls = [i === step ? 'current' : '', diverge !== null && i === diverge ? 'diverge' : '', diverge !== null && i > diverge ? 'after' : ''].join(' ').trim();
          return (
            <tr key={i} data-step={i} class={cls} ref={i === step ? current : undefined} onClick={() => setStep(i)}>
              <td class="mark">{mark}</td>
              <td class="num">{i}</td>
              {trace.actors.map((actor, j) => (
                <td key={actor} class="lane" data-actor={actor}>
                  {a === null ? (
                    j === 0 ? (
                      <span class="initial">(initial state)</span>
                    ) : null
                  ) : a.actor === actor ? (
                    <>
                      <span class="step-id">{a.step}</span> {compact ? null : <Cites a={a} first />}
                    </>
                  ) : null}
                </td>
              ))}
              {showLocks ? <td class="locks">{s.locks}</td> : null}
              {showRef ? <td class="num ref">{s.ref}</td> : null}
              {compact ? null : (
                <td class="changed">
                  {i === 0
                    ? <span class="initial-state">{x.view(run, s.v).map((f) => `${f.name}=${f.value}`).join(' ')}</span>
                    : x.changes(s).map((c) => (
                        <span key={c.path} class="change">
                          {changeText(c)}
                        </span>
                      ))}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
