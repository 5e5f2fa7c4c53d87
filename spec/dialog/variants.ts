/**
 * Code variants: the original code and the versions of PR #3836.
 * Each variant's difference from the original is stated here, in one place;
 * the actors read these switches (the PR's changes: docs/pr-versions.md).
 */
export type VariantName = 'orig' | 'v1-part1' | 'v1-part2' | 'v1-both' | 'v2' | 'v3';

export const VARIANT_NAMES: readonly VariantName[] = ['orig', 'v1-part1', 'v1-part2', 'v1-both', 'v2', 'v3'];

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
}

export const VARIANTS: Record<VariantName, Variant> = {
  orig: {
    name: 'orig',
    commit: 'aad6b856835a',
    summary: 'the code as written (A; the same as master for these functions)',
    part1: false,
    timerStateRead: 'unlocked',
    timerTransitions: false,
  },
  'v1-part1': {
    name: 'v1-part1',
    commit: '196b51fa (Part 1 only)',
    summary: 'timer removal inside next_state_dlg; caller-side removals deleted',
    part1: true,
    timerStateRead: 'unlocked',
    timerTransitions: false,
  },
  'v1-part2': {
    name: 'v1-part2',
    commit: '196b51fa (Part 2 only)',
    summary: 'dlg_ontimeout reads state once under H (T2′) and reuses it',
    part1: false,
    timerStateRead: 'once-under-H',
    timerTransitions: false,
  },
  'v1-both': {
    name: 'v1-both',
    commit: '196b51fa',
    summary: 'Part 1 + Part 2 (the PR description)',
    part1: true,
    timerStateRead: 'once-under-H',
    timerTransitions: false,
  },
  v2: {
    name: 'v2',
    commit: '887d200d',
    summary: 'v1 plus locked re-reads of state before T4a (T4r) and T5a (T5r)',
    part1: true,
    timerStateRead: 'each-under-H',
    timerTransitions: false,
  },
  v3: {
    name: 'v3',
    commit: '1c2d0bda',
    summary: 'original base; the timer wins the transition itself (T5n/T5w/T5l); dlg_ping_terminate',
    part1: false,
    timerStateRead: 'unlocked',
    timerTransitions: true,
  },
};
