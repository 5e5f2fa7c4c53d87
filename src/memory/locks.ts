/**
 * Lock implementations as pure data, for models of code that takes locks.
 *
 * A lock's state is its word/semaphore value `v` plus, as ghost bookkeeping,
 * how many times each process (by index) believes it holds it. The two
 * implementations differ in what a release does when the releaser does not
 * hold the lock:
 * - `fast-lock` (test-and-set, OpenSIPS FAST_LOCK): v is 1 when held, 0 when
 *   free; acquire waits while v = 1 and sets it; release stores 0, so releasing
 *   twice leaves the lock free, never "doubly free".
 * - `posix-sem` (a POSIX semaphore initialised to 1, OpenSIPS USE_POSIX_SEM):
 *   v counts free slots; acquire waits while v = 0, then decrements; release
 *   always increments, so a release by a non-holder leaves v = 2 and from then
 *   on two processes can be inside at once.
 * An interrupted acquire (EINTR from sem_wait with an unchecked result) enters
 * without changing v; it is meaningful for `posix-sem` only.
 *
 * A lock state is a value of fixed shape (a number and an array with one
 * count per process), so that a model can declare it in its state's shape and
 * change it in place.
 */
export type LockImpl = 'fast-lock' | 'posix-sem';

export const LOCK_IMPLS: readonly LockImpl[] = ['fast-lock', 'posix-sem'];

export interface LockState {
  /** fast-lock: 1 held, 0 free. posix-sem: the semaphore value. */
  v: number;
  /** Ghost: how many times each process (by index) is inside. */
  held: number[];
}

/** A free lock, for `procs` processes. */
export const freeLock = (impl: LockImpl, procs: number): LockState => ({ v: impl === 'fast-lock' ? 0 : 1, held: new Array<number>(procs).fill(0) });

/** Whether a normal (uninterrupted) acquire can complete now. */
export const canAcquire = (impl: LockImpl, l: LockState): boolean => (impl === 'fast-lock' ? l.v === 0 : l.v > 0);

/** Acquire by process `who` (mutates `l`). `interrupted`: the acquire returned early without taking the lock (EINTR). */
export function acquire(impl: LockImpl, l: LockState, who: number, interrupted = false): void {
  if (!interrupted) {
    if (!canAcquire(impl, l)) throw new Error(`acquire of a lock that is not available (${impl}, v=${l.v})`);
    l.v = impl === 'fast-lock' ? 1 : l.v - 1;
  }
  l.held[who] += 1;
}

/** Release by process `who` (mutates `l`): fast-lock stores 0, posix-sem increments, whoever calls it. */
export function release(impl: LockImpl, l: LockState, who: number): void {
  l.v = impl === 'fast-lock' ? 0 : l.v + 1;
  if (l.held[who] > 0) l.held[who] -= 1;
}

/** Whether process `who` is inside. */
export const holds = (l: LockState, who: number): boolean => l.held[who] > 0;

/** How many entries are inside (a process inside twice counts twice). */
export function inside(l: LockState): number {
  let n = 0;
  for (let i = 0; i < l.held.length; i++) n += l.held[i];
  return n;
}

/** The processes inside, by name, sorted (a process inside twice appears twice). */
export function holderNames(l: LockState, names: readonly string[]): string[] {
  const out: string[] = [];
  l.held.forEach((n, i) => {
    for (let k = 0; k < n; k++) out.push(names[i]);
  });
  return out.sort();
}

/**
 * Whether the lock's value is not the one its holders imply (held: fast-lock
 * 1, posix-sem 0; free: fast-lock 0, posix-sem 1). It differs after an entry
 * that did not take the lock (an interrupted sem_wait: the semaphore stays at
 * 1 with a process inside) and after a release by a process that was not
 * inside (a fast lock stored 0 under its holder; a semaphore posted once more
 * than it was taken): what a reader of a trace must be told, since the next
 * acquire no longer waits for the process inside. With two or more inside
 * the holders already say so, and the value may then match.
 */
export function valueUnlike(impl: LockImpl, l: LockState): boolean {
  const held = inside(l) > 0;
  return impl === 'fast-lock' ? l.v !== (held ? 1 : 0) : l.v !== (held ? 0 : 1);
}

export const lockKey = (l: LockState): string => `${l.v}[${l.held.join(',')}]`;
