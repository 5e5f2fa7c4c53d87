/** The lock implementations and the relaxed memory views of src/memory. */
import { describe, expect, it } from 'vitest';
import { acquire, canAcquire, freeLock, release } from '../src/memory/locks.js';
import { compact, join, latest, makeMemory, publish, readAt, readChoices, write } from '../src/memory/views.js';

describe('locks', () => {
  it('fast-lock: a release by a non-holder leaves the lock free, never doubly free', () => {
    const l = freeLock('fast-lock');
    acquire('fast-lock', l, 'A');
    expect(canAcquire('fast-lock', l)).toBe(false);
    release('fast-lock', l, 'A');
    release('fast-lock', l, 'B'); // the double release of drop_dlg's non-DELETED path
    expect(l.v).toBe(0);
    acquire('fast-lock', l, 'C');
    expect(canAcquire('fast-lock', l)).toBe(false);
  });

  it('posix-sem: a release by a non-holder leaves a count of 2, which admits two holders', () => {
    const l = freeLock('posix-sem');
    acquire('posix-sem', l, 'A');
    release('posix-sem', l, 'A');
    release('posix-sem', l, 'B');
    expect(l.v).toBe(2);
    acquire('posix-sem', l, 'C');
    expect(canAcquire('posix-sem', l)).toBe(true);
    acquire('posix-sem', l, 'D');
    expect(l.holders).toEqual(['C', 'D']);
    expect(canAcquire('posix-sem', l)).toBe(false);
  });

  it('an interrupted acquire (EINTR) enters without decrementing; its release then raises the count', () => {
    const l = freeLock('posix-sem');
    acquire('posix-sem', l, 'A');
    acquire('posix-sem', l, 'B', true);
    expect(l.holders).toEqual(['A', 'B']);
    release('posix-sem', l, 'B');
    release('posix-sem', l, 'A');
    expect(l.v).toBe(2);
  });

  it('refuses a normal acquire of a lock that is not available', () => {
    const l = freeLock('fast-lock');
    acquire('fast-lock', l, 'A');
    expect(() => acquire('fast-lock', l, 'B')).toThrow();
  });
});

describe('relaxed memory views', () => {
  const fresh = () => makeMemory<'x' | 'y'>({ x: 0, y: 0 }, ['P', 'Q'], ['L'], ['x']);

  it('under sc every read returns the latest write', () => {
    const m = fresh();
    write('sc', m, 'P', 'x', 1);
    write('sc', m, 'P', 'x', 2);
    expect(readChoices('sc', m, 'Q', 'x').map((i) => m.hist.x[i])).toEqual([2]);
  });

  it('an unlocked read may return a stale write; reading advances the view', () => {
    const m = fresh();
    write('relaxed', m, 'P', 'x', 1);
    write('relaxed', m, 'P', 'x', 2);
    expect(readChoices('relaxed', m, 'Q', 'x').map((i) => m.hist.x[i])).toEqual([2, 1, 0]);
    expect(readAt(m, 'Q', 'x', 1)).toBe(1);
    expect(readChoices('relaxed', m, 'Q', 'x').map((i) => m.hist.x[i])).toEqual([2, 1]);
    // The writer itself sees its own latest write.
    expect(readChoices('relaxed', m, 'P', 'x').map((i) => m.hist.x[i])).toEqual([2]);
  });

  it('a release publishes the writer view; an acquire joins it, so reads under the lock are up to date', () => {
    const m = fresh();
    join('relaxed', m, 'P', 'L');
    write('relaxed', m, 'P', 'x', 5);
    publish('relaxed', m, 'P', 'L');
    join('relaxed', m, 'Q', 'L');
    expect(readChoices('relaxed', m, 'Q', 'x').map((i) => m.hist.x[i])).toEqual([5]);
  });

  it('fields not declared relaxed keep no history', () => {
    const m = fresh();
    write('relaxed', m, 'P', 'y', 1);
    write('relaxed', m, 'P', 'y', 2);
    expect(m.hist.y).toEqual([2]);
    expect(latest(m, 'y')).toBe(2);
  });

  it('compact drops writes no view can read any more, so equal behaviours give equal memories', () => {
    const a = fresh();
    write('relaxed', a, 'P', 'x', 1);
    compact('relaxed', a, ['Q']);
    publish('relaxed', a, 'P', 'L');
    compact('relaxed', a, ['Q']);
    expect(a.hist.x).toEqual([1]);
  });
});
