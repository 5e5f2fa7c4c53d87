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
 * - One-number codes (`SharedCodes`): the code + 1 as a Float64, whose high
 *   word is claimed with its final value, then the low word written; a
 *   lookup reads the slot with one load.
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
 * every peer that enters meanwhile, or waits at the end of its level
 * (`help`), taking parts too; the parts are cut at empty slots, so that no
 * two write the same slot of the new table and the copy needs no locked
 * instruction (copyPart). Then it moves the generation on, and a worker that
 * enters takes the new table. A batch adds
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
/** The slots of each part a table `old` being copied into the grown one is cut into (at most 2^12 parts, of at least 2^14 slots), and how many parts. */
export const partsOf = (old: Int32Array): [slots: number, parts: number] => {
  const cap = old.length / 2;
  const slots = Math.max(1 << 14, cap >>> 12);
  return [slots, Math.ceil(cap / slots)];
};

/** Slots in a page of memory (8 bytes a slot). */
const PAGE_SLOTS = 4096 / 8;

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
  /** Wakes the peers that wait elsewhere (at the end of a level) to help copy: a grow's copy has opened. */
  wake(): void;
  /**
   * Whether a grow may allocate `bytes` (the run's memory budget; always, if
   * absent). A worker refused does not grow the set again, and should stop
   * adding soon: the set has room past its load of 3/4 for about
   * 2 x BATCH_ADDS states a worker, not more (parallel-worker.ts stops
   * expanding at once: its batch and one state's successors at most).
   */
  allows?(bytes: number): boolean;
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
  /** A grow was refused (TableExchange.allows): this worker does not try again. */
  private refused = false;

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

  protected adopt(slots: Int32Array): void {
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
      if (growing === GROW_COPY) this.copyOpen();
      Atomics.wait(gate, GROWING, growing, 5);
    }
    this.catchUp();
  }

  /** While a worker does not add (at the end of a level): helps copy if a peer's grow is copying (TableExchange.wake says when). The parts it copied. */
  help(): number {
    return Atomics.load(this.gate, GROWING) === GROW_COPY ? this.copyOpen() : 0;
  }

  /** Copies parts of the table being made, once the copy has opened: how many. */
  private copyOpen(): number {
    // The generation being made, from NEXT (set before both tables were sent and the copy
    // opened; GEN may have moved on since GROWING was read, and a grow after it not begun).
    const gen = Atomics.load(this.gate, NEXT) >>> 16;
    while (this.offeredGen < gen) this.exchange.receive();
    return this.copyParts(this.offeredOld!, this.offered!, this.offeredGen);
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

  /** Copies parts of `old` into `slots`, generation `gen`, while there are parts left (each part by one worker): how many it copied. */
  private copyParts(old: Int32Array, slots: Int32Array, gen: number): number {
    const gate = this.gate;
    const parts = partsOf(old)[1];
    let copied = 0;
    for (;;) {
      const v = Atomics.load(gate, NEXT);
      if (v >>> 16 !== gen || (v & 0xffff) >= parts) return copied;
      if (Atomics.compareExchange(gate, NEXT, v, v + 1) !== v) continue;
      this.copyPart(old, v & 0xffff, slots);
      copied++;
      Atomics.add(gate, DONE, 1);
      Atomics.notify(gate, DONE);
    }
  }

  /**
   * Copies part `p` of `old` into `slots`, a table twice its size, with plain
   * stores, while other workers copy other parts into it (nobody reads it
   * before the copy is done). A part is the runs of full slots (clusters)
   * that start in its share of the table, each to its end: a state in a
   * cluster from slot a to slot b - 1 lands in slots a to b - 1 or C + a to
   * C + b - 1 of the grown table (C: the old capacity), and no other's does.
   * (Its home there is its old home or that + C; fewer states than in the old
   * table have homes in each range, so none probes past its end.) So two
   * parts never write the same slot.
   */
  copyPart(old: Int32Array, p: number, slots: Int32Array): void {
    const [partSlots, parts] = partsOf(old);
    const cap = old.length / 2;
    // Slot numbers run on past the old table's end for the cluster that wraps around it.
    const from = this.clusterEnd(old, p * partSlots) + 1;
    const to = p + 1 === parts ? cap + this.clusterEnd(old, 0) : this.clusterEnd(old, (p + 1) * partSlots);
    const mask = slots.length / 2 - 1;
    // The pages of the two ranges it writes, written first: a page of a new buffer read before it
    // is written is mapped twice (a shared page of zeros, then its own).
    for (const base of [from, from + cap]) {
      for (let u = base; u < base + to - from; u = (u | (PAGE_SLOTS - 1)) + 1) slots[(u & mask) << 1] = 0;
    }
    this.copy(old, from, to, slots, mask);
  }

  /** The first empty slot of `old` from slot `i` on (counting on past its end). */
  private clusterEnd(old: Int32Array, i: number): number {
    const mask = old.length / 2 - 1;
    while (this.used(old, i & mask)) i++;
    return i;
  }

  private grow(): void {
    const gate = this.gate;
    // A peer grows it: this worker's next enter() waits and takes the grown table.
    if (this.refused || Atomics.compareExchange(gate, GROWING, 0, GROW_WAIT) !== 0) return;
    // The gate opens even if this throws (a new table refused: the run then ends, and no peer waits in enter()).
    try {
      this.growHolding();
    } finally {
      Atomics.store(gate, GROWING, 0);
      Atomics.notify(gate, GROWING);
    }
  }

  /** grow() once it holds the gate: waits until no worker adds, and makes the new table unless a peer just did. */
  private growHolding(): void {
    const gate = this.gate;
    for (let a = Atomics.load(gate, ACTIVE); a !== 0; a = Atomics.load(gate, ACTIVE)) Atomics.wait(gate, ACTIVE, a, 5);
    this.catchUp();
    if (Atomics.load(gate, SIZE) > this.limit) {
      const old = this.slots;
      if (this.exchange.allows?.(old.byteLength * 2) === false) {
        this.refused = true;
        return;
      }
      const slots = new Int32Array(new SharedArrayBuffer(old.byteLength * 2));
      const gen = this.gen + 1;
      Atomics.store(gate, NEXT, gen << 16);
      Atomics.store(gate, DONE, 0);
      this.exchange.publish(slots, old, gen);
      // The peers that enter now help copy (the others are between levels or will enter after).
      Atomics.store(gate, GROWING, GROW_COPY);
      Atomics.notify(gate, GROWING);
      this.exchange.wake();
      this.copyParts(old, slots, gen);
      const parts = partsOf(old)[1];
      for (let d = Atomics.load(gate, DONE); d < parts; d = Atomics.load(gate, DONE)) Atomics.wait(gate, DONE, d, 1);
      this.adopt(slots);
      this.gen = gen;
      Atomics.store(gate, GEN, gen);
    }
  }

  /** Whether slot `i` of `old` (a table no worker adds to) holds a state. */
  protected abstract used(old: Int32Array, i: number): boolean;

  /** Copies the states in slots `from` to `to` - 1 of `old` (modulo its capacity) into `slots`, a table of `mask` + 1 slots (see copyPart). */
  protected abstract copy(old: Int32Array, from: number, to: number, slots: Int32Array, mask: number): void;
}

/** Which Int32 of a Float64 holds the low 32 bits of its mantissa, and which the sign, the exponent and the rest (by the platform's byte order). */
const LOW = new Int32Array(new Float64Array([1]).buffer)[0] === 0 ? 0 : 1;
const HIGH = 1 - LOW;
/** The sign bit of a slot's high word. */
const SIGN = 1 << 31;
/** A Float64 and its two words, to read a code's. */
const bits = new Float64Array(1);
const bitWords = new Int32Array(bits.buffer);

/**
 * One-number codes (integers below 2^53), one Float64 a slot: the code + 1,
 * negated when the low word of that Float64 (the low 32 bits of its mantissa)
 * is 0 (`keyOf`). A worker claims a slot by a compare-and-swap of its high
 * word from 0 to the value's (one locked instruction per new state), then
 * writes the low word, unless it is 0: then the sign bit the claim set says
 * the value is whole. Each word is written once, from 0.
 *
 * So a plain load of a slot as a Float64 reads 0, a whole value, a claimed
 * value whose low word is not written yet (positive, with a low word of 0:
 * no code's key), or, on a processor that lets the second write be seen
 * first, the low word alone (a value between -1 and 1); a load that reads a
 * code's key has found that code. A batch's lookups (firstAll) take one load
 * each, as PackedTable's do; anything but a key is settled on the words,
 * waiting for a low word being written. (ECMAScript lets a racing Float64
 * read tear anywhere; V8 reads one with a single aligned 8-byte load, which
 * tears at most between the two words, the cases above.)
 */
export class SharedCodes extends SharedSet {
  /** The table as Float64s (`slots` as Int32s: slot i is words 2i and 2i + 1); declared only, since the base's constructor sets it (adopt). */
  private declare values: Float64Array;

  constructor(init: SharedSetInit, exchange: TableExchange) {
    super(init.gate, init.slots, exchange);
  }

  protected override adopt(slots: Int32Array): void {
    super.adopt(slots);
    this.values = new Float64Array(slots.buffer, slots.byteOffset, slots.length / 2);
  }

  /** What a slot holding `code` reads as a Float64: the value a firstAll entry is compared with. */
  keyOf(code: number): number {
    bits[0] = code + 1;
    return bitWords[LOW] === 0 ? -(code + 1) : code + 1;
  }

  /** Adds `code` (hash `hash`, hashPacked): true if it was new. Only between enter() and leave(). */
  addHashed(code: number, hash: number): boolean {
    const key = this.keyOf(code);
    const lo = bitWords[LOW];
    const hi = lo === 0 ? bitWords[HIGH] | SIGN : bitWords[HIGH];
    const values = this.values;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      if (values[i] === key) return false;
      const j = i << 1;
      let h = slots[j + HIGH];
      if (h === 0) {
        h = Atomics.compareExchange(slots, j + HIGH, 0, hi);
        if (h === 0) {
          if (lo !== 0) slots[j + LOW] = lo;
          this.counted();
          return true;
        }
      }
      if (h === hi && this.lowIs(j + LOW, lo)) return false;
    }
  }

  /** Whether `code` is in the set. */
  hasHashed(code: number, hash: number): boolean {
    const key = this.keyOf(code);
    const lo = bitWords[LOW];
    const hi = lo === 0 ? bitWords[HIGH] | SIGN : bitWords[HIGH];
    const values = this.values;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      if (values[i] === key) return true;
      const j = i << 1;
      let h = slots[j + HIGH];
      if (h === 0) h = Atomics.load(slots, j + HIGH);
      if (h === 0) return false;
      if (h === hi && this.lowIs(j + LOW, lo)) return true;
    }
  }

  /**
   * Whether the low word at `j`, of a slot whose high word is the one of a
   * code whose low word is `lo`, is `lo`, waiting for it while it is being
   * written. (A high word with the sign bit is whole, its low word 0.)
   */
  private lowIs(j: number, lo: number): boolean {
    if (lo === 0) return true;
    const slots = this.slots;
    let seen = slots[j];
    // The writer stores it right after its claim; if it was descheduled in between, wait in steps of 1 ms.
    for (let spins = 0; seen === 0; spins++) {
      if (spins >= 1000) Atomics.wait(slots, j, 0, 1);
      seen = Atomics.load(slots, j);
    }
    return seen === lo;
  }

  /**
   * Into `firsts` the Float64 in the first slot of each of `hashes[0..n)`:
   * `keyOf(code)` there means the code is known. Loads that do not depend on
   * each other, so their cache misses overlap (see PackedTable.hashAll).
   */
  firstAll(hashes: Int32Array, n: number, firsts: Float64Array): void {
    const values = this.values;
    const mask = this.mask;
    for (let k = 0; k < n; k++) firsts[k] = values[hashes[k] & mask];
  }

  protected used(old: Int32Array, i: number): boolean {
    return old[(i << 1) + HIGH] !== 0;
  }

  protected copy(old: Int32Array, from: number, to: number, slots: Int32Array, mask: number): void {
    const src = new Float64Array(old.buffer, old.byteOffset, old.length / 2);
    const dst = new Float64Array(slots.buffer, slots.byteOffset, slots.length / 2);
    const omask = src.length - 1;
    for (let u = from; u < to; u++) {
      const v = src[u & omask];
      if (v === 0) continue;
      let i = hashPacked(Math.abs(v) - 1) & mask;
      while (dst[i] !== 0) i = (i + 1) & mask;
      dst[i] = v;
    }
  }
}

/**
 * Word-packed states: a slot is the state's hash and a reference to its words
 * (its global id + 1; ids are local id x workers + worker, as in
 * parallel.ts), which live in the store of the worker that added it, in
 * chunks of shared memory every worker can read (8 bytes a slot, as a
 * WideTable). A worker that comes to an empty slot stores the words in its
 * own store, then claims the slot by a compare-and-swap of the reference
 * from 0 (publishing the words), then writes the hash; if another worker
 * claimed it first and the state turns out known, it drops the words.
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
    const slots = this.slots;
    const mask = this.mask;
    // Its words go into the store (published) only when it comes to claim an empty slot.
    let local = -1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const j = i << 1;
      let r = slots[j + 1];
      if (r === 0) {
        if (local < 0) local = this.store.push(src, at);
        r = Atomics.compareExchange(slots, j + 1, 0, local * this.workers + this.me + 1);
        if (r === 0) {
          slots[j] = hash;
          this.counted();
          return local;
        }
      }
      const h = slots[j];
      if ((h === hash || h === 0) && this.holds(j, r - 1, src, at)) {
        if (local >= 0) this.store.pop();
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

  protected used(old: Int32Array, i: number): boolean {
    return old[(i << 1) + 1] !== 0;
  }

  protected copy(old: Int32Array, from: number, to: number, slots: Int32Array, mask: number): void {
    const omask = old.length / 2 - 1;
    for (let u = from; u < to; u++) {
      const j = (u & omask) << 1;
      const r = old[j + 1];
      if (r === 0) continue;
      const h = old[j];
      let i = h & mask;
      while (slots[(i << 1) + 1] !== 0) i = (i + 1) & mask;
      slots[i << 1] = h;
      slots[(i << 1) + 1] = r;
    }
  }
}
