/**
 * The actors of the dialog model, as programs over the numbered steps of
 * docs/c-reference.md (the PR versions' changes: docs/pr-3836.md §4). Files are
 * in modules/dialog/ at commit aad6b856835a unless a file name carries
 * "@<commit>" (a PR version's patched file) or "@fix-NAME" (the file after
 * applying that fix's patch, FIX_PATCHES in variants.ts, alone to
 * aad6b856835a). A fix's step cites the line it adds or changes; the steps a
 * fix leaves alone keep citing aad6b856835a.
 */
import {
  END,
  Program,
  allocate,
  at,
  callerRemove,
  canAllocate,
  cellOf,
  cur,
  dlgOf,
  expire,
  expireList,
  firstInBucket,
  linkDlg,
  listDue,
  nextInBucket,
  nextInChain,
  isActor,
  marked,
  hSection,
  isDue,
  isWinner,
  mark,
  nextState,
  one,
  put,
  ref,
  timerCall,
  touch,
  unref,
  updateTimer,
  insertTimer,
  lookupRef,
  refUnsafe,
  unrefBody,
  type Ctx,
} from './program.js';
import { CONFIRMED_NA, DELETED, FAKE, NULLP, T_DUE, T_LATER, T_ZERO, UNCONFIRMED, EARLY, isConfirmed, type Locals } from './state.js';
import type { FixName, Variant } from './variants.js';
import { SpecError, type SourceLoc } from '../../src/engine/model.js';


const H = 'dlg_handlers.c';
const RW = 'dlg_req_within.c';
const HC = 'dlg_hash.c';
const TC = 'dlg_timer.c';
const V1 = (f: string) => `${f}@196b51fa`;
const V2 = (f: string) => `${f}@887d200d`;
const V3 = (f: string) => `${f}@1c2d0bda`;
/** A file as patched by one fix (fixes/*.patch applied alone to aad6b856835a). */
const FX = (f: string, fix: FixName) => `${f}@${fix}`;

/** Knobs of a scenario that change what the actors do. */
export interface ActorKnobs {
  /** create_dialog flag 'B' (bye on timeout, dlg_hash.h:371-374). */
  readonly byeOnTimeout: boolean;
  /** An on_timeout route (T4): none, one that does nothing, or one that re-arms the timer ($DLG_timeout, X2). */
  readonly onTimeoutRoute: 'none' | 'noop' | 'rearm';
  /** REALTIME DB mode: remove_dialog_from_db calls are counted. */
  readonly dbRealtime: boolean;
  /** The $DLG_timeout the X actor assigns: 0, due at the next timer run (the default), or a long one (`later`). */
  readonly xTimeout?: 'due' | 'later';
}

const part1Src = {
  block: at(V1(HC), 1333, 1348),
  remove: at(V1(HC), 1338),
  // The test of its result: `ret == 0` (unref++), `else if (ret < 0)` (LM_CRIT), neither.
  result: { removed: at(V1(HC), 1339, 1340), bogus: at(V1(HC), 1341, 1347), absent: at(V1(HC), 1341) },
};

const dbDelete = (c: Ctx) => {
  dlgOf(c).dbDeletes += 1;
};
const termCallbacks = (c: Ctx) => {
  dlgOf(c).termCallbacks += 1;
};

/**
 * DLG_FLAG_DB_DELETED (dlg_hash.h:61), the one bit of `flags` the fixes need,
 * kept as a mark in the ghost's milestone list (no new state field): set by
 * remove_dialog_from_db_once (fix 07b) and by drop_dlg (D6, in a variant with
 * fix 07b; at A only D6 reads it and it runs once, so the orig variants
 * neither set nor read it). Other writers of `flags` are not modelled.
 * The flag lives in the cell (`dlg->flags`): with several dialogs, one mark
 * per dialog (dialog 0's is DB_DELETED itself), and a process tests and sets
 * the mark of the dialog living in the cell its pointer reaches (a new
 * dialog built in freed memory starts with flags 0: build_new_dlg's memset,
 * dlg_hash.c:325).
 */
const DB_DELETED = 'flag:DB_DELETED';
const dbDeletedMark = (d: number): string => (d === 0 ? DB_DELETED : `${DB_DELETED}:${d}`);
/** Declares the flag's mark of every dialog of the model. */
const declareDbDeleted = (p: Program): Program => {
  for (let d = 0; d < p.dialogs; d++) p.declareMarks(dbDeletedMark(d));
  return p;
};
const dbDeleted = (c: Ctx): boolean => marked(c.t, c.s.ghost, dbDeletedMark(cellOf(c).dlg));
const setDbDeleted = (c: Ctx): void => mark(c, dbDeletedMark(cellOf(c).dlg));

/**
 * Fix 07b: remove_dialog_from_db_once (dlg_db_handler.c@fix-db-flag:1012-1022),
 * called at `call`: H+ (dlg_lock_dlg), test DLG_FLAG_DB_DELETED (1017), set
 * it (1018), H-, then remove_dialog_from_db only for the first caller
 * (counted in the test's step: the call follows unconditionally). The test
 * and the set are two steps, as the load and the store of `flags` are: where
 * H does not exclude (EINTR), two callers can both find the flag clear. The
 * local `ret` carries `first` from the test to the call.
 */
function dbOnce(p: Program, id: string, call: SourceLoc): void {
  declareDbDeleted(p);
  const DB = FX('dlg_db_handler.c', 'fix-db-flag');
  p.add({ id: `${id}.H+`, src: at(DB, 1016), acquire: 'H', touch: true });
  p.add({
    id: `${id}.test`,
    src: at(DB, 1017),
    touch: true,
    exec: (c) => {
      c.l.ret = dbDeleted(c) ? 0 : 1;
      if (c.l.ret) dbDelete(c); // the removal below follows
    },
  });
  p.add({ id: `${id}.set`, src: at(DB, 1018), touch: true, exec: (c) => setDbDeleted(c) });
  p.add({ id: `${id}.H-`, src: at(DB, 1019), release: 'H' });
  p.add({ id: `${id}.first?`, local: true, src: call, exec: (c) => (c.l.ret ? undefined : `${id}:skip`) });
  touch(p, `${id}.rm`, at(DB, 1021), (c) => void (c.l.ret = 0));
  p.label(`${id}:skip`);
  p.add({ id: `${id}.ret`, local: true, src: at(DB, 1021), exec: (c) => void (c.l.ret = 0) });
}

/**
 * A `if (should_remove_dlg_db()) remove_dialog_from_db(dlg)` site that fix 07b
 * turns into remove_dialog_from_db_once (`fixedCall`: the call's line in
 * dlg_handlers.c / dlg_req_within.c @fix-db-flag). Elsewhere one step.
 */
function dbSite(p: Program, id: string, src: SourceLoc, v: Variant, k: ActorKnobs, fixedCall: SourceLoc): void {
  if (v.dbRemove === 'once-flag') {
    if (k.dbRealtime) dbOnce(p, id, fixedCall);
  } else touch(p, id, src, (c) => void (k.dbRealtime ? dbDelete(c) : undefined));
}

/** What each actor of the dialog model stands for, in a line (printed with the traces that involve it). */
export const ACTOR_ROLES: Readonly<Record<string, string>> = {
  W: 'an in-dialog BYE in a SIP worker (dlg_onroute)',
  W2: 'a second in-dialog BYE, in another worker (dlg_onroute)',
  T: 'the timer process (dlg_timer_routine, dlg_ontimeout)',
  B1: "the reply to the BYE the timer sent on leg 1 (bye_reply_cb, dual_bye_event)",
  B2: "the reply to the BYE the timer sent on leg 2 (bye_reply_cb, dual_bye_event)",
  O: 'the 2xx to the initial INVITE (dlg_onreply)',
  I: "TM deleting the INVITE transaction (dlg_onreply, TMCB_TRANS_DELETED)",
  R: 'a delete replicated from another cluster node (dlg_replicated_delete)',
  X: 'a worker whose script sets $DLG_timeout (pv_set_dlg_timeout)',
  P: 'the OPTIONS pinger finding a failed ping (dlg_options_routine)',
  D: "the drop of unsynced dialogs after a cluster sync (rcv_cluster_event, drop_dlg)",
  A: "a new call's INVITE building its dialog (dlg_create_dialog, build_new_dlg)",
};

/** Holders dropped by a caller's UNREF(unref): the hash reference, plus the timer's if it removed the timer. */
const hashAndTimer = (l: { tmr: number; unref: number }) => {
  const out: string[] = [];
  if (l.unref - l.tmr >= 1) out.push('hash');
  if (l.tmr) out.push('timer');
  return out;
};

// ---------------------------------------------------------------------------
// W: an in-dialog BYE in a SIP worker (dlg_onroute, dlg_handlers.c:1876-2439).

export function byeWorker(name: string, v: Variant, k: ActorKnobs): Program {
  const p = new Program(name).declareMarks(`${name}:won`, `${name}:timer-removed`);
  // W1: lookup_dlg (route parameter; finds DELETED cells too), ref++ under H (dlg_hash.c:785-797).
  lookupRef(p, 'W1', `${name}.ctx`, END);
  touch(p, 'W2', at(H, 1947, 1979)); // match_dialog reads callid, tags, legs_no
  nextState(p, 'W4', 'REQBYE', { part1: v.part1, call: at(H, 2020), part1Src, requestLeg: true });
  p.add({
    id: 'W4.result',
    local: true,
    src: at(H, 2020),
    exec: (c) => {
      if (isWinner(c.l)) mark(c, `${name}:won`);
      if (c.l.tmr) mark(c, `${name}:timer-removed`);
    },
  });
  touch(p, 'W5', at(H, 2023, 2026)); // ctx_dialog_set; log_bogus_dst_leg reads legs_no
  // W6: dlg_set_tm_dialog_ctx: REF for the BYE transaction (dlg_handlers.c:1342-1357).
  ref(p, 'W6', `${name}.tm`, at(H, 1356));
  p.add({
    id: 'W6.branch',
    local: true,
    src: at(H, 2034),
    exec: (c) => (c.l.old === DELETED && c.l.nw === DELETED ? 'W7' : isWinner(c.l) ? 'W8w' : 'early'),
  });
  // W7: old = new = DELETED: callbacks, CSeq under H, return without UNREF.
  p.label('W7');
  touch(p, 'W7', at(H, 2037));
  hSection(p, 'W7.cseq', at(H, 2040), at(H, 2041, 2047), at(H, 2048));
  p.add({ id: 'W7.ret', local: true, src: at(H, 2074), exec: () => 'W13' });
  // W8w..W12w: the winner's teardown.
  p.label('W8w');
  touch(p, 'W8w', at(H, 2078, 2093)); // on_hangup route (none set), profiles, terminate_reason
  hSection(p, 'W8w.linkers', at(H, 2085), at(H, 2085), at(H, 2085));
  // The unlock is at 2105 when the BYE's leg has a last_gen_cseq (set by a ping or another request OpenSIPS
  // built for the dialog, dlg_req_within.c:157; by CSeq enforcement on the 2xx, 588; by the script, dialog.c:2625),
  // else at 2128; the model does not keep last_gen_cseq, so the step cites the range of both.
  hSection(p, 'W9w', at(H, 2097), at(H, 2098, 2127), at(H, 2105, 2128));
  if (!v.part1) callerRemove(p, 'W10w', at(H, 2133), { bogus: at(H, 2134, 2142), absent: at(H, 2143, 2151), removed: at(H, 2152, 2154) });
  p.add({
    id: 'W10w.mark',
    local: true,
    src: at(H, 2133),
    exec: (c) => {
      if (c.l.tmr) mark(c, `${name}:timer-removed`);
    },
  });
  if (v.dbRemove === 'once-flag') {
    touch(p, 'W11w', at(H, 2158), termCallbacks);
    if (k.dbRealtime) dbOnce(p, 'W11w.db', at(FX(H, 'fix-db-flag'), 2162));
  } else {
    touch(p, 'W11w', at(H, 2158, 2162), (c) => {
      termCallbacks(c);
      if (k.dbRealtime) dbDelete(c);
    });
  }
  unref(p, 'W12w', (l) => l.unref, hashAndTimer, at(H, 2165));
  p.add({ id: 'W12w.ret', local: true, src: at(H, 2167, 2168), exec: () => 'W13' }); // the stat, return
  // Non-winner, not DELETED -> DELETED: early_check (2382-2394), no reference change.
  p.label('early');
  touch(p, 'Wearly', at(H, 2382, 2394));
  p.label('W13');
  unref(p, 'W13', one, () => [`${name}.ctx`], at(HC, 74)); // dialog_cleanup after the script
  unref(p, 'W14', one, () => [`${name}.tm`], at(H, 1261)); // tmcb_unreference_dialog
  return p;
}

// ---------------------------------------------------------------------------
// S: send_leg_bye (dlg_req_within.c:365-420), inline in the caller; spawns B_leg.

function sendLegBye(p: Program, id: string, owner: string, leg: number): void {
  p.declareMarks(`bye${leg}:sent`);
  // S1: build_dlg_t: CSeq under H (68-80), then unlocked reads of the leg (touch).
  hSection(p, `${id}.S1`, at(RW, 68), at(RW, 69, 79), at(RW, 80));
  touch(p, `${id}.S1b`, at(RW, 80, 129));
  ref(p, `${id}.S2`, `${owner}.pctx`, at(RW, 383)); // push_new_processing_context
  ref(p, `${id}.S3`, `bye${leg}`, at(RW, 388)); // the BYE transaction's reference
  touch(p, `${id}.S4`, at(RW, 390, 397), (c) => {
    // t_request_within: TM hashes and sends the BYE; its final reply is handled by B<leg>.
    const g = dlgOf(c);
    g.byesSent += 1;
    if (cur(c, 'state') === DELETED && g.deletedBy !== 0 && !isActor(g.deletedBy, c.who)) {
      g.byesAfterDelete += 1;
    }
    mark(c, `bye${leg}:sent`);
  });
  unref(p, `${id}.S5`, one, () => [`${owner}.pctx`], at(RW, 400, 403));
}

/**
 * E: dlg_end_dlg(dlg, NULL, 1) (dlg_req_within.c:457-521) with do_expire = 1:
 * E1 reads state without a lock; UNCONF/EARLY cancels the INVITE; any other
 * value (DELETED included) sends both BYEs (E4 -> S for each leg).
 */
function endDialog(p: Program, id: string, owner: string, done: string): void {
  p.add({
    id: `${id}.E1`,
    src: at(RW, 471),
    read: 'state',
    touch: true,
    exec: (_c, st) => (st === UNCONFIRMED || st === EARLY ? `${id}:cancel` : undefined),
  });
  touch(p, `${id}.E4`, at(RW, 514)); // callee_idx reads legs_no
  sendLegBye(p, `${id}.L1`, owner, 1);
  sendLegBye(p, `${id}.L2`, owner, 2);
  p.add({ id: `${id}.ret`, local: true, src: at(RW, 520), exec: () => done });
  p.label(`${id}:cancel`);
  touch(p, `${id}.E1c`, at(RW, 472, 489));
  p.add({ id: `${id}.cret`, local: true, src: at(RW, 488), exec: () => done });
}

// ---------------------------------------------------------------------------
// X2: $DLG_timeout assignment with a current dialog (pv_set_dlg_timeout, dialog.c:1817-1851).

function setTimeout(p: Program, id: string, timeout: number, v: Variant): void {
  const D = 'dialog.c';
  const update = (call: SourceLoc) =>
    timerCall(p, `${id}.X2d`, 'update', call, at(TC, 552, 580), (c) => void updateTimer(c, timeout), at(TC, 579));
  p.add({ id: `${id}.X2c.H+`, src: at(D, 1820), acquire: 'H', touch: true });
  p.add({
    id: `${id}.X2c.state`,
    src: at(D, 1821, 1828),
    read: 'state',
    touch: true,
    exec: (c, st) => void (c.l.st = isConfirmed(st) ? 1 : 0), // timer_update
  });
  if (v.timerRef === 'under-H') {
    // Fix 01b: the update and the REF stay inside X2c's H section (TL nested).
    const F = FX(D, 'fix-ref-locked');
    p.add({ id: `${id}.X2d`, local: true, src: at(F, 1835), exec: (c) => (c.l.st ? undefined : `${id}:unlock`) });
    update(at(F, 1836));
    p.add({ id: `${id}.X2e`, local: true, src: at(F, 1837, 1846), exec: (c) => (c.l.ret === 1 ? undefined : `${id}:unlock`) });
    refUnsafe(p, `${id}.X2e`, 'timer', at(F, 1843));
    p.label(`${id}:unlock`);
    p.add({ id: `${id}.X2c.H-`, src: at(F, 1850), release: 'H' });
  } else {
    p.add({ id: `${id}.X2c.H-`, src: at(D, 1832), release: 'H' });
    p.add({ id: `${id}.X2d`, local: true, src: at(D, 1834), exec: (c) => (c.l.st ? undefined : `${id}:out`) });
    if (v.timerRef === 'before') {
      // Fix 01a: REF first; UNREF when the update did not link the tl (returned 0 or -1).
      const F = FX(D, 'fix-ref-first');
      ref(p, `${id}.X2r`, 'timer', at(F, 1838));
      update(at(F, 1839));
      p.add({ id: `${id}.X2e`, local: true, src: at(F, 1840, 1851), exec: (c) => (c.l.ret === 1 ? `${id}:out` : undefined) });
      unref(p, `${id}.X2u`, one, () => ['timer'], at(F, 1842, 1849));
    } else {
      update(at(D, 1835));
      p.add({ id: `${id}.X2e`, local: true, src: at(D, 1836, 1841), exec: (c) => (c.l.ret === 1 ? undefined : `${id}:out`) });
      ref(p, `${id}.X2e`, 'timer', at(D, 1841));
    }
  }
  p.label(`${id}:out`);
  p.add({
    id: `${id}.X2f`,
    src: at(D, 1848, 1851),
    touch: true,
    exec: (c) => {
      c.l.st = 0;
      c.l.ret = 0;
    },
  });
}

/** X: a worker handling an in-dialog request whose script assigns $DLG_timeout (a long one). */
export function timeoutUpdater(name: string, v: Variant, timeout: 'due' | 'later' = 'due'): Program {
  const p = new Program(name);
  lookupRef(p, 'X1', `${name}.ctx`, END); // the look-up's reference (as W1)
  // $DLG_timeout = 0 (accepted once the dialog exists, dialog.c:1812-1815), or a long lifetime.
  setTimeout(p, 'X', timeout === 'due' ? T_DUE : T_LATER, v);
  unref(p, 'X13', one, () => [`${name}.ctx`], at(HC, 74));
  return p;
}

// ---------------------------------------------------------------------------
// T: the timer routine and dlg_ontimeout (dlg_timer.c:637-665; dlg_handlers.c:2448-2589).

export function timer(v: Variant, k: ActorKnobs): Program {
  const p = new Program('T', true).declareMarks('T:won');
  const name = 'T';
  // Where dlg_ontimeout returns to: the routine's loop over the detached chain (model of several cells), or the
  // routine's end (one dialog: the chain is that dialog's tl alone).
  const done = p.multi ? 'T:next' : END;
  if (!p.multi) {
    // T0: _get_gen_expired_dlgs under TL; enabled when the tl is linked and due.
    p.add({ id: 'T0.TL+', src: at(TC, 586), acquire: 'TL', when: (s) => isDue(s) });
    p.add({ id: 'T0', src: at(TC, 586, 629), touch: true, exec: (c) => void expire(c) });
    p.add({ id: 'T0.TL-', src: at(TC, 629), release: 'TL' });
  } else {
    // T0 on the list (primitives.ts): enabled when its first node is due (or is no node, where the walk crashes).
    p.add({ id: 'T0.TL+', src: at(TC, 586), acquire: 'TL', when: (s) => listDue(s) });
    p.add({ id: 'T0', src: at(TC, 586, 629), exec: (c) => void expireList(c) });
    p.add({ id: 'T0.TL-', src: at(TC, 629), release: 'TL' });
    // The loop (643): the next entry of the chain, its dialog; FAKE ends the run.
    p.label('T:next');
    p.add({ id: 'T.loop', local: true, src: at(TC, 643), exec: (c) => nextInChain(c) });
  }
  // T1: ctl->next read (the chain's rest), then := FAKE without a lock, then dlg_ontimeout.
  p.add({ id: 'T1r', src: at(TC, 645), read: 'tlNext', touch: true, exec: p.multi ? (c, next) => void (c.l.chain = next) : undefined });
  p.add({ id: 'T1w', src: at(TC, 647), touch: true, exec: (c) => put(c, 'tlNext', FAKE), mark: 'T:fired' });
  if (v.timerStateRead === 'unlocked') {
    touch(p, 'T2', at(H, 2459, 2461));
  } else {
    // T2' (v1 Part 2): H+; dlg_state = state; H-.
    p.add({ id: "T2'.H+", src: at(V1(H), 2453), acquire: 'H', touch: true });
    p.add({
      id: "T2'.read",
      src: at(V1(H), 2454),
      read: 'state',
      touch: true,
      exec: (c, st) => void (c.l.st = st),
      mark: v.timerStateRead === 'once-under-H' ? 'T:state-read' : undefined,
    });
    p.add({ id: "T2'.H-", src: at(V1(H), 2455), release: 'H' });
  }
  // T3 (clustering backup) is not modelled: no clustering in these scenarios.
  // v2's locked re-read before the on_timeout test runs whether or not a route is set (887d200d 2495-2497).
  if (v.timerStateRead === 'each-under-H') lockedStateRead(p, 'T4r', at(V2(H), 2495), at(V2(H), 2496), at(V2(H), 2497));
  if (k.onTimeoutRoute !== 'none') {
    // ref_script_route_check_and_update(dlg->rt_on_timeout) && state < DELETED: the scenario's dialogs have the
    // route; a dialog a new call built in freed memory (model of several cells: index >= cells) has none
    // (build_new_dlg zeroes rt_on_timeout, dlg_hash.c:325, and A never sets one).
    // (Without a route C does not read state here, 2495; T4a's read of it only adds branches under relaxed memory.)
    const hasRoute = (c: Ctx) => cellOf(c).dlg < (c.t.cells ?? 1);
    stateDecision(p, 'T4a', v, at(H, 2494, 2496), (st, c) => (st < DELETED && hasRoute(c) ? undefined : 'T5'));
    // T4b: bk = *tl; tl.next = tl.prev = NULL (no lock).
    p.add({
      id: 'T4b.copy',
      src: at(H, 2497),
      touch: true,
      exec: (c) => {
        c.l.bkNext = cur(c, 'tlNext');
        c.l.bkPrev = cur(c, 'tlPrev');
        c.l.bkTimeout = cur(c, 'tlTimeout');
      },
    });
    const unset = (c: Ctx) => {
      put(c, 'tlNext', NULLP);
      put(c, 'tlPrev', NULLP);
    };
    if (v.routeWindowLocked) {
      // Fix 02: unset_expired_dlg_timer (dlg_timer.c@fix-route:586-591), one TL section.
      p.add({ id: 'T4b.TL+', src: at(FX(H, 'fix-route'), 2499), acquire: 'TL' });
      p.add({ id: 'T4b.unset', src: at(FX(TC, 'fix-route'), 589), touch: true, exec: unset });
      p.add({ id: 'T4b.TL-', src: at(FX(TC, 'fix-route'), 590), release: 'TL' });
    } else {
      p.add({ id: 'T4b.unset', src: at(H, 2498, 2499), touch: true, exec: unset });
    }
    // T4c: run_dlg_script_route: push a context (REF), the route, pop it (UNREF).
    ref(p, 'T4c.RT1', `${name}.pctx`, at(H, 153));
    if (k.onTimeoutRoute === 'rearm') setTimeout(p, 'T4c.RT2', T_LATER, v);
    else touch(p, 'T4c.RT2', at(H, 163));
    unref(p, 'T4c.RT3', one, () => [`${name}.pctx`], at(H, 171, 175));
    const restore = (c: Ctx) => {
      put(c, 'tlNext', c.l.bkNext);
      put(c, 'tlPrev', c.l.bkPrev);
      put(c, 'tlTimeout', c.l.bkTimeout);
      c.l.bkNext = c.l.bkPrev = c.l.bkTimeout = 0;
    };
    if (v.routeWindowLocked) {
      // Fix 02: restore_expired_dlg_timer (dlg_timer.c@fix-route:598-609): the test of
      // tl.timeout and the restore of the copy in one TL section; `ret` carries `linked`.
      const F = FX(TC, 'fix-route');
      p.add({ id: 'T4d.TL+', src: at(FX(H, 'fix-route'), 2504), acquire: 'TL' });
      p.add({
        id: 'T4d',
        src: at(F, 603, 605),
        touch: true,
        exec: (c) => {
          c.l.ret = cur(c, 'tlTimeout') !== T_ZERO ? 1 : 0;
          if (c.l.ret === 0) restore(c);
          c.l.bkNext = c.l.bkPrev = c.l.bkTimeout = 0;
        },
      });
      p.add({ id: 'T4d.TL-', src: at(F, 606), release: 'TL' });
      p.add({
        id: 'T4d.linked?',
        local: true,
        src: at(FX(H, 'fix-route'), 2504),
        exec: (c) => {
          const linked = c.l.ret;
          c.l.ret = 0;
          return linked ? undefined : 'T5';
        },
      });
      unref(p, 'T4e', one, () => ['timer'], at(H, 2509));
      p.add({ id: 'T4e.ret', local: true, src: at(H, 2514), exec: () => done });
    } else {
      p.add({
        id: 'T4d',
        src: at(H, 2503),
        read: 'tlTimeout',
        touch: true,
        exec: (_c, t) => (t !== T_ZERO ? undefined : 'T4f'),
      });
      unref(p, 'T4e', one, () => ['timer'], at(H, 2509));
      p.add({ id: 'T4e.ret', local: true, src: at(H, 2514), exec: () => done });
      p.label('T4f');
      p.add({ id: 'T4f', src: at(H, 2517), touch: true, exec: restore });
    }
  }
  p.label('T5');
  // v2's locked re-read before the 'B' test runs whether or not the flag is set (887d200d 2534-2536).
  if (v.timerStateRead === 'each-under-H') lockedStateRead(p, 'T5r', at(V2(H), 2534), at(V2(H), 2535), at(V2(H), 2536));
  if (k.byeOnTimeout) {
    stateDecision(p, 'T5a', v, v.timerStateRead === 'unlocked' ? at(H, 2522, 2523) : at(V1(H), 2518, 2519), (st) =>
      isConfirmed(st) ? undefined : 'T6',
    );
    if (!v.timerTransitions) {
      touch(p, 'T5b', at(H, 2525, 2532)); // init_dlg_term_reason
      if (v.claimBeforeBye) {
        // Fix 06: dlg_end_dlg_claimed (dlg_handlers.c@fix-bye:2537-2538, dlg_req_within.c@fix-bye:534-541):
        // dual_bye_event first; BYEs only if it made the transition.
        p.add({ id: 'T5c.claim', local: true, src: at(FX(H, 'fix-bye'), 2537, 2538) });
        dualByeEvent(p, 'T5c', name, v, k, 'T5c:claimed');
        p.add({ id: 'T5c.won?', local: true, src: at(FX(RW, 'fix-bye'), 536, 537), exec: (c) => (isWinner(c.l) ? undefined : 'T5d') });
      }
      endDialog(p, 'T5c', name, 'T5d');
      p.label('T5d');
      unref(p, 'T5d', one, () => ['timer'], at(H, 2537));
      p.add({ id: 'T5d.ret', local: true, src: at(H, 2538, 2541), exec: () => done }); // the stat, return
    } else {
      // v3: the timer makes the transition itself.
      touch(p, 'T5n.leg', at(V3(H), 2681)); // legs_no[DLG_LEG_200OK], no lock
      nextState(p, 'T5n', 'REQBYE', { part1: false, call: at(V3(H), 2679, 2681) });
      p.add({ id: 'T5n.branch', local: true, src: at(V3(H), 2683), exec: (c) => (isWinner(c.l) ? undefined : 'T5l') });
      touch(p, 'T5w', at(V3(H), 2689, 2702), (c) => mark(c, 'T:won'));
      hSection(p, 'T5w.linkers', at(V3(H), 2701), at(V3(H), 2701), at(V3(H), 2701));
      ref(p, 'T5w.ctx+', `${name}.pctx`, at(V3(H), 2706));
      touch(p, 'T5w.cb', at(V3(H), 2708, 2711), termCallbacks);
      unref(p, 'T5w.ctx-', one, () => [`${name}.pctx`], at(V3(H), 2712, 2715));
      // v3's own removal: no patch changes it (v3+fixes applies the patches as they are).
      touch(p, 'T5w.db', at(V3(H), 2720, 2721), (c) => void (k.dbRealtime ? dbDelete(c) : undefined));
      endDialog(p, 'T5w.E', name, 'T5w:unref');
      p.label('T5w:unref');
      unref(p, 'T5w.unref', (l) => l.unref + 1, (l) => [...(l.unref ? ['hash'] : []), 'timer'], at(V3(H), 2728));
      p.add({ id: 'T5w.ret', local: true, src: at(V3(H), 2732), exec: () => done });
      p.label('T5l');
      unref(p, 'T5l', one, () => ['timer'], at(V3(H), 2737));
      p.add({ id: 'T5l.ret', local: true, src: at(V3(H), 2738), exec: () => done });
    }
  }
  p.label('T6');
  touch(p, 'T6', at(H, 2546)); // reads legs_no[DLG_LEG_200OK]
  nextState(p, 'T6N', 'REQBYE', { part1: v.part1, call: at(H, 2545), part1Src });
  p.add({ id: 'T6.branch', local: true, src: at(H, 2548), exec: (c) => (isWinner(c.l) ? undefined : 'T7l') });
  touch(p, 'T7w', at(H, 2549, 2556), (c) => mark(c, 'T:won'));
  hSection(p, 'T7w.linkers', at(H, 2557), at(H, 2557), at(H, 2557));
  ref(p, 'T7w.ctx+', `${name}.pctx`, at(H, 2561));
  touch(p, 'T7w.cb', at(H, 2563, 2566), termCallbacks); // DLGCB_EXPIRED
  unref(p, 'T7w.ctx-', one, () => [`${name}.pctx`], at(H, 2569));
  dbSite(p, 'T7w.db', at(H, 2577, 2578), v, k, at(FX(H, 'fix-db-flag'), 2578));
  unref(p, 'T7w.unref', (l) => l.unref + 1, (l) => [...hashAndTimer(l), 'timer'], at(H, 2580)); // unref + 1 (the timer list's)
  p.add({ id: 'T7w.ret', local: true, src: at(H, 2583), exec: () => done });
  p.label('T7l');
  unref(p, 'T7l', one, () => ['timer'], at(H, 2585));
  if (p.multi) p.add({ id: 'T7l.ret', local: true, src: at(H, 2588), exec: () => done });
  return p;
}

/** v2's T4r / T5r: H+; dlg_state = state; H-. */
function lockedStateRead(p: Program, id: string, lock: ReturnType<typeof at>, read: ReturnType<typeof at>, unlock: ReturnType<typeof at>) {
  p.add({ id: `${id}.H+`, src: lock, acquire: 'H', touch: true });
  p.add({
    id: `${id}.read`,
    src: read,
    read: 'state',
    touch: true,
    exec: (c, st) => void (c.l.st = st),
    mark: id === 'T5r' ? 'T:state-read' : undefined,
  });
  p.add({ id: `${id}.H-`, src: unlock, release: 'H' });
}

/**
 * A decision of dlg_ontimeout on `state`: at A (and v3) an unlocked read at the
 * decision; in v1/v2 the value read earlier under H.
 */
function stateDecision(
  p: Program,
  id: string,
  v: Variant,
  src: ReturnType<typeof at>,
  decide: (st: number, c: Ctx) => string | undefined,
) {
  const marks = id === 'T5a' && v.timerStateRead === 'unlocked' ? 'T:state-read' : undefined;
  if (v.timerStateRead === 'unlocked') {
    p.add({ id, src, read: 'state', touch: true, mark: marks, exec: (c, st) => decide(st, c) });
  } else {
    p.add({ id, src, touch: true, exec: (c) => decide(c.l.st, c) });
  }
}

// ---------------------------------------------------------------------------
// B<leg>: the final reply to a BYE the module sent (bye_reply_cb -> dual_bye_event, dlg_req_within.c:212-322).

/**
 * dual_bye_event(dlg, NULL, 1) (dlg_req_within.c:212-294), inline in the
 * actor `name` (a BYE reply; with fix 06, also the timer and the pinger, with
 * step ids prefixed by `pre`): N; the winner's termination work (B2w) or, for
 * DELETED -> DELETED, the "second final reply" (B3); then `done`.
 */
function dualByeEvent(p: Program, pre: string, name: string, v: Variant, k: ActorKnobs, done: string): void {
  p.declareMarks(`${name}:won`);
  const id = (x: string) => (pre ? `${pre}.${x}` : x);
  touch(p, id('B1'), at(RW, 222)); // legs_no[DLG_LEG_200OK], no lock
  nextState(p, id('B1N'), 'REQBYE', { part1: v.part1, call: at(RW, 221), part1Src });
  p.add({
    id: id('B1.branch'),
    local: true,
    src: at(RW, 224),
    exec: (c) => (isWinner(c.l) ? undefined : c.l.old === DELETED && c.l.nw === DELETED ? id('B3') : done),
  });
  touch(p, id('B2w'), at(RW, 224, 230), (c) => mark(c, `${name}:won`)); // debug log; on_hangup route (none set)
  hSection(p, id('B2w.linkers'), at(RW, 233), at(RW, 233), at(RW, 233));
  if (!v.part1) callerRemove(p, id('B2w.rm'), at(RW, 237), { bogus: at(RW, 238, 244), absent: at(RW, 245, 251), removed: at(RW, 252, 254) });
  ref(p, id('B2w.ctx+'), `${name}.pctx`, at(RW, 259));
  touch(p, id('B2w.cb'), at(RW, 261, 263), termCallbacks); // DLGCB_TERMINATED
  unref(p, id('B2w.ctx-'), one, () => [`${name}.pctx`], at(RW, 264, 267));
  // Fix 07a: the winner removes the dialog from DB (and B3 no longer does).
  if (v.dbRemove === 'winner') touch(p, id('B2w.db'), at(FX(RW, 'fix-db-winner'), 282, 283), (c) => void (k.dbRealtime ? dbDelete(c) : undefined));
  unref(p, id('B2w.unref'), (l) => l.unref, hashAndTimer, at(RW, 280));
  p.add({ id: id('B2w.ret'), local: true, src: at(RW, 283), exec: () => done });
  p.label(id('B3'));
  if (v.dbRemove !== 'winner') dbSite(p, id('B3'), at(RW, 289, 290), v, k, at(FX(RW, 'fix-db-flag'), 290));
  // unref_dlg(dlg, unref): 0 when both loads found DELETED; the hash table's reference if a 2xx put the dialog back
  // in the hash (dlg_hash.c:1252) between them and the switch found it confirmed.
  unref(p, id('B3.unref'), (l) => l.unref, hashAndTimer, at(RW, 292));
  p.label(done);
}

export function byeReply(leg: number, v: Variant, k: ActorKnobs): Program {
  const name = `B${leg}`;
  const p = new Program(name).declareMarks(`${name}:won`);
  // B0: the final reply arrives (only after S4 sent this BYE); t->dialog_ctx = dlg (a TM field).
  p.add({ id: 'B0', src: at(RW, 300, 313), waitFor: `bye${leg}:sent` });
  dualByeEvent(p, '', name, v, k, 'B4');
  unref(p, 'B4', one, () => [`bye${leg}`], at(RW, 321)); // bye_reply_cb_release when TM frees the BYE
  return p;
}

// ---------------------------------------------------------------------------
// dlg_onreply after next_state_dlg (I for TDEL, O for RPL2xx): its tests of old_state and new_state, in its order.

/** Which of dlg_onreply's branches (dlg_handlers.c:734, 741, 805, else 826-831) old_state and new_state select. */
type OnreplyBranch = 'early' | 'confirmed' | 'failed' | 'other';
const onreplyBranch = ({ old, nw }: Locals): OnreplyBranch =>
  nw === EARLY && old !== EARLY ? 'early' : nw === CONFIRMED_NA && !isConfirmed(old) ? 'confirmed' : old !== DELETED && nw === DELETED ? 'failed' : 'other';

// ---------------------------------------------------------------------------
// I: the INVITE transaction is deleted (dlg_onreply with TMCB_TRANS_DELETED, dlg_handlers.c:622-832).

export function inviteDelete(v: Variant): Program {
  const p = new Program('I');
  // v1's N1' applies here too (TDEL's old_state not DELETED, its new_state DELETED: the call's own move from
  // UNCONF/EARLY, or another process's between its loads); it adds the timer's reference to *unref.
  nextState(p, 'I2', 'TDEL', { part1: v.part1, call: at(H, 731, 732), tdelHolder: 'base', part1Src });
  // dlg_onreply's tests of old_state and new_state, in its order (734, 741, 805, 828).
  p.add({
    id: 'I2.branch',
    local: true,
    src: at(H, 734, 805),
    exec: (c) => {
      switch (onreplyBranch(c.l)) {
        case 'early':
          return 'I2.early';
        case 'confirmed':
          // The confirmation branch (741-802: the timer's insert and reference, as O3-O6) needs O's transition between
          // I's two loads of state; I's deletion waits for O's end (O:done), so no scenario reaches it. Not modelled:
          // reaching it is an error of the model, never a silently wrong state.
          throw new SpecError(`I2.branch: dlg_onreply's confirmation branch (dlg_handlers.c:741-802) after TDEL is not modelled (old_state ${c.l.old}, new_state CONFIRMED_NA)`);
        case 'failed':
          return undefined;
        case 'other':
          return c.l.unref ? 'I4' : END;
      }
    },
  });
  hSection(p, 'I3.linkers', at(H, 809), at(H, 809, 810), at(H, 809)); // destroy_linkers, remove_dlg_prof_table
  touch(p, 'I3.failed', at(H, 812, 816)); // DLGCB_FAILED
  p.add({ id: 'I3.unref?', local: true, src: at(H, 818), exec: (c) => (c.l.unref ? undefined : 'I3:ret') });
  // unref_dlg(dlg, unref): the transition's *unref = 1 is TM's reference when the switch found DELETED
  // (dlg_hash.c:1218), the hash table's when it found UNCONF/EARLY (1207, TM's dropped inside next_state_dlg);
  // PR v1's Part 1 adds the timer's when its removal inside next_state_dlg succeeded.
  const tdelRef = (l: Locals) => [...(l.unref - l.tmr >= 1 ? [l.sw === DELETED ? 'base' : 'hash'] : []), ...(l.tmr ? ['timer'] : [])];
  unref(p, 'I3', (l) => l.unref, tdelRef, at(H, 819));
  p.label('I3:ret');
  p.add({ id: 'I3.ret', local: true, src: at(H, 823), exec: () => END });
  p.label('I4');
  unref(p, 'I4', (l) => l.unref, tdelRef, at(H, 829));
  p.add({ id: 'I4.ret', local: true, src: at(H, 831), exec: () => END });
  // new EARLY, old not (another process's move into EARLY between the loads; none writes EARLY after the start):
  // the DLGCB_EARLY callbacks, which read the dialog, then return without the unref (734-739).
  p.label('I2.early');
  touch(p, 'I2.early', at(H, 734, 739));
  return p;
}

// ---------------------------------------------------------------------------
// O: the 2xx to the initial INVITE (dlg_onreply, RESPONSE_PRE_OUT part, dlg_handlers.c:723-831).

/** O's step after each of dlg_onreply's branches: the confirmation goes on (O3), 'failed' is O7, any other returns (O8). */
const O_BRANCH: Readonly<Record<OnreplyBranch, string | undefined>> = { confirmed: undefined, failed: 'O7', early: 'O8', other: 'O8' };

export function okReply(v: Variant): Program {
  const p = new Program('O').declareMarks('O:done');
  nextState(p, 'O2', 'RPL2xx', { part1: false, call: at(H, 731) });
  // The branches after next_state_dlg (741, 805, the rest at 826-831). RPL2xx never sets *unref (zeroed at
  // dlg_hash.c:1194). The EARLY branch (734-739) needs new == EARLY != old: no actor writes EARLY after the start
  // (RPL1xx is not modelled); it returns without an unref, as O8 does, which stands for it.
  // O8 (a 2xx for an already confirmed or deleted dialog) is reachable in no scenario of today (one 2xx per dialog;
  // DELETED before O's read needs I's deletion, which waits for O): it keeps every exit letting TM go on.
  p.add({
    id: 'O2.branch',
    local: true,
    src: at(H, 741),
    exec: (c) => O_BRANCH[onreplyBranch(c.l)],
  });
  touch(p, 'O3', at(H, 741, 763)); // flags, start_ts
  // O4: insert_dlg_timer(&tl, lifetime) with a lifetime short enough to be due at the next timer run.
  const insert = (call: SourceLoc) =>
    timerCall(p, 'O4', 'insert', call, at(TC, 285, 302), (c) => void insertTimer(c, T_DUE), at(TC, 301));
  if (v.timerRef === 'before') {
    // Fix 01a: REF first; UNREF if the insert failed.
    const F = FX(H, 'fix-ref-first');
    ref(p, 'O4r', 'timer', at(F, 772));
    insert(at(F, 773));
    p.add({ id: 'O4.ret', local: true, src: at(F, 773), exec: (c) => (c.l.ret === 0 ? 'O6' : undefined) });
    unref(p, 'O4u', one, () => ['timer'], at(F, 783));
  } else if (v.timerRef === 'under-H') {
    // Fix 01b: insert and ref_dlg_unsafe in one H section (TL nested).
    const F = FX(H, 'fix-ref-locked');
    p.add({ id: 'O4.H+', src: at(F, 773), acquire: 'H', touch: true });
    insert(at(F, 774));
    p.add({ id: 'O4.ret', local: true, src: at(F, 774), exec: (c) => (c.l.ret === 0 ? undefined : 'O4:fail') });
    refUnsafe(p, 'O5', 'timer', at(F, 786));
    p.add({ id: 'O5.H-', src: at(F, 787), release: 'H', exec: () => 'O6' });
    p.label('O4:fail');
    p.add({ id: 'O4.H-', src: at(F, 775), release: 'H' });
  } else {
    insert(at(H, 765));
    p.add({ id: 'O4.ret', local: true, src: at(H, 766, 773), exec: (c) => (c.l.ret === 0 ? undefined : 'O6') });
    ref(p, 'O5', 'timer', at(H, 776));
  }
  p.label('O6');
  touch(p, 'O6', at(H, 782, 802), (c) => {
    c.l.ret = 0;
    mark(c, 'O:done');
    return END;
  });
  // 805: another process moved the dialog to DELETED inside O's next_state_dlg (only where H does not exclude):
  // "dialog failed", as I3 (destroy_linkers, the profile table, DLGCB_FAILED); no unref (*unref is 0).
  p.label('O7');
  hSection(p, 'O7.linkers', at(H, 809), at(H, 809, 810), at(H, 809));
  touch(p, 'O7.failed', at(H, 812, 816));
  p.add({ id: 'O7.ret', src: at(H, 823), exec: (c) => (mark(c, 'O:done'), END) });
  // Any other outcome: nothing to unref (828-829); dlg_onreply returns and TM relays the 2xx (O:done).
  p.label('O8');
  p.add({ id: 'O8', src: at(H, 828, 831), exec: (c) => void mark(c, 'O:done') });
  return p;
}

// ---------------------------------------------------------------------------
// R: a replicated delete received from another cluster node (dlg_replicated_delete, dlg_replication.c:597-672).

export function replicatedDelete(v: Variant): Program {
  const RP = 'dlg_replication.c';
  const p = new Program('R');
  // R1: lookup_dlg(h_entry, h_id, active_only = 1): DELETED cells are not found; ref++.
  lookupRef(p, 'R1', 'R.ctx', END, true);
  hSection(p, 'R2.linkers', at(RP, 629), at(RP, 629), at(RP, 629)); // destroy_linkers
  touch(p, 'R2', at(RP, 630)); // remove_dlg_prof_table
  touch(p, 'R3', at(RP, 634)); // legs_no[DLG_LEG_200OK], no lock
  nextState(p, 'R3N', 'REQBYE', { part1: v.part1, call: at(RP, 633), part1Src });
  // R4: old == new: log and return -1 without dropping R1's reference.
  if (v.replDeleteUnref) {
    // Fix 03: ... after dropping it.
    const F = FX(RP, 'fix-repl-del');
    p.add({ id: 'R4', local: true, src: at(F, 636, 638), exec: (c) => (c.l.old === c.l.nw ? undefined : 'R5') });
    unref(p, 'R4u', one, () => ['R.ctx'], at(F, 640));
    p.add({ id: 'R4u.ret', local: true, src: at(F, 641), exec: () => END });
    p.label('R5');
  } else {
    p.add({ id: 'R4', local: true, src: at(RP, 636, 640), exec: (c) => (c.l.old === c.l.nw ? END : undefined) });
  }
  if (!v.part1) callerRemove(p, 'R5', at(RP, 642), { bogus: at(RP, 643, 651), absent: at(RP, 652, 660), removed: at(RP, 661, 663) });
  unref(p, 'R6', (l) => 1 + l.unref, (l) => ['R.ctx', ...hashAndTimer(l)], at(RP, 666));
  return p;
}

// ---------------------------------------------------------------------------
// P: the OPTIONS pinger finds the dialog's ping failed (dlg_options_routine, dlg_timer.c:891-993).
// v3 replaces P2 with dlg_ping_terminate (patched dlg_timer.c:899-944).

export function pinger(v: Variant, k: ActorKnobs): Program {
  const p = new Program('P').declareMarks('P:won');
  // P1 (get_timeout_dlgs, under the ping list's lock only): R state (687).
  p.add({ id: 'P1', src: at(TC, 687), read: 'state', touch: true, exec: (_c, st) => (st === DELETED ? 'P3' : undefined) });
  touch(p, 'P2', at(TC, 907, 917)); // init_dlg_term_reason
  if (!v.timerTransitions) {
    if (v.claimBeforeBye) {
      // Fix 06: dlg_end_dlg_claimed (dlg_timer.c@fix-bye:921): dual_bye_event first (the winner's work
      // includes removing the lifetime timer), BYEs only if it made the transition.
      p.add({ id: 'P2.claim', local: true, src: at(FX(TC, 'fix-bye'), 921) });
      dualByeEvent(p, 'P2c', 'P', v, k, 'P2c:claimed');
      p.add({ id: 'P2c.won?', local: true, src: at(FX(RW, 'fix-bye'), 536, 537), exec: (c) => (isWinner(c.l) ? undefined : 'P2:unref') });
    }
    endDialog(p, 'P2.E', 'P', 'P2:unref'); // dlg_end_dlg(dlg, NULL, 1) (920)
    p.label('P2:unref');
    unref(p, 'P2.unref', one, () => ['ping'], at(TC, 923));
    p.add({ id: 'P2.ret', local: true, src: at(TC, 924), exec: () => END });
  } else {
    const T3 = V3(TC);
    touch(p, 'PT1', at(T3, 908)); // legs_no[DLG_LEG_200OK]
    nextState(p, 'PT1N', 'REQBYE', { part1: false, call: at(T3, 906, 908) });
    p.add({ id: 'PT2', local: true, src: at(T3, 910), exec: (c) => (isWinner(c.l) ? 'PT3' : undefined) });
    unref(p, 'PT2.unref', one, () => ['ping'], at(T3, 912));
    p.add({ id: 'PT2.ret', local: true, src: at(T3, 913), exec: () => END });
    p.label('PT3');
    touch(p, 'PT3', at(T3, 917, 918), (c) => mark(c, 'P:won')); // on_hangup route (none set)
    hSection(p, 'PT3.linkers', at(T3, 920), at(T3, 920), at(T3, 920));
    touch(p, 'PT3.prof', at(T3, 921));
    ref(p, 'PT3.ctx+', 'P.pctx', at(T3, 923));
    touch(p, 'PT3.cb', at(T3, 925, 929), termCallbacks); // DLGCB_TERMINATED
    unref(p, 'PT3.ctx-', one, () => ['P.pctx'], at(T3, 930, 932));
    touch(p, 'PT3.db', at(T3, 934, 935), (c) => void (k.dbRealtime ? dbDelete(c) : undefined)); // v3's own removal, as T5w.db
    endDialog(p, 'PT3.E', 'P', 'PT3:unref'); // dlg_end_dlg(dlg, NULL, 1) (937)
    p.label('PT3:unref');
    unref(p, 'PT3.unref', (l) => l.unref + 1, (l) => ['ping', ...(l.unref ? ['hash'] : [])], at(T3, 940));
    p.add({ id: 'PT3.ret', local: true, src: at(T3, 943), exec: () => END });
  }
  p.label('P3');
  unref(p, 'P3', one, () => ['ping'], at(TC, 933)); // to_be_deleted: drop the ping-list reference
  return p;
}

// ---------------------------------------------------------------------------
// D: dropping an unsynced dialog after a cluster sync (rcv_cluster_event SYNC_DONE, dlg_replication.c:1264-1321,
// drop_dlg 1200-1262). The loop holds H(i) when it calls drop_dlg; drop_dlg releases it at once (1207).

export function dropAfterSync(v: Variant, k: ActorKnobs): Program {
  const RP = 'dlg_replication.c';
  const p = declareDbDeleted(new Program('D'));
  p.add({ id: 'D0.H+', src: at(RP, 1276), acquire: 'H' });
  // The walk of bucket i (under H(i)): dlg = entries[i].first (1277-1278), the first cell linked there
  // (firstInBucket: in bucket order; a cell destroyed, unlinked under H, before D0 is not in the list).
  // None: D finds nothing.
  p.add({ id: 'D0.scan', src: at(RP, 1277, 1278), exec: (c) => (firstInBucket(c) ? undefined : 'D8') });
  // The loop over bucket i's list (1278-1295): each unsynced dialog goes to drop_dlg, which returns the next one.
  p.label('D:loop');
  touch(p, 'D0', at(RP, 1279, 1287)); // flags, get_shtag_sync_status: the cell needs dropping
  refUnsafe(p, 'D1', 'D.ctx', at(RP, 1206));
  p.add({ id: 'D1.H-', src: at(RP, 1207), release: 'H' });
  touch(p, 'D2', at(RP, 1211)); // legs_no[DLG_LEG_200OK], no lock
  nextState(p, 'D2N', 'REQBYE', { part1: v.part1, call: at(RP, 1210, 1211), part1Src });
  p.add({ id: 'D2.branch', local: true, src: at(RP, 1213), exec: (c) => (c.l.nw === DELETED ? 'D4' : undefined) });
  if (v.dropRelock) {
    // Fix 04: not DELETED: H(i)+ again, read next, unref_dlg_unsafe with H(i) held, return with it (D8 releases it).
    const F = FX(RP, 'fix-drop');
    p.add({ id: 'D3.H+', src: at(F, 1217), acquire: 'H' }); // dlg_lock on entries[i]: no cell access
    touch(p, 'D3.next', at(F, 1218), (c) => void (c.l.nxt = nextInBucket(c)));
    unrefBody(p, 'D3', (l) => 1 + l.unref, () => ['D.ctx'], p.multi ? 'D3:ret' : 'D8', 'drop_dlg'); // dlg_replication.c@fix-drop:1219
    if (p.multi) {
      // drop_dlg returns next_dlg (dlg_replication.c@fix-drop:1220), H(i) held: the loop goes on with it.
      p.label('D3:ret');
      p.add({ id: 'D3.ret', local: true, src: at(F, 1220), exec: (c) => (c.l.nxt !== 0 ? dropNext(c) : 'D8') });
    }
  } else {
    // D3: not DELETED (the dialog was UNCONF/EARLY): UNREF, read dlg->next after it, return WITHOUT H(i).
    unref(p, 'D3', (l) => 1 + l.unref, (l) => ['D.ctx', ...hashAndTimer(l)], at(RP, 1214));
    touch(p, 'D3.next', at(RP, 1215), (c) => void (c.l.nxt = nextInBucket(c)));
    // Back in the loop (1283-1284), which goes on with that next dialog, still believing it holds H(i).
    p.add({ id: 'D3.ret', local: true, src: at(RP, 1216), exec: (c) => (c.l.nxt !== 0 ? dropNext(c) : 'D8') });
  }
  p.label('D4');
  p.add({ id: 'D4', local: true, src: at(RP, 1218), exec: (c) => void (c.l.unref += 1) }); // the extra ref
  hSection(p, 'D4.linkers', at(RP, 1219), at(RP, 1221), at(RP, 1223), false); // dlg_lock on entries[i]: no cell access
  touch(p, 'D4.prof', at(RP, 1225));
  p.add({ id: 'D4.H+', src: at(RP, 1227), acquire: 'H' });
  if (!v.part1) callerRemove(p, 'D5', at(RP, 1230), { bogus: at(RP, 1231, 1237), absent: at(RP, 1238), removed: at(RP, 1238, 1240) });
  // D6 tests and sets DLG_FLAG_DB_DELETED itself; only fix 07b's remove_dialog_from_db_once sets it elsewhere (dbOnce).
  if (v.dbRemove === 'once-flag' && k.dbRealtime) {
    // Another process can set the flag: the test (1248) and the removal with the set (1249-1251) are two steps.
    // When the test finds the flag set, C skips the block (to 1255).
    touch(p, 'D6.test', at(RP, 1242, 1248), (c) => (dbDeleted(c) ? 'D6:skip' : undefined));
    touch(p, 'D6', at(RP, 1249, 1252), (c) => {
      dbDelete(c);
      setDbDeleted(c);
    });
    p.label('D6:skip');
  } else {
    // Only D sets the flag, once per dialog: its test always passes (one step).
    touch(p, 'D6', at(RP, 1242, 1252), (c) => void (k.dbRealtime ? dbDelete(c) : undefined));
  }
  touch(p, 'D7.next', at(RP, 1258), (c) => void (c.l.nxt = nextInBucket(c)));
  // unref_dlg_unsafe(dlg, unref) with H(i) held (1259): D1's reference, the hash's, the timer's if removed.
  unrefBody(
    p,
    'D7',
    (l) => l.unref,
    (l) => ['D.ctx', ...(l.unref - 1 - l.tmr >= 1 ? ['hash'] : []), ...(l.tmr ? ['timer'] : [])],
    p.multi ? 'D7:ret' : 'D8',
    'drop_dlg',
  );
  if (p.multi) {
    // drop_dlg returns next_dlg (1261): the loop goes on with it, H(i) held.
    p.label('D7:ret');
    p.add({ id: 'D7.ret', local: true, src: at(RP, 1261), exec: (c) => (c.l.nxt !== 0 ? dropNext(c) : 'D8') });
  }
  // Back in rcv_cluster_event: the loop ends and releases H(i) (1296), whether or not this process holds it.
  p.label('D8');
  p.add({ id: 'D8.H-', src: at(RP, 1296), release: 'H' });
  return p;
}

/** The loop's next turn with the dialog drop_dlg returned (its `dlg` pointer becomes that dialog). */
function dropNext(c: Ctx): string {
  c.l.dlg = c.l.nxt - 1;
  c.l.nxt = 0;
  c.l.unref = 0;
  c.l.tmr = 0;
  return 'D:loop';
}

// ---------------------------------------------------------------------------
// A: a new call's INVITE creating a dialog (dlg_create_dialog, dlg_handlers.c:1690-1714) in memory that an
// earlier dialog freed (model of several cells: memory reuse).

export function allocator(buckets: number): Program {
  const p = new Program('A');
  // A1: build_new_dlg: shm_malloc returns the freed memory, memset zeroes it, state UNCONFIRMED, h_entry =
  // dlg_hash(callid): any bucket (one action each). Enabled once some dialog's memory is free.
  p.add({
    id: 'A1',
    src: at(HC, 319, 344),
    when: (s) => canAllocate(s),
    choose: buckets,
    chooseName: 'bucket',
    exec: (c, bucket) => allocate(c, bucket),
  });
  // A2: link_dlg(dlg, extra_ref = 2): the hash table's reference, then the TM callback's ('base') and the
  // current-dialog hook's ('A.ctx'), under the lock of the cell's bucket (dlg_handlers.c:1711-1714).
  linkDlg(p, 'A2', ['base', 'A.ctx']);
  // A3: the script ends: dialog_cleanup drops the current-dialog reference (dlg_hash.c:74). The TM callback's
  // and the hash table's references stay: the new call goes on beyond the scenario.
  unref(p, 'A3', one, () => ['A.ctx'], at(HC, 74));
  return p;
}
