/** The lock implementations and the relaxed memory views of src/memory. */
import { describe, expect, it } from 'vitest';
import { acquire, canAcquire, freeLock, release } from '../src/memory/locks.js';
import { compact, join, latest, makeMemory, memoryLayout, publish, readAt, readChoices, write, writes } from '../src/memory/views.js';

describe('locks', () => {
  it('fast-lock: a release by a non-holder leaves the lock free, never doubly free', () => {
    const l = freeLock('fast-lock', 4);
    acquire('fast-lock', l, 0);
    expect(canAcquire('fast-lock', l)).toBe(false);
    release('fast-lock', l, 0);
    release('fast-lock', l, 1); // the double release of drop_dlg's non-DELETED path
    expect(l.v).toBe(0);
    acquire('fast-lock', l, 2);
    expect(canAcquire('fast-lock', l)).toBe(false);
  });

  it('posix-sem: a release by a non-holder leaves a count of 2, which admits two holders', () => {
    const l = freeLock('posix-sem', 4);
    acquire('posix-sem', l, 0);
    release('posix-sem', l, 0);
    release('posix-sem', l, 1);
    expect(l.v).toBe(2);
    acquire('posix-sem', l, 2);
    expect(canAcquire('posix-sem', l)).toBe(true);
    acquire('posix-sem', l, 3);
    expect(l.held).toEqual([0, 0, 1, 1]);
    expect(canAcquire('posix-sem', l)).toBe(false);
  });

  it('an interrupted acquire (EINTR) enters without decrementing; its release then raises the count', () => {
    const l = freeLock('posix-sem', 4);
    acquire('posix-sem', l, 0);
    acquire('posix-sem', l, 1, true);
    expect(l.held).toEqual([1, 1, 0, 0]);
    release('posix-sem', l, 1);
    release('posix-sem', l, 0);
    expect(l.v).toBe(2);
  });

  it('refuses a normal acquire of a lock that is not available', () => {
    const l = freeLock('fast-lock', 4);
    acquire('fast-lock', l, 0);
    expect(() => acquire('fast-lock', l, 1)).toThrow();
  });
});

describe('relaxed memory views', () => {
  // Processes P = 0 and Q = 1, lock L = 0; x keeps a history, y does not.
  const P = 0;
  const Q = 1;
  const L = 0;
  const layout = (model: 'sc' | 'relaxed') => memoryLayout<'x' | 'y'>(model, ['x', 'y'], ['x'], 2, 1, 4);
  const fresh = (model: 'sc' | 'relaxed' = 'relaxed') => {
    const lay = layout(model);
    return { lay, m: makeMemory(lay, { x: 0, y: 0 }) };
  };
  /** The values a read by `who` may return, latest first. */
  const choices = (lay: ReturnType<typeof layout>, m: ReturnType<typeof fresh>['m'], who: number) => {
    const idx: number[] = [];
    const n = readChoices(lay, m, who, 'x', idx);
    return idx.slice(0, n).map((i) => m.hist.x[i]);
  };

  it('under sc every read returns the latest write', () => {
    const { lay, m } = fresh('sc');
    write(lay, m, P, 'x', 1);
    write(lay, m, P, 'x', 2);
    expect(choices(lay, m, Q)).toEqual([2]);
    expect(m.hist.x).toEqual([2]);
  });

  it('an unlocked read may return a stale write; reading advances the view', () => {
    const { lay, m } = fresh();
    write(lay, m, P, 'x', 1);
    write(lay, m, P, 'x', 2);
    expect(choices(lay, m, Q)).toEqual([2, 1, 0]);
    expect(readAt(lay, m, Q, 'x', 1)).toBe(1);
    expect(choices(lay, m, Q)).toEqual([2, 1]);
    // The writer itself sees its own latest write.
    expect(choices(lay, m, P)).toEqual([2]);
  });

  it('a release publishes the writer view; an acquire joins it, so reads under the lock are up to date', () => {
    const { lay, m } = fresh();
    join(lay, m, P, L);
    write(lay, m, P, 'x', 5);
    publish(lay, m, P, L);
    join(lay, m, Q, L);
    expect(choices(lay, m, Q)).toEqual([5]);
  });

  it('fields not declared relaxed keep no history', () => {
    const { lay, m } = fresh();
    write(lay, m, P, 'y', 1);
    write(lay, m, P, 'y', 2);
    expect(m.hist.y).toEqual([2]);
    expect(latest(m, 'y')).toBe(2);
  });

  it('compact drops writes no view can read any more, so equal behaviours give equal memories', () => {
    const { lay, m: a } = fresh();
    write(lay, a, P, 'x', 1);
    compact(lay, a, (p) => p === Q);
    publish(lay, a, P, L);
    compact(lay, a, (p) => p === Q);
    expect(writes(a, 'x')).toEqual([1]);
    // The unused entries of the fixed-size history are 0, so the memory has one representation.
    expect(a.hist.x).toEqual([1, 0, 0, 0]);
    const { m: b } = fresh();
    b.hist.x[0] = 1;
    expect(b).toEqual(a);
  });

  it('compaction reaches each relaxed field by its own name, in the order the layout lists them', () => {
    // Two relaxed fields listed out of the fields' order: each compacts its own history.
    // Only Q reads (so the lock's view pins nothing).
    const lay = memoryLayout<'x' | 'y' | 'z'>('relaxed', ['x', 'y', 'z'], ['z', 'x'], 2, 1, 4, (p) => p === Q);
    expect(lay.relaxed).toEqual(['x', 'z']);
    const m = makeMemory(lay, { x: 0, y: 0, z: 0 });
    write(lay, m, P, 'x', 1);
    write(lay, m, P, 'z', 5);
    write(lay, m, P, 'z', 6);
    expect([lay.at.hist(m, 0), lay.at.len(m, 0), lay.at.hist(m, 1), lay.at.len(m, 1)]).toEqual([m.hist.x, 2, m.hist.z, 3]);
    // Q reads z's latest write: its view of z passes the older ones, which no one can read now;
    // x keeps its writes (Q has not read it).
    const idx: number[] = [];
    readChoices(lay, m, Q, 'z', idx);
    readAt(lay, m, Q, 'z', idx[0]);
    compact(lay, m, () => false);
    expect([writes(m, 'x'), writes(m, 'z'), m.len.y]).toEqual([[0, 1], [6], 1]);
    lay.at.setLen(m, 1, 1);
    expect(m.len).toEqual({ x: 2, y: 1, z: 1 });
    expect(() => lay.at.len(m, 2)).toThrow(RangeError);
  });

  it('canonical histories (dedup): a write whose value is written again later is dropped, views move to the next write kept, reads are the same', () => {
    const lay = memoryLayout<'x' | 'y'>('relaxed', ['x', 'y'], ['x'], 2, 1, 6, undefined, true);
    const plainLay = layout('relaxed');
    const run = (l: typeof lay) => {
      const m = makeMemory(l, { x: 0, y: 0 });
      // P writes 1, 2, 1, 2: Q (view 0) could read every one of them.
      for (const v of [1, 2, 1]) write(l, m, P, 'x', v);
      compact(l, m, () => false);
      return m;
    };
    const plain = run(plainLay);
    const canon = run(lay);
    expect(writes(plain, 'x')).toEqual([0, 1, 2, 1]);
    expect(writes(canon, 'x')).toEqual([0, 2, 1]);
    expect(canon.hist.x).toEqual([0, 2, 1, 0, 0, 0]);
    // Q reads the same values, each at its latest write; P's view is its last write in both.
    expect(choices(lay, canon, Q)).toEqual(choices(plainLay, plain, Q));
    expect([plain.view[P][0], canon.view[P][0]]).toEqual([3, 2]);
    // Q reads 2: in both it may then read 2 and 1, and no more 0.
    const pick = (l: typeof lay, m: typeof canon, v: number) => {
      const idx: number[] = [];
      const n = readChoices(l, m, Q, 'x', idx);
      readAt(l, m, Q, 'x', idx.slice(0, n).find((i) => m.hist.x[i] === v)!);
    };
    pick(plainLay, plain, 2);
    pick(lay, canon, 2);
    expect(choices(lay, canon, Q)).toEqual(choices(plainLay, plain, Q));
    expect(choices(lay, canon, Q)).toEqual([1, 2]);
    // A process that is ignored in this memory neither pins writes nor moves.
    const m = makeMemory(lay, { x: 0, y: 0 });
    for (const v of [1, 2, 3]) write(lay, m, P, 'x', v);
    publish(lay, m, P, L);
    compact(lay, m, () => false, (p) => p === Q);
    expect([writes(m, 'x'), m.view[Q][0]]).toEqual([[3], 0]);
  });

  it('a write beyond the history bound is an error naming the field, never a lost write', () => {
    const { lay, m } = fresh();
    for (let v = 1; v <= 3; v++) write(lay, m, P, 'x', v);
    expect(() => write(lay, m, P, 'x', 4)).toThrow(/field x would keep more than 4 writes/);
  });
});
