/**
 * Named scenarios: which actors run, from which initial dialog state, with
 * which configuration knobs. Each is documented with what it represents.
 */
import type { ScenarioDef } from './model.js';
import { CONFIRMED, EARLY } from './state.js';

/** A confirmed call after the INVITE transaction was freed: hash + timer (docs/c-reference.md §5.3 step 6). */
const confirmedCall = { hash: 1, timer: 1 };
/** The same while the INVITE transaction still exists (lifetime shorter than TM's 5 s wait, as in the PR's test). */
const confirmedCallWithBase = { hash: 1, base: 1, timer: 1 };

const B = { byeOnTimeout: true, onTimeoutRoute: 'none', dbRealtime: true } as const;
const noB = { byeOnTimeout: false, onTimeoutRoute: 'none', dbRealtime: true } as const;

export const SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'bye-vs-timeout-B',
    title: "BYE vs lifetime expiry, 'B' flag",
    description:
      "A confirmed dialog with create_dialog('B'); its lifetime timer is due. A BYE worker (W) and the timer (T, which sends BYEs on timeout; their replies are B1, B2) race. The INVITE transaction is gone.",
    knobs: B,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['W', 'T'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'bye-vs-timeout-B-base',
    title: "BYE vs lifetime expiry, 'B' flag, INVITE transaction alive",
    description:
      "As bye-vs-timeout-B, but the INVITE transaction still holds its reference ('base') and is deleted (I) concurrently, as in the PR's test set-up (2 s lifetime < TM's 5 s wait).",
    knobs: B,
    initial: { state: CONFIRMED, holders: confirmedCallWithBase, tl: 'linked-due' },
    actors: ['W', 'T', 'I'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'bye-vs-timeout',
    title: "BYE vs lifetime expiry, no 'B' flag",
    description: 'A confirmed dialog without the B flag: the timer itself moves it to DELETED (T6/T7). A BYE worker races with it.',
    knobs: noB,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['W', 'T'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'two-byes-vs-timeout',
    title: 'Two BYEs (caller and callee) vs lifetime expiry',
    description:
      "Both endpoints send a BYE at once (W, W2) while the lifetime timer expires the dialog (no 'B' flag: the timer moves it to DELETED itself).",
    knobs: noB,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['W', 'W2', 'T'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'pr-bye-first',
    title: "PR scenario 'BYE before timer fires'",
    description:
      "bye-vs-timeout-B with the PR's first ordering: the BYE worker's state change and its timer removal (W10 at A, the removal inside W4 with Part 1) complete before the timer routine (T0) runs.",
    knobs: B,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['W', 'T'],
    gates: { 'T:T0.TL+': 'W:timer-removed' },
    witnesses: ['ByeWon', 'DialogFreed'],
  },
  {
    name: 'pr-timer-first',
    title: "PR scenario 'Timer fires, then BYE'",
    description: "bye-vs-timeout-B with the PR's second ordering: T0 and T1 for the dialog happen before the BYE's next_state_dlg (W4).",
    knobs: B,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['W', 'T'],
    gates: { 'W:W4.H+': 'T:fired' },
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'pr-timer-reads-first',
    title: "PR scenario 'Timer reads state before BYE'",
    description:
      "bye-vs-timeout-B with the PR's third ordering: the timer's read of the state for the 'B' decision (T5a at A, T2' in v1, T5r in v2) happens before the BYE's next_state_dlg (W4).",
    knobs: B,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['W', 'T'],
    gates: { 'W:W4.H+': 'T:state-read' },
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'ok-short-lifetime',
    title: '200 OK timer insertion with a very short lifetime vs expiry',
    description:
      'The 2xx to the INVITE (O) moves the dialog to CONFIRMED_NA and inserts the timer with a lifetime that is already due; the timer routine can run between the insert (O4) and the timer REF (O5). The INVITE transaction then is deleted (I).',
    knobs: noB,
    initial: { state: EARLY, holders: { hash: 1, base: 1 }, tl: 'unset' },
    actors: ['O', 'T', 'I'],
    // TM deletes the INVITE transaction only after the 2xx was relayed (put on wait, modules/tm/t_reply.c:1199).
    gates: { 'I:I2.H+': 'O:done' },
    witnesses: ['TimerFired', 'DialogFreed'],
  },
  {
    name: 'route-vs-update',
    title: 'on_timeout route vs a concurrent timeout update',
    description:
      "The dialog expires with an on_timeout route (T4: the tl is made UNSET around the route) while another worker assigns $DLG_timeout = 0 (X2: update_dlg_timer), which can find the tl UNSET, link it and take a timer reference. A lifetime of 0 is accepted once the dialog exists (dialog.c:1812-1815) and makes the dialog due at the next timer run.",
    knobs: { byeOnTimeout: false, onTimeoutRoute: 'noop', dbRealtime: true },
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['T', 'X'],
    witnesses: ['TimerFired', 'DialogFreed'],
  },
  {
    name: 'route-rearm',
    title: 'on_timeout route that re-arms the lifetime',
    description:
      "The dialog expires with an on_timeout route (T4) that assigns $DLG_timeout (X2 inside the route, in the timer's own process): update_dlg_timer finds the tl UNSET, links it and the route takes a timer reference; T4e then drops the old one. A BYE (W) races with it.",
    knobs: { byeOnTimeout: false, onTimeoutRoute: 'rearm', dbRealtime: true },
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['T', 'W'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'replicated-delete',
    title: 'Replicated delete vs BYE vs lifetime expiry',
    description:
      'A delete replicated from another cluster node (R: dlg_replicated_delete) races with a local BYE (W) and the lifetime timer (T, no B flag). All three call next_state_dlg; the winner removes the timer.',
    knobs: noB,
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    actors: ['R', 'W', 'T'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
  {
    name: 'ping-timeout',
    title: 'Ping timeout vs lifetime expiry',
    description:
      "An OPTIONS-pinged dialog ('P' flag, one ping-list reference) whose ping failed: the pinger (P) ends it (at A: sends BYEs, whose replies B1/B2 make the transition; in v3: dlg_ping_terminate makes it itself) while the lifetime timer (T, no B flag) can fire. (With a BYE worker too, the space is ~150k states per variant: kept for the benchmark.)",
    knobs: noB,
    initial: { state: CONFIRMED, holders: { hash: 1, timer: 1, ping: 1 }, tl: 'linked-due' },
    actors: ['P', 'T'],
    witnesses: ['TimerFired', 'DialogFreed'],
  },
  {
    name: 'drop-after-sync',
    title: 'drop_dlg during a cluster sync vs the 2xx and the INVITE transaction',
    description:
      'After a cluster sync, rcv_cluster_event drops an unsynced early dialog (D: drop_dlg). If the dialog is still EARLY, drop_dlg returns without H(i) and the loop releases H(i) anyway (dlg_replication.c:1296). Meanwhile the 2xx (O) confirms the dialog and inserts its timer, the timer (T, no B flag) can expire it, and the INVITE transaction is deleted (I).',
    knobs: noB,
    initial: { state: EARLY, holders: { hash: 1, base: 1 }, tl: 'unset' },
    actors: ['D', 'O', 'T', 'I'],
    gates: { 'I:I2.H+': 'O:done' },
    witnesses: ['DialogFreed'],
  },
  // -------------------------------------------------------------------------
  // Beyond one dialog (the model of several cells, spec/dialog/model.ts): neighbours in the timer list, dialogs
  // sharing a bucket, freed memory reused. Dialog k lives in cell k at the start; A builds a new dialog (the next
  // index) in the first freed cell.
  {
    name: 'ok-short-lifetime-reuse',
    title: 'ok-short-lifetime, and the freed memory reused by a new call',
    description:
      "ok-short-lifetime with memory reuse: once the timer's teardown frees the dialog (while O is between O4 and O5), a new call's INVITE (A) may build its dialog in the same memory, hashed to the same bucket or to the other one (2 buckets), and link it with its references (hash, the TM callback's 'base', the script's 'A.ctx', which the script's end drops). O and I still hold the old pointer: their REF, next_state_dlg and UNREF reach the new dialog, under the lock of the bucket they compute from the cell's h_entry.",
    knobs: noB,
    initial: { state: EARLY, holders: { hash: 1, base: 1 }, tl: 'unset' },
    buckets: 2,
    actors: ['O', 'T', 'I', 'A'],
    gates: { 'I:I2.entry': 'O:done' },
    witnesses: ['TimerFired', 'DialogFreed'],
  },
  {
    name: 'route-vs-update-reuse',
    title: 'route-vs-update, and the freed memory reused by a new call',
    description:
      "route-vs-update with memory reuse: after the dialog is freed (its reference accounting broken by the on_timeout route window), a new call's INVITE (A) may build its dialog in the same memory, in the same bucket or the other one (2 buckets). X's and T's stale pointers reach the new dialog, and the timer list may still point at the reused tl.",
    knobs: { byeOnTimeout: false, onTimeoutRoute: 'noop', dbRealtime: true },
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    buckets: 2,
    actors: ['T', 'X', 'A'],
    witnesses: ['TimerFired', 'DialogFreed'],
  },
  {
    name: 'route-vs-update-neighbour',
    title: 'route-vs-update with a second dialog in the timer list',
    description:
      "route-vs-update with a second confirmed dialog (dialog 1, same bucket) whose lifetime timer is linked with a later expiry and whose call goes on: the first dialog's tl has a neighbour in the list. When T4f writes {FAKE, NULL, 0} over the tl that X's update_dlg_timer re-linked, the next run of the timer routine walks the list from its head (dlg_timer.c:604-609).",
    knobs: { byeOnTimeout: false, onTimeoutRoute: 'noop', dbRealtime: true },
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    others: [{ state: CONFIRMED, holders: confirmedCall, tl: 'linked-later', bucket: 0, persists: true }],
    actors: ['T', 'X'],
    witnesses: ['TimerFired', 'DialogFreed'],
  },
  {
    name: 'drop-after-sync-two-early',
    title: 'drop-after-sync with two early dialogs in one bucket',
    description:
      "drop-after-sync with a second unsynced early dialog (dialog 1, holders hash and base, its call goes on) after the first one in the same bucket: rcv_cluster_event's loop (dlg_replication.c:1278-1295) drops both. drop_dlg returns from an early dialog without H(i) (1213-1216); the loop goes on with the next dialog, takes its reference without the lock (1206), and releases H(i) again (1207), then once more at the loop's end (1296).",
    knobs: noB,
    initial: { state: EARLY, holders: { hash: 1, base: 1 }, tl: 'unset' },
    // A local early dialog: no 2xx yet, so legs_no[DLG_LEG_200OK] is 0 and drop_dlg's REQBYE only logs on it (dlg_hash.c:1299-1300).
    others: [{ state: EARLY, holders: { hash: 1, base: 1 }, tl: 'unset', bucket: 0, persists: true, noCalleeLeg: true }],
    actors: ['D', 'O', 'T', 'I'],
    gates: { 'I:I2.H+': 'O:done' },
    witnesses: ['DialogFreed'],
  },
  {
    name: 'bye-vs-timeout-B-shared-bucket',
    title: "bye-vs-timeout-B with a second dialog in the same bucket",
    description:
      "bye-vs-timeout-B with a second confirmed dialog (dialog 1) in the same bucket, whose lifetime is not reached (it persists) and whose own script sets $DLG_timeout (X): the processes of both dialogs share the bucket's lock H(0), and the two tl are neighbours in the timer list (X's update_dlg_timer re-links dialog 1's next to dialog 0's).",
    knobs: { ...B, xTimeout: 'later' },
    initial: { state: CONFIRMED, holders: confirmedCall, tl: 'linked-due' },
    others: [{ state: CONFIRMED, holders: confirmedCall, tl: 'linked-later', bucket: 0, persists: true }],
    pointers: { X: 1 },
    actors: ['W', 'T', 'X'],
    witnesses: ['TimerFired', 'ByeWon', 'DialogFreed'],
  },
];


export const scenarioByName = (name: string): ScenarioDef | undefined => SCENARIOS.find((s) => s.name === name);
