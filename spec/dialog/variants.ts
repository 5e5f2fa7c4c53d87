/**
 * Code variants: the original code, the versions of PR #3836, and the fixes
 * of fixes/*.patch (each alone, all together as `fixed`, and on top of PR v3
 * as `v3+fixes`). Each variant's difference from the original is stated
 * here, in one place; the actors (and, for the lock, model.ts) read these
 * switches (the PR's changes: docs/pr-3836.md §4; the fixes: docs/fixes.md). A step that a fix adds or changes cites the patched file as
 * `file@fix-NAME:line`: the line in that file after applying
 * fixes/NN-*.patch alone to aad6b856835a (FIX_PATCHES names the file).
 */
export type VariantName =
  | 'orig'
  | 'v1-part1'
  | 'v1-part2'
  | 'v1-both'
  | 'v2'
  | 'v3'
  | 'fix-ref-first'
  | 'fix-ref-locked'
  | 'fix-route'
  | 'fix-repl-del'
  | 'fix-drop'
  | 'fix-eintr'
  | 'fix-bye'
  | 'fix-db-winner'
  | 'fix-db-flag'
  | 'fixed'
  | 'v3+fixes';

export const VARIANT_NAMES: readonly VariantName[] = [
  'orig',
  'v1-part1',
  'v1-part2',
  'v1-both',
  'v2',
  'v3',
  'fix-ref-first',
  'fix-ref-locked',
  'fix-route',
  'fix-repl-del',
  'fix-drop',
  'fix-eintr',
  'fix-bye',
  'fix-db-winner',
  'fix-db-flag',
  'fixed',
  'v3+fixes',
];

/**
 * What a variant is, for the report: the code as written, a version of PR
 * #3836, a single fix, or fixes together.
 */
export type VariantRole = 'code' | 'pr' | 'fix' | 'fixes';
export const variantRole = (v: VariantName): VariantRole =>
  v === 'orig' ? 'code' : v.startsWith('fix-') ? 'fix' : v === 'fixed' || v === 'v3+fixes' ? 'fixes' : 'pr';

/** The single fixes, in the order of their patches. */
export type FixName = Extract<VariantName, `fix-${string}`>;
export const FIX_NAMES: readonly FixName[] = VARIANT_NAMES.filter((v): v is FixName => v.startsWith('fix-'));

/** Each fix's patch under fixes/ (a unified diff against aad6b856835a). */
export const FIX_PATCHES: Readonly<Record<FixName, string>> = {
  'fix-ref-first': 'fixes/01a-timer-ref-before-insert.patch',
  'fix-ref-locked': 'fixes/01b-timer-insert-and-ref-under-hash-lock.patch',
  'fix-route': 'fixes/02-on-timeout-route-window-under-timer-lock.patch',
  'fix-repl-del': 'fixes/03-replicated-delete-drops-lookup-ref.patch',
  'fix-drop': 'fixes/04-drop-dlg-returns-with-bucket-lock.patch',
  'fix-eintr': 'fixes/05-posix-sem-lock-retries-eintr.patch',
  'fix-bye': 'fixes/06-module-byes-only-after-winning-the-transition.patch',
  'fix-db-winner': 'fixes/07a-db-delete-by-the-transition-winner.patch',
  'fix-db-flag': 'fixes/07b-db-delete-once-by-flag.patch',
};

export interface Variant {
  readonly name: VariantName;
  readonly commit: string;
  readonly summary: string;
  /**
   * Part 1 (v1 dlg_hash.c:1333-1348, N1'): next_state_dlg calls remove_dlg_timer
   * under H when it moves the dialog into DELETED, and the callers' own removal
   * blocks (W10, B2w's, R5, D5) are deleted.
   */
  readonly part1: boolean;
  /**
   * How dlg_ontimeout reads `state` for its decisions:
   * - 'unlocked': at each use, without a lock (T4a, T5a at A);
   * - 'once-under-H': once under H at the top (v1 Part 2, T2'), reused at T4a/T5a;
   * - 'each-under-H': T2', plus a fresh read under H right before T4a (T4r) and T5a (T5r) (v2).
   */
  readonly timerStateRead: 'unlocked' | 'once-under-H' | 'each-under-H';
  /**
   * v3: on the 'B' path the timer itself runs next_state_dlg (T5n) and, as the
   * winner, does the termination work and sends the BYEs (T5w); otherwise it
   * drops the timer reference (T5l). The pingers end a dialog the same way
   * (dlg_ping_terminate).
   */
  readonly timerTransitions: boolean;

  // --- The fixes (fixes/*.patch); false / the A value in orig and the PR's versions. ---
  /**
   * Fix 01, how a worker takes the timer reference for a tl it links
   * (dlg_onreply O4/O5, pv_set_dlg_timeout X2d/X2e, and by reading dlg_onroute,
   * the CANCEL path and the DB sync):
   * - 'after': at A, insert/update first, REF after, no lock between;
   * - 'before' (01a): REF first, UNREF when the call did not link the tl;
   * - 'under-H' (01b): insert/update and ref_dlg_unsafe in one H section (TL nested, as in dlg_replicated_update).
   */
  readonly timerRef: 'after' | 'before' | 'under-H';
  /** Fix 02: dlg_ontimeout unsets the tl (T4b) and tests-and-restores it after the route (T4d/T4f) under TL. */
  readonly routeWindowLocked: boolean;
  /** Fix 03: dlg_replicated_delete drops the look-up's reference when it finds old == new (R4). */
  readonly replDeleteUnref: boolean;
  /** Fix 04: drop_dlg's not-DELETED path takes H(i) again, reads next, unref_dlg_unsafe, returns with H(i) held (D3). */
  readonly dropRelock: boolean;
  /** Fix 05: lock_get under USE_POSIX_SEM retries a sem_wait interrupted by EINTR (read in model.ts). */
  readonly eintrRetry: boolean;
  /**
   * Fix 06: the timer ('B' flag, when in charge) and the pinger end the dialog
   * through dlg_end_dlg_claimed: dual_bye_event first (the transition, and the
   * winner's termination work), BYEs only if it made the transition.
   */
  readonly claimBeforeBye: boolean;
  /**
   * Fix 07, who calls remove_dialog_from_db:
   * - 'every-caller': at A, W11w, T7w, D6 (its own DB_DELETED test), and B3 (every reply that finds DELETED -> DELETED);
   * - 'winner' (07a): the winner of the transition only (B2w instead of B3);
   * - 'once-flag' (07b): every site through remove_dialog_from_db_once (DB_DELETED tested and set under H).
   */
  readonly dbRemove: 'every-caller' | 'winner' | 'once-flag';
}

/** The fix switches at their A values. */
const ASIS = {
  timerRef: 'after',
  routeWindowLocked: false,
  replDeleteUnref: false,
  dropRelock: false,
  eintrRetry: false,
  claimBeforeBye: false,
  dbRemove: 'every-caller',
} as const;

/**
 * The patches of `fixed` and `v3+fixes`, in the order they are applied (each
 * applies to aad6b856835a alone and after the ones before it; scripts/check-fixes.ts).
 * Where a defect has two designs, the matrix chose: 01a and 01b give the same
 * verdicts in every row (01a is taken: no new lock nesting); 07b, not 07a,
 * also keeps drop_dlg's own removal (D6) from repeating the winner's
 * (drop-after-sync). See docs/fixes.md.
 */
export const FIX_SETS: Readonly<Record<'fixed' | 'v3+fixes', readonly FixName[]>> = {
  fixed: ['fix-ref-first', 'fix-route', 'fix-repl-del', 'fix-drop', 'fix-eintr', 'fix-bye', 'fix-db-flag'],
  'v3+fixes': ['fix-ref-first', 'fix-route', 'fix-repl-del', 'fix-drop', 'fix-eintr', 'fix-db-flag'],
};

/** The switches of the fix set (FIX_SETS.fixed). */
const FIX_SET = {
  timerRef: 'before',
  routeWindowLocked: true,
  replDeleteUnref: true,
  dropRelock: true,
  eintrRetry: true,
  claimBeforeBye: true,
  dbRemove: 'once-flag',
} as const;

const ORIG = { part1: false, timerStateRead: 'unlocked', timerTransitions: false } as const;
const fix = (name: FixName, summary: string, sw: Partial<Omit<Variant, 'name' | 'commit' | 'summary'>>): Variant => ({
  name,
  commit: `aad6b856835a + ${FIX_PATCHES[name]}`,
  summary,
  ...ORIG,
  ...ASIS,
  ...sw,
});

export const VARIANTS: Record<VariantName, Variant> = {
  orig: {
    name: 'orig',
    commit: 'aad6b856835a',
    summary: 'the code as written (A; the same as master for these functions)',
    part1: false,
    timerStateRead: 'unlocked',
    timerTransitions: false,
    ...ASIS,
  },
  'v1-part1': {
    name: 'v1-part1',
    commit: '196b51fa (Part 1 only)',
    summary: 'timer removal inside next_state_dlg; caller-side removals deleted',
    part1: true,
    timerStateRead: 'unlocked',
    timerTransitions: false,
    ...ASIS,
  },
  'v1-part2': {
    name: 'v1-part2',
    commit: '196b51fa (Part 2 only)',
    summary: 'dlg_ontimeout reads state once under H (T2′) and reuses it',
    part1: false,
    timerStateRead: 'once-under-H',
    timerTransitions: false,
    ...ASIS,
  },
  'v1-both': {
    name: 'v1-both',
    commit: '196b51fa',
    summary: 'Part 1 + Part 2 (the PR description)',
    part1: true,
    timerStateRead: 'once-under-H',
    timerTransitions: false,
    ...ASIS,
  },
  v2: {
    name: 'v2',
    commit: '887d200d',
    summary: 'v1 plus locked re-reads of state before T4a (T4r) and T5a (T5r)',
    part1: true,
    timerStateRead: 'each-under-H',
    timerTransitions: false,
    ...ASIS,
  },
  v3: {
    name: 'v3',
    commit: '1c2d0bda',
    summary: 'original base; the timer wins the transition itself (T5n/T5w/T5l); dlg_ping_terminate',
    part1: false,
    timerStateRead: 'unlocked',
    timerTransitions: true,
    ...ASIS,
  },
  'fix-ref-first': fix('fix-ref-first', '01a: the timer reference is taken before the insert/update that links the tl', { timerRef: 'before' }),
  'fix-ref-locked': fix('fix-ref-locked', '01b: insert/update and the timer reference in one hash-lock section', { timerRef: 'under-H' }),
  'fix-route': fix('fix-route', "02: the on_timeout route's unset and test-and-restore of the tl under the timer lock", { routeWindowLocked: true }),
  'fix-repl-del': fix('fix-repl-del', "03: a replicated delete that finds old == new drops the look-up's reference", { replDeleteUnref: true }),
  'fix-drop': fix('fix-drop', "04: drop_dlg's not-DELETED path returns with the bucket lock held, reading next before its unref", { dropRelock: true }),
  'fix-eintr': fix('fix-eintr', '05: lock_get (USE_POSIX_SEM) retries a sem_wait interrupted by EINTR', { eintrRetry: true }),
  'fix-bye': fix('fix-bye', '06: the timer (B flag) and the pinger send BYEs only after their own dual_bye_event moved the dialog to DELETED', { claimBeforeBye: true }),
  'fix-db-winner': fix('fix-db-winner', "07a: remove_dialog_from_db by the transition's winner only (B2w instead of B3)", { dbRemove: 'winner' }),
  'fix-db-flag': fix('fix-db-flag', '07b: remove_dialog_from_db once, through DLG_FLAG_DB_DELETED tested and set under the hash lock', { dbRemove: 'once-flag' }),
  fixed: {
    name: 'fixed',
    commit: 'aad6b856835a + fixes 01a 02 03 04 05 06 07b',
    summary: 'all the fixes together (01a, 02, 03, 04, 05, 06, 07b)',
    ...ORIG,
    ...FIX_SET,
  },
  'v3+fixes': {
    name: 'v3+fixes',
    commit: '1c2d0bda + fixes 01a 02 03 04 05 07b',
    summary: "PR v3 plus the fixes' patches as they apply to it (06 is v3's own timer transition; v3's two new remove_dialog_from_db calls stay as v3 wrote them)",
    part1: false,
    timerStateRead: 'unlocked',
    timerTransitions: true,
    ...FIX_SET,
    claimBeforeBye: false,
  },
};

/**
 * A variant whose field reads are recorded: the model reads its variant only
 * through this (model.ts), so that after an exploration the reads say exactly
 * what of the variant it depended on. Two variants that agree on every field
 * one's exploration read give the same exploration (the model is
 * deterministic): the check runs it once (src/check/run.ts, `sameAs`).
 */
export function recordingVariant(v: Variant): { readonly variant: Variant; readonly reads: ReadonlyMap<string, unknown> } {
  const reads = new Map<string, unknown>();
  const variant = new Proxy(v, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof key === 'string') reads.set(key, value);
      return value;
    },
  });
  return { variant, reads };
}

