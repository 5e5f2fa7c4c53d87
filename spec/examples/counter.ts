/**
 * Counter race (../shared/benchmarks.md): NP processes each increment a shared
 * `x` K times through a private copy, with the load and the store as separate
 * steps, so increments can be lost.
 */
import { always, type Model, type StateCodec } from '../../src/engine/model.js';

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
 * The state as the digits of one mixed-radix integer: x, then for each process
 * t[i], n[i] and pc[i]. Every field has a finite domain (x and t[i] are at most
 * NP*K, n[i] at most K), so the state fits in a double's exact integers when
 * the product of the domain sizes is below 2^53; beyond that, no codec (the
 * engine then keys states by `key`).
 */
export function counterCodec(NP: number, K: number): StateCodec<CounterState> | undefined {
  const X = NP * K + 1; // values of x and of each t[i]
  const N = K + 1; // values of each n[i]
  const P = PCS.length; // values of each pc[i]
  if ((NP + 1) * Math.log2(X) + NP * Math.log2(N * P) >= 52) return undefined;
  return {
    pack: (s) => {
      let c = s.x;
      for (let i = 0; i < NP; i++) c = ((c * X + s.t[i]) * N + s.n[i]) * P + PCS.indexOf(s.pc[i]);
      return c;
    },
    unpack: (code) => {
      const t: number[] = new Array(NP);
      const n: number[] = new Array(NP);
      const pc: CounterPc[] = new Array(NP);
      let c = code;
      for (let i = NP - 1; i >= 0; i--) {
        // Take the digits off the low end: c % radix, then divide exactly.
        pc[i] = PCS[c % P];
        c = (c - (c % P)) / P;
        n[i] = c % N;
        c = (c - n[i]) / N;
        t[i] = c % X;
        c = (c - t[i]) / X;
      }
      return { x: c, t, n, pc };
    },
  };
}

export function counterRace({ NP, K }: CounterParams, options: { codec?: boolean } = {}): Model<CounterState, CounterAction> {
  const codec = options.codec === false ? undefined : counterCodec(NP, K);
  const procs = [...Array(NP).keys()];
  const steps = (['head', 'load', 'store', 'incr'] as const).flatMap((step) => procs.map((i) => ({ actor: `p${i}`, step })));
  /** The action of process i at each pc (the same object every time). */
  const stepOf = procs.map((i) => ({
    head: { actor: `p${i}`, step: 'head', i },
    load: { actor: `p${i}`, step: 'load', i },
    store: { actor: `p${i}`, step: 'store', i },
    incr: { actor: `p${i}`, step: 'incr', i },
  })) as readonly Record<Exclude<CounterPc, 'done'>, CounterAction>[];
  return {
    name: `counter-race(NP=${NP},K=${K})`,
    initialStates: () => [{ x: 0, t: procs.map(() => 0), n: procs.map(() => 0), pc: procs.map((): CounterPc => 'head') }],
    actions: (s) => {
      const out: CounterAction[] = [];
      for (const i of procs) if (s.pc[i] !== 'done') out.push(stepOf[i][s.pc[i]]);
      return out;
    },
    // The recipe mutates a plain copy of the state (immer's produce costs a factor in this loop: docs/performance.md).
    next: (s, a) => {
      const d = { x: s.x, t: s.t.slice(), n: s.n.slice(), pc: s.pc.slice() };
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
