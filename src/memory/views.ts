/**
 * Shared memory under two memory models, as pure data.
 *
 * - `sc` (sequential consistency): every read returns the latest write.
 * - `relaxed` (ARM64-like, for plain accesses made without a lock): each field
 *   keeps the sequence of its writes; each process has a view, the index of the
 *   oldest write of each field it may still read. A lock release publishes the
 *   releaser's view into the lock; an acquire joins the lock's view into the
 *   acquirer's. A read may return any write not older than the reader's view,
 *   and reading advances the view to the write read. Writing advances the
 *   writer's view to its own write. Reads made under a lock that every writer of
 *   the field also held therefore return the latest write; unlocked reads may be
 *   stale.
 *
 * Only the fields a model declares relaxed keep histories: a field that is
 * only ever accessed under the lock that protects it reads its latest write
 * anyway, and keeping its history would only multiply states.
 *
 * Writes older than every view (of processes and locks) can never be read
 * again; `compact` drops them so that equal behaviours give equal states.
 *
 * The memory is a value of fixed shape, so that a model can declare it in its
 * state's shape and change it in place: each field's history is an array of
 * fixed capacity (1 for a field without history) with its length beside it,
 * unused entries 0; views are arrays indexed by process (or lock) and by
 * relaxed field. What does not change (the fields, which are relaxed, the
 * capacity) is a `MemoryLayout`, kept outside the state.
 */
import { SpecError } from '../engine/model.js';

export type MemoryModel = 'sc' | 'relaxed';

export const MEMORY_MODELS: readonly MemoryModel[] = ['sc', 'relaxed'];

export interface MemoryLayout<F extends string> {
  readonly model: MemoryModel;
  readonly fields: readonly F[];
  /** The fields that keep histories (none under `sc`). */
  readonly relaxed: readonly F[];
  /** Per field, its index among `relaxed`, or -1. */
  readonly rIndex: Readonly<Record<F, number>>;
  /** How many writes of a relaxed field may be kept at once (a write beyond is an error naming the field). */
  readonly cap: number;
  /**
   * Canonical histories: `compact` also drops a write whose value is written
   * again later. Exact for this module's reads, which return one write per
   * distinct value, the latest one with that value (`readChoices`): a reader
   * whose view reaches an earlier write of the value reads the later one
   * instead and moves its view there, so the earlier write is never read.
   * It bounds a history by the number of distinct values (without it, a
   * process that never reads a field pins every write of it).
   */
  readonly dedup: boolean;
  readonly procs: number;
  readonly locks: number;
  /**
   * Optional, per relaxed field (by index), per process: whether the process
   * ever reads the field through its view (a read step of the field). With
   * it, `compact` drops every write older than the oldest view of a process
   * that can still read the field; without it, every process and lock view
   * holds its writes (see compact).
   */
  readonly readers?: readonly (readonly boolean[])[];
  /** The relaxed fields' histories and lengths by their index among `relaxed` (see RelaxedAccess). */
  readonly at: RelaxedAccess;
}

/**
 * A relaxed field's history and length by the field's index among the
 * relaxed fields, for the loops over them (compact), which run after every
 * step. `m.hist[f]` with a field name that varies is a keyed load V8 cannot
 * specialise (about a tenth of the time of the largest relaxed cells); these
 * functions name each field in their code (generated once per list of field
 * names, so that every layout with the same fields shares them).
 */
export interface RelaxedAccess {
  hist(m: Memory<string>, r: number): number[];
  len(m: Memory<string>, r: number): number;
  setLen(m: Memory<string>, r: number, n: number): void;
}

const accesses = new Map<string, RelaxedAccess>();

function relaxedAccess(relaxed: readonly string[]): RelaxedAccess {
  const id = JSON.stringify(relaxed);
  let a = accesses.get(id);
  if (a === undefined) {
    const cases = (body: (name: string) => string) => relaxed.map((f, r) => `case ${r}: ${body(JSON.stringify(f))}`).join(' ');
    a = new Function(
      `'use strict';
      const bad = (r) => { throw new RangeError('relaxed memory: no relaxed field ' + r); };
      return {
        hist(m, r) { switch (r) { ${cases((f) => `return m.hist[${f}];`)} default: return bad(r); } },
        len(m, r) { switch (r) { ${cases((f) => `return m.len[${f}];`)} default: return bad(r); } },
        setLen(m, r, n) { switch (r) { ${cases((f) => `m.len[${f}] = n; return;`)} default: bad(r); } },
      };`,
    )() as RelaxedAccess;
    accesses.set(id, a);
  }
  return a;
}

export interface Memory<F extends string> {
  /** Per field, its writes, oldest first, in an array of fixed capacity (under `sc`, or for a field without history: one entry). */
  hist: Record<F, number[]>;
  /** Per field, how many entries of `hist` are writes (the rest are 0). */
  len: Record<F, number>;
  /** [process][relaxed field]: index of the oldest write the process may read. */
  view: number[][];
  /** [lock][relaxed field]: the view published by the lock's last release. */
  lockView: number[][];
}

export function memoryLayout<F extends string>(
  model: MemoryModel,
  fields: readonly F[],
  relaxedFields: readonly F[],
  procs: number,
  locks: number,
  cap = 4,
  /** Optional: whether process p ever reads field f through its view (see MemoryLayout.readers). */
  reads?: (p: number, f: F) => boolean,
  /** Canonical histories (see MemoryLayout.dedup). */
  dedup = false,
): MemoryLayout<F> {
  const relaxed = model === 'relaxed' ? fields.filter((f) => relaxedFields.includes(f)) : [];
  const rIndex = Object.fromEntries(fields.map((f) => [f, relaxed.indexOf(f)])) as Record<F, number>;
  const readers = reads === undefined ? undefined : relaxed.map((f) => Array.from({ length: procs }, (_, p) => reads(p, f)));
  return { model, fields, relaxed, rIndex, cap, procs, locks, dedup, ...(readers ? { readers } : {}), at: relaxedAccess(relaxed) };
}

export function makeMemory<F extends string>(L: MemoryLayout<F>, init: Record<F, number>): Memory<F> {
  const hist = {} as Record<F, number[]>;
  const len = {} as Record<F, number>;
  for (const f of L.fields) {
    const h = new Array<number>(L.rIndex[f] >= 0 ? L.cap : 1).fill(0);
    h[0] = init[f];
    hist[f] = h;
    len[f] = 1;
  }
  const zero = () => new Array<number>(L.relaxed.length).fill(0);
  return {
    hist,
    len,
    view: Array.from({ length: L.procs }, zero),
    lockView: Array.from({ length: L.locks }, zero),
  };
}

/** The latest value of a field (the truth, as an observer outside the processes sees it). */
export const latest = <F extends string>(m: Memory<F>, f: F): number => m.hist[f][m.len[f] - 1];

/** The writes of a field, oldest first. */
export const writes = <F extends string>(m: Memory<F>, f: F): number[] => m.hist[f].slice(0, m.len[f]);

/**
 * The writes a read by process `who` may return, as indices into the field's
 * history, latest first, one per distinct value, into `out[0..n)`; returns n.
 */
export function readChoices<F extends string>(L: MemoryLayout<F>, m: Memory<F>, who: number, f: F, out: number[]): number {
  const h = m.hist[f];
  const last = m.len[f] - 1;
  const r = L.rIndex[f];
  if (r < 0) {
    out[0] = last;
    return 1;
  }
  let n = 0;
  // Latest first, so that the first choice is the up-to-date value.
  for (let i = last; i >= m.view[who][r]; i--) {
    let seen = false;
    for (let j = 0; j < n; j++) if (h[out[j]] === h[i]) seen = true;
    if (!seen) out[n++] = i;
  }
  return n;
}

/** Performs the read of write `index` (mutates `m`): the reader's view advances to it. Returns the value. */
export function readAt<F extends string>(L: MemoryLayout<F>, m: Memory<F>, who: number, f: F, index: number): number {
  const r = L.rIndex[f];
  if (r >= 0 && index > m.view[who][r]) m.view[who][r] = index;
  return m.hist[f][index];
}

/** Writes `value` (mutates `m`). */
export function write<F extends string>(L: MemoryLayout<F>, m: Memory<F>, who: number, f: F, value: number): void {
  const r = L.rIndex[f];
  if (r < 0) {
    m.hist[f][0] = value;
    return;
  }
  const n = m.len[f];
  if (n >= L.cap) {
    throw new SpecError(`relaxed memory: field ${f} would keep more than ${L.cap} writes that some process may still read; raise the history bound`);
  }
  m.hist[f][n] = value;
  m.len[f] = n + 1;
  m.view[who][r] = n;
}

/** A lock release by `who` publishes its view into the lock (mutates `m`). */
export function publish<F extends string>(L: MemoryLayout<F>, m: Memory<F>, who: number, lock: number): void {
  const lv = m.lockView[lock];
  const pv = m.view[who];
  for (let r = 0; r < L.relaxed.length; r++) if (pv[r] > lv[r]) lv[r] = pv[r];
}

/** A lock acquire by `who` joins the lock's view into its own (mutates `m`). */
export function join<F extends string>(L: MemoryLayout<F>, m: Memory<F>, who: number, lock: number): void {
  const lv = m.lockView[lock];
  const pv = m.view[who];
  for (let r = 0; r < L.relaxed.length; r++) if (lv[r] > pv[r]) pv[r] = lv[r];
}

/**
 * Canonicalises (mutates `m`): a process that will read no more (`retired(p)`)
 * gets the latest view; writes that no read can return any more are dropped.
 *
 * Which writes those are: a read by process p returns a write at or after
 * p's view, and views only grow (a read, a write and a join each take a
 * maximum). Without `L.readers`, writes older than every process's and
 * lock's view go. With it, writes older than the oldest view among the
 * processes that read the field and are not retired go, whatever the other
 * views: a lock's view, or the view of a process that never reads the field,
 * only ever raises another view by a maximum, so every such view below the
 * first kept write behaves exactly as one at it, and is set there. (This
 * keeps histories finite where a process that never reads a field would
 * otherwise pin its writes forever, e.g. a timer that re-arms and fires again
 * and again while another process waits.)
 * A process that never reaches this memory (`ignored(p)`, optional) keeps a
 * view of 0 that neither pins writes nor is moved (its reads, writes, joins
 * and publishes skip this memory: see `reaches` in the dialog model).
 * With `L.dedup`, a write whose value is written again later is dropped too.
 */
export function compact<F extends string>(L: MemoryLayout<F>, m: Memory<F>, retired: (p: number) => boolean, ignored?: (p: number) => boolean): void {
  const readers = L.readers;
  const at = L.at;
  for (let r = 0; r < L.relaxed.length; r++) {
    const h = at.hist(m, r);
    const n = at.len(m, r);
    // One write: every view is at it already (a view never passes the last write).
    if (n === 1) continue;
    const last = n - 1;
    let min = last;
    for (let p = 0; p < L.procs; p++) {
      if (ignored !== undefined && ignored(p)) continue;
      if (retired(p)) m.view[p][r] = last;
      if ((readers === undefined || readers[r][p]) && m.view[p][r] < min) min = m.view[p][r];
    }
    if (readers === undefined) for (let l = 0; l < L.locks; l++) if (m.lockView[l][r] < min) min = m.lockView[l][r];
    if (min > 0) {
      for (let i = 0; i < n; i++) h[i] = i + min < n ? h[i + min] : 0;
      at.setLen(m, r, n - min);
      for (let p = 0; p < L.procs; p++) if (ignored === undefined || !ignored(p)) m.view[p][r] = m.view[p][r] > min ? m.view[p][r] - min : 0;
      for (let l = 0; l < L.locks; l++) m.lockView[l][r] = m.lockView[l][r] > min ? m.lockView[l][r] - min : 0;
    }
    if (L.dedup) dedupField(L, m, r, ignored);
  }
}

/** Drops the writes of relaxed field `r` whose value is written again later; views move to the next write kept (MemoryLayout.dedup). */
function dedupField<F extends string>(L: MemoryLayout<F>, m: Memory<F>, r: number, ignored?: (p: number) => boolean): void {
  const h = L.at.hist(m, r);
  const n = L.at.len(m, r);
  let dropped = false;
  for (let i = 0; i < n - 1 && !dropped; i++) for (let j = i + 1; j < n; j++) if (h[j] === h[i]) dropped = true;
  if (!dropped) return;
  // newIndex[i]: how many kept writes come before i (a view at i moves to the first kept write at or after it).
  const newIndex: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    newIndex.push(k);
    let later = false;
    for (let j = i + 1; j < n; j++) if (h[j] === h[i]) later = true;
    if (!later) h[k++] = h[i];
  }
  for (let i = k; i < n; i++) h[i] = 0;
  L.at.setLen(m, r, k);
  for (let p = 0; p < L.procs; p++) if (ignored === undefined || !ignored(p)) m.view[p][r] = newIndex[m.view[p][r]];
  for (let l = 0; l < L.locks; l++) m.lockView[l][r] = newIndex[m.lockView[l][r]];
}

/** A canonical text of the memory (field order as laid out). */
export function memoryKey<F extends string>(L: MemoryLayout<F>, m: Memory<F>): string {
  let k = '';
  for (let i = 0; i < L.fields.length; i++) {
    const f = L.fields[i];
    const h = m.hist[f];
    if (i > 0) k += ';';
    for (let j = 0; j < m.len[f]; j++) k += j > 0 ? `,${h[j]}` : `${h[j]}`;
  }
  if (L.relaxed.length === 0) return k;
  const views = (vs: number[][]) => {
    let t = '';
    for (let p = 0; p < vs.length; p++) t += (p > 0 ? '/' : '') + vs[p].join(',');
    return t;
  };
  return `${k}|${views(m.view)}|${views(m.lockView)}`;
}
