/**
 * The state of the dialog model: its `struct dlg_cell`s and what surrounds them.
 *
 * Values stored in (possibly relaxed) memory are small integers so that the
 * memory module can keep their write histories; the names below map them back.
 */
import type { LockImpl, LockState } from '../../src/memory/locks.js';
import type { Memory, MemoryModel } from '../../src/memory/views.js';

/** Dialog states, with the values of dlg_hash.h:37-41. */
export const UNCONFIRMED = 1;
export const EARLY = 2;
export const CONFIRMED_NA = 3;
export const CONFIRMED = 4;
export const DELETED = 5;
export const STATE_NAMES: Record<number, string> = {
  1: 'UNCONFIRMED',
  2: 'EARLY',
  3: 'CONFIRMED_NA',
  4: 'CONFIRMED',
  5: 'DELETED',
};
export const isConfirmed = (st: number) => st === CONFIRMED_NA || st === CONFIRMED;

/** Encodings of the `tl` link fields (dlg_timer.h:30-38; FAKE_DIALOG_TL = (struct dlg_tl*)-1, dlg_timer.c:49). */
export const NULLP = 0;
export const FAKE = 1;
/**
 * A pointer to a list neighbour (or, while detached, to the next chain element),
 * in the one-entry model. In the model of several cells (`Tables.multi`) the
 * encoding is primitives.ts's: the sentinel `first` is 2 (= NBR: with one entry
 * the only neighbour is the sentinel) and the tl of cell k is ENTRY0 + k.
 */
export const NBR = 2;
export const PTR_NAMES: Record<number, string> = { 0: 'NULL', 1: 'FAKE', 2: 'nbr' };
/** A tl pointer's name in the model of several cells: NULL, FAKE, first (the sentinel), tl<k> (the tl of cell k). */
export const ptrName = (p: number): string => (p === 0 ? 'NULL' : p === 1 ? 'FAKE' : p === 2 ? 'first' : `tl${p - 3}`);

/** `tl.timeout`: 0, or an expiry tick that the timer run of the scenario reaches (due) or does not (later). */
export const T_ZERO = 0;
export const T_DUE = 1;
export const T_LATER = 2;
export const TIMEOUT_NAMES: Record<number, string> = { 0: '0', 1: 'due', 2: 'later' };

/**
 * Shared fields of the cell kept in the memory model.
 * - state (dlg_hash.h:141), ref (136), hasBye (flags & DLG_FLAG_HASBYE, 52-71),
 * - tlNext / tlPrev / tlTimeout (the `tl` link, 160).
 */
export type Field = 'state' | 'ref' | 'hasBye' | 'tlNext' | 'tlPrev' | 'tlTimeout';
export const FIELDS: readonly Field[] = ['state', 'ref', 'hasBye', 'tlNext', 'tlPrev', 'tlTimeout'];

/**
 * The fields that the relaxed memory model gives write histories: those read
 * without the lock that orders their writes (state: T4a, T5a, E1; tl.next:
 * T1; tl.timeout: T4d). The others are only accessed under H or TL.
 */
export const RELAXED_FIELDS: readonly Field[] = ['state', 'tlNext', 'tlTimeout'];

/** A lock an instruction takes: H (the lock of a hash bucket: which one, the process's `hb`) or TL. */
export type LockName = 'H' | 'TL';
/** A lock's index in the memory's lock views: H(i) is i, TL comes after the buckets' locks. */
export const lockIndex = (lock: LockName, bucket: number, buckets: number): number => (lock === 'H' ? bucket : buckets);

/** Per-actor locals: the C function's local variables that matter. */
export interface Locals {
  /** The value of `ref` read by the current read-modify-write. */
  r: number;
  /** `old_state` / `new_state` of the current next_state_dlg call. */
  old: number;
  nw: number;
  /**
   * The value of `state` next_state_dlg's `switch (dlg->state)` loaded: the
   * second load of the field in that call (an unoptimised build, OpenSIPS's
   * default, loads it again after `*old_state = dlg->state`).
   */
  sw: number;
  /** `unref` of the caller of next_state_dlg. */
  unref: number;
  /** 1 when this actor took over the timer reference (remove_dlg_timer returned 0). */
  tmr: number;
  /** Return value of the last timer primitive. */
  ret: number;
  /** A state value read for a later decision (T2', T4a, T5a, E1). */
  st: number;
  /** T4b's copy of tl (next, prev, timeout), restored at T4f. */
  bkNext: number;
  bkPrev: number;
  bkTimeout: number;
  /**
   * The process's `dlg` pointer, as the dialog it names: the index of that
   * dialog in the model's dialogs (its cell is `Ghost.dialogs[dlg].cell`).
   * After that dialog is freed and its memory reused, the pointer is stale:
   * its accesses reach the cell, i.e. the dialog living there now. Always 0
   * in a model of one dialog.
   */
  dlg: number;
  /**
   * The hash bucket whose lock H(hb) this process takes or releases: the
   * `d_entry` it computed (from the cell's h_entry, or from elsewhere: a
   * message's h_entry, a loop index). Always 0 with one bucket.
   */
  hb: number;
  /** drop_dlg's caller (D): 1 + the dialog its `dlg->next` read returned, 0 for NULL. */
  nxt: number;
  /** The timer routine (T, model of several cells): the rest of the detached chain, a tl pointer (FAKE ends it). */
  chain: number;
}

export const LOCAL_NAMES: readonly (keyof Locals)[] = ['r', 'old', 'nw', 'sw', 'unref', 'tmr', 'ret', 'st', 'bkNext', 'bkPrev', 'bkTimeout', 'dlg', 'hb', 'nxt', 'chain'];

export const freshLocals = (dlg = 0): Locals => ({
  r: 0,
  old: 0,
  nw: 0,
  sw: 0,
  unref: 0,
  tmr: 0,
  ret: 0,
  st: 0,
  bkNext: 0,
  bkPrev: 0,
  bkTimeout: 0,
  dlg,
  hb: 0,
  nxt: 0,
  chain: 0,
});

/** Sets every local to 0, in place (a finished process's locals are dead). */
export function clearLocals(l: Locals): void {
  l.r = l.old = l.nw = l.sw = l.unref = l.tmr = l.ret = l.st = l.bkNext = l.bkPrev = l.bkTimeout = 0;
  l.dlg = l.hb = l.nxt = l.chain = 0;
}

/** pc = index of the next instruction; DONE past the end; ABORTED after abort(). */
export const ABORTED = -1;

export interface ActorState {
  pc: number;
  loc: Locals;
}

/**
 * Ghost bookkeeping of one dialog (a dialog's identity, as opposed to the
 * memory it lives in: after FREE a cell may hold another dialog). Every field
 * is a number or a fixed record/array, so that the state has a finite shape
 * per model (spec/dialog/shape.ts); names (of actors, steps, holders) are
 * indices into tables the model keeps.
 */
export interface DialogGhost {
  /**
   * Who holds each reference to this dialog: a count per holder the model can
   * name (by index in its table of holders), 0 when not held. A process counts
   * its references against the dialog its pointer names (`Locals.dlg`), also
   * when that pointer is stale and the count it changes is another dialog's.
   */
  holders: number[];
  /** FREE count (shm_free of the cell, dlg_hash.c:245) while this dialog lived in it. */
  frees: number;
  /** First step that touched this dialog's memory through a pointer to it after its FREE: 1 + its index in the model's step table, 0 if none. */
  uaf: number;
  /** For that touch: 1 + the dialog that lived in the cell by then (the memory reused), 0 if the cell was still free. */
  uafInto: number;
  /** 1 + the index of the actor whose next_state_dlg moved the dialog into DELETED, 0 if none yet. */
  deletedBy: number;
  /** remove_dialog_from_db calls (REALTIME DB mode). */
  dbDeletes: number;
  /** DLGCB_TERMINATED / DLGCB_EXPIRED callback runs. */
  termCallbacks: number;
  /** BYEs the module sent (S4). */
  byesSent: number;
  /** BYEs sent while another actor had already moved the dialog to DELETED. */
  byesAfterDelete: number;
  /** The dialog exists: from the start, or since the allocator built it. */
  born: boolean;
  /** The cell it lives (or lived) in. */
  cell: number;
  /** Its hash bucket (h_entry = dlg_hash(callid), dlg_hash.c:343): where a look-up by its h_entry searches. */
  bucket: number;
}

/** A dialog's ghost record before anything happened to it: these holders, no event counted. */
export const freshDialogGhost = (holders: number[], born: boolean, cell: number, bucket: number): DialogGhost => ({
  holders,
  frees: 0,
  uaf: 0,
  uafInto: 0,
  deletedBy: 0,
  dbDeletes: 0,
  termCallbacks: 0,
  byesSent: 0,
  byesAfterDelete: 0,
  born,
  cell,
  bucket,
});

/** The model's ghost before anything happened: these dialogs, no abort, no mark, the EINTR budget. */
export const freshGhost = (dialogs: DialogGhost[], marks: number, eintr: number): Ghost => ({
  dialogs,
  bogus: 0,
  bogusRef: 0,
  bogusCnt: 0,
  bogusDlg: 0,
  walk: 0,
  walkPtr: 0,
  marks: Array.from({ length: marks }, () => false),
  eintrLeft: eintr,
  detachedUnclaimed: false,
});

/**
 * Ghost bookkeeping of the whole model: one record per dialog, and what is
 * global (an abort stops every process; milestones; the EINTR budget).
 */
export interface Ghost {
  /** One record per dialog the model can have (those of the start, then the one the allocator may build). */
  dialogs: DialogGhost[];
  /** The 'bogus ref' abort (dlg_hash.h:326-335): 1 + the index of the step that printed it (`<x>.log`), 0 if none. */
  bogus: number;
  /** The same abort's printed values: `ref` as the log's load (dlg_hash.h:330) found it, and `cnt` (0 and 0 if none). The test at 326 loaded a negative value; another process's write can land between the two loads, so the printed value can be 0 or more. */
  bogusRef: number;
  bogusCnt: number;
  /** The dialog whose count it printed (the one living in the cell the decrement reached). */
  bogusDlg: number;
  /**
   * A walk or an insert of the timer list followed a broken link (FAKE or
   * NULL) and the process crashed (OpenSIPS goes down): 1 + the index of the
   * step, 0 if none. Only in the model of several cells (TimerListWalkSafe).
   */
  walk: number;
  /** The pointer it followed (NULL 0, FAKE 1, or another value that is no list node). */
  walkPtr: number;
  /** Milestones reached (for ordering constraints and witnesses): one flag per mark the model declares. */
  marks: boolean[];
  /** Interrupted lock acquires still allowed (EA-EINTR budget). */
  eintrLeft: number;
  /**
   * Only under the PR's assumption `remove-after-expiry-returns-0`: T0 detached
   * the tl and no remove_dlg_timer has yet "succeeded" on it.
   */
  detachedUnclaimed: boolean;
}

/**
 * One dialog cell: a piece of shared memory (the `struct dlg_cell` fields the
 * model follows, its timer link, its bucket index) and, as ghost, the dialog
 * living in it.
 */
export interface CellState {
  mem: Memory<Field>;
  /** The cell is linked in its hash bucket (until DESTROY unlinks it); look-ups find only linked cells. Under H. */
  linked: boolean;
  /** The timer list's truth: its neighbours point at this cell's tl. Only touched under TL. */
  inList: boolean;
  /** `h_entry`: the bucket index stored in the cell (build_new_dlg, dlg_hash.c:343); dlg_lock_dlg and the ref macros read it. */
  h: number;
  /** The dialog living in the cell (or, once freed, the last one that did): an index into `Ghost.dialogs`. */
  dlg: number;
}

/** The timer list's sentinel `first` (dlg_timer.h:30-45), in the model of several cells (constant otherwise). */
export interface ListHead {
  next: number;
  prev: number;
}

export interface DialogState {
  /** The dialog cells (one in the models of one dialog). */
  cells: CellState[];
  /** The timer list's sentinel. */
  first: ListHead;
  /** H: one lock per hash bucket (H(i), the lock of d_table->entries[i]); TL: the timer lock. */
  locks: { H: LockState[]; TL: LockState };
  actors: ActorState[];
  ghost: Ghost;
}

export interface Env {
  readonly lock: LockImpl;
  readonly memory: MemoryModel;
  /** EA-EINTR: how many acquires of H may return early without the lock (0 = off). */
  readonly eintr: number;
  /** Semantics the PR's narrative assumes where they differ from the code (off by default). */
  readonly assume?: readonly Assumption[];
}

/**
 * The PR's assumptions that differ from the code, as switches (the
 * propositions of the PR's narrative, docs/pr-propositions.md):
 * - `remove-after-expiry-returns-0` (P-01, P-02, P-26): remove_dlg_timer returns
 *   0 ("removed, the timer reference is yours") once for a tl that T0 already
 *   detached, where the code returns 1 (dlg_timer.c:492-498).
 */
export type Assumption = 'remove-after-expiry-returns-0';

export const ASSUMPTIONS: readonly Assumption[] = ['remove-after-expiry-returns-0'];
