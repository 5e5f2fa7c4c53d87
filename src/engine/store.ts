/**
 * The visited set of a breadth-first exploration. Per state it keeps its
 * identity (the canonical key, or the packed code when the model has a codec),
 * the parent link and the index of the action (in the parent's ordered action
 * list; for a root, its index among the initial states) that first reached it.
 * States themselves are not kept, except those of the level being expanded
 * when they cannot be unpacked: a trace is rebuilt by replaying actions from
 * an initial state.
 *
 * Ids are given in discovery order, so a breadth-first level is a range of ids.
 */
import { isWordsCodec, type Model, type StateCodec, type WordsCodec } from './model.js';
import { SpecError } from './errors.js';
import { ChunkedFloat64, ChunkedInt32, hashPacked, hashWords, isPackedCode, PackedTable, StringTable, WideTable, WordStore } from './table.js';
import type { Identity } from './trace.js';

/** What trace rebuilding needs from a store. */
export interface TraceStore {
  readonly size: number;
  parent(id: number): number;
  action(id: number): number;
  /** The stored identity of state `id`: its key, or its packed code. */
  stored(id: number): string | number;
  /** Ids from the root to `id`, inclusive. */
  pathTo(id: number): number[];
}

/** A visited set the explorer drives: identity, parent links, and the states of the level being expanded. */
export interface Space<S> extends TraceStore {
  /** Adds the state if it is new: returns its id, or -1 if it was known. */
  add(state: S, parent: number, action: number): number;
  has(state: S): boolean;
  /**
   * The same by identity (from `identity`): `state` may be omitted when the
   * space can unpack it (a packed space). For parallel exploration.
   */
  addIdentity(identity: string | number, state: S | undefined, parent: number, action: number): number;
  hasIdentity(identity: string | number): boolean;
  /** The state with id `id`, which must be in the level being expanded. */
  state(id: number): S;
  /** The states added since the last call become the level being expanded. */
  nextLevel(): void;
  /** The identity of a state, comparable with `stored`. */
  identity(state: S): string | number;
  /** A readable form of a stored identity (for error messages). */
  describe(stored: string | number): string;
  /** Bytes the visited set reserves, and how many more its next growth would take. */
  readonly bytes: number;
  readonly growthBytes: number;
}

/**
 * The visited set of one-number codes a PackedSpace keeps: a PackedTable,
 * or in a parallel run the set the workers share (shared-set.ts).
 */
export interface CodeSet {
  addHashed(code: number, hash: number): boolean;
  hasHashed(code: number, hash: number): boolean;
  /** The value in the first slot of each of `hashes[0..n)` into `firsts`: `keyOf(code)` there means the code is known (see PackedTable.hashAll). */
  firstAll(hashes: Int32Array, n: number, firsts: Float64Array): void;
  /** What a slot holding `code` reads as (a PackedTable's: code + 1; the shared set's: see SharedCodes). */
  keyOf(code: number): number;
  readonly bytes: number;
  readonly growthBytes: number;
}

/** The visited set of word-packed states a WideSpace keeps, with the store of their words by id: a WideTable, or the workers' shared set. */
export interface WordSet {
  readonly store: WordStore;
  /** Adds the state at `src[at..]` (hash `hash`, hashWords): its id in the store if it was new, else -1. */
  addHashed(src: Int32Array, at: number, hash: number): number;
  hasHashed(src: Int32Array, at: number, hash: number): boolean;
  /** Reads the first slot of each of `hashes[0..n)` (loads only, see PackedTable.hashAll). */
  firstAll(hashes: Int32Array, n: number, firsts: Int32Array): void;
  readonly bytes: number;
  readonly growthBytes: number;
}

function pathOf(parent: (id: number) => number, id: number): number[] {
  const path: number[] = [];
  for (let cur = id; cur !== -1; cur = parent(cur)) path.push(cur);
  return path.reverse();
}

/** A growable array of any values, in chunks (a JS array stops well before 2^32 elements). */
class ChunkedArray<T> {
  private readonly chunks: T[][] = [];
  length = 0;
  push(v: T): void {
    const c = this.length >>> 20;
    if (c === this.chunks.length) this.chunks.push([]);
    this.chunks[c].push(v);
    this.length++;
  }
  get(i: number): T {
    return this.chunks[i >>> 20][i & 0xfffff];
  }
}

/** What both visited sets keep by id for traces: the parent link and the action index. */
abstract class Links {
  protected readonly parents = new ChunkedInt32();
  protected readonly actions = new ChunkedInt32();

  parent(id: number): number {
    return this.parents.get(id);
  }
  action(id: number): number {
    return this.actions.get(id);
  }
  pathTo(id: number): number[] {
    return pathOf((i) => this.parents.get(i), id);
  }
  /** Bytes the links reserve. */
  protected get linkBytes(): number {
    return this.parents.bytes + this.actions.bytes;
  }
}

/** States keyed by their canonical string key (models without a codec). */
export class KeyedSpace<S> extends Links implements Space<S> {
  private readonly ids: StringTable;
  private readonly keys = new ChunkedArray<string>();
  private cur: S[] = [];
  private curStart = 0;
  private next: S[] = [];

  constructor(
    private readonly key: (s: S) => string,
    shardAt?: number,
  ) {
    super();
    this.ids = new StringTable(shardAt);
  }

  get size(): number {
    return this.keys.length;
  }

  add(state: S, parent: number, action: number): number {
    const k = this.key(state);
    if (this.ids.get(k) !== undefined) return -1;
    return this.insert(k, state, parent, action);
  }

  addIdentity(identity: string | number, state: S | undefined, parent: number, action: number): number {
    const k = identity as string;
    if (this.ids.get(k) !== undefined) return -1;
    return this.insert(k, state as S, parent, action);
  }

  hasIdentity(identity: string | number): boolean {
    return this.ids.get(identity as string) !== undefined;
  }

  private insert(k: string, state: S, parent: number, action: number): number {
    const id = this.keys.length;
    this.ids.set(k, id);
    this.keys.push(k);
    this.parents.push(parent);
    this.actions.push(action);
    this.next.push(state);
    return id;
  }

  has(state: S): boolean {
    return this.ids.get(this.key(state)) !== undefined;
  }

  state(id: number): S {
    return this.cur[id - this.curStart];
  }

  nextLevel(): void {
    this.curStart = this.keys.length - this.next.length;
    this.cur = this.next;
    this.next = [];
  }

  identity(state: S): string {
    return this.key(state);
  }

  describe(stored: string | number): string {
    return String(stored);
  }

  stored(id: number): string {
    return this.keys.get(id);
  }

  get bytes(): number {
    return this.linkBytes;
  }
  get growthBytes(): number {
    return 0;
  }
}

/** A packed code as its state's key (for error messages). */
const describePacked = <S>(model: Model<S, any>, codec: StateCodec<S>, code: number): string => `${model.key(codec.unpack(code))} (packed ${code})`;

/** The words a words codec packs a state into, as text: a wide state's identity in traces and messages. */
export const wordsText = (src: Int32Array, at: number, words: number): string => {
  let t = String(src[at]);
  for (let k = 1; k < words; k++) t += `,${src[at + k]}`;
  return t;
};

/** The identity of a state under a words codec (its words as text). */
const wordsIdentity = <S>(codec: WordsCodec<S>, scratch: Int32Array, s: S): string => {
  codec.pack(s, scratch, 0);
  return wordsText(scratch, 0, codec.words);
};

/** A stored identity under a words codec, as its state's key (for error messages). */
const describeWords = <S>(model: Model<S, any>, codec: WordsCodec<S>, stored: string): string => {
  const words = Int32Array.from(stored.split(',').map(Number));
  return `${model.key(codec.unpack(words, 0))} (packed ${stored})`;
};

/**
 * How a trace compares a replayed state with a stored one, for a visited set
 * kept elsewhere (the parallel workers'): by packed code or words with a
 * codec, by key without.
 */
export function identityFor<S>(model: Model<S, any>): Identity<S> {
  const codec = model.codec;
  if (codec === undefined) return { of: (s) => model.key(s), describe: String };
  if (isWordsCodec(codec)) {
    const scratch = new Int32Array(codec.words);
    return { of: (s) => wordsIdentity(codec, scratch, s), describe: (k) => describeWords(model, codec, k as string) };
  }
  return { of: (s) => codec.pack(s), describe: (k) => describePacked(model, codec, k as number) };
}

/** The error for a codec's `pack` that returned something other than an integer from 0 to MAX_PACKED. */
export const badCodeError = <S>(model: Model<S, any>, c: number, state: S): SpecError =>
  new SpecError(`model ${model.name}: codec.pack returned ${c}, not an integer from 0 to 2^53 - 2, for state ${model.key(state)}`);

/**
 * States packed by the model's codec into integers: a hash set of codes plus,
 * by id, the code, the parent and the action (about 16 bytes per state plus
 * the table's 8 bytes per slot at a load of 3/8 to 3/4). The level being
 * expanded is unpacked from the codes, so no state object outlives its use.
 */
export class PackedSpace<S> extends Links implements Space<S> {
  /**
   * `table`: the visited set of codes; the workers of a parallel run give one
   * they share (shared-set.ts), and `codes` in shared memory, since their peers
   * read the states they add (parallel-worker.ts).
   */
  constructor(
    private readonly model: Model<S, any>,
    readonly codec: StateCodec<S>,
    private readonly table: CodeSet = new PackedTable(),
    private readonly codes = new ChunkedFloat64(),
  ) {
    super();
  }

  get size(): number {
    return this.codes.length;
  }

  /** Hashes of a batch of codes, for `hasHashed` and `addHashed` (see PackedTable.hashAll). */
  hashAll(codes: Float64Array, n: number, hashes: Int32Array, firsts: Float64Array): void {
    for (let k = 0; k < n; k++) hashes[k] = hashPacked(codes[k]);
    this.table.firstAll(hashes, n, firsts);
  }

  /** See PackedTable.firstAll. */
  firstAll(hashes: Int32Array, n: number, firsts: Float64Array): void {
    this.table.firstAll(hashes, n, firsts);
  }

  hasHashed(code: number, hash: number): boolean {
    return this.table.hasHashed(code, hash);
  }

  /** `addIdentity` for a code whose hash is known: its id, or -1 if it was known. */
  addHashed(code: number, hash: number, parent: number, action: number): number {
    if (!this.table.addHashed(code, hash)) return -1;
    const id = this.codes.length;
    this.codes.push(code);
    this.parents.push(parent);
    this.actions.push(action);
    return id;
  }

  code(state: S): number {
    const c = this.codec.pack(state);
    if (!isPackedCode(c)) throw badCodeError(this.model, c, state);
    return c;
  }

  add(state: S, parent: number, action: number): number {
    return this.addIdentity(this.code(state), undefined, parent, action);
  }

  hasIdentity(identity: string | number): boolean {
    return this.table.hasHashed(identity as number, hashPacked(identity as number));
  }

  addIdentity(identity: string | number, _state: S | undefined, parent: number, action: number): number {
    return this.addHashed(identity as number, hashPacked(identity as number), parent, action);
  }

  has(state: S): boolean {
    const c = this.code(state);
    return this.table.hasHashed(c, hashPacked(c));
  }

  state(id: number): S {
    return this.codec.unpack(this.codes.get(id));
  }

  nextLevel(): void {}

  identity(state: S): number {
    return this.code(state);
  }

  describe(stored: string | number): string {
    return describePacked(this.model, this.codec, stored as number);
  }

  stored(id: number): number {
    return this.codes.get(id);
  }

  get bytes(): number {
    return this.table.bytes + this.codes.bytes + this.linkBytes;
  }
  get growthBytes(): number {
    return this.table.growthBytes;
  }
}

/**
 * States packed by the model's words codec into `words` Int32 words each: a
 * WideTable of hashes and ids plus, by id, the words, the parent and the
 * action (4 x words + 8 bytes per state, plus the table's 8 bytes per slot at
 * a load of 3/8 to 3/4). As in PackedSpace, the level being expanded is
 * unpacked from the stored words. The hot path works on words in typed
 * arrays (`hash`, `findHashed`, `addHashed`, `read`); the Space methods on
 * state objects are for roots, traces and tests.
 */
export class WideSpace<S> extends Links implements Space<S> {
  readonly words: number;
  private readonly store: WordStore;
  private readonly table: WordSet;
  private readonly scratch: Int32Array;

  /** `table`: the visited set with its store of words; by default a WideTable (the workers of a parallel run give one they share, shared-set.ts). */
  constructor(
    private readonly model: Model<S, any>,
    readonly codec: WordsCodec<S>,
    table?: WordSet,
  ) {
    super();
    this.words = codec.words;
    this.table = table ?? new WideTable(new WordStore(codec.words));
    this.store = this.table.store;
    this.scratch = new Int32Array(codec.words);
  }

  get size(): number {
    return this.store.length;
  }

  /** See WideTable.firstAll. */
  firstAll(hashes: Int32Array, n: number, firsts: Int32Array): void {
    this.table.firstAll(hashes, n, firsts);
  }

  /** Whether the state whose words are at `src[at..]` and whose hash is `hash` (hashWords) is known. */
  hasHashed(src: Int32Array, at: number, hash: number): boolean {
    return this.table.hasHashed(src, at, hash);
  }

  /** Adds the state whose words are at `src[at..]`: its new id, or -1 if it was known. */
  addHashed(src: Int32Array, at: number, hash: number, parent: number, action: number): number {
    const id = this.table.addHashed(src, at, hash);
    if (id < 0) return -1;
    this.parents.push(parent);
    this.actions.push(action);
    return id;
  }

  /** Copies the words of state `id` to `out[at..]`. */
  read(id: number, out: Int32Array, at: number): void {
    this.store.read(id, out, at);
  }

  private packScratch(state: S): Int32Array {
    this.codec.pack(state, this.scratch, 0);
    return this.scratch;
  }

  add(state: S, parent: number, action: number): number {
    const w = this.packScratch(state);
    return this.addHashed(w, 0, hashWords(w, 0, this.words), parent, action);
  }

  has(state: S): boolean {
    const w = this.packScratch(state);
    return this.table.hasHashed(w, 0, hashWords(w, 0, this.words));
  }

  private parse(identity: string | number): Int32Array {
    const parts = String(identity).split(',');
    if (parts.length !== this.words) throw new SpecError(`model ${this.model.name}: a stored identity has ${parts.length} words, not ${this.words}`);
    for (let k = 0; k < this.words; k++) this.scratch[k] = Number(parts[k]);
    return this.scratch;
  }

  addIdentity(identity: string | number, _state: S | undefined, parent: number, action: number): number {
    const w = this.parse(identity);
    return this.addHashed(w, 0, hashWords(w, 0, this.words), parent, action);
  }

  hasIdentity(identity: string | number): boolean {
    const w = this.parse(identity);
    return this.table.hasHashed(w, 0, hashWords(w, 0, this.words));
  }

  state(id: number): S {
    this.store.read(id, this.scratch, 0);
    return this.codec.unpack(this.scratch, 0);
  }

  nextLevel(): void {}

  identity(state: S): string {
    return wordsText(this.packScratch(state), 0, this.words);
  }

  describe(stored: string | number): string {
    return describeWords(this.model, this.codec, String(stored));
  }

  stored(id: number): string {
    this.store.read(id, this.scratch, 0);
    return wordsText(this.scratch, 0, this.words);
  }

  get bytes(): number {
    return this.table.bytes + this.store.bytes + this.linkBytes;
  }
  get growthBytes(): number {
    return this.table.growthBytes;
  }
}

/**
 * The visited set for a model: packed (one number, or words) when it
 * declares a codec, keyed by its canonical string otherwise. A codec must
 * round-trip: checked on the initial states. `sets` gives the visited set of
 * packed states (the workers of a parallel run share one) and, with `store`,
 * where a one-number state's codes are kept.
 */
export function spaceFor<S>(model: Model<S, any>, sets?: { codes(): CodeSet; words(): WordSet; store?(): ChunkedFloat64 }): Space<S> {
  const codec = model.codec;
  // Called as the model's method: a model written as a class may read `this` in `key`.
  if (codec === undefined) return new KeyedSpace((s) => model.key(s));
  if (isWordsCodec(codec)) {
    if (!(Number.isInteger(codec.words) && codec.words >= 1)) throw new SpecError(`model ${model.name}: a words codec needs a whole number of words >= 1, not ${codec.words}`);
    const a = new Int32Array(codec.words);
    const b = new Int32Array(codec.words);
    for (const s of model.initialStates()) {
      codec.pack(s, a, 0);
      const back = codec.unpack(a, 0);
      codec.pack(back, b, 0);
      if (model.key(back) !== model.key(s) || wordsText(a, 0, codec.words) !== wordsText(b, 0, codec.words)) {
        throw new SpecError(`model ${model.name}: codec does not round-trip the initial state ${model.key(s)} (packed ${wordsText(a, 0, codec.words)}, unpacked ${model.key(back)})`);
      }
    }
    return new WideSpace(model, codec, sets?.words());
  }
  for (const s of model.initialStates()) {
    const c = codec.pack(s);
    const back = codec.unpack(c);
    if (model.key(back) !== model.key(s) || codec.pack(back) !== c) {
      throw new SpecError(`model ${model.name}: codec does not round-trip the initial state ${model.key(s)} (packed ${c}, unpacked ${model.key(back)})`);
    }
  }
  return new PackedSpace(model, codec, sets?.codes(), sets?.store?.());
}
