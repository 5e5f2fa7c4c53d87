/**
 * Properties of the dialog model, each a named predicate over one state with a
 * one-line meaning. Memory-safety invariants first, then protocol anomalies,
 * then the quiescence checks (nothing leaked; no deadlock), then witnesses that the scenario reaches its
 * interesting outcomes (so that a model that cannot move fails).
 */
import { always, atQuiescence, sometimes, type Property } from '../src/engine/model.js';
import { latest } from '../src/memory/views.js';
import { FAKE, FIELDS, T_ZERO, type DialogState } from '../spec/dialog/state.js';

const ref = (s: DialogState) => latest(s.mem, 'ref');
const holderSum = (s: DialogState) => Object.values(s.ghost.holders).reduce((a, b) => a + b, 0);

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

const WITNESSES: Record<Witness, Property<DialogState>> = {
  DialogFreed: sometimes('DialogFreed', 'witness: the dialog is freed in some run', (s) => s.ghost.frees >= 1),
  TimerFired: sometimes('TimerFired', 'witness: the lifetime timer fires for the dialog', (s) => s.ghost.marks.includes('T:fired')),
  ByeWon: sometimes(
    'ByeWon',
    "witness: the BYE worker's next_state_dlg moves the dialog to DELETED",
    (s) => s.ghost.marks.includes('W:won'),
  ),
};

/**
 * The properties of one dialog model. `waiting` (spec/dialog/progress.ts,
 * given by the model, which knows its programs and gates) lists the actors
 * that wait for a lock in a quiescent state; without it NoDeadlock is left
 * out (the proposition and root-cause searches build their own lists).
 */
export function dialogProperties(witnesses: readonly Witness[], waiting?: (s: DialogState) => string[]): Property<DialogState>[] {
  const props: Property<DialogState>[] = [
    always(
      'TypeOK',
      'every field holds a value of its type (states 1..5, tl encodings, lock values >= 0, integer reference holders)',
      (s) =>
        FIELDS.every((f) => s.mem.hist[f].every((v) => Number.isInteger(v) && v >= RANGES[f][0] && v <= RANGES[f][1])) &&
        s.locks.H.v >= 0 &&
        s.locks.TL.v >= 0 &&
        Object.values(s.ghost.holders).every(Number.isInteger) &&
        s.actors.every((a) => Number.isInteger(a.pc) && a.pc >= -1),
    ),
    always(
      'RefNonNegative',
      "the reference count never goes below zero (below zero, unref_dlg_unsafe logs 'bogus ref' and aborts)",
      (s) => ref(s) >= 0 && s.ghost.bogus === '',
      (s) => (s.ghost.bogus !== '' ? s.ghost.bogus : `ref = ${ref(s)}`),
    ),
    always(
      'NoCrash3835',
      "no process aborts printing issue #3835's line 'bogus ref -2 with cnt 1' (a dialog at 0 decremented by two processes, the second write landing before the first re-read)",
      (s) => !(s.ghost.bogusRef === CRASH_3835.ref && s.ghost.bogusCnt === CRASH_3835.cnt),
      (s) => s.ghost.bogus,
    ),
    always(
      'NoUseAfterFree',
      'no step touches the dialog cell after it was freed',
      (s) => s.ghost.uaf === '',
      (s) => `${s.ghost.uaf} touched the cell after FREE`,
    ),
    always('NoDoubleFree', 'the cell is freed at most once', (s) => s.ghost.frees <= 1, (s) => `freed ${s.ghost.frees} times`),
    always(
      'LockExclusion',
      'each lock (H, TL) has at most one process inside its critical section',
      (s) => s.locks.H.holders.length <= 1 && s.locks.TL.holders.length <= 1,
      (s) => `H held by [${s.locks.H.holders.join(', ')}], TL held by [${s.locks.TL.holders.join(', ')}]`,
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
      (s) => ref(s) === holderSum(s) && Object.values(s.ghost.holders).every((n) => n >= 0),
      (s) => {
        const bad = Object.entries(s.ghost.holders)
          .filter(([, n]) => n < 0)
          .map(([h, n]) => `'${h}' dropped ${-n} more time(s) than taken`);
        return [`ref = ${ref(s)}, holders sum to ${holderSum(s)}`, ...bad].join('; ');
      },
    ),
    always(
      'NoByeAfterDelete',
      'the module never sends a BYE for a dialog that another actor had already moved to DELETED (protocol anomaly)',
      (s) => s.ghost.byesAfterDelete === 0,
      (s) => `${s.ghost.byesAfterDelete} BYE(s) sent after ${s.ghost.deletedBy} deleted the dialog`,
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
      (s) =>
        s.ghost.bogus !== '' ||
        (s.ghost.frees >= 1 && ref(s) === 0 && !s.inList && s.locks.H.holders.length === 0 && s.locks.TL.holders.length === 0),
      (s) => {
        const left = Object.entries(s.ghost.holders)
          .filter(([, n]) => n > 0)
          .map(([h, n]) => `${h}=${n}`);
        return `freed=${s.ghost.frees} ref=${ref(s)} inList=${s.inList} H=[${s.locks.H.holders}] TL=[${s.locks.TL.holders}] holders left: ${left.join(', ') || 'none'}`;
      },
    ),
  ];
  if (waiting) {
    props.push(
      atQuiescence(
        'NoDeadlock',
        "when no process can move (and none aborted): every process has finished - it returned, or it is the timer routine idling with nothing due, a BYE-reply handler whose BYE was never sent, or held back by a scenario gate on an event that did not happen - and none waits for a lock (spec/dialog/progress.ts)",
        (s) => s.ghost.bogus !== '' || waiting(s).length === 0,
        (s) => waiting(s).join('; '),
      ),
    );
  }
  return [...props, ...witnesses.map((w) => WITNESSES[w])];
}
