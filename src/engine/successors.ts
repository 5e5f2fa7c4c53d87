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
import type { Action, Model, StateCodec } from './model.js';
import { SpecError } from './errors.js';
import { badCodeError } from './store.js';
import { isPackedCode } from './table.js';
import { checkUnchanged, Guard, keyOf, modelError, SELF_CHECKS } from './guard.js';

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
    try {
      for (; ai < na; ai++) {
        const a = acts[ai];
        let succ: S;
        if (inPlace) {
          unpackInto(code, draft);
          if (this.selfChecks > 0) {
            this.selfChecks--;
            this.selfCheck(state, a);
          } else apply(draft, a);
          succ = draft;
        } else succ = this.guard.next(state, a);
        const c = codec.pack(succ);
        if (!isPackedCode(c)) throw badCodeError(model, c, succ);
        codes[n] = c;
        parents[n] = id;
        indices[n] = ai;
        acted[n] = a;
        n++;
      }
    } catch (e) {
      // The model's own code threw: say on which state and action (guard.ts).
      throw modelError(model, inPlace ? 'apply' : 'next', e, state, acts[ai]);
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

  /**
   * Applies `a` to the draft (holding `state`) and checks the result against
   * the model's own `next` and `key`, that `apply` kept the draft's
   * containers (its arrays and records are reused for the next successor),
   * and that its code unpacks to a state with the same key (so `key` reads
   * only fields of the shape).
   */
  private selfCheck(state: S, a: A): void {
    const { model, codec, draft } = this;
    const stateKey = keyOf(model, state);
    const before = codec.containers?.(draft);
    model.apply!(draft, a);
    checkUnchanged(model, state, stateKey, 'apply', a);
    const after = codec.containers?.(draft);
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
    const expected = model.key(next);
    const got = model.key(draft);
    if (got !== expected) {
      throw new SpecError(`model ${model.name}: apply and next disagree on ${a.actor}:${a.step} from ${model.key(state)}: apply gives ${got}, next gives ${expected}`);
    }
    // A code out of range is reported where every code is checked, after this.
    const code = codec.pack(draft);
    if (!isPackedCode(code)) return;
    const back = model.key(codec.unpack(code));
    if (back !== got) throw new SpecError(`model ${model.name}: the codec does not round-trip ${got} (packed ${code}, unpacked ${back}): does the state have fields its shape does not declare?`);
  }
}
