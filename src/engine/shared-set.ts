/**
 * The visited set that the worker threads of a parallel exploration share
 * (parallel-worker.ts), for packed states: one open-addressing hash set
 * (linear probing) in a `SharedArrayBuffer`, which every worker reads and
 * adds to. Two words a slot, one of which a worker claims by a
 * compare-and-swap from 0: of two workers adding the same state at once, one
 * claims the slot and the other finds the state there. This is the lock-free
 * set of Laarman, van de Pol and Weber ("Boosting multi-core reachability
 * performance with shared hash tables", FMCAD 2010).
 *
 * - One-number codes (`SharedCodes`): a tag (the code's high 21 bits + 1)
 *   claimed with its final value, then the low 32 bits.
 * - Words (`SharedWords`): the state's hash and a reference to its words in
 *   the store of the worker that added it; the reference is claimed, then
 *   the hash written.
 *
 * A plain load that reads a claimed word reads its final value (each is
 * written once, from 0); a 0 may be a write not seen yet, so a reader that
 * must know reads again with an atomic load, which also orders what it reads
 * after it behind the writes made before the claim.
 *
 * Growing. A worker adds only between `enter()` and `leave()` (a batch of
 * successors). At a load of 3/4 the worker that sees it takes the gate:
 * it waits until no worker is inside, makes a table twice the size, hands it
 * to its peers (`TableExchange`: a message, since a SharedArrayBuffer cannot
 * be stored in another), and copies the old one into it part by part, with
 * every peer that enters meanwhile taking parts too; then it moves the
 * generation on, and a worker that enters takes the new table. A batch adds
 * at most BATCH_ADDS states before it leaves and enters again, so the load
 * stays below 3/4 + workers x BATCH_ADDS / capacity (the first capacity is
 * chosen for that).
 */
import { hashPacked, mapPages, WORD_CHUNK_BITS, WordStore } from './table.js';

/**
 * The gate's words: workers inside, a grow under way (GROW_WAIT, then
 * GROW_COPY), the table's generation, states added, the next part of the old
 * table to copy (the generation being made x 2^16 + the part: a worker that
 * took an older table cannot claim a part of a newer copy), parts copied.
 */
const ACTIVE = 0;
const GROWING = 1;
const GEN = 2;
const SIZE = 3;
const NEXT = 4;
const DONE = 5;
const GATE_WORDS = 6;
const GROW_WAIT = 1;
const GROW_COPY = 2;

/** The gate's layout, for a test that plays a grower step by step (test/shared-set.test.ts). */
export const GATE = { ACTIVE, GROWING, GEN, SIZE, NEXT, DONE, GROW_WAIT, GROW_COPY } as const;
/** The Int32 words of each part a table `old` being copied into the grown one is cut into (at most 2^12 parts, of at least 2^14 slots), and how many parts. */
const partsOf = (old: Int32Array): [words: number, parts: number] => {
  const words = Math.max(1 << 14, old.length >>> 13) * 2;
  return [words, Math.ceil(old.length / words)];
};

/** States a worker adds between entering and leaving, at most. */
const BATCH_ADDS = 1024;

/** How a worker hands a grown table to its peers and takes theirs. */
export interface TableExchange {
  /** Sends `slots`, generation `gen`, grown from `old`, to every peer. */
  publish(slots: Int32Array, old: Int32Array, gen: number): void;
  /** Sends a chunk of this worker's words (SharedWords) to every peer. */
  publishWords(chunk: Int32Array): void;
  /** Takes what peers sent (calling `offer` and `offerWords`). */
  receive(): void;
}

/** What the main thread makes for the workers of one run: the gate and the first table. */
export interface SharedSetInit {
  readonly gate: Int32Array;
  readonly slots: Int32Array;
  /** 0 for one-number codes, else the words per state. */
  readonly words: number;
}

/** The first table for `workers` workers: room for every worker's batch past the load of 3/4. */
export function newSharedSet(words: number, workers: number): SharedSetInit {
  let cap = 1 << 16;
  while (cap / 4 < workers * BATCH_ADDS * 2) cap *= 2;
  return { gate: new Int32Array(new SharedArrayBuffer(GATE_WORDS * 4)), slots: mapPages(new Int32Array(new SharedArrayBuffer(cap * 2 * 4))), words };
}

abstract class SharedSet {
  protected slots!: Int32Array;
  protected mask = 0;
  private limit = 0;
  private gen = 0;
  private added = 0;
  private offered: Int32Array | undefined;
  private offeredOld: Int32Array | undefined;
  private offeredGen = 0;

  constructor(
    protected readonly gate: Int32Array,
    slots: Int32Array,
    protected readonly exchange: TableExchange,
  ) {
    this.adopt(slots);
  }

  /** States in the set, all workers' together (exact between levels). */
  get size(): number {
    return Atomics.load(this.gate, SIZE);
  }

  get capacity(): number {
    return this.slots.length / 2;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Bytes the next growth would allocate. */
  get growthBytes(): number {
    return Atomics.load(this.gate, SIZE) + 1 > this.limit ? this.slots.byteLength * 2 : 0;
  }

  private adopt(slots: Int32Array): void {
    this.slots = slots;
    const cap = slots.length / 2;
    this.mask = cap - 1;
    this.limit = Math.floor(cap * 0.75);
  }

  /** A grown table a peer sent, and the one it was grown from (TableExchange.receive calls this). */
  offer(slots: Int32Array, old: Int32Array, gen: number): void {
    if (gen > this.offeredGen) {
      this.offered = slots;
      this.offeredOld = old;
      this.offeredGen = gen;
    }
  }

  /** Before adding: while a peer grows the table, helps it copy or waits; then takes the newest table. */
  enter(): void {
    const gate = this.gate;
    for (;;) {
      Atomics.add(gate, ACTIVE, 1);
      const growing = Atomics.load(gate, GROWING);
      if (growing === 0) break;
      if (Atomics.sub(gate, ACTIVE, 1) === 1) Atomics.notify(gate, ACTIVE);
      if (growing === GROW_COPY) {
        // The generation being made, from NEXT (set before both tables were sent and the copy
        // opened; GEN may have moved on since GROWING was read, and a grow after it not begun).
        const gen = Atomics.load(gate, NEXT) >>> 16;
        while (this.offeredGen < gen) this.exchange.receive();
        this.copyParts(this.offeredOld!, this.offered!, this.offeredGen);
      }
      Atomics.wait(gate, GROWING, growing, 5);
    }
    this.catchUp();
  }

  /** After adding: counts what this worker added, and grows the table past a load of 3/4. */
  leave(): void {
    const gate = this.gate;
    const n = this.added;
    this.added = 0;
    // Counted before leaving, so that a grower that sees no worker inside sees every state added.
    const size = n > 0 ? Atomics.add(gate, SIZE, n) + n : 0;
    if (Atomics.sub(gate, ACTIVE, 1) === 1 && Atomics.load(gate, GROWING) !== 0) Atomics.notify(gate, ACTIVE);
    if (size > this.limit) this.grow();
  }

  /** Counts a state added; a batch that added BATCH_ADDS leaves and enters again (the table may grow between). */
  protected counted(): void {
    if (++this.added >= BATCH_ADDS) {
      this.leave();
      this.enter();
    }
  }

  private catchUp(): void {
    const gen = Atomics.load(this.gate, GEN);
    if (gen === this.gen) return;
    // The grower sent the table before it moved the generation: it is in the port's queue.
    while (this.offeredGen < gen) this.exchange.receive();
    this.adopt(this.offered!);
    this.gen = this.offeredGen;
    this.offered = this.offeredOld = undefined;
  }

  /** Copies parts of `old` into `slots`, generation `gen`, while there are parts left (each part by one worker). */
  private copyParts(old: Int32Array, slots: Int32Array, gen: number): void {
    const gate = this.gate;
    const [partWords, parts] = partsOf(old);
    const mask = slots.length / 2 - 1;
    for (;;) {
      const v = Atomics.load(gate, NEXT);
      if (v >>> 16 !== gen || (v & 0xffff) >= parts) return;
      if (Atomics.compareExchange(gate, NEXT, v, v + 1) !== v) continue;
      const p = v & 0xffff;
      this.copy(old, p * partWords, Math.min(old.length, (p + 1) * partWords), slots, mask);
      Atomics.add(gate, DONE, 1);
      Atomics.notify(gate, DONE);
    }
  }

  private grow(): void {
    const gate = this.gate;
    // A peer grows it: this worker's next enter() waits and takes the grown table.
    if (Atomics.compareExchange(gate, GROWING, 0, GROW_WAIT) !== 0) return;
    for (let a = Atomics.load(gate, ACTIVE); a !== 0; a = Atomics.load(gate, ACTIVE)) Atomics.wait(gate, ACTIVE, a, 5);
    this.catchUp();
    if (Atomics.load(gate, SIZE) > this.limit) {
      const old = this.slots;
      const slots = new Int32Array(new SharedArrayBuffer(old.byteLength * 2));
      const gen = this.gen + 1;
      Atomics.store(gate, NEXT, gen << 16);
      Atomics.store(gate, DONE, 0);
      this.exchange.publish(slots, old, gen);
      // The peers that enter now help copy (the others are between levels or will enter after).
      Atomics.store(gate, GROWING, GROW_COPY);
      Atomics.notify(gate, GROWING);
      this.copyParts(old, slots, gen);
      const parts = partsOf(old)[1];
      for (let d = Atomics.load(gate, DONE); d < parts; d = Atomics.load(gate, DONE)) Atomics.wait(gate, DONE, d, 1);
      this.adopt(slots);
      this.gen = gen;
      Atomics.store(gate, GEN, gen);
    }
    Atomics.store(gate, GROWING, 0);
    Atomics.notify(gate, GROWING);
  }

  /**
   * Copies the states in `old[from..to)` into `slots`, a table of `mask` + 1
   * slots that other workers copy other parts into at the same time (each
   * slot claimed by a compare-and-swap of its tag; nobody reads it before the
   * copy is done).
   */
  protected abstract copy(old: Int32Array, from: number, to: number, slots: Int32Array, mask: number): void;
}

/** In a code's tag: its low word is 0 (so a reader need not wait for it). */
const LO_ZERO = 1 << 30;

/** The tag of a one-number code: its high 21 bits + 1, and LO_ZERO when its low 32 bits are 0. */
const codeTag = (code: number, lo: number): number => (((code / 4294967296) >>> 0) + 1) | (lo === 0 ? LO_ZERO : 0);

/** The code in a slot whose tag is `tag` and low word `lo`. */
const codeOf = (tag: number, lo: number): number => ((tag & ~LO_ZERO) - 1) * 4294967296 + (lo >>> 0);

/**
 * One-number codes (integers below 2^53), two words a slot. A worker claims a
 * slot by a compare-and-swap of its tag from 0 to the code's (one locked
 * instruction per new state), then writes the low word. A reader that finds
 * the tag of the code it looks for reads the low word, and waits while it is
 * 0 unless the tag says it is 0 (LO_ZERO): a low word is written once, from 0.
 */
export class SharedCodes extends SharedSet {
  constructor(init: SharedSetInit, exchange: TableExchange) {
    super(init.gate, init.slots, exchange);
  }

  /** Adds `code` (hash `hash`, hashPacked): true if it was new. Only between enter() and leave(). */
  addHashed(code: number, hash: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    const lo = code | 0;
    const tag = codeTag(code, lo);
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const j = i << 1;
      let t = slots[j];
      if (t === 0) {
        t = Atomics.compareExchange(slots, j, 0, tag);
        if (t === 0) {
          if (lo !== 0) slots[j + 1] = lo;
          this.counted();
          return true;
        }
      }
      if (t === tag && this.lowIs(j, tag, lo)) return false;
    }
  }

  /** Whether `code` is in the set. */
  hasHashed(code: number, hash: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    const lo = code | 0;
    const tag = codeTag(code, lo);
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const j = i << 1;
      let t = slots[j];
      if (t === 0) t = Atomics.load(slots, j);
      if (t === 0) return false;
      if (t === tag && this.lowIs(j, tag, lo)) return true;
    }
  }

  /** Whether the slot at `j`, tagged `tag`, holds the low word `lo` (waiting for it while it is being written). */
  private lowIs(j: number, tag: number, lo: number): boolean {
    if ((tag & LO_ZERO) !== 0) return true;
    const slots = this.slots;
    let seen = slots[j + 1];
    // The writer stores it right after its claim; if it was descheduled in between, wait in steps of 1 ms.
    for (let spins = 0; seen === 0; spins++) {
      if (spins >= 1000) Atomics.wait(slots, j + 1, 0, 1);
      seen = Atomics.load(slots, j + 1);
    }
    return seen === lo;
  }

  /**
   * Into `firsts` the code + 1 in the first slot of each of `hashes[0..n)`
   * (0 for an empty slot or one whose low word is not written yet): plain
   * loads that do not depend on each other, so their cache misses overlap
   * (see PackedTable.hashAll).
   */
  firstAll(hashes: Int32Array, n: number, firsts: Float64Array): void {
    const slots = this.slots;
    const mask = this.mask;
    for (let k = 0; k < n; k++) {
      const j = (hashes[k] & mask) << 1;
      const t = slots[j];
      const lo = slots[j + 1];
      firsts[k] = t !== 0 && (lo !== 0 || (t & LO_ZERO) !== 0) ? codeOf(t, lo) + 1 : 0;
    }
  }

  protected copy(old: Int32Array, from: number, to: number, slots: Int32Array, mask: number): void {
    for (let j = from; j < to; j += 2) {
      const tag = old[j];
      if (tag === 0) continue;
      const lo = old[j + 1];
      let i = hashPacked(codeOf(tag, lo)) & mask;
      while (Atomics.compareExchange(slots, i << 1, 0, tag) !== 0) i = (i + 1) & mask;
      slots[(i << 1) + 1] = lo;
    }
  }
}

/**
 * Word-packed states: a slot is the state's hash and a reference to its words
 * (its global id + 1; ids are local id x workers + worker, as in
 * parallel.ts), which live in the store of the worker that added it, in
 * chunks of shared memory every worker can read (8 bytes a slot, as a
 * WideTable). A worker stores the words in its own store first, then claims
 * a slot by a compare-and-swap of the reference from 0 (publishing the
 * words), then writes the hash; if the state was known, it drops the words.
 * A reader that finds a reference compares the words when the hash is the
 * one it looks for or not written yet (0).
 */
export class SharedWords extends SharedSet {
  readonly words: number;
  readonly store: WordStore;
  /** Every worker's chunks of words, by worker (this worker's are its store's). */
  private readonly chunks: Int32Array[][];

  constructor(
    init: SharedSetInit,
    exchange: TableExchange,
    private readonly me: number,
    private readonly workers: number,
  ) {
    super(init.gate, init.slots, exchange);
    this.words = init.words;
    this.chunks = Array.from({ length: workers }, () => []);
    this.store = new WordStore(init.words, (chunk) => {
      this.chunks[me].push(chunk);
      exchange.publishWords(chunk);
    });
  }

  /** A chunk of words a peer made (TableExchange.receive calls this, in the order the peer made them). */
  offerWords(from: number, chunk: Int32Array): void {
    this.chunks[from].push(chunk);
  }

  /** Adds the state at `src[at..]` (hash `hash`, hashWords): its id in this worker's store if it was new, else -1. Only between enter() and leave(). */
  addHashed(src: Int32Array, at: number, hash: number): number {
    const local = this.store.push(src, at);
    const ref = local * this.workers + this.me + 1;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const j = i << 1;
      let r = slots[j + 1];
      if (r === 0) {
        r = Atomics.compareExchange(slots, j + 1, 0, ref);
        if (r === 0) {
          slots[j] = hash;
          this.counted();
          return local;
        }
      }
      const h = slots[j];
      if ((h === hash || h === 0) && this.holds(j, r - 1, src, at)) {
        this.store.pop();
        return -1;
      }
    }
  }

  /** Whether the state at `src[at..]` is in the set. */
  hasHashed(src: Int32Array, at: number, hash: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const j = i << 1;
      let r = slots[j + 1];
      if (r === 0) r = Atomics.load(slots, j + 1);
      if (r === 0) return false;
      const h = slots[j];
      if ((h === hash || h === 0) && this.holds(j, r - 1, src, at)) return true;
    }
  }

  /** Where `wordsOf` found the last state's words in the chunk it returned. */
  at = 0;

  /** The chunk holding the words of the state with global id `g` (of any worker), at `this.at`. */
  wordsOf(g: number): Int32Array {
    const w = g % this.workers;
    const local = (g - w) / this.workers;
    const c = local >>> WORD_CHUNK_BITS;
    const chunks = this.chunks[w];
    // A chunk is sent before any id in it is claimed: it is in the port's queue.
    while (chunks.length <= c) this.exchange.receive();
    this.at = (local & ((1 << WORD_CHUNK_BITS) - 1)) * this.words;
    return chunks[c];
  }

  /** Whether the state with global id `g` (referenced at slot `j`) has the words at `src[at..]`. */
  private holds(j: number, g: number, src: Int32Array, at: number): boolean {
    // After an atomic load of the reference, the words written before its claim are seen.
    Atomics.load(this.slots, j + 1);
    const chunk = this.wordsOf(g);
    const base = this.at;
    const W = this.words;
    for (let k = 0; k < W; k++) if (chunk[base + k] !== src[at + k]) return false;
    return true;
  }

  /** Into `firsts` the hash in the first slot of each of `hashes[0..n)` (loads only, so that their cache misses overlap). */
  firstAll(hashes: Int32Array, n: number, firsts: Int32Array): void {
    const slots = this.slots;
    const mask = this.mask;
    for (let k = 0; k < n; k++) firsts[k] = slots[(hashes[k] & mask) << 1];
  }

  protected copy(old: Int32Array, from: number, to: number, slots: Int32Array, mask: number): void {
    for (let j = from; j < to; j += 2) {
      const r = old[j + 1];
      if (r === 0) continue;
      const h = old[j];
      let i = h & mask;
      while (Atomics.compareExchange(slots, (i << 1) + 1, 0, r) !== 0) i = (i + 1) & mask;
      slots[i << 1] = h;
    }
  }
}
