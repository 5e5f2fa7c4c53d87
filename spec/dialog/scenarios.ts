/**
 * Named scenarios: which actors run, from which initial dialog state, with
 * which configuration knobs. Each is documented with what it represents.
 */
import type { ScenarioDef } from './model.js';
import { CONFIRMED, EARLY } from './state.js';

/** A confirmed call after the INVITE transaction was freed: hash + timer (opensips-dialog.md §5.3 step 6). */
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
];


export const scenarioByName = (name: string): ScenarioDef | undefined => SCENARIOS.find((s) => s.name === name);
