/**
 * Lock implementations as pure data, for models of code that takes locks.
 *
 * A lock's state is its word/semaphore value `v` plus, as ghost bookkeeping,
 * the processes that believe they hold it. The two implementations differ in
 * what a release does when the releaser does not hold the lock:
 * - `fast-lock` (test-and-set, OpenSIPS FAST_LOCK): v is 1 when held, 0 when
 *   free; acquire waits while v = 1 and sets it; release stores 0, so releasing
 *   twice leaves the lock free, never "doubly free".
 * - `posix-sem` (a POSIX semaphore initialised to 1, OpenSIPS USE_POSIX_SEM):
 *   v counts free slots; acquire waits while v = 0, then decrements; release
 *   always increments, so a release by a non-holder leaves v = 2 and from then
 *   on two processes can be inside at once.
 * An interrupted acquire (EINTR from sem_wait with an unchecked result) enters
 * without changing v; it is meaningful for `posix-sem` only.
 */
export type LockImpl = 'fast-lock' | 'posix-sem';

export const LOCK_IMPLS: readonly LockImpl[] = ['fast-lock', 'posix-sem'];

export interface LockState {
  /** fast-lock: 1 held, 0 free. posix-sem: the semaphore value. */
  v: number;
  /** Ghost: who is inside (sorted; a process appears once per entry). */
  holders: string[];
}

export const freeLock = (impl: LockImpl): LockState => ({ v: impl === 'fast-lock' ? 0 : 1, holders: [] });

/** Whether a normal (uninterrupted) acquire can complete now. */
export const canAcquire = (impl: LockImpl, l: LockState): boolean => (impl === 'fast-lock' ? l.v === 0 : l.v > 0);

/** Acquire (mutates `l`). `interrupted`: the acquire returned early without taking the lock (EINTR). */
export function acquire(impl: LockImpl, l: LockState, who: string, interrupted = false): void {
  if (!interrupted) {
    if (!canAcquire(impl, l)) throw new Error(`acquire of a lock that is not available (${impl}, v=${l.v})`);
    l.v = impl === 'fast-lock' ? 1 : l.v - 1;
  }
  l.holders.push(who);
  l.holders.sort();
}

/** Release (mutates `l`): fast-lock stores 0, posix-sem increments, whoever calls it. */
export function release(impl: LockImpl, l: LockState, who: string): void {
  l.v = impl === 'fast-lock' ? 0 : l.v + 1;
  const i = l.holders.indexOf(who);
  if (i >= 0) l.holders.splice(i, 1);
}

export const holds = (l: LockState, who: string): boolean => l.holders.includes(who);

export const lockKey = (l: LockState): string => `${l.v}[${l.holders.join(',')}]`;
