/**
 * Counter race (../shared/benchmarks.md): NP processes each increment a shared
 * `x` K times through a private copy, with the load and the store as separate
 * steps, so increments can be lost.
 */
import { match } from 'ts-pattern';
import { always, type Model } from '../../src/engine/model.js';

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

export function counterRace({ NP, K }: CounterParams): Model<CounterState, CounterAction> {
  const procs = [...Array(NP).keys()];
  const steps = (['head', 'load', 'store', 'incr'] as const).flatMap((step) => procs.map((i) => ({ actor: `p${i}`, step })));
  return {
    name: `counter-race(NP=${NP},K=${K})`,
    initialStates: () => [{ x: 0, t: procs.map(() => 0), n: procs.map(() => 0), pc: procs.map((): CounterPc => 'head') }],
    actions: (s) =>
      procs.flatMap((i): CounterAction[] => {
        const pc = s.pc[i];
        return pc === 'done' ? [] : [{ actor: `p${i}`, step: pc, i }];
      }),
    // The throughput benchmark: the recipe runs on a plain copy (see docs on immer's cost in the loop).
    next: (s, a) => {
        const d = { x: s.x, t: s.t.slice(), n: s.n.slice(), pc: s.pc.slice() };
        const i = a.i;
        match(a.step)
          .with('head', () => {
            d.pc[i] = d.n[i] < K ? 'load' : 'done';
          })
          .with('load', () => {
            d.t[i] = d.x;
            d.pc[i] = 'store';
          })
          .with('store', () => {
            d.x = d.t[i] + 1;
            d.t[i] = 0;
            d.pc[i] = 'incr';
          })
          .with('incr', () => {
            d.n[i] += 1;
            d.pc[i] = 'head';
          })
          .exhaustive();
        return d;
      },
    key: (s) => `${s.x}|${s.t.join(',')}|${s.n.join(',')}|${s.pc.join(',')}`,
    steps,
    properties: [
      always<CounterState>('Bound', `x never exceeds NP*K = ${NP * K}`, (s) => s.x <= NP * K),
      always<CounterState>(
        'NoLostUpdate',
        'when every process has done its K increments, x = NP*K',
        (s) => !s.n.every((v) => v === K) || s.x === NP * K,
        (s) => `all ${NP} processes did ${K} increments but x = ${s.x}, not ${NP * K}`,
      ),
    ],
  };
}
