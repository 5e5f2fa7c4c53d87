// immer vs a plain copy in the exploration loop: the counter race with next() written both ways,
// explored through the same engine, string keys (no codec) and packed (codec).
import { produce, setAutoFreeze } from 'immer';
import { check, type Model } from '../src/engine/index.js';
import { counterRace, type CounterState, type CounterAction } from '../spec/examples/counter.js';
const K = Number(process.argv[2] ?? 4);
const withImmer = (m: Model<CounterState, CounterAction>): Model<CounterState, CounterAction> => ({
  ...m,
  next: (s, a) =>
    produce(s, (d) => {
      const i = a.i;
      switch (a.step) {
        case 'head': d.pc[i] = d.n[i] < K ? 'load' : 'done'; break;
        case 'load': d.t[i] = d.x; d.pc[i] = 'store'; break;
        case 'store': d.x = d.t[i] + 1; d.t[i] = 0; d.pc[i] = 'incr'; break;
        case 'incr': d.n[i] += 1; d.pc[i] = 'head'; break;
      }
    }),
});
const cpuOf = (f: () => unknown) => { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };
const rows: string[] = [];
for (const codec of [true, false]) {
  for (const frozen of [true, false]) {
    setAutoFreeze(frozen);
    const base = counterRace({ NP: 3, K }, { codec });
    const plain = cpuOf(() => check(base));
    const im = cpuOf(() => check(withImmer(base)));
    rows.push(`codec=${codec} autoFreeze=${frozen}: plain ${plain.toFixed(0)} ms cpu, immer ${im.toFixed(0)} ms cpu, factor ${(im / plain).toFixed(2)}`);
  }
}
console.log(`counter race NP=3 K=${K}\n` + rows.join('\n'));
