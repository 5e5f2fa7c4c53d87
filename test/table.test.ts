/**
 * The compact storage of the engine (src/engine/table.ts, store.ts): the hash
 * set of packed states beyond 2^24 entries (where Map and Set stop), chunked
 * arrays, the sharded string table, the hash's mixing; and the codec path of
 * the explorer against the string-keyed path.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  check,
  ChunkedFloat64,
  ChunkedInt32,
  hashPacked,
  isWordsCodec,
  KeyedSpace,
  MAX_PACKED,
  PackedTable,
  SpecError,
  StringTable,
  WordStore,
  type Model,
  type StateCodec,
} from '../src/engine/index.js';
import { mappedZeros } from '../src/engine/table.js';
import { counterCodec, counterRace, type CounterState } from '../spec/examples/counter.js';

describe('PackedTable', () => {
  it('holds more than 2^24 distinct packed states (a synthetic key stream)', { timeout: 60_000 }, () => {
    const n = (1 << 24) + 100_000;
    const t = new PackedTable();
    // Keys spread over the whole 53-bit range, with long runs that share their low bits.
    const key = (i: number) => (i % 4096) * 2 ** 40 + Math.floor(i / 4096) * 4096 + 7;
    let added = 0;
    for (let i = 0; i < n; i++) if (t.add(key(i))) added++;
    expect(added).toBe(n);
    expect(t.size).toBe(n);
    expect(t.capacity).toBeGreaterThan(n);
    for (let i = 0; i < n; i += 9973) {
      expect(t.has(key(i))).toBe(true);
      expect(t.add(key(i))).toBe(false);
    }
    expect(t.has(1)).toBe(false);
    expect(t.size).toBe(n);
  });

  // What mappedZeros is for, mapping pages before a rehash, is speed only: npm run bench measures it
  // (docs/performance.md, "Page faults in two threads"); a plain new array passes this test too.
  it('mappedZeros gives a new array of the asked type and length, all zeros', () => {
    for (const n of [0, 1, 511, 512, 513, 5000, 1 << 16]) {
      const f = mappedZeros(Float64Array, n);
      const i = mappedZeros(Int32Array, n);
      expect([f instanceof Float64Array, i instanceof Int32Array, f.length, i.length]).toEqual([true, true, n, n]);
      expect(f.every((v) => v === 0) && i.every((v) => v === 0)).toBe(true);
      expect(Object.is(f[0], -0)).toBe(false);
    }
    expect(mappedZeros(Float64Array, 3)).not.toBe(mappedZeros(Float64Array, 3));
  });

  it('stores 0 and the largest allowed value', () => {
    const t = new PackedTable(16);
    expect(t.add(0)).toBe(true);
    expect(t.add(MAX_PACKED)).toBe(true);
    expect(t.add(0)).toBe(false);
    expect(t.has(MAX_PACKED)).toBe(true);
    for (let i = 1; i < 1000; i++) t.add(i * 3);
    expect(t.size).toBe(1001);
    expect(t.has(0) && t.has(MAX_PACKED) && t.has(2997) && !t.has(2998)).toBe(true);
  });

  it('mixes the key bits: one flipped input bit flips about half the hash bits', () => {
    let flips = 0;
    let trials = 0;
    for (let k = 1; k < 200; k++) {
      const key = k * 7919 * 2 ** 20 + k;
      for (let bit = 0; bit < 52; bit++) {
        const other = Math.floor(key / 2 ** bit) % 2 === 0 ? key + 2 ** bit : key - 2 ** bit;
        let x = (hashPacked(key) ^ hashPacked(other)) >>> 0;
        while (x !== 0) {
          flips += x & 1;
          x >>>= 1;
        }
        trials++;
      }
    }
    const mean = flips / trials;
    expect(mean).toBeGreaterThan(14);
    expect(mean).toBeLessThan(18);
  });
});

describe('chunked arrays and the sharded string table', () => {
  it('ChunkedInt32 and ChunkedFloat64 grow across chunks without losing values', () => {
    const a = new ChunkedInt32(4);
    const f = new ChunkedFloat64(4);
    for (let i = 0; i < 1000; i++) {
      a.push(i * 3 - 500);
      f.push(i * 2 ** 40 + 0.5);
    }
    expect(a.length).toBe(1000);
    expect([a.get(0), a.get(15), a.get(16), a.get(999)]).toEqual([-500, -455, -452, 2497]);
    expect([f.get(17), f.get(999)]).toEqual([17 * 2 ** 40 + 0.5, 999 * 2 ** 40 + 0.5]);
  });

  it('only the first chunk starts small and doubles: the others are made whole (no copies as they fill)', () => {
    // Chunks of 2^14 values (a WordStore's: 2^14 states): the first grows by doubling, from 2^12
    // (a WordStore's from 2^10); the second is whole from its first value.
    const a = new ChunkedInt32(14);
    const f = new ChunkedFloat64(14);
    const w = new WordStore(3);
    const words = Int32Array.of(1, 2, 3);
    a.push(0);
    f.push(0);
    w.push(words, 0);
    expect([a.bytes, f.bytes, w.bytes]).toEqual([2 ** 12 * 4, 2 ** 12 * 8, 2 ** 10 * 3 * 4]);
    for (let i = 1; i <= 2 ** 14; i++) {
      a.push(i);
      f.push(i);
      w.push(words, 0);
    }
    expect([a.bytes, f.bytes, w.bytes]).toEqual([2 * 2 ** 14 * 4, 2 * 2 ** 14 * 8, 2 * 2 ** 14 * 3 * 4]);
    expect([a.get(2 ** 14), f.get(2 ** 14)]).toEqual([2 ** 14, 2 ** 14]);
  });

  it('a ChunkedFloat64 given `made` (a parallel worker\'s codes): each chunk whole from its first value, of shared memory, handed to `made` once as it is made', () => {
    const made: [number, Float64Array][] = [];
    // Chunks of 2^13 values: without `made` the first would start at 2^12 and double (and be replaced).
    const f = new ChunkedFloat64(13, (c, chunk) => made.push([c, chunk]));
    f.push(7);
    expect(made.map(([c, chunk]) => [c, chunk.length, chunk.buffer instanceof SharedArrayBuffer])).toEqual([[0, 2 ** 13, true]]);
    for (let i = 1; i < 20_000; i++) f.push(i * 2 ** 40);
    // Three chunks, each given once; a peer reads the values there.
    expect(made.map(([c]) => c)).toEqual([0, 1, 2]);
    const peer = (i: number) => made[i >>> 13][1][i & (2 ** 13 - 1)];
    expect([peer(0), peer(8191), peer(8192), peer(19_999)]).toEqual([7, 8191 * 2 ** 40, 8192 * 2 ** 40, 19_999 * 2 ** 40]);
    expect([f.get(19_999), f.bytes]).toEqual([19_999 * 2 ** 40, 3 * 2 ** 13 * 8]);
  });

  it('StringTable spreads its keys over many Maps once it grows, and still finds every key', () => {
    const t = new StringTable(100, 16);
    for (let i = 0; i < 5000; i++) t.set(`k${i}`, i);
    t.set('k7', 7); // already there: not counted again
    expect(t.size).toBe(5000);
    expect(t.mapCount).toBe(16);
    for (let i = 0; i < 5000; i += 7) expect(t.get(`k${i}`)).toBe(i);
    expect(t.get('nope')).toBeUndefined();
  });

  it('a string-keyed exploration gives the same result with a sharded table', () => {
    const m = counterRace({ NP: 2, K: 2 }, { codec: false });
    const space = new KeyedSpace<CounterState>(m.key, 10);
    for (const s of m.initialStates()) space.add(s, -1, 0);
    expect(space.size).toBe(1);
    expect(check(m).stats).toMatchObject({ states: 228, transitions: 398, depth: 19 });
  });
});

describe('state codec', () => {
  it('counter race NP=3 K=4: the packed path gives the string path\'s counts, verdicts and trace', () => {
    const packed = check(counterRace({ NP: 3, K: 4 }));
    const keyed = check(counterRace({ NP: 3, K: 4 }, { codec: false }));
    expect(counterRace({ NP: 3, K: 4 }).codec).toBeDefined();
    expect(packed.stats).toMatchObject({ states: 165340, transitions: 465273, depth: 52, complete: true });
    expect(keyed.stats).toMatchObject({ states: 165340, transitions: 465273, depth: 52, complete: true });
    expect(packed.coverage).toEqual(keyed.coverage);
    expect(packed.properties.map((p) => [p.name, p.verdict])).toEqual(keyed.properties.map((p) => [p.name, p.verdict]));
    const steps = (o: typeof packed) => o.violations[0].trace!.map((t) => (t.action ? `${t.action.actor}.${t.action.step}` : '-'));
    expect(steps(packed)).toEqual(steps(keyed));
    expect(packed.violations[0].trace!.at(-1)!.state).toEqual(keyed.violations[0].trace!.at(-1)!.state);
  });

  it('the counter codec round-trips every reachable state of NP=3 K=2', () => {
    const m = counterRace({ NP: 3, K: 2 }, { codec: false });
    const codec = counterCodec(3, 2) as StateCodec<CounterState>;
    const byKey = new Map<string, CounterState>();
    check({ ...m, actions: (s) => (byKey.set(m.key(s), s), m.actions(s)) });
    const seen = [...byKey.values()];
    expect(seen.length).toBe(check(m).stats.states);
    const codes = new Set<number>();
    for (const s of seen) {
      const c = codec.pack(s);
      codes.add(c);
      expect(m.key(codec.unpack(c))).toBe(m.key(s));
    }
    expect(codes.size).toBe(seen.length);
  });

  it('a shape too big for a double gets a codec of several words', () => {
    const codec = counterCodec(8, 50)!;
    expect(isWordsCodec(codec)).toBe(true);
    // x and t[i]: 9 bits each (0..400), n[i]: 6, pc[i]: 3: 9 * 9 + 8 * (6 + 3) = 153 bits. First fit, largest
    // first, no field across two words: three 27-bit words of 9-bit fields, 30 + 18 bits of 6-bit fields, then
    // the 3-bit fields fill the gaps (one each in the first three words, four in the fifth) and the last opens a sixth.
    expect(codec).toMatchObject({ words: 6, bits: 153 });
  });

  it('a codec that does not round-trip, or packs out of range, is a SpecError', () => {
    const base = counterRace({ NP: 2, K: 1 });
    const lossy: Model<CounterState, any> = { ...base, codec: { pack: () => 0, unpack: (): CounterState => ({ x: 9, t: [0, 0], n: [0, 0], pc: ['head', 'head'] }) } };
    expect(check(lossy).error).toBeInstanceOf(SpecError);
    const codec = base.codec as StateCodec<CounterState>;
    const outOfRange: Model<CounterState, any> = { ...base, codec: { pack: (s: CounterState) => (s.x === 0 && s.pc[0] === 'load' ? -1 : codec.pack(s)), unpack: codec.unpack } };
    expect(check(outOfRange).error).toBeInstanceOf(SpecError);
  });
});

describe('memory guard', () => {
  it('stops with status incomplete (bound memory) and the partial statistics when over the budget', () => {
    const o = check(counterRace({ NP: 3, K: 4 }), { memoryLimitBytes: 1 << 20 });
    expect(o.status).toBe('incomplete');
    expect(o.bound).toBe('memory');
    expect(o.stats.complete).toBe(false);
    expect(o.stats.states).toBeGreaterThan(0);
    expect(o.stats.states).toBeLessThan(165340);
    expect(o.properties.every((p) => p.verdict === 'unknown')).toBe(true);
  });

  // A run that stopped near the V8 heap's limit leaves its states as garbage; until V8
  // collects them, the heap's use counted them and stopped the process's next run at its
  // first state (seen with string keys: every later run of a job 'incomplete' at 1 state).
  it.each([
    ['garbage', false],
    ['live', true],
  ])('%s arrays past nine tenths of the heap\'s limit: over budget is %s', { timeout: 60_000 }, (mode, over) => {
    const out = execFileSync(process.execPath, ['--max-old-space-size=1024', '--import', 'tsx', fileURLToPath(new URL('./fixtures/heap-garbage.ts', import.meta.url)), mode], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ over, kept: mode === 'live' });
  });
});
