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
 */
export type MemoryModel = 'sc' | 'relaxed';

export const MEMORY_MODELS: readonly MemoryModel[] = ['sc', 'relaxed'];

export interface Memory<F extends string> {
  /** Per field, its writes, oldest first (under `sc`: only the latest). */
  hist: Record<F, number[]>;
  /** Per process, per field: index of the oldest write it may read. */
  view: Record<string, Record<F, number>>;
  /** Per lock, the view published by its last release. */
  lockView: Record<string, Record<F, number>>;
  /** The fields that keep histories under the relaxed model (the others behave as under `sc`). */
  relaxed: readonly F[];
}

export function makeMemory<F extends string>(
  fields: Record<F, number>,
  procs: readonly string[],
  locks: readonly string[],
  relaxed: readonly F[],
): Memory<F> {
  const names = Object.keys(fields) as F[];
  const zero = () => Object.fromEntries(relaxed.map((f) => [f, 0])) as Record<F, number>;
  return {
    hist: Object.fromEntries(names.map((f) => [f, [fields[f]]])) as Record<F, number[]>,
    view: Object.fromEntries(procs.map((p) => [p, zero()])),
    lockView: Object.fromEntries(locks.map((l) => [l, zero()])),
    relaxed,
  };
}

const isRelaxed = <F extends string>(mm: MemoryModel, m: Memory<F>, f: F): boolean => mm === 'relaxed' && m.relaxed.includes(f);

/** The latest value of a field (the truth, as an observer outside the processes sees it). */
export const latest = <F extends string>(m: Memory<F>, f: F): number => {
  const h = m.hist[f];
  return h[h.length - 1];
};

/** The values a read by `who` may return, as indices into the field's history (oldest first, deduplicated by value). */
export function readChoices<F extends string>(mm: MemoryModel, m: Memory<F>, who: string, f: F): number[] {
  const h = m.hist[f];
  if (!isRelaxed(mm, m, f)) return [h.length - 1];
  const out: number[] = [];
  const seen = new Set<number>();
  // Latest first, so that the first choice is the up-to-date value.
  for (let i = h.length - 1; i >= m.view[who][f]; i--) {
    if (!seen.has(h[i])) {
      seen.add(h[i]);
      out.push(i);
    }
  }
  return out;
}

/** Performs the read of write `index` (mutates `m`): the reader's view advances to it. Returns the value. */
export function readAt<F extends string>(m: Memory<F>, who: string, f: F, index: number): number {
  const v = m.view[who];
  if (f in v && index > v[f]) v[f] = index;
  return m.hist[f][index];
}

/** Writes `value` (mutates `m`). */
export function write<F extends string>(mm: MemoryModel, m: Memory<F>, who: string, f: F, value: number): void {
  if (!isRelaxed(mm, m, f)) {
    m.hist[f][0] = value;
    return;
  }
  m.hist[f].push(value);
  m.view[who][f] = m.hist[f].length - 1;
}

/** A lock release by `who` publishes its view into the lock (mutates `m`). */
export function publish<F extends string>(mm: MemoryModel, m: Memory<F>, who: string, lock: string): void {
  if (mm === 'sc') return;
  const lv = m.lockView[lock];
  const pv = m.view[who];
  for (const f of Object.keys(lv) as F[]) if (pv[f] > lv[f]) lv[f] = pv[f];
}

/** A lock acquire by `who` joins the lock's view into its own (mutates `m`). */
export function join<F extends string>(mm: MemoryModel, m: Memory<F>, who: string, lock: string): void {
  if (mm === 'sc') return;
  const lv = m.lockView[lock];
  const pv = m.view[who];
  for (const f of Object.keys(lv) as F[]) if (lv[f] > pv[f]) pv[f] = lv[f];
}

/**
 * Canonicalises (mutates `m`): a process that will read no more (`retired`)
 * gets the latest view; writes older than every remaining view are dropped.
 */
export function compact<F extends string>(mm: MemoryModel, m: Memory<F>, retired: readonly string[]): void {
  if (mm === 'sc') return;
  for (const f of m.relaxed) {
    const last = m.hist[f].length - 1;
    for (const p of retired) m.view[p][f] = last;
    let min = last;
    for (const p in m.view) if (m.view[p][f] < min) min = m.view[p][f];
    for (const l in m.lockView) if (m.lockView[l][f] < min) min = m.lockView[l][f];
    if (min > 0) {
      m.hist[f].splice(0, min);
      for (const p in m.view) m.view[p][f] -= min;
      for (const l in m.lockView) m.lockView[l][f] -= min;
    }
  }
}

/** A canonical text of the memory (field and process order as constructed). */
export function memoryKey<F extends string>(mm: MemoryModel, m: Memory<F>): string {
  const fields = m.relaxed;
  const h = (Object.keys(m.hist) as F[]).map((f) => m.hist[f].join(',')).join(';');
  if (mm === 'sc') return h;
  const views = (r: Record<string, Record<F, number>>) =>
    Object.keys(r)
      .map((p) => fields.map((f) => r[p][f]).join(','))
      .join('/');
  return `${h}|${views(m.view)}|${views(m.lockView)}`;
}
