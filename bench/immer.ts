// What immer costs in the exploration loop: the counter race with its step run three ways through
// the same engine: in place (the spec's `apply` on a reused draft, packed states only), as a plain
// copy (`next` = clone + apply) and as an immer `produce` recipe; packed (shape codec) and string
// keys (no codec); immer with and without auto-freeze. Prints CPU times and factors.
// npx tsx bench/immer.ts [K]   (NP = 3)
import { produce, setAutoFreeze } from 'immer';
import { check, type Model } from '../src/engine/index.js';
import { counterRace, type CounterState, type CounterAction } from '../spec/examples/counter.js';

const K = Number(process.argv[2] ?? 4);
type M = Model<CounterState, CounterAction>;

/** The step as `next` only (no in-place apply): the engine then calls next for every transition. */
const copying = (m: M): M => ({ ...m, apply: undefined, clone: undefined });
/** The same step as an immer recipe. */
const withImmer = (m: M): M => ({ ...copying(m), next: (s, a) => produce(s, (d) => m.apply!(d, a)) });

/** CPU milliseconds of an exploration: the better of two runs (the first one also compiles). */
const cpuOf = (m: M): number => {
  const once = (): number => {
    const c0 = process.cpuUsage();
    const o = check(m);
    const c = process.cpuUsage(c0);
    if (o.status !== 'violation') throw new Error(`${m.name}: ${o.status}`);
    return (c.user + c.system) / 1000;
  };
  return Math.min(once(), once());
};

const rows: string[] = [];
for (const codec of [true, false]) {
  const base = counterRace({ NP: 3, K }, { codec });
  const inPlace = codec ? cpuOf(base) : undefined;
  const plain = cpuOf(copying(base));
  for (const frozen of [true, false]) {
    setAutoFreeze(frozen);
    const im = cpuOf(withImmer(base));
    rows.push(
      `${codec ? 'packed' : 'string keys'}, immer autoFreeze ${frozen ? 'on' : 'off'}: ` +
        `${inPlace !== undefined ? `in place ${inPlace.toFixed(0)} ms, ` : ''}plain copy ${plain.toFixed(0)} ms, immer ${im.toFixed(0)} ms cpu; ` +
        `immer / plain copy ${(im / plain).toFixed(1)}x${inPlace !== undefined ? `, immer / in place ${(im / inPlace).toFixed(1)}x` : ''}`,
    );
  }
}
console.log(`counter race NP=3 K=${K}\n${rows.join('\n')}`);
