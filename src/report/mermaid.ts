/**
 * A counterexample as a Mermaid sequence diagram, renderable as-is on a
 * Markdown page (```mermaid fence): the actors are the participants, each
 * step a message of its actor to itself (step id and C line), lock
 * acquisitions and releases and reference-count changes as notes beside it.
 * A model without locks or ref count gets its changed variables as notes.
 */
import type { Action } from '../engine/index.js';
import { actorsOf, defaultLanes, firstSource, stepText, type LaneSummary } from '../format/lanes.js';
import { words, type Counterexample } from './swimlane.js';
import { diffStates, formatChange, formatInitial } from '../format/text.js';

/** Text safe inside a Mermaid message or note: '#' and ';' as entity codes, no line breaks. */
const esc = (s: string): string => s.replace(/#/g, '#35;').replace(/;/g, '#59;').replace(/\r?\n/g, ' ');

export interface MermaidOptions {
  readonly lanes?: LaneSummary;
  /** Wrap in a ```mermaid fence. */
  readonly fenced?: boolean;
}

export function renderMermaid(cex: Counterexample, options: MermaidOptions = {}): string {
  const lanes = options.lanes ?? defaultLanes;
  const { trace } = cex;
  const actors = actorsOf(trace);
  const first = actors[0];
  const lastActor = actors[actors.length - 1];
  const span = actors.length > 1 ? `${first},${lastActor}` : first;
  const hasLanes = trace.some((t) => lanes.locks(t.state) !== undefined || lanes.ref(t.state) !== undefined);
  const w = words(cex.property.kind);
  const out: string[] = ['sequenceDiagram', `  title ${esc(`${cex.title}: ${cex.property.name} ${w.verb}`)}`];
  for (const a of actors) out.push(`  participant ${a}`);
  const init = trace[0].state;
  const initText = hasLanes
    ? [lanes.ref(init) !== undefined ? `ref=${lanes.ref(init)}` : '', lanes.locks(init) ?? ''].filter((x) => x !== '').join(', ')
    : formatInitial(init);
  out.push(`  Note over ${span}: ${esc(`initial: ${initText}`)}`);
  for (let i = 1; i < trace.length; i++) {
    const a = trace[i].action as Action;
    const before = trace[i - 1].state;
    const after = trace[i].state;
    const src = firstSource(a);
    out.push(`  ${a.actor}->>${a.actor}: ${esc(`${i}. ${stepText(a)}${src ? ` @ ${src}` : ''}`)}`);
    const notes: string[] = [];
    for (const e of lanes.lockEvents(a, before, after)) notes.push(`${e.kind === 'acquire' ? 'acquires' : 'releases'} ${e.lock}`);
    const r0 = lanes.ref(before);
    const r1 = lanes.ref(after);
    if (r0 !== r1) notes.push(`ref ${r0 ?? '?'} → ${r1 ?? '?'}`);
    if (!hasLanes) notes.push(...diffStates(before, after).map(formatChange));
    if (notes.length > 0) out.push(`  Note right of ${a.actor}: ${esc(notes.join(', '))}`);
    if (i === cex.unavoidableAt && i !== trace.length - 1) out.push(`  Note over ${span}: ${esc(`from here ${w.event} is unavoidable`)}`);
  }
  const why = cex.explanation !== undefined ? ` (${cex.explanation})` : '';
  out.push(`  Note over ${span}: ${esc(`${cex.property.name} ${w.verb}: ${cex.property.meaning}${why}`)}`);
  const text = out.join('\n') + '\n';
  return options.fenced ? '```mermaid\n' + text + '```\n' : text;
}
