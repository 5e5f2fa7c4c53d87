/**
 * Counter race (the classic benchmark of explicit-state checkers): NP processes each increment a shared
 * `x` K times through a private copy, with the load and the store as separate
 * steps, so increments can be lost.
 */
import { always, field, shapeCodec, wordsCodec, type Model, type ShapeCodec, type ShapeOf, type WordsShapeCodec } from '../../src/engine/model.js';

export type CounterPc = 'head' | 'load' | 'store' | 'incr' | 'done';

export interface CounterState {
  /** The shared counter. */
  readonly x: number;
  /** t[i]: process i's local copy of x. */
  readonly t: readonly number[];
  /** n[i]: increments process i has completed. */
  readonly n: readonly number[];
  readonly pc: readonly CounterPc[];
}

/** A state being changed by a step: its fields and arrays writable. */
type Mutable<S> = { -readonly [K in keyof S]: S[K] extends readonly (infer E)[] ? E[] : S[K] };

export interface CounterAction {
  readonly actor: string;
  readonly step: Exclude<CounterPc, 'done'>;
  /** The process taking the step. */
  readonly i: number;
}

export interface CounterParams {
  readonly NP: number;
  readonly K: number;
}

const PCS: readonly CounterPc[] = ['head', 'load', 'store', 'incr', 'done'];

/**
 * The state's shape: x and each t[i] are at most NP*K, each n[i] at most K.
 * The engine packs a state into the bits of one integer from it (with NP=3,
 * K=8: 41 bits; a mixed-radix number when the fields do not fit whole) and
 * expands states in place; when the domains need more than 52 bits, into
 * several 32-bit words (`wordsCodec`).
 */
export const counterShape = (NP: number, K: number): ShapeOf<CounterState> => ({
  x: field.int(0, NP * K),
  t: field.array(NP, field.int(0, NP * K)),
  n: field.array(NP, field.int(0, K)),
  pc: field.array(NP, field.oneOf(PCS)),
});

export function counterCodec(NP: number, K: number): ShapeCodec<CounterState> | WordsShapeCodec<CounterState> {
  return shapeCodec(counterShape(NP, K)) ?? wordsCodec(counterShape(NP, K));
}

export function counterRace({ NP, K }: CounterParams, options: { codec?: boolean | 'words' } = {}): Model<CounterState, CounterAction> {
  const codec = options.codec === false ? undefined : options.codec === 'words' ? wordsCodec(counterShape(NP, K)) : counterCodec(NP, K);
  const procs = [...Array(NP).keys()];
  const steps = (['head', 'load', 'store', 'incr'] as const).flatMap((step) => procs.map((i) => ({ actor: `p${i}`, step })));
  /** The action of process i at each pc (the same object every time). */
  const stepOf = procs.map((i) => ({
    head: { actor: `p${i}`, step: 'head', i },
    load: { actor: `p${i}`, step: 'load', i },
    store: { actor: `p${i}`, step: 'store', i },
    incr: { actor: `p${i}`, step: 'incr', i },
  })) as readonly Record<Exclude<CounterPc, 'done'>, CounterAction>[];
  const clone = (s: CounterState): Mutable<CounterState> => ({ x: s.x, t: s.t.slice(), n: s.n.slice(), pc: s.pc.slice() });
  const apply = (d: Mutable<CounterState>, a: CounterAction): void => {
    const i = a.i;
    switch (a.step) {
      case 'head':
        d.pc[i] = d.n[i] < K ? 'load' : 'done';
        break;
      case 'load':
        d.t[i] = d.x;
        d.pc[i] = 'store';
        break;
      case 'store':
        d.x = d.t[i] + 1;
        d.t[i] = 0;
        d.pc[i] = 'incr';
        break;
      case 'incr':
        d.n[i] += 1;
        d.pc[i] = 'head';
        break;
    }
  };
  return {
    name: `counter-race(NP=${NP},K=${K})`,
    initialStates: () => [{ x: 0, t: procs.map(() => 0), n: procs.map(() => 0), pc: procs.map((): CounterPc => 'head') }],
    actions: (s) => {
      const out: CounterAction[] = [];
      for (const i of procs) if (s.pc[i] !== 'done') out.push(stepOf[i][s.pc[i]]);
      return out;
    },
    // The step as a recipe over a plain state object (immer's produce costs a factor in this loop: docs/performance.md).
    apply,
    clone,
    next: (s, a) => {
      const d = clone(s);
      apply(d, a);
      return d;
    },
    key: (s) => `${s.x}|${s.t.join(',')}|${s.n.join(',')}|${s.pc.join(',')}`,
    ...(codec ? { codec } : {}),
    steps,
    properties: [
      always<CounterState>('Bound', `x never exceeds NP*K = ${NP * K}`, (s) => s.x <= NP * K),
      always<CounterState>(
        'NoLostUpdate',
        'when every process has done its K increments, x = NP*K',
        (s) => s.x === NP * K || s.n.some((v) => v !== K),
        (s) => `all ${NP} processes did ${K} increments but x = ${s.x}, not ${NP * K}`,
      ),
    ],
  };
}
