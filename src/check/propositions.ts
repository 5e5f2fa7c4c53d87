/**
 * The propositions P-01..P-27 that PR #3836's narrative relies on
 * (docs/pr-3836.md §6), each given a verdict by the model.
 *
 * A proposition the model can decide is one property over the dialog model's
 * states, searched exhaustively in a few configurations (scenario x
 * environment x variant) with observation marks on (DialogConfig.observe):
 * - `exists`: the proposition says something can happen. It holds when some
 *   configuration reaches a witness state (shortest witness trace); it fails
 *   when every configuration was explored to the end without one (state counts).
 * - `forall`: the proposition says something never happens. It holds when
 *   every configuration was explored to the end without a counterexample; it
 *   fails with the shortest counterexample.
 * Each direction is chosen so that the model's answer is the proposition's.
 * `assumed` configurations evaluate the same property under the PR's assumed
 * semantics (environment fast-lock/sc/pr-assumed), for contrast only: they do
 * not decide the verdict, which is about the code.
 *
 * Unless a configuration says otherwise (posix-sem/sc/eintr1), locks exclude:
 * with one interrupted sem_wait every variant breaks by a different mechanism
 * (two processes inside H; docs/dialog-results.md finding 4), so a "fails"
 * for a crash the PR attributes to its race is about that race, not about
 * EINTR. A proposition outside what the model represents says why, and what
 * the C code shows when read (cited lines).
 *
 * The searches are registered runs (group `propositions`) with their verdicts
 * and counts pinned in check-manifest.json, so `npm run check` re-runs them.
 */
import { always, sometimes, type Property } from '../engine/index.js';
import { CRASH_3835, CRASH_LINE, dialogProperties } from '../../invariants/dialog.js';
import { dialogModel, hasMark, type DialogNames } from '../../spec/dialog/model.js';
import { heldBy } from '../../spec/dialog/program.js';
import { scenarioByName } from '../../spec/dialog/scenarios.js';
import type { DialogState } from '../../spec/dialog/state.js';
import type { VariantName } from '../../spec/dialog/variants.js';
import { stateView } from '../../spec/dialog/view.js';
import { expectationOf, loadManifest, rowsRunning, type Manifest } from './dialog.js';
import { explorable } from './granularity.js';
import type { RunSpec } from './run.js';

export interface Config {
  readonly scenario: string;
  readonly env: string;
  readonly variant: VariantName;
}

export interface Decision {
  readonly quant: 'exists' | 'forall';
  /** What the searched property says, in words (the proposition as a state property). */
  readonly property: string;
  /** For `exists`: a witness state. For `forall`: a state where the proposition still holds. */
  readonly holds: (s: DialogState, n: DialogNames) => boolean;
  readonly configs: readonly Config[];
  readonly assumed?: readonly Config[];
}

export interface Proposition {
  readonly id: string;
  /** The proposition as docs/pr-3836.md §6 states it (a test keeps the two equal). */
  readonly claim: string;
  readonly decide?: Decision;
  /** Outside the model: why, and what reading the code shows. */
  readonly outside?: string;
  /** Compare two variants' declared verdicts across the whole matrix. */
  readonly compareVariants?: readonly [VariantName, VariantName];
  /** What the verdict rests on, with C lines (shown under the verdict). */
  readonly note: string;
}

const c = (scenario: string, env: string, variant: VariantName): Config => ({ scenario, env, variant });
const SC = 'fast-lock/sc';
const RLX = 'fast-lock/relaxed';
const PR = 'fast-lock/sc/pr-assumed';
const EINTR = 'posix-sem/sc/eintr1';

const marked = (s: DialogState, n: DialogNames, m: string) => hasMark(n, s, m);
const markedPrefix = (s: DialogState, n: DialogNames, prefix: string) => n.marks.some((m, i) => s.ghost.marks[i] && m.startsWith(prefix));
const held = (s: DialogState, n: DialogNames, h: string) => heldBy(n, s.ghost.dialogs[0], h) > 0;

/** The memory-safety invariants checked in every state (not the quiescence check), for a model's names. */
const SAFETY_NAMES = ['RefNonNegative', 'NoUseAfterFree', 'NoDoubleFree', 'LockExclusion', 'TimerListIntegrity', 'RefMatchesHolders'];
/** Only the reference accounting: a wrong count, a touch after FREE, a double free. */
const REFS_NAMES = ['RefNonNegative', 'NoUseAfterFree', 'NoDoubleFree', 'RefMatchesHolders'];
const safety = new WeakMap<DialogNames, { all: Property<DialogState>[]; refs: Property<DialogState>[] }>();
const safetyOf = (n: DialogNames) => {
  let v = safety.get(n);
  if (v === undefined) {
    const props = dialogProperties([], n);
    v = { all: props.filter((p) => SAFETY_NAMES.includes(p.name)), refs: props.filter((p) => REFS_NAMES.includes(p.name)) };
    safety.set(n, v);
  }
  return v;
};
const crashed = (s: DialogState, n: DialogNames) => safetyOf(n).all.some((p) => !p.holds(s));
const refError = (s: DialogState, n: DialogNames) => safetyOf(n).refs.some((p) => !p.holds(s));
const CRASH = 'a memory-safety invariant fails (RefNonNegative, NoUseAfterFree, NoDoubleFree, LockExclusion, TimerListIntegrity or RefMatchesHolders)';

export const PROPOSITIONS: readonly Proposition[] = [
  {
    id: 'P-01',
    claim: 'After T0 detached the tl, a later remove_dlg_timer on it can return 0.',
    decide: {
      quant: 'exists',
      property: 'some remove_dlg_timer returns 0 after T0 detached the tl',
      holds: (s, n) => markedPrefix(s, n, 'obs:rm0-after-detach:'),
      configs: [c('bye-vs-timeout-B', SC, 'orig'), c('pr-timer-first', SC, 'v1-both'), c('replicated-delete', SC, 'orig')],
      assumed: [c('bye-vs-timeout-B', PR, 'orig')],
    },
    note: 'T0 leaves prev = NULL and timeout = 0 (dlg_timer.c:604-610, 620); remove_dlg_timer tests exactly that and returns 1 (dlg_timer.c:492-498). Only the PR\'s assumption makes it return 0.',
  },
  {
    id: 'P-02',
    claim: "In one run, the timer runs dlg_ontimeout for the dialog and the BYE worker's W10 returns 0.",
    decide: {
      quant: 'exists',
      property: "the timer fired for the dialog (T1) and the worker's remove_dlg_timer returned 0",
      holds: (s, n) => marked(s, n, 'T:fired') && marked(s, n, 'obs:rm0:W'),
      configs: [c('bye-vs-timeout-B', SC, 'orig')],
      assumed: [c('bye-vs-timeout-B', PR, 'orig')],
    },
    note: 'Whichever of T0 (TL, dlg_timer.c:586-629) and W10 (TL, dlg_timer.c:488-515) runs first takes the tl out of the list; the other finds it gone (T0 skips it, W10 returns 1).',
  },
  {
    id: 'P-03',
    claim: 'Sending the BYEs on timeout takes no reference on the dialog (the counts 3 -> 2 -> 0 list every holder).',
    decide: {
      quant: 'forall',
      property: "no reference is held for the timer's BYE transactions (holders bye1, bye2)",
      holds: (s, n) => !held(s, n, 'bye1') && !held(s, n, 'bye2'),
      configs: [c('bye-vs-timeout-B', SC, 'orig')],
    },
    note: "send_leg_bye takes a reference for each BYE it sends (ref_dlg, dlg_req_within.c:388; another for its processing context, 383 -> dlg_req_within.h:88-90) and bye_reply_cb_release drops it when TM frees the BYE (319-322).",
  },
  {
    id: 'P-04',
    claim: 'The BYE worker holds no reference of its own while it tears the dialog down.',
    decide: {
      quant: 'forall',
      property: 'the BYE worker holds no reference (holders W.ctx, W.tm)',
      holds: (s, n) => !held(s, n, 'W.ctx') && !held(s, n, 'W.tm'),
      configs: [c('bye-vs-timeout-B', SC, 'orig')],
    },
    note: 'The look-up takes a reference (dlg_hash.c:796, 859) kept in the processing context (dlg_handlers.c:2023) until after the script (dlg_hash.c:71-79); the BYE transaction takes another (dlg_handlers.c:1342-1357).',
  },
  {
    id: 'P-05',
    claim: 'The base ("TM callback") reference is still held when the BYE is processed.',
    decide: {
      quant: 'forall',
      property: 'whenever the BYE worker holds its look-up reference, the base reference is still held',
      holds: (s, n) => !held(s, n, 'W.ctx') || held(s, n, 'base'),
      configs: [c('bye-vs-timeout-B-base', SC, 'orig')],
    },
    note: 'The base reference goes when the INVITE transaction is deleted (dlg_handlers.c:1247-1255, dlg_hash.c:1201-1219), which nothing orders against a later BYE: the counterexample deletes the INVITE transaction first. So it fails as a guarantee of the code\'s ordering; in the PR\'s test timing (2 s lifetime, below TM\'s 5 s wait, tm/config.h:47) it does hold, and an untimed model cannot say more.',
  },
  {
    id: 'P-06',
    claim: "The timer's UNREF(1) on the 'B' path (T5d) and the worker's UNREF(2) after W10 = 0 (W12) both account for the same timer reference.",
    decide: {
      quant: 'exists',
      property: 'the timer reference is dropped more times than it was taken (holder "timer" below 0)',
      holds: (s, n) => heldBy(n, s.ghost.dialogs[0], 'timer') < 0,
      configs: [c('bye-vs-timeout-B', SC, 'orig'), c('pr-timer-reads-first', SC, 'v1-part2')],
      assumed: [c('bye-vs-timeout-B', PR, 'orig')],
    },
    note: 'Exactly one of T0 and remove_dlg_timer returning 0 claims the timer reference (P-02); under the PR\'s assumption both do, and that is the crash.',
  },
  {
    id: 'P-07',
    claim: "An unlocked read of state in the timer can return CONFIRMED after the BYE worker's write of DELETED under H completed, and the timer acts on it.",
    decide: {
      quant: 'exists',
      property: "the timer reads a confirmed state although the worker's write of DELETED is complete (the worker left H)",
      holds: (s, n) => marked(s, n, 'obs:stale-state-read:T'),
      configs: [c('bye-vs-timeout-B', SC, 'orig'), c('bye-vs-timeout-B', RLX, 'orig')],
    },
    note: 'Under sequentially consistent memory (x86-like) no such read exists. Under relaxed memory it does when the timer has taken no lock since the worker released H: nothing orders the read (dlg_handlers.c:2523) after the write (dlg_hash.c:1287, released 1338). It does not lead to a crash (see P-24, P-25): the timer then runs the \'B\' path on a DELETED dialog, which sends BYEs after the delete (NoByeAfterDelete) and deletes from the DB twice (DbDeleteOnce).',
  },
  {
    id: 'P-08',
    claim: "Taking and releasing H in the timer (Part 2) makes the timer observe the worker's earlier write of DELETED.",
    decide: {
      quant: 'forall',
      property: 'once the timer acquired H after the dialog became DELETED, it never reads a confirmed state',
      holds: (s, n) => !marked(s, n, 'obs:stale-after-H:T'),
      configs: [c('bye-vs-timeout-B', RLX, 'v1-part2'), c('bye-vs-timeout-B', RLX, 'v1-both')],
    },
    note: 'Acquiring a lock joins the releaser\'s writes (acquire/release semantics of both lock implementations: fastlock.h, lock_ops.h), so the read under H in v1 (dlg_handlers.c:2453-2455 at 196b51fa) sees DELETED when the worker released H first. A write after the timer\'s release is not "earlier" and is not covered.',
  },
  {
    id: 'P-09',
    claim: 'With Part 1 only, if T0 detached the dialog before the BYE, the nested remove_dlg_timer returns a positive value and the increment is skipped.',
    decide: {
      quant: 'exists',
      property: "the worker's remove_dlg_timer returns 1 after T0 detached the tl",
      holds: (s, n) => marked(s, n, 'obs:rm1-after-detach:W'),
      configs: [c('pr-timer-first', SC, 'v1-part1')],
    },
    note: 'v1 dlg_hash.c:1337-1340 takes the timer reference only when remove_dlg_timer returns 0; after T0 it returns 1 (dlg_timer.c:492-498).',
  },
  {
    id: 'P-10',
    claim: "With Part 1 only, in P-09's situation, the timer's UNREF(1) at T5d destroys the dialog while other holders still exist.",
    decide: { quant: 'exists', property: CRASH, holds: crashed, configs: [c('pr-timer-first', SC, 'v1-part1')], assumed: [c('pr-timer-first', PR, 'v1-part1')] },
    note: 'The timer drops the one reference T0 gave it (dlg_handlers.c:2537); the worker, whose removal returned 1, drops only its own: every holder drops what it took.',
  },
  {
    id: 'P-11',
    claim: 'With Part 2 only, before the timer fires, a worker that observes DELETED drops a reference before the timer reference is accounted for.',
    decide: {
      quant: 'exists',
      property: CRASH,
      holds: crashed,
      configs: [c('bye-vs-timeout-B', SC, 'v1-part2'), c('pr-bye-first', SC, 'v1-part2'), c('two-byes-vs-timeout', SC, 'v1-part2'), c('replicated-delete', SC, 'v1-part2')],
    },
    note: 'The actors that observe DELETED (B3 dlg_req_within.c:285-293, W7 dlg_handlers.c:2034-2075, R dlg_replication.c:617-640) drop only references they took; a too-early drop would break RefMatchesHolders or RefNonNegative.',
  },
  {
    id: 'P-12',
    claim: "Between W4 and W10, another actor that observes DELETED starts a cleanup that conflicts with the caller's pending removal (Race Path 1).",
    decide: {
      quant: 'exists',
      property: CRASH,
      holds: crashed,
      configs: [c('bye-vs-timeout-B', SC, 'orig'), c('two-byes-vs-timeout', SC, 'orig'), c('replicated-delete', SC, 'orig')],
    },
    note: "The cleanup blocks of the BYE worker, the timer and the BYE replies are gated on winning the transition (dlg_handlers.c:2078-2079, 2548; dlg_req_within.c:224) and only one actor wins; the removal sites return 1 once the tl is gone. One cleanup is not gated: drop_dlg on an already DELETED dialog still runs destroy_linkers_unsafe, remove_dlg_timer, the DB delete and its unref (dlg_replication.c:1213-1259). No scenario puts drop_dlg beside a BYE worker, so that case is not searched; read, its removal and W10 still claim the timer reference once between them.",
  },
  {
    id: 'P-13',
    claim: 'The four callers of §2.2 are all the places where a caller-side remove_dlg_timer follows next_state_dlg.',
    outside:
      'A statement about the source text, not about runs. Read at aad6b856835a: remove_dlg_timer is called at dlg_handlers.c:2133, dlg_req_within.c:237, dlg_replication.c:642 and 1230 (each after next_state_dlg), and at dlg_hash.c:255 (destroy_dlg, not after a transition): the four callers are all of them (docs/c-source-notes.md).',
    note: 'Checked by reading, not by the model.',
  },
  {
    id: 'P-14',
    claim: 'The H-then-TL nesting that Part 1 introduces already exists, and no path takes H while holding TL.',
    decide: {
      quant: 'forall',
      property: 'no process acquires H while it holds TL',
      holds: (s, n) => !markedPrefix(s, n, 'obs:H-under-TL:'),
      configs: [
        c('bye-vs-timeout-B', SC, 'orig'),
        c('bye-vs-timeout-B', SC, 'v1-both'),
        c('route-rearm', SC, 'v1-both'),
        c('replicated-delete', SC, 'v1-both'),
        c('ping-timeout', SC, 'v3'),
        c('drop-after-sync', SC, 'v1-both'),
        c('ok-short-lifetime', SC, 'v1-both'),
      ],
    },
    note: 'Within the modelled paths. H-then-TL exists at A: destroy_dlg runs remove_dlg_timer under TL while unref_dlg holds H (dlg_hash.h:344 -> dlg_hash.c:255); the model takes that path in every scenario that frees the dialog (observation mark TL-under-H), and drop_dlg takes H(i) (dlg_replication.c:1227) before its remove_dlg_timer (1230). Paths not modelled were read: dlg_replicated_create takes H (dlg_replication.c:239) and calls insert_dlg_timer (328), dlg_replicated_update takes H (459) and calls update_dlg_timer (558): TL inside H, not the reverse.',
  },
  {
    id: 'P-15',
    claim: "Both race paths depend on ARM64's weaker memory ordering.",
    decide: {
      quant: 'forall',
      property: 'no crash under sequentially consistent memory (x86-like)',
      holds: (s, n) => !crashed(s, n),
      configs: [c('bye-vs-timeout-B', PR, 'orig'), c('bye-vs-timeout', EINTR, 'orig')],
    },
    note: "Race Path 1 exists only under the PR's assumption (P-01), so the first search grants it (the one place where an assumed run decides): it then crashes under sequentially consistent memory, so it does not need weak ordering. Race Path 2's stale read does need relaxed memory (P-07) but leads to protocol anomalies only. What does crash a BYE-vs-expiry race with no assumption and no weak ordering is the lock: aarch64 builds at A use POSIX semaphores by default (docs/c-reference.md §4.3) and one interrupted sem_wait is enough (second search, posix-sem/sc/eintr1).",
  },
  {
    id: 'P-16',
    claim: 'The crash in the backtrace (§2.8) results from the BYE/timer race.',
    outside:
      'The backtrace\'s frame is in push_reply_in_dialog (dlg_handlers.c:510-611, its H section at 567-571, called from dlg_onreply at 665) on a cell the PR itself says belonged to another dialog; the model has one dialog cell and no cell reuse, so it cannot connect that frame to this race.',
    note: 'Outside the model; see P-27 for what the crash line itself requires.',
  },
  {
    id: 'P-17',
    claim: 'Moving the removal into next_state_dlg changes no externally visible order of effects ("no behavioural changes").',
    compareVariants: ['orig', 'v1-part1'],
    outside:
      "The model compares only what its invariants observe: the declared verdicts of every matrix cell, orig against v1-part1, agree (above); the order of effects inside a run is not compared. Read, the claim is false: v1's drop_dlg (dlg_replication.c:1176 at 196b51fa) no longer calls remove_dlg_timer for a dialog that is already DELETED, where A does (dlg_replication.c:1229-1240), and the BYE worker's removal now happens inside next_state_dlg, before the on_hangup route and linker teardown of W8 instead of after them (A dlg_handlers.c:2081-2133).",
    note: 'Not contradicted by the matrix; contradicted by reading.',
  },
  {
    id: 'P-18',
    claim: 'The RACE_CONDITION_OCCURRED path passes through dlg_ontimeout in a way the fix protects.',
    outside:
      'The CANCEL/200 OK race that sets the flag is not modelled. Read at A: that path only shortens the lifetime to race_condition_timeout (update_dlg_timer, dlg_handlers.c:686-699; 750-759 on the 200 OK) and the dialog then ends through the timer like any expiry, dlg_ontimeout using the flag only to choose the termination reason (2526-2531). So it is the lifetime-expiry race of the modelled scenarios with a shorter lifetime, and the fix protects it exactly as much as those (P-10, P-12, P-24, P-25).',
    note: 'Outside the model.',
  },
  {
    id: 'P-19',
    claim: "(v2) After T2' read CONFIRMED and a BYE won with its nested removal returning > 0, the 'B' path and the worker's UNREFs free the dialog while the timer's BYE transactions still refer to it.",
    decide: {
      quant: 'exists',
      property: `${CRASH}, or the dialog is freed while a BYE transaction still holds a reference`,
      holds: (s, n) => crashed(s, n) || (s.ghost.dialogs[0].frees > 0 && (held(s, n, 'bye1') || held(s, n, 'bye2'))),
      configs: [c('bye-vs-timeout-B', SC, 'v1-both'), c('pr-timer-reads-first', SC, 'v1-both')],
      assumed: [c('bye-vs-timeout-B', PR, 'v1-both')],
    },
    note: "Each BYE the timer sends holds its own reference (send_leg_bye's ref_dlg, dlg_req_within.c:388) until TM frees the transaction and bye_reply_cb_release drops it (319-322), so the count cannot reach 0 before both are gone.",
  },
  {
    id: 'P-20',
    claim: "(v3) A BYE transaction's reference can be outlived: the dialog reaches 0 while that transaction's callback is still registered.",
    decide: {
      quant: 'exists',
      property: "the dialog is freed (or a safety invariant fails) while the received BYE's transaction still holds its reference (holders W.tm, W2.tm)",
      holds: (s, n) => crashed(s, n) || (s.ghost.dialogs[0].frees > 0 && (held(s, n, 'W.tm') || held(s, n, 'W2.tm'))),
      configs: [c('bye-vs-timeout-B', SC, 'orig'), c('bye-vs-timeout-B', SC, 'v1-both'), c('bye-vs-timeout-B', SC, 'v2'), c('pr-timer-reads-first', SC, 'v2'), c('two-byes-vs-timeout', SC, 'v2')],
    },
    note: "The reference the BYE's transaction takes (dlg_handlers.c:1342-1357) is dropped only by that transaction's TMCB_TRANS_DELETED callback (1258-1262), and RefMatchesHolders keeps ref equal to the live holders, so ref cannot reach 0 while it is held.",
  },
  {
    id: 'P-21',
    claim: '(v3) In the pingers the dialog is ended without a state transition, so a concurrent BYE races with it the same way.',
    outside:
      "The model's ping-timeout scenario has the pinger and the lifetime timer but no BYE worker (a version with one was left out at about 150,000 states per variant). Between those two it shows the same protocol anomalies as BYE vs expiry (BYEs after the delete, two DB deletes; docs/dialog-results.md) and no crash, and a crash only under the PR's assumption. Read at A: the pinger ends the dialog with dlg_end_dlg (dlg_timer.c:918-923, 1025-1030) and the transition happens when the first BYE reply arrives (dlg_req_within.c:221-283), so the first half of the claim is right.",
    note: 'Outside the model (no scenario with a pinger and a BYE worker).',
  },
  {
    id: 'P-22',
    claim: "(v3) Once T (T5w) or a pinger (PT3) wins the transition, none of B2w's work, including its remove_dlg_timer, is needed any more.",
    outside:
      "A claim about which code can be removed; the model would need a variant of v3 without B2w's work to check that nothing changes. Not built. Read at v3: once T5w or PT3 has won, B2w's block does not run at all (it is gated on old_state != DELETED, dlg_req_within.c:550 at 1c2d0bda; its remove_dlg_timer is at 563). dlg_ping_terminate (dlg_timer.c:899-944 at 1c2d0bda) does not remove the lifetime tl, which stays linked until the timer drops its reference (T6/T7l).",
    note: 'Outside the model (not built).',
  },
  {
    id: 'P-23',
    claim: 'In every cell the PR\'s table marks "safe", every holder drops exactly what it took and nothing touches the cell after FREE.',
    decide: {
      quant: 'forall',
      property: 'ref always equals its live holders, none dropped more than it took, and nothing touches or frees the cell after FREE (RefMatchesHolders, RefNonNegative, NoUseAfterFree, NoDoubleFree)',
      holds: (s, n) => !refError(s, n),
      configs: [
        c('pr-bye-first', SC, 'v1-part1'),
        c('pr-bye-first', SC, 'v1-part2'),
        c('pr-bye-first', SC, 'v1-both'),
        c('pr-timer-first', SC, 'v1-part2'),
        c('pr-timer-first', SC, 'v1-both'),
        c('pr-timer-reads-first', SC, 'v1-both'),
        c('pr-timer-first', RLX, 'v1-both'),
        c('pr-timer-reads-first', RLX, 'v1-both'),
        c('pr-timer-first', EINTR, 'v1-both'),
        c('pr-timer-reads-first', EINTR, 'v1-both'),
      ],
    },
    note: 'It holds whenever locks exclude (fast-lock, sc and relaxed). It fails with one interrupted sem_wait on posix-sem, the default lock of aarch64 builds at A (docs/c-reference.md §4.3; lock_ops.h:195 ignores sem_wait\'s result): W\'s and T\'s ref updates then race inside H. RefMatchesHolders compares ref with the ghost holders of docs/c-reference.md §5.2 in every state; NoUseAfterFree flags any touch after FREE.',
  },
  {
    id: 'P-24',
    claim: '"Timer fires, then BYE" with Part 1 alone ends in a crash caused by a stale read.',
    decide: { quant: 'exists', property: CRASH, holds: crashed, configs: [c('pr-timer-first', SC, 'v1-part1'), c('pr-timer-first', RLX, 'v1-part1')] },
    note: 'A stale read exists under relaxed memory (P-07) but what the timer then does on a DELETED dialog is a protocol anomaly, not a reference error.',
  },
  {
    id: 'P-25',
    claim: '"Timer reads state before BYE" with Part 2 alone ends in a crash caused by "double cleanup".',
    decide: {
      quant: 'exists',
      property: CRASH,
      holds: crashed,
      configs: [c('pr-timer-reads-first', SC, 'v1-part2'), c('pr-timer-reads-first', RLX, 'v1-part2')],
    },
    note: 'Both sides do clean up (the DB delete runs twice: DbDeleteOnce fails in this cell), but each drops only its own references, so the double cleanup is not a crash.',
  },
  {
    id: 'P-26',
    claim: '(TR-3) Inside W4, remove_dlg_timer returns 0, and the timer routine afterwards runs dlg_ontimeout for the same dialog.',
    decide: {
      quant: 'exists',
      property: 'T0 detaches the tl after a remove_dlg_timer returned 0 for it',
      holds: (s, n) => marked(s, n, 'obs:detached-after-rm0'),
      configs: [c('bye-vs-timeout-B', SC, 'v1-both'), c('pr-bye-first', SC, 'v1-both')],
    },
    note: 'A removal that returns 0 unlinks the tl (dlg_timer.c:507-511) under TL, and T0 walks only list elements (604-610).',
  },
  {
    id: 'P-27',
    claim: 'The PR\'s "bogus ref -1" crashes and #3835\'s "bogus ref -2 with cnt 1" come from the same sequence of events.',
    decide: {
      quant: 'exists',
      property: `the PR's race (its assumption granted) ends in #3835's line '${CRASH_LINE}'`,
      holds: (s, n) => s.ghost.bogus !== 0 && s.ghost.bogusRef === CRASH_3835.ref && s.ghost.bogusCnt === CRASH_3835.cnt && n.stepPrints[s.ghost.bogus - 1] === CRASH_3835.fn,
      configs: [c('bye-vs-timeout-B', PR, 'orig'), c('pr-timer-reads-first', PR, 'orig')],
    },
    note: 'The printed value is ref as the log loads it after the subtraction and the test, with H held (dlg_hash.h:325-335). The PR\'s sequence, even granted, prints -1: the second decrement comes after the first process\'s check. -2 with cnt 1 needs a count already at -1 (an update lost before) or a second decrement between one process\'s write and its log\'s load, i.e. two processes changing the count at once: inside one H (an interrupted lock acquire), or, once the memory of a dialog freed too early is reused by a new call in another bucket, each inside its own bucket\'s H (a stale pointer\'s lock against the new dialog\'s); #3835\'s line is the one printed in _unref_dlg (the macro in next_state_dlg or drop_dlg prints those names); docs/root-cause.md lists where the model reaches it.',
  },
];

/** The property a decided proposition is searched with: its name is the proposition's id. */
export function propositionProperty(p: Proposition, n: DialogNames): Property<DialogState> {
  const d = p.decide!;
  const holds = (s: DialogState) => d.holds(s, n);
  return d.quant === 'exists' ? sometimes(p.id, d.property, holds) : always(p.id, d.property, holds);
}

export const propositionRunId = (id: string, cfg: Config) => `proposition/${id}/${cfg.scenario}/${cfg.env}/${cfg.variant}`;

/** Every search of every decided proposition, contrast runs included, as registered runs. */
export function propositionRuns(manifest: Manifest = loadManifest()): RunSpec[] {
  const out: RunSpec[] = [];
  for (const p of PROPOSITIONS) {
    if (!p.decide) continue;
    for (const [role, cfgs] of [['decides', p.decide.configs], ['contrast', p.decide.assumed ?? []]] as const) {
      for (const cfg of cfgs) {
        const declared = manifest.propositions?.find((r) => r.id === p.id && r.scenario === cfg.scenario && r.env === cfg.env && r.variant === cfg.variant);
        const expect = expectationOf(declared);
        let names: DialogNames | undefined;
        out.push({
          id: propositionRunId(p.id, cfg),
          tags: { group: 'propositions', proposition: p.id, role, scenario: cfg.scenario, env: cfg.env, variant: cfg.variant },
          build: () => {
            const env = manifest.environments[cfg.env];
            if (env === undefined) throw new Error(`${p.id}: unknown environment '${cfg.env}'`);
            const m = dialogModel({ scenario: scenarioByName(cfg.scenario)!, variant: cfg.variant, env, observe: true });
            names = m.names;
            return { ...explorable(m), properties: [propositionProperty(p, m.names)] };
          },
          expect,
          ...(declared ? {} : { declared: false }),
          mustBeDeclared: true,
          // A counterexample settles a search: stop there (a witness does not stop the engine).
          stopOnFirstViolation: true,
          // The searches of one configuration explore the same model: once, for all their properties.
          together: { group: `proposition/${cfg.scenario}/${cfg.env}/${cfg.variant}` },
          project: (s) => stateView(names!, s),
        });
      }
    }
  }
  return out;
}

/** The matrix rows (scenario env) in which two variants' declared violated properties differ. */
export function rowsWhereVariantsDiffer(m: Manifest, a: VariantName, b: VariantName): string[] {
  const violated = (row: Manifest['rows'][number], v: VariantName) =>
    m.runs.find((x) => x.scenario === row.scenario && x.env === row.env && x.variant === v)?.violated.join(',');
  return rowsRunning(m, a, b).filter((row) => violated(row, a) !== violated(row, b)).map((row) => `${row.scenario} ${row.env}`);
}

/**
 * The verdict of a proposition decided by comparing two variants' declared
 * verdicts: fails when they differ somewhere; when they agree, it is outside
 * the model if the proposition says why (the comparison cannot show more).
 */
export const comparedVerdict = (p: Proposition, m: Manifest): PropVerdict =>
  rowsWhereVariantsDiffer(m, ...p.compareVariants!).length > 0 ? 'fails' : p.outside !== undefined ? 'outside' : 'holds';

export type PropVerdict = 'holds' | 'fails' | 'outside' | 'unknown';

/**
 * A decided proposition's verdict from its searches' verdicts for its property
 * (the property's verdict per deciding configuration: `holds`, `violated` or
 * `unknown`): `exists` holds when any search found a witness; `forall` fails
 * when any search found a counterexample; otherwise every search must have
 * completed.
 */
export function verdictOf(p: Proposition, results: readonly ('holds' | 'violated' | 'unknown')[]): PropVerdict {
  if (!p.decide) return p.outside !== undefined ? 'outside' : 'unknown';
  if (p.decide.quant === 'exists') {
    if (results.includes('holds')) return 'holds';
    return results.every((r) => r === 'violated') ? 'fails' : 'unknown';
  }
  if (results.includes('violated')) return 'fails';
  return results.every((r) => r === 'holds') ? 'holds' : 'unknown';
}
