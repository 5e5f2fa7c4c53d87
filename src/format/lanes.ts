/**
 * What the readable counterexample formats (swimlane, Mermaid, graph labels)
 * show beside each step, taken from a state's readable view: the locks held,
 * the reference count, and the lock acquisitions and releases a step made.
 *
 * A model says how through a `LaneSummary`. The generic one reads named
 * fields of the view (for the dialog model: `H` and `TL`, or `H0`, `H1`, ... per bucket, holder lists joined
 * with ',' and '-' for none, a value in brackets after them where it is shown, e.g. `O[word=0]`, and
 * `ref`) and takes lock events from step ids
 * that end in `<lock>+` / `<lock>-` (the dialog model's convention, e.g.
 * `O2.H+`, `T7w.unref.rm-TL-`). A model without such fields shows nothing.
 */
import { formatSource, type Action, type Trace } from '../engine/index.js';
import { formatValue } from './text.js';

export interface LockEvent {
  readonly lock: string;
  readonly kind: 'acquire' | 'release';
  /** The step that did it. */
  readonly step: string;
}

export interface LaneSummary {
  /** The locks held in a state, e.g. "H=O TL=-"; undefined when the model has no locks. */
  locks(view: unknown): string | undefined;
  /** The reference count in a state; undefined when the model has none. */
  ref(view: unknown): string | undefined;
  /** The lock acquisitions and releases a step made, in order. */
  lockEvents(action: Action, before: unknown, after: unknown): LockEvent[];
}

const field = (view: unknown, name: string): unknown =>
  typeof view === 'object' && view !== null && name in view ? (view as Record<string, unknown>)[name] : undefined;

/** The steps an action ran: its parts, or itself. */
export const partsOf = (a: Action): readonly Action[] => (a.parts !== undefined && a.parts.length > 0 ? a.parts : [a]);

/** A lane summary reading lock-holder fields and a reference-count field of the view. */
export function viewFieldLanes(lockFields: readonly string[], refField: string): LaneSummary {
  const stepEvent = new RegExp(`(?:^|[.\\-])(${lockFields.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})([+-])$`);
  return {
    locks(view) {
      const present = lockFields.flatMap((l) => (field(view, l) !== undefined ? [l] : indexed(view, l)));
      return present.length === 0 ? undefined : present.map((l) => `${l}=${plain(field(view, l))}`).join(' ');
    },
    ref(view) {
      const r = field(view, refField);
      return r === undefined ? undefined : formatValue(r);
    },
    lockEvents(action, before, after) {
      const events: LockEvent[] = [];
      for (const p of partsOf(action)) {
        const m = stepEvent.exec(p.step);
        if (m !== null) events.push({ lock: m[1], kind: m[2] === '+' ? 'acquire' : 'release', step: p.step });
      }
      if (events.length > 0) return events;
      // No step-name convention: compare the holder fields.
      for (const l of lockFields) {
        const a = field(before, l);
        const b = field(after, l);
        if (a === undefined || b === undefined || formatValue(a) === formatValue(b)) continue;
        const was = holders(a);
        const now = holders(b);
        if (now.includes(action.actor) && !was.includes(action.actor)) events.push({ lock: l, kind: 'acquire', step: action.step });
        if (was.includes(action.actor) && !now.includes(action.actor)) events.push({ lock: l, kind: 'release', step: action.step });
      }
      return events;
    },
  };
}

/** The view's fields of a lock that comes one per index (`H0`, `H1`, ...: a bucket lock per bucket), in the view's order. */
const indexed = (view: unknown, lock: string): string[] =>
  typeof view === 'object' && view !== null ? Object.keys(view).filter((k) => k.length > lock.length && k.startsWith(lock) && /^\d+$/.test(k.slice(lock.length))) : [];

/** A string as it is; anything else in the compact value form. */
const plain = (v: unknown): string => (typeof v === 'string' ? v : formatValue(v));

/** The holder names of a lock field: a list, or a string 'A,B' ('-' for none) with an optional bracketed value after it ('O[word=0]'). */
const holders = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.replace(/\[[^\]]*\]$/, '').split(',').filter((x) => x !== '' && x !== '-') : [];

/** The lane summary used by default: the dialog view's H and TL lock fields and its ref field. */
export const defaultLanes: LaneSummary = viewFieldLanes(['H', 'TL'], 'ref');

/** The actors of a trace, in order of their first step. */
export const actorsOf = (trace: Trace<unknown, Action>): string[] => {
  const out: string[] = [];
  for (const t of trace) if (t.action !== null && !out.includes(t.action.actor)) out.push(t.action.actor);
  return out;
};

/** "actors: D = ...; O = ...": what the given actors stand for, those `roles` names, in their order; undefined when none. */
export function rolesLine(roles: Readonly<Record<string, string>> | undefined, actors: readonly string[]): string | undefined {
  const named = roles === undefined ? [] : actors.filter((a) => roles[a] !== undefined);
  return named.length === 0 ? undefined : `actors: ${named.map((a) => `${a} = ${roles![a]}`).join('; ')}`;
}

/** A step as shown: its id, and its note in brackets when it has one. */
export const stepText = (a: Action): string => (a.note ? `${a.step}[${a.note}]` : a.step);

/** Sources of an action as "file:l1,l2 other.c:l3" (first appearance order, repeats dropped); '' for none. */
export function sourceText(a: Action): string {
  const byFile = new Map<string, string[]>();
  for (const p of partsOf(a)) {
    if (p.source === undefined) continue;
    const lines = formatSource(p.source).slice(p.source.file.length + 1);
    const list = byFile.get(p.source.file) ?? [];
    if (!list.includes(lines)) list.push(lines);
    byFile.set(p.source.file, list);
  }
  return [...byFile].map(([f, ls]) => `${f}:${ls.join(',')}`).join(' ');
}

/** The first source line of an action, "file:line" ('' for none): the line an edge label names. */
export const firstSource = (a: Action): string => {
  const p = partsOf(a).find((x) => x.source !== undefined);
  return p?.source ? formatSource(p.source) : '';
};
