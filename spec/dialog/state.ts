/**
 * The state of the dialog model: one `struct dlg_cell` and what surrounds it.
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
/** A pointer to a list neighbour (or, while detached, to the next chain element). */
export const NBR = 2;
export const PTR_NAMES: Record<number, string> = { 0: 'NULL', 1: 'FAKE', 2: 'nbr' };

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

export type LockName = 'H' | 'TL';
/** Lock indices in the memory's lock views. */
export const LOCK_H = 0;
export const LOCK_TL = 1;
export const LOCK_INDEX: Readonly<Record<LockName, number>> = { H: LOCK_H, TL: LOCK_TL };

/** Per-actor locals: the C function's local variables that matter. */
export interface Locals {
  /** The value of `ref` read by the current read-modify-write. */
  r: number;
  /** `old_state` / `new_state` of the current next_state_dlg call. */
  old: number;
  nw: number;
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
}

export const LOCAL_NAMES: readonly (keyof Locals)[] = ['r', 'old', 'nw', 'unref', 'tmr', 'ret', 'st', 'bkNext', 'bkPrev', 'bkTimeout'];

export const freshLocals = (): Locals => ({
  r: 0,
  old: 0,
  nw: 0,
  unref: 0,
  tmr: 0,
  ret: 0,
  st: 0,
  bkNext: 0,
  bkPrev: 0,
  bkTimeout: 0,
});

/** Sets every local to 0, in place (a finished process's locals are dead). */
export function clearLocals(l: Locals): void {
  l.r = l.old = l.nw = l.unref = l.tmr = l.ret = l.st = l.bkNext = l.bkPrev = l.bkTimeout = 0;
}

/** pc = index of the next instruction; DONE past the end; ABORTED after abort(). */
export const ABORTED = -1;

export interface ActorState {
  pc: number;
  loc: Locals;
}

/**
 * Ghost bookkeeping. Every field is a number or a fixed record/array, so that
 * the state has a finite shape per model (spec/dialog/shape.ts); names (of
 * actors, steps, marks, holders) are indices into tables the model keeps.
 */
export interface Ghost {
  /** Who holds each reference: a count per holder the model can name (by index in its table of holders), 0 when not held. */
  holders: number[];
  /** FREE count (shm_free of the cell, dlg_hash.c:245). */
  frees: number;
  /** First step that touched the cell after FREE: 1 + its index in the model's step table, 0 if none. */
  uaf: number;
  /** The 'bogus ref' abort (dlg_hash.h:326-336): 1 + the index of the step that printed it, 0 if none. */
  bogus: number;
  /** The same abort's printed values: `ref` as re-read after the subtraction, and `cnt` (0 and 0 if none). */
  bogusRef: number;
  bogusCnt: number;
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

export interface DialogState {
  mem: Memory<Field>;
  /** The cell is linked in its hash bucket (until DESTROY unlinks it); look-ups find only linked cells. Under H. */
  linked: boolean;
  /** The timer list's truth: its neighbours point at this cell's tl. Only touched under TL. */
  inList: boolean;
  locks: Record<LockName, LockState>;
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
