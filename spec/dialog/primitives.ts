/**
 * The dialog module's primitives as pure functions: the lifetime timer list
 * (dlg_timer.c), the reference macros (dlg_hash.h) and next_state_dlg's
 * transition table (dlg_hash.c). Each function names the C lines it stands for
 * at OpenSIPS commit aad6b856835a (files in modules/dialog/), and returns what
 * the C function returns.
 *
 * This module imports nothing: no engine, no memory model, no Ctx. The timer
 * functions change the list passed in, exactly as the C code changes the
 * shared list, and nothing else. `npm run conform` compares every function
 * here with the real C functions, compiled from an OpenSIPS tree, on every
 * sequence of operations up to a length (docs/conformance.md).
 *
 * Where the C code would follow a pointer that does not point at a list node
 * (NULL, FAKE_DIALOG_TL, a value out of range), the function throws
 * `WildPointer` with the C line: the process would crash or corrupt memory
 * there; no well-formed list reaches such a line through these primitives.
 */

// ---------------------------------------------------------------------------
// Pointers of the timer list.

/** `next`/`prev` encodings: NULL, FAKE_DIALOG_TL ((struct dlg_tl*)-1, dlg_timer.c:49), the list's sentinel `first` (dlg_timer.c:60), entry k = ENTRY0 + k. */
export const NULL_TL = 0;
export const FAKE_TL = 1;
export const SENT = 2;
export const ENTRY0 = 3;
export const entryPtr = (k: number): number => ENTRY0 + k;

/**
 * Timeouts are abstract ticks: 0 (not in the list or detached), 1 = due at the
 * timer run the model lets happen, 2 = later, more if needed. The C code
 * stores `get_ticks() + interval`; with the ticks at 0 the two agree.
 */
export const TICK_DUE = 1;
export const TICK_LATER = 2;

/**
 * The list `d_timer` (dlg_timer.h:30-45) with N entries: arrays indexed by
 * pointer value (index SENT is the sentinel `first`, ENTRY0 + k is entry k;
 * indices NULL_TL and FAKE_TL are never read).
 */
export interface TimerList {
  readonly next: number[];
  readonly prev: number[];
  readonly timeout: number[];
}

/** An empty list with `n` unset entries (next = prev = NULL, timeout = 0; the sentinel points at itself, dlg_timer.c:60). */
export function emptyList(n: number): TimerList {
  const size = ENTRY0 + n;
  const next = new Array<number>(size).fill(NULL_TL);
  const prev = new Array<number>(size).fill(NULL_TL);
  next[SENT] = SENT;
  prev[SENT] = SENT;
  return { next, prev, timeout: new Array<number>(size).fill(0) };
}

export const copyList = (l: TimerList): TimerList => ({ next: l.next.slice(), prev: l.prev.slice(), timeout: l.timeout.slice() });

/** The number of entries of a list. */
export const entries = (l: TimerList): number => l.next.length - ENTRY0;

/** The C code would dereference `ptr`, which is not a list node. */
export class WildPointer extends Error {
  constructor(
    readonly ptr: number,
    readonly where: string,
  ) {
    super(`${where}: dereferences ${ptrName(ptr)}`);
    this.name = 'WildPointer';
  }
}

export const ptrName = (p: number): string =>
  p === NULL_TL ? 'NULL' : p === FAKE_TL ? 'FAKE' : p === SENT ? 'first' : p >= ENTRY0 ? `tl${p - ENTRY0}` : `?${p}`;

function node(l: TimerList, p: number, where: string): number {
  if (!Number.isInteger(p) || p < SENT || p >= l.next.length) throw new WildPointer(p, where);
  return p;
}

function entryOf(l: TimerList, k: number): number {
  const p = entryPtr(k);
  if (!Number.isInteger(k) || k < 0 || p >= l.next.length) throw new RangeError(`no timer entry ${k} in a list of ${entries(l)}`);
  return p;
}

// ---------------------------------------------------------------------------
// The timer primitives. Each C function runs its whole body under TL
// (d_timer->lock); these functions are that body.

/** insert_gen_timer_unsafe (dlg_timer.c:261-283): link `tl` after the last node (from the tail) whose timeout <= its own. */
function insertSorted(l: TimerList, tl: number): void {
  const w = 'dlg_timer.c:269-278';
  let ptr = l.prev[SENT];
  for (; ptr !== SENT; ptr = l.prev[node(l, ptr, w)]) {
    if (l.timeout[node(l, ptr, w)] <= l.timeout[tl]) break;
  }
  l.prev[tl] = ptr;
  l.next[tl] = l.next[node(l, ptr, w)];
  l.next[node(l, l.prev[tl], w)] = tl;
  l.prev[node(l, l.next[tl], w)] = tl;
}

/** remove_dlg_timer_unsafe (dlg_timer.c:467-479): unlink `tl` from its neighbours. */
function unlink(l: TimerList, tl: number): void {
  const w = 'dlg_timer.c:473-474';
  l.next[node(l, l.prev[tl], w)] = l.next[tl];
  l.prev[node(l, l.next[tl], w)] = l.prev[tl];
}

/**
 * insert_dlg_timer(&tl_k, interval) (dlg_timer.c:285-302), with `timeout` =
 * get_ticks() + interval: -1 (logged, nothing changed) unless next and prev
 * are both NULL; else sets the timeout, links the entry sorted, returns 0.
 */
export function insertTimer(l: TimerList, k: number, timeout: number): number {
  const tl = entryOf(l, k);
  if (l.next[tl] !== NULL_TL || l.prev[tl] !== NULL_TL) return -1; // 289-294
  l.timeout[tl] = timeout; // 295
  insertSorted(l, tl); // 297
  return 0;
}

/**
 * remove_dlg_timer(&tl_k) (dlg_timer.c:488-515): 1 when prev is NULL and the
 * timeout 0 (unset, detached by the timer routine, or already removed), no
 * change; -1 (logged, no change) when prev is NULL or next is NULL or FAKE;
 * else unlinks it, sets next = FAKE, prev = NULL, timeout = 0 and returns 0.
 */
export function removeTimer(l: TimerList, k: number): number {
  const tl = entryOf(l, k);
  if (l.prev[tl] === NULL_TL && l.timeout[tl] === 0) return 1; // 492-498
  if (l.prev[tl] === NULL_TL || l.next[tl] === NULL_TL || l.next[tl] === FAKE_TL) return -1; // 500-505
  unlink(l, tl); // 507
  l.next[tl] = FAKE_TL; // 509
  l.prev[tl] = NULL_TL; // 510
  l.timeout[tl] = 0; // 511
  return 0;
}

/**
 * update_dlg_timer(&tl_k, interval) (dlg_timer.c:552-580), with `timeout` =
 * get_ticks() + interval: 0 and no change when next is FAKE; -1 when next is
 * set and prev NULL (detached, not last of its chain); 0 after re-linking a
 * linked entry with the new timeout; 1 after linking an unset one (the caller
 * then takes a timer reference).
 */
export function updateTimer(l: TimerList, k: number, timeout: number): number {
  const tl = entryOf(l, k);
  if (l.next[tl] === FAKE_TL) return 0; // 558-562
  let ret: number;
  if (l.next[tl] !== NULL_TL) {
    if (l.prev[tl] === NULL_TL) return -1; // 564-568
    unlink(l, tl); // 569
    ret = 0;
  } else ret = 1; // 572
  l.timeout[tl] = timeout; // 575
  insertSorted(l, tl); // 576
  return ret;
}

/**
 * _get_gen_expired_dlgs(d_timer, now) (dlg_timer.c:582-635): FAKE when the list
 * is empty or its head is not due (timeout > now). Otherwise detaches the due
 * prefix: prev = NULL and timeout = 0 on each of its entries (604-610), the
 * last one's next = FAKE (620), the sentinel and the first remaining node
 * point at each other (621-622); returns the chain's head (the prefix's first
 * entry, whose next pointers lead through the chain to FAKE).
 */
export function getExpired(l: TimerList, now: number): number {
  const w = 'dlg_timer.c:588-622';
  if (l.next[SENT] === SENT || l.timeout[node(l, l.next[SENT], w)] > now) return FAKE_TL; // 588-592
  const end = SENT;
  let tl = l.next[SENT];
  while (tl !== end && l.timeout[node(l, tl, w)] <= now) {
    // 604-610
    l.prev[tl] = NULL_TL;
    l.timeout[tl] = 0;
    tl = l.next[tl];
  }
  if (tl === end && l.prev[node(l, l.next[SENT], w)] !== NULL_TL) return FAKE_TL; // 615-617
  const ret = l.next[SENT]; // 619
  l.next[node(l, l.prev[tl], w)] = FAKE_TL; // 620
  l.next[SENT] = tl; // 621
  l.prev[tl] = SENT; // 622
  return ret;
}

/**
 * One turn of dlg_timer_routine's loop over the detached chain
 * (dlg_timer.c:643-650): ctl = tl; tl = tl->next; ctl->next = FAKE (647, the
 * entry stays "expired", next set); then timer_hdl(ctl) (649). Returns the
 * entry handed to the handler and the chain's rest (FAKE: the loop ends).
 */
export function detachNext(l: TimerList, chain: number): { readonly handled: number; readonly rest: number } {
  const ctl = node(l, chain, 'dlg_timer.c:645');
  const rest = l.next[ctl]; // 645-646
  l.next[ctl] = FAKE_TL; // 647
  return { handled: ctl, rest };
}

/**
 * A whole run of dlg_timer_routine on the lifetime list (dlg_timer.c:637-650):
 * getExpired, then the loop; returns the entries (pointers) handed to the
 * handler, in order. (The routine's second half, the delete-delay list, runs
 * only with the delete_delay parameter set, 652-664, which the model leaves 0.)
 */
export function timerRoutine(l: TimerList, now: number): number[] {
  const handled: number[] = [];
  for (let tl = getExpired(l, now); tl !== FAKE_TL; ) {
    const step = detachNext(l, tl);
    handled.push(step.handled);
    tl = step.rest;
  }
  return handled;
}

// ---------------------------------------------------------------------------
// Reference macros (dlg_hash.h:316-349), run with the hash-entry lock H held.

/** ref_dlg_unsafe(dlg, cnt) (dlg_hash.h:316-320): ref += cnt (319). Returns the new count. */
export const refDlgUnsafe = (ref: number, cnt: number): number => ref + cnt;

/** The delete-delay settings that unref_dlg_unsafe reads (dlg_hash.h:340): the module parameter and the dialog's own. */
export interface DeleteDelay {
  readonly module: number;
  readonly dialog: number;
}
export const NO_DELETE_DELAY: DeleteDelay = { module: 0, dialog: 0 };

export type UnrefOutcome =
  /** ref > 0 after the subtraction. */
  | 'kept'
  /** ref <= 0 and no delete delay: unlink_unsafe_dlg (343) and destroy_dlg (344). */
  | 'destroyed'
  /** ref <= 0 with a delete delay: insert_attempt_dlg_del_timer (346-347). */
  | 'delete-timer'
  /** ref < 0: LM_CRIT "bogus ref %d with cnt %d" (329-334), then abort() with H held (335). */
  | 'abort';

export interface UnrefResult {
  readonly ref: number;
  readonly outcome: UnrefOutcome;
  /** For 'abort': the two numbers the log line prints (ref as re-read after the subtraction, and cnt). */
  readonly printed?: { readonly ref: number; readonly cnt: number };
  /** For 'delete-timer': the delay passed, the dialog's own if set, else the module's (347). */
  readonly delay?: number;
}

/** unref_dlg_unsafe(dlg, cnt, d_entry) (dlg_hash.h:322-349): ref -= cnt (325), then the checks. */
export function unrefDlgUnsafe(ref: number, cnt: number, delay: DeleteDelay = NO_DELETE_DELAY): UnrefResult {
  const r = ref - cnt; // 325
  if (r < 0) return { ref: r, outcome: 'abort', printed: { ref: r, cnt } }; // 326-336
  if (r <= 0) {
    // 337-348
    if (delay.module === 0 && delay.dialog === 0) return { ref: r, outcome: 'destroyed' };
    return { ref: r, outcome: 'delete-timer', delay: delay.dialog !== 0 ? delay.dialog : delay.module };
  }
  return { ref: r, outcome: 'kept' };
}

// ---------------------------------------------------------------------------
// next_state_dlg (dlg_hash.c:1188-1352).

/** Dialog states (dlg_hash.h:37-41). */
export const DLG_STATE = { UNCONFIRMED: 1, EARLY: 2, CONFIRMED_NA: 3, CONFIRMED: 4, DELETED: 5 } as const;
/** Events (dlg_hash.h:43-50). */
export const DLG_EVENT = { TDEL: 1, RPL1xx: 2, RPL2xx: 3, RPL3xx: 4, REQPRACK: 5, REQACK: 6, REQBYE: 7, REQ: 8 } as const;
/** Directions (dlg_hash.h:83-85). */
export const DLG_DIR = { NONE: 0, DOWNSTREAM: 1, UPSTREAM: 2 } as const;

export interface NextStateInput {
  readonly state: number;
  readonly event: number;
  readonly dir: number;
  /** The caller's `last_dst_leg` argument. */
  readonly lastDstLeg: number;
  /** dlg->legs_no[DLG_LEG_200OK], read under H. */
  readonly leg200ok: number;
  /** flags & DLG_FLAG_HASBYE. */
  readonly hasBye: boolean;
  readonly ref: number;
  /** dialog_repl_cluster && replicate_events (1344). */
  readonly replicate: boolean;
  readonly delay?: DeleteDelay;
}

export interface NextStateResult {
  /** *old_state (1198). */
  readonly old: number;
  /** *new_state (1336); null when the call aborted inside its H section. */
  readonly new: number | null;
  /** *unref as the call leaves it. */
  readonly unref: number;
  /** The cell's fields after the call. */
  readonly state: number;
  readonly hasBye: boolean;
  readonly ref: number;
  /** What the unref_dlg_unsafe inside the H section did (TDEL, 1206 and 1211), if it ran. */
  readonly unrefInSection: UnrefResult | null;
  /** The call logged an unexpected (event, state) pair (log_next_state_dlg, or the unknown-event LM_INFO at 1328-1335). */
  readonly logged: boolean;
  /** raise_state_changed_event ran (1340-1342). */
  readonly stateChanged: boolean;
  /** replicate_dialog_deleted ran (1344-1347). */
  readonly replicated: boolean;
  /** The process aborted (bogus ref) with H held; nothing after it ran. */
  readonly aborted: boolean;
}

const { UNCONFIRMED, EARLY, CONFIRMED_NA, CONFIRMED, DELETED } = DLG_STATE;
const confirmed = (st: number) => st === CONFIRMED_NA || st === CONFIRMED;

/** next_state_dlg(dlg, event, dir, &old, &new, &unref, last_dst_leg, replicate_events) (dlg_hash.c:1188-1352), every (state, event) pair. */
export function nextStateDlg(i: NextStateInput): NextStateResult {
  let state = i.state;
  let hasBye = i.hasBye;
  let ref = i.ref;
  let unref = 0; // 1194
  let logged = false;
  let inSection: UnrefResult | null = null;
  const old = state; // 1198
  const early = state === UNCONFIRMED || state === EARLY;
  switch (i.event) {
    case DLG_EVENT.TDEL: // 1201-1223
      if (early || confirmed(state)) {
        if (early) state = DELETED; // 1205
        inSection = unrefDlgUnsafe(ref, 1, i.delay); // 1206 / 1211
        ref = inSection.ref;
        if (inSection.outcome === 'abort') {
          return { old, new: null, unref, state, hasBye, ref, unrefInSection: inSection, logged, stateChanged: false, replicated: false, aborted: true };
        }
        if (early) unref = 1; // 1207
      } else if (state === DELETED) unref = 1; // 1218
      else logged = true;
      break;
    case DLG_EVENT.RPL1xx: // 1224-1233
      if (early) state = EARLY;
      else logged = true;
      break;
    case DLG_EVENT.RPL3xx: // 1234-1244
      if (early) {
        state = DELETED; // 1238
        unref = 1; // 1239
      } else logged = true;
      break;
    case DLG_EVENT.RPL2xx: // 1245-1263
      if (state === DELETED && hasBye) logged = true; // 1248-1251
      else if (state === DELETED || early) {
        if (state === DELETED) ref = refDlgUnsafe(ref, 1); // 1252, "back in hash", falls through
        state = CONFIRMED_NA; // 1255
      } else if (!confirmed(state)) logged = true;
      break;
    case DLG_EVENT.REQACK: // 1264-1276
      if (state === CONFIRMED_NA) state = CONFIRMED; // 1267
      else if (state !== CONFIRMED && state !== DELETED) logged = true;
      break;
    case DLG_EVENT.REQBYE: // 1277-1307
      if (confirmed(state)) {
        if (i.dir === DLG_DIR.DOWNSTREAM && i.lastDstLeg !== i.leg200ok) break; // 1281-1285
        hasBye = true; // 1286
        state = DELETED; // 1287
        unref = 1; // 1288
      } else if (state !== DELETED) {
        if (i.lastDstLeg === 0) logged = true; // 1299-1300
        else hasBye = true; // 1304
      }
      break;
    case DLG_EVENT.REQPRACK: // 1308-1317
    case DLG_EVENT.REQ: // 1318-1327
      if (!(state === EARLY || confirmed(state))) logged = true;
      break;
    default: // 1328-1335
      logged = true;
  }
  const nw = state; // 1336
  const stateChanged = old !== nw; // 1340-1342
  const replicated = i.replicate && confirmed(old) && nw === DELETED; // 1344-1347
  return { old, new: nw, unref, state, hasBye, ref, unrefInSection: inSection, logged, stateChanged, replicated, aborted: false };
}
