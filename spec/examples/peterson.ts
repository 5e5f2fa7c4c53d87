/**
 * Peterson's mutual exclusion for two processes (a classic benchmark of explicit-state checkers).
 * The buggy variant writes `turn` before `flag` (steps s1 and s2 swapped).
 */
import { produce } from 'immer';
import { match } from 'ts-pattern';
import { always, type Model } from '../../src/engine/model.js';

export type PetersonPc = 's1' | 's2' | 's3' | 's4' | 's5' | 's6' | 's7';

export interface PetersonState {
  readonly flag: readonly [boolean, boolean];
  readonly turn: 0 | 1;
  /** Processes in the critical section. */
  readonly ncrit: number;
  readonly pc: readonly [PetersonPc, PetersonPc];
}

export interface PetersonAction {
  readonly actor: string;
  readonly step: PetersonPc;
  readonly i: 0 | 1;
}

const order: readonly PetersonPc[] = ['s1', 's2', 's3', 's4', 's5', 's6', 's7'];

export function peterson({ buggy }: { buggy: boolean }): Model<PetersonState, PetersonAction> {
  const ids = [0, 1] as const;
  const setFlag = (d: { flag: boolean[] }, i: 0 | 1) => {
    d.flag[i] = true;
  };
  const giveTurn = (d: { turn: 0 | 1 }, i: 0 | 1) => {
    d.turn = i === 0 ? 1 : 0;
  };
  return {
    name: buggy ? 'peterson-buggy' : 'peterson',
    initialStates: () => [{ flag: [false, false], turn: 0, ncrit: 0, pc: ['s1', 's1'] }],
    actions: (s) =>
      ids.flatMap((i): PetersonAction[] => {
        const pc = s.pc[i];
        const other = i === 0 ? 1 : 0;
        // s3: wait until the other process is not interested or it is our turn.
        if (pc === 's3' && !(s.flag[other] === false || s.turn === i)) return [];
        return [{ actor: `p${i}`, step: pc, i }];
      }),
    next: (s, a) =>
      produce(s, (d) => {
        const i = a.i;
        match(a.step)
          // The correct protocol raises the flag (s1) and then gives way (s2); the buggy one swaps them.
          .with('s1', () => (buggy ? giveTurn(d, i) : setFlag(d, i)))
          .with('s2', () => (buggy ? setFlag(d, i) : giveTurn(d, i)))
          .with('s3', () => {})
          .with('s4', () => {
            d.ncrit += 1;
          })
          .with('s5', () => {})
          .with('s6', () => {
            d.ncrit -= 1;
          })
          .with('s7', () => {
            d.flag[i] = false;
          })
          .exhaustive();
        d.pc[i] = order[(order.indexOf(a.step) + 1) % order.length];
      }),
    key: (s) => `${+s.flag[0]}${+s.flag[1]}${s.turn}${s.ncrit}${s.pc[0]}${s.pc[1]}`,
    steps: ids.flatMap((i) => order.map((step) => ({ actor: `p${i}`, step }))),
    properties: [always<PetersonState>('MutualExclusion', 'at most one process is in the critical section', (s) => s.ncrit <= 1)],
  };
}
