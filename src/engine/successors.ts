/**
 * Successors of packed states, generated into a batch (explore.ts stores a
 * batch in order; a parallel worker routes it to the states' owners).
 *
 * With a codec that can unpack into an existing object (`unpackInto`, as
 * `shapeCodec` generates) and a model with an in-place `apply`, no state
 * object is allocated: the state being expanded is unpacked into one reused
 * object, and each successor is the state's code unpacked into a reused draft,
 * changed by `apply` and packed. The first transitions are checked against the
 * model's own `next` and `key` (a SpecError if apply and next disagree or the
 * codec does not round-trip; a MutatedInputError, guard.ts, if either changes
 * the state being expanded). A model function that throws is a ModelError
 * naming the state and action. Without them, states are unpacked and `next` is
 * called, as for any model.
 */
import type { Action, Model, StateCodec, WordsCodec } from './model.js';
import { SpecError } from './errors.js';
import { badCodeError } from './store.js';
import { hashWords, isPackedCode } from './table.js';
import { checkUnchanged, Guard, keyOf, modelError, SELF_CHECKS, successorError, successorKey } from './guard.js';

export class SuccessorBatch<S, A extends Action> {
  /** Entries in the batch. Per entry: the successor's code, the source's id, the action's index and the action. */
  n = 0;
  codes: Float64Array;
  parents: Int32Array;
  indices: Int32Array;
  /** The action of each entry; null marks a quiescent source state (its code in `codes`), to be checked in its turn. */
  acted: (A | null)[];
  /** Room for the caller's per-entry hashes and first slots (see PackedTable.hashAll). */
  hashes: Int32Array;
  firsts: Float64Array;

  private readonly inPlace: boolean;
  private readonly cur: S;
  private readonly draft: S;
  /** A state object for the caller to check a stored state on (see `decode`). */
  readonly probe: S;
  private selfChecks = SELF_CHECKS;
  /** `actions` and (not in place) `next` with the first transitions checked and throws made ModelErrors (guard.ts). */
  private readonly guard: Guard<S, A>;

  constructor(
    private readonly model: Model<S, A>,
    private readonly codec: StateCodec<S>,
    sample: number,
    private cap = 1024,
  ) {
    this.inPlace = codec.unpackInto !== undefined && model.apply !== undefined;
    this.guard = new Guard(model);
    this.cur = codec.unpack(sample);
    this.draft = codec.unpack(sample);
    this.probe = codec.unpack(sample);
    this.codes = new Float64Array(cap);
    this.parents = new Int32Array(cap);
    this.indices = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.firsts = new Float64Array(cap);
    this.acted = new Array(cap).fill(null);
  }

  /** The state with code `code`: written into `into` when in place, else a new object. */
  decode(code: number, into: S): S {
    if (this.inPlace) {
      this.codec.unpackInto!(code, into);
      return into;
    }
    return this.codec.unpack(code);
  }

  /**
   * Appends the successors of the state with code `code` (its id `id`, stored
   * as their parent); with none, and if `quiescent` asks, a quiescent entry.
   * Returns the number of successors.
   */
  expand(id: number, code: number, quiescent: boolean): number {
    const { model, codec } = this;
    const state = this.decode(code, this.cur);
    const acts = this.guard.actions(state);
    const na = acts.length;
    if (na === 0) {
      if (quiescent) {
        this.reserve(1);
        const n = this.n++;
        this.codes[n] = code;
        this.parents[n] = id;
        this.acted[n] = null;
      }
      return 0;
    }
    this.reserve(na);
    const { codes, parents, indices, acted, draft } = this;
    const inPlace = this.inPlace;
    const unpackInto = codec.unpackInto!;
    const apply = model.apply!;
    let n = this.n;
    let ai = 0;
    // The key of the state being expanded, for the self-checks (one per state, not per action).
    const stateKey = this.selfChecks > 0 ? keyOf(model, state) : '';
    // Whether the codec is packing a successor when something throws (else the model's step threw).
    let packing = false;
    try {
      for (; ai < na; ai++) {
        const a = acts[ai];
        let succ: S;
        let checked = false;
        if (inPlace) {
          unpackInto(code, draft);
          if (this.selfChecks > 0) {
            this.selfChecks--;
            applyChecked(model, codec.containers, state, stateKey, draft, a);
            checked = true;
          } else apply(draft, a);
          succ = draft;
        } else succ = this.guard.next(state, a);
        packing = true;
        const c = codec.pack(succ);
        packing = false;
        if (!isPackedCode(c)) throw badCodeError(model, c, succ);
        if (checked) checkRoundTrip(model, successorKey(model, draft, state, a), successorKey(model, codec.unpack(c), state, a), String(c));
        codes[n] = c;
        parents[n] = id;
        indices[n] = ai;
        acted[n] = a;
        n++;
      }
    } catch (e) {
      // The model's own code threw, or the codec refused what it made: say on which state and action (guard.ts).
      throw packing ? successorError(model, e, state, acts[ai]) : modelError(model, inPlace ? 'apply' : 'next', e, state, acts[ai]);
    } finally {
      // On an error, the successors before it stay in the batch (the caller stores them first).
      this.n = n;
    }
    return na;
  }

  private reserve(more: number): void {
    if (this.n + more <= this.cap) return;
    while (this.n + more > this.cap) this.cap *= 2;
    const cap = this.cap;
    const grown = <T extends Float64Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    this.codes = grown(this.codes, new Float64Array(cap));
    this.parents = grown(this.parents, new Int32Array(cap));
    this.indices = grown(this.indices, new Int32Array(cap));
    this.hashes = new Int32Array(cap);
    this.firsts = new Float64Array(cap);
    this.acted.length = cap;
  }
}

/**
 * Applies `a` to `draft` (holding `state`) and checks the result against the
 * model's own `next` and `key`, and that `apply` kept the draft's containers
 * (its arrays and records are reused for the next successor).
 */
function applyChecked<S, A extends Action>(model: Model<S, A>, containers: ((s: S) => readonly unknown[]) | undefined, state: S, stateKey: string, draft: S, a: A): void {
  const before = containers?.(draft);
  model.apply!(draft, a);
  checkUnchanged(model, state, stateKey, 'apply', a);
  const after = containers?.(draft);
  if (before !== undefined && after !== undefined && before.some((c, i) => c !== after[i])) {
    throw new SpecError(
      `model ${model.name}: apply replaced an array or record of the state on ${a.actor}:${a.step}; ` +
        'with a shape codec the engine reuses the state object, so apply must assign to fields only',
    );
  }
  let next: S;
  try {
    next = model.next(state, a);
  } catch (e) {
    throw modelError(model, 'next', e, state, a);
  }
  checkUnchanged(model, state, stateKey, 'next', a);
  const expected = successorKey(model, next, state, a);
  const got = successorKey(model, draft, state, a);
  if (got !== expected) {
    throw new SpecError(`model ${model.name}: apply and next disagree on ${a.actor}:${a.step} from ${model.key(state)}: apply gives ${got}, next gives ${expected}`);
  }
}

/**
 * That the model's `successors` agrees with `actions` and `next` on `state`:
 * the same actions in the same order, each successor with next's key; that
 * it leaves `state` as it was; and that it gives the same successors when
 * it may consume the state (on `fresh()`, another copy of it). Run on the
 * first states an explorer expands (before it trusts `successors`).
 */
function checkSuccessors<S, A extends Action>(model: Model<S, A>, state: S, fresh: () => S): void {
  // A key that throws: a ModelError (part key) on `state`, the unchanged state, whatever was keyed.
  const keyed = (s: S, a: A | undefined): string => {
    try {
      return model.key(s);
    } catch (e) {
      throw modelError(model, 'key', e, state, a);
    }
  };
  const before = keyed(state, undefined);
  const successorsOf = (s: S, consume: boolean) => {
    const got: { a: A; key: string }[] = [];
    try {
      model.successors!(s, (a, succ) => got.push({ a, key: keyed(succ, a) }), consume);
    } catch (e) {
      // Named by `state`, checked unchanged below (with consume the model was given a copy).
      throw modelError(model, 'next', e, state, undefined);
    }
    return got;
  };
  const got = successorsOf(state, false);
  const where = `model ${model.name}: successors() and actions()/next() disagree from ${before}`;
  const after = keyed(state, undefined);
  if (after !== before) throw new SpecError(`model ${model.name}: successors() changed the state it was given, from ${before} to ${after}; it may only when called with consume`);
  const acts = model.actions(state);
  if (acts.length !== got.length) throw new SpecError(`${where}: ${got.length} successors, ${acts.length} actions`);
  acts.forEach((a, i) => {
    if (got[i].a.actor !== a.actor || got[i].a.step !== a.step) throw new SpecError(`${where}: successor ${i} is by ${got[i].a.actor}:${got[i].a.step}, action ${i} is ${a.actor}:${a.step}`);
    const expected = model.key(model.next(state, a));
    if (got[i].key !== expected) throw new SpecError(`${where}: on ${a.actor}:${a.step} successors gives ${got[i].key}, next gives ${expected}`);
  });
  const consumed = successorsOf(fresh(), true);
  const differs = consumed.length !== got.length ? -1 : consumed.findIndex((c, i) => c.a.actor !== got[i].a.actor || c.a.step !== got[i].a.step || c.key !== got[i].key);
  if (consumed.length !== got.length || differs >= 0) {
    const what = differs < 0 ? `${consumed.length} successors, not ${got.length}` : `successor ${differs} is ${consumed[differs].a.actor}:${consumed[differs].a.step} to ${consumed[differs].key}, not ${got[differs].a.actor}:${got[differs].a.step} to ${got[differs].key}`;
    throw new SpecError(`model ${model.name}: successors() with consume differs from ${before}: ${what}`);
  }
}

/** That a packed successor unpacks to a state with the same key (so `key` reads only fields of the shape). */
function checkRoundTrip(model: Model<any, any>, got: string, back: string, packed: string): void {
  if (back !== got) throw new SpecError(`model ${model.name}: the codec does not round-trip ${got} (packed ${packed}, unpacked ${back}): does the state have fields its shape does not declare?`);
}

/**
 * Successors of word-packed states (WordsCodec), generated into a batch as
 * SuccessorBatch does for one-number codes: `codes` holds `words` Int32
 * words per entry, `hashes` their hashWords. In place (one reused state and
 * draft) when the codec has `unpackInto` and the model `apply`, with the
 * same self-check of the first transitions.
 */
export class WideBatch<S, A extends Action> {
  n = 0;
  codes: Int32Array;
  hashes: Int32Array;
  firsts: Int32Array;
  parents: Int32Array;
  indices: Int32Array;
  acted: (A | null)[];
  readonly words: number;

  private readonly inPlace: boolean;
  private readonly cur: S;
  private readonly draft: S;
  readonly probe: S;
  private selfChecks = SELF_CHECKS;
  private readonly guard: Guard<S, A>;
  /**
   * With the model's `successors`: the id of the state being expanded (its
   * words at `sourceWords[sourceAt..]`), and the emitter that packs what it
   * gets. The model may run its last successor on the state itself
   * (`consume`): an error names the state decoded again from its words.
   */
  private source = 0;
  private sourceWords: Int32Array;
  private sourceAt = 0;
  private readonly emit: ((a: A, succ: S) => void) | undefined;

  constructor(
    private readonly model: Model<S, A>,
    private readonly codec: WordsCodec<S>,
    sample: Int32Array,
    private cap = 1024,
  ) {
    this.words = codec.words;
    this.inPlace = codec.unpackInto !== undefined && model.apply !== undefined;
    this.guard = new Guard(model);
    this.cur = codec.unpack(sample, 0);
    this.draft = codec.unpack(sample, 0);
    this.probe = codec.unpack(sample, 0);
    this.codes = new Int32Array(cap * this.words);
    this.hashes = new Int32Array(cap);
    this.firsts = new Int32Array(cap);
    this.parents = new Int32Array(cap);
    this.indices = new Int32Array(cap);
    this.acted = new Array(cap).fill(null);
    this.sourceWords = sample;
    if (model.successors !== undefined && this.inPlace) {
      const W = this.words;
      this.emit = (a, succ) => {
        this.reserve(1);
        const n = this.n;
        const at = n * W;
        try {
          codec.pack(succ, this.codes, at);
        } catch (e) {
          throw successorError(model, e, codec.unpack(this.sourceWords, this.sourceAt), a);
        }
        this.hashes[n] = hashWords(this.codes, at, W);
        this.parents[n] = this.source;
        this.indices[n] = this.emitted++;
        this.acted[n] = a;
        this.n = n + 1;
      };
    }
  }
  private emitted = 0;

  /** The state of entry `k` (written into `into` when in place, else a new object). */
  decode(k: number, into: S): S {
    if (this.inPlace) {
      this.codec.unpackInto!(this.codes, k * this.words, into);
      return into;
    }
    return this.codec.unpack(this.codes, k * this.words);
  }

  /**
   * Appends the successors of the state whose words are at `src[at..]` (its
   * id `id`); with none, and if `quiescent` asks, a quiescent entry holding
   * the state itself. Returns the number of successors.
   */
  expand(id: number, src: Int32Array, at: number, quiescent: boolean): number {
    const { model, codec, words: W } = this;
    const state = this.inPlace ? (codec.unpackInto!(src, at, this.cur), this.cur) : codec.unpack(src, at);
    if (this.emit !== undefined && this.selfChecks <= 0) {
      this.source = id;
      this.sourceWords = src;
      this.sourceAt = at;
      this.emitted = 0;
      try {
        model.successors!(state, this.emit, true);
      } catch (e) {
        throw modelError(model, 'next', e, codec.unpack(src, at), undefined);
      }
      if (this.emitted === 0) this.quiescent(id, src, at, quiescent);
      return this.emitted;
    }
    if (this.emit !== undefined) {
      this.selfChecks--;
      checkSuccessors(model, state, () => codec.unpack(src, at));
    }
    const acts = this.guard.actions(state);
    const na = acts.length;
    if (na === 0) {
      this.quiescent(id, src, at, quiescent);
      return 0;
    }
    this.reserve(na);
    const { codes, hashes, parents, indices, acted, draft } = this;
    const inPlace = this.inPlace;
    const unpackInto = codec.unpackInto!;
    const apply = model.apply!;
    let n = this.n;
    let ai = 0;
    const stateKey = this.selfChecks > 0 ? keyOf(model, state) : '';
    // Whether the codec is packing a successor when something throws (else the model's step threw).
    let packing = false;
    try {
      for (; ai < na; ai++) {
        const a = acts[ai];
        let succ: S;
        let checked = false;
        if (inPlace) {
          unpackInto(src, at, draft);
          if (this.selfChecks > 0) {
            this.selfChecks--;
            applyChecked(model, codec.containers, state, stateKey, draft, a);
            checked = true;
          } else apply(draft, a);
          succ = draft;
        } else succ = this.guard.next(state, a);
        packing = true;
        codec.pack(succ, codes, n * W);
        packing = false;
        if (checked) checkRoundTrip(model, successorKey(model, draft, state, a), successorKey(model, codec.unpack(codes, n * W), state, a), String(Array.from(codes.subarray(n * W, n * W + W))));
        hashes[n] = hashWords(codes, n * W, W);
        parents[n] = id;
        indices[n] = ai;
        acted[n] = a;
        n++;
      }
    } catch (e) {
      throw packing ? successorError(model, e, state, acts[ai]) : modelError(model, inPlace ? 'apply' : 'next', e, state, acts[ai]);
    } finally {
      this.n = n;
    }
    return na;
  }

  /** A quiescent entry for the state at `src[at..]` (if `quiescent` asks): its own words, checked in its turn. */
  private quiescent(id: number, src: Int32Array, at: number, quiescent: boolean): void {
    if (!quiescent) return;
    const W = this.words;
    this.reserve(1);
    const n = this.n++;
    const codes = this.codes;
    for (let w = 0; w < W; w++) codes[n * W + w] = src[at + w];
    this.hashes[n] = hashWords(codes, n * W, W);
    this.parents[n] = id;
    this.acted[n] = null;
  }

  private reserve(more: number): void {
    if (this.n + more <= this.cap) return;
    while (this.n + more > this.cap) this.cap *= 2;
    const cap = this.cap;
    const codes = new Int32Array(cap * this.words);
    codes.set(this.codes);
    this.codes = codes;
    const grown = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.hashes = grown(this.hashes);
    this.parents = grown(this.parents);
    this.indices = grown(this.indices);
    this.firsts = new Int32Array(cap);
    this.acted.length = cap;
  }
}
