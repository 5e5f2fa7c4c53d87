/**
 * The level barrier of the parallel explorer's worker threads (parallel.ts),
 * in shared memory: the workers meet without a message and without the main
 * thread once each has ended a level (with string keys, also before, once
 * each has expanded its part), and after that meeting each reads every
 * worker's figures for the level, so all of them take the same decision (go
 * on, or stop and why) from the same numbers.
 *
 * Layout of the shared Int32Array `ctl`: the barrier's arrival count and
 * generation, an abort flag, then per level parity and worker its slots
 * (ctlSlot).
 */

/** Arrivals at the current barrier. */
const ARRIVED = 0;
/** Incremented each time every worker has arrived: what a waiting worker waits on. */
const GENERATION = 1;
/** Set (and the waiters woken) by a worker that failed: its peers stop waiting. */
const ABORT = 2;
const HEADER = 3;

/** Per worker: the states its last level added. */
export const CTL_ADDED = 0;
/** Per worker: 1 if it saw the stop word set while it expanded its part (it stopped expanding). */
export const CTL_STOPPED = 1;
/** Per worker: the stop word's value it read once the level was stored (STOP_TIME, STOP_MEMORY), 0 if none. */
export const CTL_STOP = 2;
/** Per worker: 1 once one of its states violated a property (a witness found is not a violation). */
export const CTL_VIOLATED = 3;
const SLOTS = 4;

/**
 * Where worker `worker`'s `slot` is for levels of parity `parity`: a worker
 * that has passed the barrier ending a level may write the next level's
 * figures while a peer still reads this one's (with one barrier a level).
 */
export const ctlSlot = (workers: number, worker: number, slot: number, parity: number): number => HEADER + ((parity & 1) * workers + worker) * SLOTS + slot;

export function newCtl(workers: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (HEADER + 2 * workers * SLOTS)));
}

/** Thrown in a worker waiting at the barrier when a peer failed (the peer reports its own error). */
export class AbortedByPeer extends Error {}

/** Called by a worker that failed: wakes its peers at the barrier, which then throw AbortedByPeer. */
export function abortPeers(ctl: Int32Array): void {
  Atomics.store(ctl, ABORT, 1);
  Atomics.notify(ctl, GENERATION);
}

/** Wakes the workers waiting at the barrier without opening it: each calls its `idle` and waits again. */
export function wakeWaiters(ctl: Int32Array): void {
  Atomics.notify(ctl, GENERATION);
}

/**
 * Waits until all `workers` have called it for this generation. The last to
 * arrive resets the count before it opens the next generation, so the barrier
 * can be used again at once. A failed peer (abortPeers) ends the wait with
 * AbortedByPeer. A worker waiting calls `idle` first and each time it is
 * woken (wakeWaiters): work it can do for its peers meanwhile.
 */
export function barrier(ctl: Int32Array, workers: number, idle?: () => void): void {
  const gen = Atomics.load(ctl, GENERATION);
  if (Atomics.add(ctl, ARRIVED, 1) === workers - 1) {
    Atomics.store(ctl, ARRIVED, 0);
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    return;
  }
  // A failed peer's notify can fall between the test of ABORT and the wait: the wait's
  // timeout bounds that to a second (and the main thread ends every worker on the error anyway).
  while (Atomics.load(ctl, GENERATION) === gen) {
    if (Atomics.load(ctl, ABORT) !== 0) throw new AbortedByPeer('a peer worker failed');
    idle?.();
    Atomics.wait(ctl, GENERATION, gen, 1000);
  }
}
