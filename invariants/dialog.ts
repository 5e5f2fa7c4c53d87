/**
 * Properties of the dialog model, each a named predicate over one state with a
 * one-line meaning. Memory-safety invariants first, then protocol anomalies,
 * then the quiescence checks (nothing leaked; no deadlock), then witnesses that the scenario reaches its
 * interesting outcomes (so that a model that cannot move fails).
 */
import { always, atQuiescence, sometimes, type Property } from '../src/engine/model.js';
import { inside } from '../src/memory/locks.js';
import { latest } from '../src/memory/views.js';
import type { Tables } from '../spec/dialog/program.js';
import { FAKE, FIELDS, T_ZERO, type DialogState } from '../spec/dialog/state.js';

const ref = (s: DialogState) => latest(s.mem, 'ref');
const holderSum = (s: DialogState) => {
  let n = 0;
  const h = s.ghost.holders;
  for (let i = 0; i < h.length; i++) n += h[i];
  return n;
};
const noHolderNegative = (s: DialogState) => {
  const h = s.ghost.holders;
  for (let i = 0; i < h.length; i++) if (h[i] < 0) return false;
  return true;
};
/** What a DialogState's names are (for explanations): the model's tables, and the label of a recorded step. */
export interface PropertyNames extends Tables {
  readonly stepLabels: readonly string[];
  /** Reference holder names, by index in the ghost's counters. */
  readonly holders: readonly string[];
}
const stepAt = (t: PropertyNames, recorded: number) => (recorded === 0 ? '' : t.stepLabels[recorded - 1]);
const bogusLine = (t: PropertyNames, s: DialogState) => `${stepAt(t, s.ghost.bogus)} printed 'bogus ref ${s.ghost.bogusRef} with cnt ${s.ghost.bogusCnt}'`;
const lockNames = (t: PropertyNames, held: readonly number[], sep = ', ') => {
  const out: string[] = [];
  held.forEach((n, i) => {
    for (let k = 0; k < n; k++) out.push(t.actors[i]);
  });
  return out.sort().join(sep);
};

const RANGES: Record<(typeof FIELDS)[number], [number, number]> = {
  state: [1, 5],
  ref: [-1000, 1000],
  hasBye: [0, 1],
  tlNext: [0, 2],
  tlPrev: [0, 2],
  tlTimeout: [0, 2],
};

/**
 * The crash line of OpenSIPS issue #3835: `LM_CRIT("bogus ref %d with cnt %d ...")`
 * (dlg_hash.h:326-336) prints `ref` as re-read after `ref -= cnt`. With cnt 1
 * and -2 printed, the count was at 0 and a second decrement landed between
 * this process's write and its re-read.
 */
export const CRASH_3835 = { ref: -2, cnt: 1 } as const;

export type Witness = 'TimerFired' | 'ByeWon' | 'DialogFreed';

const witness = (t: PropertyNames): Record<Witness, Property<DialogState>> => {
  const fired = t.markIndex.get('T:fired')!;
  const won = t.markIndex.get('W:won')!;
  return {
    DialogFreed: sometimes('DialogFreed', 'witness: the dialog is freed in some run', (s) => s.ghost.frees >= 1),
    TimerFired: sometimes('TimerFired', 'witness: the lifetime timer fires for the dialog', (s) => s.ghost.marks[fired]),
    ByeWon: sometimes('ByeWon', "witness: the BYE worker's next_state_dlg moves the dialog to DELETED", (s) => s.ghost.marks[won]),
  };
};

/**
 * The properties of one dialog model, given the scenario's witnesses and the
 * model's names (`DialogModel.names`). `waiting` (spec/dialog/progress.ts,
 * given by the model, which knows its programs and gates) lists the actors
 * that wait for a lock in a quiescent state; without it NoDeadlock is left
 * out (the proposition and root-cause searches build their own lists).
 */
export function dialogProperties(witnesses: readonly Witness[], t: PropertyNames, waiting?: (s: DialogState) => string[]): Property<DialogState>[] {
  const inRange = (v: number, f: (typeof FIELDS)[number]) => Number.isInteger(v) && v >= RANGES[f][0] && v <= RANGES[f][1];
  const props: Property<DialogState>[] = [
    always(
      'TypeOK',
      'every field holds a value of its type (states 1..5, tl encodings, lock values >= 0, integer reference holders)',
      (s) => {
        for (const f of FIELDS) {
          const h = s.mem.hist[f];
          for (let i = 0; i < s.mem.len[f]; i++) if (!inRange(h[i], f)) return false;
        }
        if (!(s.locks.H.v >= 0 && s.locks.TL.v >= 0)) return false;
        const hs = s.ghost.holders;
        for (let i = 0; i < hs.length; i++) if (!Number.isInteger(hs[i])) return false;
        for (const a of s.actors) if (!(Number.isInteger(a.pc) && a.pc >= -1)) return false;
        return true;
      },
    ),
    always(
      'RefNonNegative',
      "the reference count never goes below zero (below zero, unref_dlg_unsafe logs 'bogus ref' and aborts)",
      (s) => ref(s) >= 0 && s.ghost.bogus === 0,
      (s) => (s.ghost.bogus !== 0 ? bogusLine(t, s) : `ref = ${ref(s)}`),
    ),
    always(
      'NoCrash3835',
      "no process aborts printing issue #3835's line 'bogus ref -2 with cnt 1' (a dialog at 0 decremented by two processes, the second write landing before the first re-read)",
      (s) => !(s.ghost.bogus !== 0 && s.ghost.bogusRef === CRASH_3835.ref && s.ghost.bogusCnt === CRASH_3835.cnt),
      (s) => bogusLine(t, s),
    ),
    always(
      'NoUseAfterFree',
      'no step touches the dialog cell after it was freed',
      (s) => s.ghost.uaf === 0,
      (s) => `${stepAt(t, s.ghost.uaf)} touched the cell after FREE`,
    ),
    always('NoDoubleFree', 'the cell is freed at most once', (s) => s.ghost.frees <= 1, (s) => `freed ${s.ghost.frees} times`),
    always(
      'LockExclusion',
      'each lock (H, TL) has at most one process inside its critical section',
      (s) => inside(s.locks.H) <= 1 && inside(s.locks.TL) <= 1,
      (s) => `H held by [${lockNames(t, s.locks.H.held)}], TL held by [${lockNames(t, s.locks.TL.held)}]`,
    ),
    always(
      'TimerListIntegrity',
      'a tl linked in the timer list is never marked FAKE, never has timeout 0, and never belongs to a freed cell',
      (s) => !s.inList || (latest(s.mem, 'tlNext') !== FAKE && latest(s.mem, 'tlTimeout') !== T_ZERO && s.ghost.frees === 0),
      (s) =>
        `linked tl has next=${latest(s.mem, 'tlNext') === FAKE ? 'FAKE' : 'ptr'} timeout=${latest(s.mem, 'tlTimeout')}${s.ghost.frees ? ' in a freed cell' : ''}`,
    ),
    always(
      'RefMatchesHolders',
      'ref equals the number of live reference holders, and no holder dropped more than it took',
      (s) => ref(s) === holderSum(s) && noHolderNegative(s),
      (s) => {
        const bad = t.holders
          .map((h, i): [string, number] => [h, s.ghost.holders[i]])
          .filter(([, n]) => n < 0)
          .map(([h, n]) => `'${h}' dropped ${-n} more time(s) than taken`);
        return [`ref = ${ref(s)}, holders sum to ${holderSum(s)}`, ...bad].join('; ');
      },
    ),
    always(
      'NoByeAfterDelete',
      'the module never sends a BYE for a dialog that another actor had already moved to DELETED (protocol anomaly)',
      (s) => s.ghost.byesAfterDelete === 0,
      (s) => `${s.ghost.byesAfterDelete} BYE(s) sent after ${s.ghost.deletedBy === 0 ? '' : t.actors[s.ghost.deletedBy - 1]} deleted the dialog`,
    ),
    always(
      'DbDeleteOnce',
      'remove_dialog_from_db runs at most once per dialog (protocol anomaly)',
      (s) => s.ghost.dbDeletes <= 1,
      (s) => `${s.ghost.dbDeletes} DB deletes`,
    ),
    always(
      'TerminationCallbacksOnce',
      'the TERMINATED/EXPIRED callbacks run at most once per dialog (protocol anomaly)',
      (s) => s.ghost.termCallbacks <= 1,
      (s) => `${s.ghost.termCallbacks} runs of the termination callbacks`,
    ),
    atQuiescence(
      'NothingLeaked',
      'when no process can move (and none aborted): the cell is freed, ref is 0, it is not in the timer list, and no lock is held',
      (s) => s.ghost.bogus !== 0 || (s.ghost.frees >= 1 && ref(s) === 0 && !s.inList && inside(s.locks.H) === 0 && inside(s.locks.TL) === 0),
      (s) => {
        const left = t.holders
          .map((h, i): [string, number] => [h, s.ghost.holders[i]])
          .filter(([, n]) => n > 0)
          .map(([h, n]) => `${h}=${n}`);
        return `freed=${s.ghost.frees} ref=${ref(s)} inList=${s.inList} H=[${lockNames(t, s.locks.H.held, ',')}] TL=[${lockNames(t, s.locks.TL.held, ',')}] holders left: ${left.join(', ') || 'none'}`;
      },
    ),
  ];
  if (waiting) {
    props.push(
      atQuiescence(
        'NoDeadlock',
        "when no process can move (and none aborted): every process has finished - it returned, or it is the timer routine idling with nothing due, a BYE-reply handler whose BYE was never sent, or held back by a scenario gate on an event that did not happen - and none waits for a lock (spec/dialog/progress.ts)",
        (s) => s.ghost.bogus !== 0 || waiting(s).length === 0,
        (s) => waiting(s).join('; '),
      ),
    );
  }
  const w = witness(t);
  return [...props, ...witnesses.map((n) => w[n])];
}
