/**
 * Compact storage for large state spaces.
 *
 * JavaScript's Map and Set stop at 2^24 entries, and a Map<string, number>
 * costs well over 100 bytes per state. These structures keep a state in a few
 * bytes of typed arrays instead:
 *
 * - `PackedTable`: an open-addressing hash set of packed states (integers
 *   0 .. 2^53 - 2, stored as Float64 values). Linear probing, so the hash must
 *   mix the key bits well: a packed state's low bits are often its least
 *   varying fields, and with a weak hash the probe runs grow long (a test of
 *   the design measured such a table eight times slower). The table doubles by
 *   rehashing at a load of 3/4; its size is bounded only by memory.
 * - `ChunkedInt32`, `ChunkedFloat64`: growable arrays made of fixed-size
 *   chunks, so growing never copies (no 2x peak) and length is not capped.
 * - `StringTable`: canonical string key -> id for models without a codec: one
 *   Map while small, sharded over many Maps by a string hash once it grows.
 */

/**
 * A new typed array of `n` zeros whose memory is already mapped: one zero is
 * written into each 4 KB page, in address order. A large typed array is fresh
 * memory that the operating system maps page by page on the first write to
 * each. A table's rehash writes its new slots in scattered order, and those
 * page faults were slow when two worker threads of one process took them at
 * the same time: a worker's rehash into 64 MB took 270 to 350 ms, against
 * 100 ms for the one thread of a run alone. Two processes did not slow each
 * other down. Mapped here first, the 64 MB cost a worker 36 to 46 ms and its
 * rehash 54 ms (docs/performance.md).
 */
export function mappedZeros<T extends Float64Array | Int32Array>(make: new (n: number) => T, n: number): T {
  return mapPages(new make(n));
}

/** Writes a zero into each 4 KB page of the new (all zero) array `a`, in address order: see mappedZeros. */
export function mapPages<T extends Float64Array | Int32Array>(a: T): T {
  const step = 4096 / a.BYTES_PER_ELEMENT;
  for (let j = 0; j < a.length; j += step) a[j] = 0;
  return a;
}

/** States per chunk of the per-state arrays (2^20). */
export const CHUNK_BITS = 20;
/** Entries a chunk starts with: it doubles up to its whole size as it fills (growing copies only while small). */
const FIRST_CHUNK = 1 << 12;

/**
 * A growable Int32 array in chunks of 2^bits elements. (ChunkedFloat64 below is
 * the same for Float64: two classes rather than one generic, so that each
 * one's element loads and stores in the exploration loop see one array type.)
 */
export class ChunkedInt32 {
  private readonly chunks: Int32Array[] = [];
  private readonly mask: number;
  length = 0;
  constructor(private readonly bits = CHUNK_BITS) {
    this.mask = (1 << bits) - 1;
  }
  push(v: number): void {
    const i = this.length;
    const c = i >>> this.bits;
    if (c === this.chunks.length) this.chunks.push(new Int32Array(c === 0 ? Math.min(FIRST_CHUNK, 1 << this.bits) : 1 << this.bits));
    let chunk = this.chunks[c];
    const j = i & this.mask;
    // The first chunk starts small and doubles (a small run allocates little); the others are whole.
    if (j === chunk.length) {
      const grown = new Int32Array(Math.min(chunk.length * 2, 1 << this.bits));
      grown.set(chunk);
      this.chunks[c] = chunk = grown;
    }
    chunk[j] = v;
    this.length = i + 1;
  }
  get(i: number): number {
    return this.chunks[i >>> this.bits][i & this.mask];
  }
  /** Bytes reserved. */
  get bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }
}

/**
 * A growable Float64 array in chunks of 2^bits elements. Given `made`, its
 * chunks are of shared memory and whole from the first, and each is handed to
 * `made` as it is made: a parallel worker's codes, which its peers read
 * (parallel-worker.ts).
 */
export class ChunkedFloat64 {
  private readonly chunks: Float64Array[] = [];
  private readonly mask: number;
  length = 0;
  constructor(
    private readonly bits = CHUNK_BITS,
    private readonly made?: (c: number, chunk: Float64Array) => void,
  ) {
    this.mask = (1 << bits) - 1;
  }
  push(v: number): void {
    const i = this.length;
    const c = i >>> this.bits;
    if (c === this.chunks.length) this.chunks.push(this.newChunk(c));
    let chunk = this.chunks[c];
    const j = i & this.mask;
    if (j === chunk.length) {
      const grown = new Float64Array(Math.min(chunk.length * 2, 1 << this.bits));
      grown.set(chunk);
      this.chunks[c] = chunk = grown;
    }
    chunk[j] = v;
    this.length = i + 1;
  }
  private newChunk(c: number): Float64Array {
    if (this.made === undefined) return new Float64Array(c === 0 ? Math.min(FIRST_CHUNK, 1 << this.bits) : 1 << this.bits);
    const chunk = new Float64Array(new SharedArrayBuffer(8 << this.bits));
    this.made(c, chunk);
    return chunk;
  }
  get(i: number): number {
    return this.chunks[i >>> this.bits][i & this.mask];
  }
  get bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }
}

/** The largest value a packed state may take (the table stores value + 1, keeping 0 for empty slots). */
export const MAX_PACKED = Number.MAX_SAFE_INTEGER - 1;

/** Whether a codec's `pack` returned a valid code: an integer from 0 to MAX_PACKED. */
export const isPackedCode = (c: number): boolean => c >= 0 && c <= MAX_PACKED && Math.floor(c) === c;

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
const fmix32 = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
};

/**
 * The hash of a packed state (an integer below 2^53), mixed from its two
 * 32-bit halves.
 */
export const hashPacked = (code: number): number => {
  const lo = code >>> 0;
  const hi = (code / 4294967296) >>> 0;
  return fmix32(lo ^ fmix32(hi + 0x9e3779b9));
};

/**
 * A hash set of packed states. `add` returns true if the value was new.
 * Capacity is a power of two; it doubles when 3/4 full.
 */
export class PackedTable {
  private slots: Float64Array;
  private mask: number;
  size = 0;
  private limit: number;

  constructor(initialCapacity = 1 << 16) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.slots = new Float64Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * 0.75);
  }

  get capacity(): number {
    return this.slots.length;
  }

  /** Bytes the next growth would allocate (for a memory guard to refuse it in time). */
  get growthBytes(): number {
    return this.size + 1 > this.limit ? this.slots.length * 16 : 0;
  }

  get bytes(): number {
    return this.slots.length * 8;
  }

  has(code: number): boolean {
    return this.hasHashed(code, hashPacked(code));
  }

  add(code: number): boolean {
    return this.addHashed(code, hashPacked(code));
  }

  /**
   * The hashes of `codes[0..n)` into `hashes`, and into `firsts` the value in
   * each one's first slot (code + 1 there means the code is known). A large
   * table's slots are far apart in memory, so a lookup mostly waits for a
   * cache miss; these reads do not depend on each other, so the processor
   * overlaps their misses, and the lookups that follow (`hasHashed`,
   * `addHashed`, in order) find their slots in cache (docs/performance.md).
   */
  hashAll(codes: Float64Array, n: number, hashes: Int32Array, firsts: Float64Array): void {
    for (let k = 0; k < n; k++) hashes[k] = hashPacked(codes[k]);
    this.firstAll(hashes, n, firsts);
  }

  /** What a slot holding `code` reads as: code + 1 (0 is an empty slot). */
  keyOf(code: number): number {
    return code + 1;
  }

  /** Into `firsts` the value in the first slot of each of `hashes[0..n)` (see hashAll). */
  firstAll(hashes: Int32Array, n: number, firsts: Float64Array): void {
    const slots = this.slots;
    const mask = this.mask;
    // A loop of loads only: more of them fit in the processor's window at once.
    for (let k = 0; k < n; k++) firsts[k] = slots[hashes[k] & mask];
  }

  /** `has`, given the code's hash (`hashPacked(code)`). */
  hasHashed(code: number, hash: number): boolean {
    const v = code + 1;
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const s = slots[i];
      if (s === v) return true;
      if (s === 0) return false;
      i = (i + 1) & mask;
    }
  }

  /** `add`, given the code's hash (`hashPacked(code)`). */
  addHashed(code: number, hash: number): boolean {
    const v = code + 1;
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const s = slots[i];
      if (s === v) return false;
      if (s === 0) break;
      i = (i + 1) & mask;
    }
    slots[i] = v;
    if (++this.size > this.limit) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const cap = old.length * 2;
    const slots = mappedZeros(Float64Array, cap);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j++) {
      const v = old[j];
      if (v === 0) continue;
      let i = hashPacked(v - 1) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = v;
    }
    this.slots = slots;
    this.mask = mask;
    this.limit = Math.floor(cap * 0.75);
  }
}

/** FNV-1a over the UTF-16 code units, finalised: picks a shard of a StringTable. */
export const hashString = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
};

/**
 * Canonical key -> id, without the 2^24 limit of one Map: one Map until it
 * holds `shardAt` keys, then `shards` Maps chosen by a hash of the key.
 */
export class StringTable {
  private maps: Map<string, number>[] = [new Map()];
  private sharded = false;
  size = 0;

  constructor(
    private readonly shardAt = 1 << 22,
    private readonly shards = 256,
  ) {}

  get(key: string): number | undefined {
    return this.sharded ? this.maps[hashString(key) & (this.shards - 1)].get(key) : this.maps[0].get(key);
  }

  set(key: string, id: number): void {
    if (!this.sharded && this.size >= this.shardAt) this.shard();
    const m = this.sharded ? this.maps[hashString(key) & (this.shards - 1)] : this.maps[0];
    const before = m.size;
    m.set(key, id);
    if (m.size !== before) this.size++;
  }

  /** How many Maps the keys are spread over. */
  get mapCount(): number {
    return this.maps.length;
  }

  private shard(): void {
    const old = this.maps[0];
    this.maps = Array.from({ length: this.shards }, () => new Map<string, number>());
    this.sharded = true;
    for (const [k, v] of old) this.maps[hashString(k) & (this.shards - 1)].set(k, v);
  }
}

/** murmur3's 32-bit hash over `words` Int32 words: every bit of every word affects every output bit. */
export const hashWords = (src: Int32Array, at: number, words: number): number => {
  let h = 0x9747b28c;
  for (let i = 0; i < words; i++) {
    let k = Math.imul(src[at + i], 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ (words << 2));
};

/** Entries per chunk of a WordStore (2^14: small models stay small, large ones never copy): the chunk of entry `i` is `i >>> WORD_CHUNK_BITS`. */
export const WORD_CHUNK_BITS = 14;

/**
 * States of `words` Int32 words each, by id, in chunks (growing never copies).
 * With `shared`, every chunk is whole from the start, in shared memory, and
 * given to `shared` when it is made (so that other threads can read it).
 */
export class WordStore {
  private readonly chunks: Int32Array[] = [];
  private readonly mask = (1 << WORD_CHUNK_BITS) - 1;
  length = 0;
  constructor(
    readonly words: number,
    private readonly shared?: (chunk: Int32Array) => void,
  ) {}

  /** Appends the words at `src[at..]`; returns the new entry's index. */
  push(src: Int32Array, at: number): number {
    const i = this.length;
    const W = this.words;
    const c = i >>> WORD_CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(this.newChunk(c));
    let chunk = this.chunks[c];
    const base = (i & this.mask) * W;
    if (base === chunk.length) {
      const grown = new Int32Array(Math.min(chunk.length * 2, W << WORD_CHUNK_BITS));
      grown.set(chunk);
      this.chunks[c] = chunk = grown;
    }
    for (let k = 0; k < W; k++) chunk[base + k] = src[at + k];
    this.length = i + 1;
    return i;
  }

  /** Chunk `c`: the first starts small and doubles (a small run allocates little), the others are whole. */
  private newChunk(c: number): Int32Array {
    const W = this.words;
    if (this.shared === undefined) return new Int32Array(c === 0 ? W << Math.min(10, WORD_CHUNK_BITS) : W << WORD_CHUNK_BITS);
    const chunk = new Int32Array(new SharedArrayBuffer((4 * W) << WORD_CHUNK_BITS));
    this.shared(chunk);
    return chunk;
  }

  /** Drops the last entry (its words stay in the chunk until overwritten). */
  pop(): void {
    this.length--;
  }

  /** Copies entry `i` to `out[at..]`. */
  read(i: number, out: Int32Array, at: number): void {
    const W = this.words;
    const chunk = this.chunks[i >>> WORD_CHUNK_BITS];
    const base = (i & this.mask) * W;
    for (let k = 0; k < W; k++) out[at + k] = chunk[base + k];
  }

  /** Whether entry `i` holds the words at `src[at..]`. */
  equals(i: number, src: Int32Array, at: number): boolean {
    const W = this.words;
    const chunk = this.chunks[i >>> WORD_CHUNK_BITS];
    const base = (i & this.mask) * W;
    for (let k = 0; k < W; k++) if (chunk[base + k] !== src[at + k]) return false;
    return true;
  }

  get bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }
}

/**
 * A hash set of word-packed states, which live in a WordStore by id: each
 * slot holds a state's hash and its id + 1 (0 for an empty slot), side by
 * side, so a probe reads one cache line and compares the words only when the
 * hashes agree. Linear probing; doubles at a load of 3/4 (the hashes are
 * kept, so growing reads no words).
 */
export class WideTable {
  private slots: Int32Array;
  private mask: number;
  size = 0;
  private limit: number;

  constructor(
    private readonly keys: WordStore,
    initialCapacity = 1 << 12,
  ) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.slots = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * 0.75);
  }

  get capacity(): number {
    return this.slots.length >>> 1;
  }

  get growthBytes(): number {
    return this.size + 1 > this.limit ? this.slots.length * 8 : 0;
  }

  get bytes(): number {
    return this.slots.length * 4;
  }

  /** The hash stored in the first slot of each of `hashes[0..n)` into `firsts` (loads only, see PackedTable.hashAll). */
  firstAll(hashes: Int32Array, n: number, firsts: Int32Array): void {
    const slots = this.slots;
    const mask = this.mask;
    for (let k = 0; k < n; k++) firsts[k] = slots[(hashes[k] & mask) << 1];
  }

  /** The id of the state at `src[at..]` (with hash `hash`), or -1. */
  find(src: Int32Array, at: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const keys = this.keys;
    let i = hash & mask;
    for (;;) {
      const id1 = slots[(i << 1) + 1];
      if (id1 === 0) return -1;
      if (slots[i << 1] === hash && keys.equals(id1 - 1, src, at)) return id1 - 1;
      i = (i + 1) & mask;
    }
  }

  /** Whether the state at `src[at..]` (with hash `hash`) is in the set. */
  hasHashed(src: Int32Array, at: number, hash: number): boolean {
    return this.find(src, at, hash) >= 0;
  }

  /** The words the ids index. */
  get store(): WordStore {
    return this.keys;
  }

  /** Adds the state at `src[at..]` (with hash `hash`): its id in the store if it was new, else -1. */
  addHashed(src: Int32Array, at: number, hash: number): number {
    if (this.find(src, at, hash) >= 0) return -1;
    const id = this.keys.push(src, at);
    this.insert(hash, id);
    return id;
  }

  /** Records id `id` (whose words are in the store) under `hash`; the caller knows it is absent. */
  insert(hash: number, id: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    while (slots[(i << 1) + 1] !== 0) i = (i + 1) & mask;
    slots[i << 1] = hash;
    slots[(i << 1) + 1] = id + 1;
    if (++this.size > this.limit) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const cap = old.length; // twice the slots: old.length / 2 * 2
    const slots = mappedZeros(Int32Array, cap * 2);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 2) {
      const id1 = old[j + 1];
      if (id1 === 0) continue;
      const h = old[j];
      let i = h & mask;
      while (slots[(i << 1) + 1] !== 0) i = (i + 1) & mask;
      slots[i << 1] = h;
      slots[(i << 1) + 1] = id1;
    }
    this.slots = slots;
    this.mask = mask;
    this.limit = Math.floor(cap * 0.75);
  }
}
