/**
 * Properties of the dialog model, each a named predicate over one state with a
 * one-line meaning. Memory-safety invariants first, then protocol anomalies,
 * then the quiescence checks (nothing leaked; no deadlock), then witnesses that the scenario reaches its
 * interesting outcomes (so that a model that cannot move fails).
 *
 * A model may have several dialogs (spec/dialog/model.ts, the model of
 * several cells): each property is checked for every dialog that exists,
 * and its explanation names the dialog that breaks it ("dialog 1: ..."). A
 * dialog's count is the `ref` of the cell it lives in; once its memory holds
 * another dialog, that count is the other dialog's.
 */
import { always, atQuiescence, sometimes, type Property } from '../src/engine/model.js';
import { inside } from '../src/memory/locks.js';
import { latest } from '../src/memory/views.js';
import type { Tables } from '../spec/dialog/program.js';
import { FAKE, FIELDS, T_ZERO, ptrName, type DialogGhost, type DialogState } from '../spec/dialog/state.js';

/** What a DialogState's names are (for explanations): the model's tables, and the label of a recorded step. */
export interface PropertyNames extends Tables {
  readonly stepLabels: readonly string[];
  /** By step index: the C function whose 'bogus ref' line the step prints (the function unref_dlg_unsafe is expanded in), or ''. */
  readonly stepPrints: readonly string[];
  /** Reference holder names, by index in a dialog's counters. */
  readonly holders: readonly string[];
  /** Per dialog, the holders whose references may outlive the scenario (model.ts); none when not given. */
  readonly persistent?: readonly (readonly number[])[];
}

const holderSum = (g: DialogGhost) => {
  let n = 0;
  const h = g.holders;
  for (let i = 0; i < h.length; i++) n += h[i];
  return n;
};
const noHolderNegative = (g: DialogGhost) => {
  const h = g.holders;
  for (let i = 0; i < h.length; i++) if (h[i] < 0) return false;
  return true;
};
/** Whether dialog d's memory still holds it (freed or not): its count is then that cell's ref. */
const inItsCell = (s: DialogState, d: number) => s.ghost.dialogs[d].born && s.cells[s.ghost.dialogs[d].cell].dlg === d;
/** The count of dialog d (the ref of its cell). */
const refOf = (s: DialogState, d: number) => latest(s.cells[s.ghost.dialogs[d].cell].mem, 'ref');
const stopped = (s: DialogState) => s.ghost.bogus !== 0 || s.ghost.walk !== 0;

const stepAt = (t: PropertyNames, recorded: number) => (recorded === 0 ? '' : t.stepLabels[recorded - 1]);
const several = (t: PropertyNames) => (t.dialogs ?? 1) > 1;
/** "dialog d: " in a model of several dialogs, nothing otherwise. */
const of = (t: PropertyNames, d: number) => (several(t) ? `dialog ${d}: ` : '');
/** The 'bogus ref' line a state's abort printed, and which step printed it; with several dialogs, whose count it was. */
export const bogusLine = (t: PropertyNames, s: DialogState): string =>
  `${stepAt(t, s.ghost.bogus)} printed '${t.stepPrints[s.ghost.bogus - 1]}: bogus ref ${s.ghost.bogusRef} with cnt ${s.ghost.bogusCnt}'${several(t) ? ` (the count of dialog ${s.ghost.bogusDlg})` : ''}`;
const lockNames = (t: PropertyNames, held: readonly number[], sep = ', ') => {
  const out: string[] = [];
  held.forEach((n, i) => {
    for (let k = 0; k < n; k++) out.push(t.actors[i]);
  });
  return out.sort().join(sep);
};
/** The locks and who is inside: "H held by [..], TL held by [..]" (with several buckets, "H(0) held by [..], H(1) ..."). */
const lockLine = (t: PropertyNames, s: DialogState, sep = ', ', held = ' held by ') => {
  const hs = s.locks.H.map((h, b) => `H${s.locks.H.length > 1 ? `(${b})` : ''}${held}[${lockNames(t, h.held, sep)}]`);
  return [...hs, `TL${held}[${lockNames(t, s.locks.TL.held, sep)}]`];
};
const noLockHeld = (s: DialogState) => locksWithin(s, 0);

/** Whether every lock (each bucket's H and TL) has at most `n` processes inside. */
function locksWithin(s: DialogState, n: number): boolean {
  const hs = s.locks.H;
  for (let b = 0; b < hs.length; b++) if (inside(hs[b]) > n) return false;
  return inside(s.locks.TL) <= n;
}
/** No dialog that exists has `field` non-zero (the predicates run on every state: loops, no closures). */
function noneSet(s: DialogState, field: 'uaf' | 'byesAfterDelete'): boolean {
  const ds = s.ghost.dialogs;
  for (let d = 0; d < ds.length; d++) if (ds[d].born && ds[d][field] !== 0) return false;
  return true;
}
/** No dialog that exists has `field` above `max`. */
function noneAbove(s: DialogState, field: 'frees' | 'dbDeletes' | 'termCallbacks', max: number): boolean {
  const ds = s.ghost.dialogs;
  for (let d = 0; d < ds.length; d++) if (ds[d].born && ds[d][field] > max) return false;
  return true;
}
const refNegative = (s: DialogState, d: number) => inItsCell(s, d) && refOf(s, d) < 0;
const holdersWrong = (s: DialogState, d: number) => (inItsCell(s, d) && refOf(s, d) !== holderSum(s.ghost.dialogs[d])) || !noHolderNegative(s.ghost.dialogs[d]);
function noDialog(s: DialogState, bad: (s: DialogState, d: number) => boolean): boolean {
  const ds = s.ghost.dialogs;
  for (let d = 0; d < ds.length; d++) if (ds[d].born && bad(s, d)) return false;
  return true;
}

/** The first dialog (index) for which `bad` holds, or -1. */
function first(s: DialogState, bad: (d: number) => boolean): number {
  for (let d = 0; d < s.ghost.dialogs.length; d++) if (s.ghost.dialogs[d].born && bad(d)) return d;
  return -1;
}

/**
 * The crash line of OpenSIPS issue #3835: `LM_CRIT("bogus ref %d with cnt %d ...")`
 * (dlg_hash.h:327-335) prints `ref` as its own load finds it (330), after
 * `ref -= cnt` and the test's load (326). With cnt 1 and -2 printed, the count
 * was at -1 already, or other processes' writes landed between this process's
 * write and the log's load.
 */
export const CRASH_3835 = { ref: -2, cnt: 1, fn: '_unref_dlg' } as const;
/** Issue #3835's line as LM_CRIT prints it (after the log's level and module). */
export const CRASH_LINE = `${CRASH_3835.fn}: bogus ref ${CRASH_3835.ref} with cnt ${CRASH_3835.cnt}`;

export type Witness = 'TimerFired' | 'ByeWon' | 'DialogFreed';

/**
 * Any 'bogus ref' abort (dlg_hash.h:326-336), whatever it prints: the part of
 * RefNonNegative that is a crash. Not one of the matrix's properties (the
 * matrix has RefNonNegative); the root-cause search looks for it beside
 * NoCrash3835 (src/check/rootcause.ts).
 */
export function noBogusRef(t: PropertyNames): Property<DialogState> {
  return always(
    'NoBogusRef',
    "no process aborts with 'bogus ref' (unref_dlg_unsafe took a count below zero, dlg_hash.h:326-336), whatever the line prints",
    (s) => s.ghost.bogus === 0,
    (s) => bogusLine(t, s),
  );
}

const witness = (t: PropertyNames): Record<Witness, Property<DialogState>> => {
  const fired = t.markIndex.get('T:fired')!;
  const won = t.markIndex.get('W:won')!;
  return {
    DialogFreed: sometimes('DialogFreed', `witness: the dialog${several(t) ? ' 0' : ''} is freed in some run`, (s) => s.ghost.dialogs[0].frees >= 1),
    TimerFired: sometimes('TimerFired', 'witness: the lifetime timer fires for the dialog', (s) => s.ghost.marks[fired]),
    ByeWon: sometimes('ByeWon', "witness: the BYE worker's next_state_dlg moves the dialog to DELETED", (s) => s.ghost.marks[won]),
  };
};

/** Whether dialog d has left nothing behind when no process can move (NothingLeaked). */
function settled(t: PropertyNames, s: DialogState, d: number): boolean {
  const g = s.ghost.dialogs[d];
  const cell = s.cells[g.cell];
  const gone = g.frees >= 1 && (!inItsCell(s, d) || (refOf(s, d) === 0 && !cell.inList && !cell.linked));
  const keep = t.persistent?.[d] ?? [];
  if (keep.length === 0) return gone;
  // A dialog whose call goes on: freed with nothing held, or alive with exactly its lasting references.
  if (gone && holderSum(g) === 0) return true;
  return g.frees === 0 && inItsCell(s, d) && refOf(s, d) === holderSum(g) && g.holders.every((n, i) => n === 0 || keep.includes(i));
}

/**
 * The properties of a dialog model, given the scenario's witnesses and the
 * model's names (`DialogModel.names`). `waiting` (spec/dialog/progress.ts,
 * given by the model, which knows its programs and gates) lists the actors
 * that wait for a lock in a quiescent state; without it NoDeadlock is left
 * out (the proposition and root-cause searches build their own lists).
 */
/** The values TypeOK allows each memory field, by field: states 1..5, the tl encodings, HASBYE 0 or 1, any ref of a sane size. */
export function memoryRanges(t: Pick<PropertyNames, 'multi' | 'cells'>): Readonly<Record<(typeof FIELDS)[number], readonly [number, number]>> {
  const maxPtr = t.multi ? 2 + (t.cells ?? 1) : 2;
  return {
    state: [1, 5],
    ref: [-1000, 1000],
    hasBye: [0, 1],
    tlNext: [0, maxPtr],
    tlPrev: [0, maxPtr],
    tlTimeout: [0, 2],
  };
}

export function dialogProperties(witnesses: readonly Witness[], t: PropertyNames, waiting?: (s: DialogState) => string[]): Property<DialogState>[] {
  const ranges = memoryRanges(t);
  // The first n writes of a history within [lo, hi], integers (TypeOK runs on every new state).
  const inRange = (h: readonly number[], n: number, [lo, hi]: readonly [number, number]): boolean => {
    for (let i = 0; i < n; i++) if (!(Number.isInteger(h[i]) && h[i] >= lo && h[i] <= hi)) return false;
    return true;
  };
  const unsettled = (s: DialogState, d: number) => !settled(t, s, d);
  // A model of one dialog in one cell (every scenario but those of several cells) gets the direct predicates:
  // they run on every new state.
  const one = !several(t) && (t.cells ?? 1) === 1;
  const pick = (single: (s: DialogState) => boolean, any: (s: DialogState) => boolean) => (one ? single : any);
  const ref0 = (s: DialogState) => latest(s.cells[0].mem, 'ref');
  const listBroken = (s: DialogState, k: number) => {
    const c = s.cells[k];
    return c.inList && (latest(c.mem, 'tlNext') === FAKE || latest(c.mem, 'tlTimeout') === T_ZERO || s.ghost.dialogs[c.dlg].frees > 0);
  };
  const props: Property<DialogState>[] = [
    always(
      'TypeOK',
      'every field holds a value of its type (states 1..5, tl encodings, lock values >= 0, integer reference holders)',
      (s) => {
        for (let k = 0; k < s.cells.length; k++) {
          // Each field by its name (a loop over FIELDS would read the histories by a changing key, several times slower).
          const { hist: h, len: n } = s.cells[k].mem;
          if (!inRange(h.state, n.state, ranges.state) || !inRange(h.ref, n.ref, ranges.ref) || !inRange(h.hasBye, n.hasBye, ranges.hasBye)) return false;
          if (!inRange(h.tlNext, n.tlNext, ranges.tlNext) || !inRange(h.tlPrev, n.tlPrev, ranges.tlPrev) || !inRange(h.tlTimeout, n.tlTimeout, ranges.tlTimeout)) return false;
        }
        for (let b = 0; b < s.locks.H.length; b++) if (!(s.locks.H[b].v >= 0)) return false;
        if (!(s.locks.TL.v >= 0)) return false;
        for (let d = 0; d < s.ghost.dialogs.length; d++) {
          const hs = s.ghost.dialogs[d].holders;
          for (let i = 0; i < hs.length; i++) if (!Number.isInteger(hs[i])) return false;
        }
        for (let i = 0; i < s.actors.length; i++) if (!(Number.isInteger(s.actors[i].pc) && s.actors[i].pc >= -1)) return false;
        return true;
      },
    ),
    always(
      'RefNonNegative',
      "the reference count of every dialog never goes below zero (below zero, unref_dlg_unsafe logs 'bogus ref' and aborts)",
      pick((s) => s.ghost.bogus === 0 && ref0(s) >= 0, (s) => s.ghost.bogus === 0 && noDialog(s, refNegative)),
      (s) => {
        if (s.ghost.bogus !== 0) return bogusLine(t, s);
        const d = first(s, (x) => inItsCell(s, x) && refOf(s, x) < 0);
        return `${of(t, d)}ref = ${refOf(s, d)}`;
      },
    ),
    always(
      'NoCrash3835',
      `no process aborts printing issue #3835's line '${CRASH_LINE}' (in _unref_dlg: the unref_dlg_unsafe of next_state_dlg or drop_dlg prints its own function's name; the printer subtracted 1 and its log loaded -2, the count having been -1 already, or other processes' writes having landed between its write and that load)`,
      (s) => !(s.ghost.bogus !== 0 && s.ghost.bogusRef === CRASH_3835.ref && s.ghost.bogusCnt === CRASH_3835.cnt && t.stepPrints[s.ghost.bogus - 1] === CRASH_3835.fn),
      (s) => bogusLine(t, s),
    ),
    always(
      'NoUseAfterFree',
      several(t) ? "no step touches a dialog's memory through a pointer to it after that dialog was freed (the memory free, or reused by another dialog)" : 'no step touches the dialog cell after it was freed',
      pick((s) => s.ghost.dialogs[0].uaf === 0, (s) => noneSet(s, 'uaf')),
      (s) => {
        const d = first(s, (x) => s.ghost.dialogs[x].uaf !== 0);
        const g = s.ghost.dialogs[d];
        if (!several(t)) return `${stepAt(t, g.uaf)} touched the cell after FREE`;
        const into = g.uafInto !== 0 ? `, which then held dialog ${g.uafInto - 1},` : '';
        return `${of(t, d)}${stepAt(t, g.uaf)} touched cell ${g.cell}${into} after dialog ${d}'s FREE`;
      },
    ),
    always(
      'NoDoubleFree',
      several(t) ? 'the memory of each dialog is freed at most once while it lives there' : 'the cell is freed at most once',
      pick((s) => s.ghost.dialogs[0].frees <= 1, (s) => noneAbove(s, 'frees', 1)),
      (s) => {
        const d = first(s, (x) => s.ghost.dialogs[x].frees > 1);
        return `${of(t, d)}freed ${s.ghost.dialogs[d].frees} times`;
      },
    ),
    always(
      'LockExclusion',
      several(t) ? 'each lock (each bucket lock H(i), and TL) has at most one process inside its critical section' : 'each lock (H, TL) has at most one process inside its critical section',
      pick((s) => inside(s.locks.H[0]) <= 1 && inside(s.locks.TL) <= 1, (s) => locksWithin(s, 1)),
      (s) => lockLine(t, s).join(', '),
    ),
    always(
      'TimerListIntegrity',
      'a tl linked in the timer list is never marked FAKE, never has timeout 0, and never belongs to a freed cell',
      pick(
        (s) => !listBroken(s, 0),
        (s) => {
          for (let k = 0; k < s.cells.length; k++) if (listBroken(s, k)) return false;
          return true;
        },
      ),
      (s) => {
        const k = s.cells.findIndex((_, j) => listBroken(s, j));
        const c = s.cells[k];
        const next = latest(c.mem, 'tlNext');
        const at = s.cells.length > 1 ? `cell ${k}: ` : '';
        return `${at}linked tl has next=${next === FAKE ? 'FAKE' : several(t) || s.cells.length > 1 ? ptrName(next) : 'ptr'} timeout=${latest(c.mem, 'tlTimeout')}${s.ghost.dialogs[c.dlg].frees ? ' in a freed cell' : ''}`;
      },
    ),
    always(
      'RefMatchesHolders',
      several(t) ? "each dialog's count equals the number of its live reference holders, and no holder dropped more than it took" : 'ref equals the number of live reference holders, and no holder dropped more than it took',
      pick((s) => ref0(s) === holderSum(s.ghost.dialogs[0]) && noHolderNegative(s.ghost.dialogs[0]), (s) => noDialog(s, holdersWrong)),
      (s) => {
        const d = first(s, (x) => (inItsCell(s, x) && refOf(s, x) !== holderSum(s.ghost.dialogs[x])) || !noHolderNegative(s.ghost.dialogs[x]));
        const g = s.ghost.dialogs[d];
        const bad = t.holders
          .map((h, i): [string, number] => [h, g.holders[i]])
          .filter(([, n]) => n < 0)
          .map(([h, n]) => `'${h}' dropped ${-n} more time(s) than taken`);
        const count = inItsCell(s, d) ? [`ref = ${refOf(s, d)}, holders sum to ${holderSum(g)}`] : [];
        return `${of(t, d)}${[...count, ...bad].join('; ')}`;
      },
    ),
    always(
      'NoByeAfterDelete',
      'the module never sends a BYE for a dialog that another actor had already moved to DELETED (protocol anomaly)',
      pick((s) => s.ghost.dialogs[0].byesAfterDelete === 0, (s) => noneSet(s, 'byesAfterDelete')),
      (s) => {
        const d = first(s, (x) => s.ghost.dialogs[x].byesAfterDelete !== 0);
        const g = s.ghost.dialogs[d];
        return `${of(t, d)}${g.byesAfterDelete} BYE(s) sent after ${g.deletedBy === 0 ? '' : t.actors[g.deletedBy - 1]} deleted the dialog`;
      },
    ),
    always(
      'DbDeleteOnce',
      'remove_dialog_from_db runs at most once per dialog (protocol anomaly)',
      pick((s) => s.ghost.dialogs[0].dbDeletes <= 1, (s) => noneAbove(s, 'dbDeletes', 1)),
      (s) => {
        const d = first(s, (x) => s.ghost.dialogs[x].dbDeletes > 1);
        return `${of(t, d)}${s.ghost.dialogs[d].dbDeletes} DB deletes`;
      },
    ),
    always(
      'TerminationCallbacksOnce',
      'the TERMINATED/EXPIRED callbacks run at most once per dialog (protocol anomaly)',
      pick((s) => s.ghost.dialogs[0].termCallbacks <= 1, (s) => noneAbove(s, 'termCallbacks', 1)),
      (s) => {
        const d = first(s, (x) => s.ghost.dialogs[x].termCallbacks > 1);
        return `${of(t, d)}${s.ghost.dialogs[d].termCallbacks} runs of the termination callbacks`;
      },
    ),
  ];
  if (t.multi) {
    props.push(
      always(
        'TimerListWalkSafe',
        "no walk or insert of the timer list follows a broken link (a tl's next or prev that is FAKE or NULL: _get_gen_expired_dlgs, dlg_timer.c:604-610; insert_gen_timer_unsafe, 269-278; the routine's loop, 645); the process that does crashes, and OpenSIPS goes down",
        (s) => s.ghost.walk === 0,
        (s) => `${stepAt(t, s.ghost.walk)} followed ${ptrName(s.ghost.walkPtr)} in the timer list and crashed`,
      ),
    );
  }
  props.push(
    atQuiescence(
      'NothingLeaked',
      several(t)
        ? 'when no process can move (and none crashed): each dialog the scenario ends is freed, its count 0, out of the timer list and of its bucket; a dialog whose call goes on is held by exactly its lasting references; no lock is held'
        : 'when no process can move (and none aborted): the cell is freed, ref is 0, it is not in the timer list, and no lock is held',
      (s) => stopped(s) || (noLockHeld(s) && noDialog(s, unsettled)),
      (s) => {
        const d = Math.max(0, first(s, (x) => !settled(t, s, x)));
        const g = s.ghost.dialogs[d];
        const cell = s.cells[g.cell];
        const left = t.holders
          .map((h, i): [string, number] => [h, g.holders[i]])
          .filter(([, n]) => n > 0)
          .map(([h, n]) => `${h}=${n}`);
        const ref = inItsCell(s, d) ? refOf(s, d) : `(cell ${g.cell} holds dialog ${cell.dlg})`;
        return `${of(t, d)}freed=${g.frees} ref=${ref} inList=${inItsCell(s, d) && cell.inList} ${lockLine(t, s, ',', '=').join(' ')} holders left: ${left.join(', ') || 'none'}`;
      },
    ),
  );
  if (waiting) {
    props.push(
      atQuiescence(
        'NoDeadlock',
        "when no process can move (and none aborted): every process has finished - it returned, or it is the timer routine idling with nothing due, a BYE-reply handler whose BYE was never sent, or held back by a scenario gate on an event that did not happen - and none waits for a lock (spec/dialog/progress.ts)",
        (s) => stopped(s) || waiting(s).length === 0,
        (s) => waiting(s).join('; '),
      ),
    );
  }
  const w = witness(t);
  return [...props, ...witnesses.map((n) => w[n])];
}
