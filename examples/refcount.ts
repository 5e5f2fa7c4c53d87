/**
 * The example of docs/write-your-own-model.md: THREADS threads share an
 * object with one reference each, and each drops its reference when done.
 * Dropping is `ref = ref - 1; if (ref == 0) free(obj)`; without `atomic`,
 * the decrement is a load and a store that other threads can interleave.
 *
 *   npx dialog-race-checker --model-file examples/refcount.ts
 *   npx dialog-race-checker --model-file examples/refcount.ts -p THREADS=3,atomic=true --expect ok
 *
 * In a project of your own, import from 'dialog-race-checker' instead of
 * '../src/api.js'.
 */
import { always, atQuiescence, type Action, type Model } from '../src/api.js';

/** Where a thread is: before its load, between load and store, about to test for zero, done. */
type Pc = 'load' | 'store' | 'test' | 'done';

export interface RefState {
  /** The shared reference count. */
  readonly ref: number;
  /** How many times the object was freed. */
  readonly frees: number;
  /** Each thread's program counter and the value it loaded. */
  readonly pc: readonly Pc[];
  readonly loaded: readonly number[];
}

export interface RefAction extends Action {
  /** The thread that moves. */
  readonly i: number;
}

export interface RefParams {
  readonly THREADS?: number;
  readonly atomic?: boolean;
}

export default function refcount({ THREADS = 2, atomic = false }: RefParams = {}): Model<RefState, RefAction> {
  if (!Number.isInteger(THREADS) || THREADS < 1 || THREADS > 6) throw new Error(`THREADS must be an integer from 1 to 6, got ${THREADS}`);
  const threads = [...Array(THREADS).keys()];
  return {
    name: `refcount(THREADS=${THREADS},atomic=${atomic})`,

    initialStates: () => [{ ref: THREADS, frees: 0, pc: threads.map((): Pc => 'load'), loaded: threads.map(() => 0) }],

    // Every thread that is not done can take its next step: the scheduler may pick any of them.
    actions: (s) =>
      threads.filter((i) => s.pc[i] !== 'done').map((i) => ({ actor: `t${i}`, step: atomic && s.pc[i] === 'load' ? 'dec' : s.pc[i], i })),

    // A new state every time: the state given is never changed.
    next: (s, a) => {
      const pc = [...s.pc];
      const loaded = [...s.loaded];
      let { ref, frees } = s;
      switch (a.step) {
        case 'dec': // atomic: load and store in one step
          ref -= 1;
          loaded[a.i] = ref + 1;
          pc[a.i] = 'test';
          break;
        case 'load':
          loaded[a.i] = ref;
          pc[a.i] = 'store';
          break;
        case 'store':
          ref = loaded[a.i] - 1;
          pc[a.i] = 'test';
          break;
        case 'test': // frees the object if its own decrement reached zero
          if (loaded[a.i] - 1 === 0) frees += 1;
          pc[a.i] = 'done';
          break;
      }
      return { ref, frees, pc, loaded };
    },

    // Equal states, equal keys; different states, different keys.
    key: (s) => `${s.ref}|${s.frees}|${s.pc.join(',')}|${s.loaded.join(',')}`,

    properties: [
      always<RefState>('NoDoubleFree', 'the object is freed at most once', (s) => s.frees <= 1),
      atQuiescence<RefState>(
        'FreedOnce',
        'once every thread is done, the object was freed exactly once (no leak)',
        (s) => s.frees === 1,
        (s) => `every thread dropped its reference, ref is ${s.ref} and the object was freed ${s.frees} times`,
      ),
    ],

    // Optional: every step, so that the report names any that never fired.
    steps: threads.flatMap((i) => (atomic ? ['dec', 'test'] : ['load', 'store', 'test']).map((step) => ({ actor: `t${i}`, step }))),
  };
}
