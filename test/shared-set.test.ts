/**
 * The visited set parallel workers share (engine/shared-set.ts), driven by
 * real threads: several workers add the same states in different orders,
 * through many growths of the table; each state must be new to exactly one
 * worker, and afterwards every worker must find every state added, and none
 * that was not. One-number codes (some of which are slots whose low word is
 * 0, complete once claimed) and word-packed states (whose words live in the
 * store of the worker that added them); a worker that only helps copy, as one
 * waiting at the end of its level does. Claiming a slot by a plain store
 * instead of a compare-and-swap fails these (tried: four to five of the six
 * in each of three runs); cutting the parts a grow copies at fixed slots
 * instead of empty ones fails the test of the copy, at the end.
 */
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { GATE, newSharedSet, partsOf, SharedCodes, SharedWords } from '../src/engine/shared-set.js';
import { hashPacked, hashWords } from '../src/engine/table.js';

const dir = mkdtempSync(join(tmpdir(), 'shared-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The set and the hashes, bundled for the threads. */
const bundle = join(dir, 'set.mjs');
buildSync({
  stdin: {
    contents: "export * from './src/engine/shared-set.ts'; export { hashPacked, hashWords } from './src/engine/table.ts';",
    resolveDir: new URL('..', import.meta.url).pathname,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: bundle,
  logLevel: 'silent',
});

/**
 * A worker: adds every state of the list, in the same order as its peers
 * (so that they race for the same slots), 512 between enter() and leave();
 * then, once all have, looks each one up.
 */
const WORKER = `
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
(async () => {
  const { SharedCodes, SharedWords, hashPacked, hashWords } = await import(workerData.bundle);
  const { me, workers, init, peers, codes, absent, marks, start, words, helper } = workerData;
  let set;
  const exchange = {
    publish(slots, old, gen) { for (const p of peers) p && p.postMessage({ t: 'table', slots, old, gen }); },
    publishWords(chunk) { for (const p of peers) p && p.postMessage({ t: 'words', chunk }); },
    wake() {},
    receive() {
      peers.forEach((p, from) => {
        if (!p) return;
        for (let r = receiveMessageOnPort(p); r; r = receiveMessageOnPort(p)) {
          if (r.message.t === 'table') set.offer(r.message.slots, r.message.old, r.message.gen);
          else set.offerWords(from, r.message.chunk);
        }
      });
    },
  };
  set = words === 0 ? new SharedCodes(init, exchange) : new SharedWords(init, exchange, me, workers);
  const w = new Int32Array(Math.max(words, 1));
  const state = (code) => { w[0] = code | 0; w[1] = (code / 4294967296) >>> 0; for (let k = 2; k < words; k++) w[k] = Math.imul(w[0], k) ^ k; return w; };
  const add = (code) => words === 0 ? set.addHashed(code, hashPacked(code)) : set.addHashed(state(code), 0, hashWords(state(code), 0, words)) >= 0;
  const has = (code) => words === 0 ? set.hasHashed(code, hashPacked(code)) : set.hasHashed(state(code), 0, hashWords(state(code), 0, words));
  const meet = (i) => { Atomics.add(start, i, 1); while (Atomics.load(start, i) < workers) Atomics.wait(start, i, Atomics.load(start, i), 1); };
  meet(0);
  const n = codes.length;
  let added = 0, copied = 0;
  if (me === helper) {
    // Adds nothing: copies parts of the peers' grows until they have all added.
    while (Atomics.load(start, 1) < workers - 1) copied += set.help();
  } else {
    set.enter();
    for (let i = 0; i < n; i++) {
      if (add(codes[i])) { added++; Atomics.add(marks, i, 1); }
      if (i % 512 === 511) { set.leave(); set.enter(); }
    }
    set.leave();
  }
  meet(1);
  set.enter();
  let missing = 0, extra = 0;
  for (let k = 0; k < n; k++) if (!has(codes[k])) missing++;
  for (let k = 0; k < absent.length; k++) if (has(absent[k])) extra++;
  set.leave();
  parentPort.postMessage({ added, copied, missing, extra, capacity: set.capacity, size: set.size });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

/** `n` distinct codes below 2^53: random ones, and every sixteenth one whose Float64 (code + 1) has a low word of 0 (an odd number below 2^21 times a power of 2); then `m` more not among them. */
function codes(n: number, m: number, seed: number): [Float64Array, Float64Array] {
  let x = seed;
  const rand = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const seen = new Set<number>();
  const all: number[] = [];
  while (all.length < n + m) {
    const c = all.length % 16 === 0 ? ((rand() % 2 ** 20) * 2 + 1) * 2 ** (rand() % 33) - 1 : (rand() % 2 ** 21) * 2 ** 32 + rand();
    if (!seen.has(c)) {
      seen.add(c);
      all.push(c);
    }
  }
  return [Float64Array.from(all.slice(0, n)), Float64Array.from(all.slice(n))];
}

/** `workers` threads race to add `n` states; with `helps`, the last of them adds none and only helps copy. */
async function race(workers: number, words: number, n: number, helps = false): Promise<{ results: { added: number; copied: number; missing: number; extra: number; capacity: number; size: number }[]; marks: Int32Array }> {
  const init = newSharedSet(words, workers);
  const [list, absent] = codes(n, 10_000, 7 + words);
  const shared = new Float64Array(new SharedArrayBuffer(list.byteLength));
  shared.set(list);
  const marks = new Int32Array(new SharedArrayBuffer(4 * n));
  const start = new Int32Array(new SharedArrayBuffer(8));
  const ports: (MessagePort | null)[][] = Array.from({ length: workers }, () => new Array(workers).fill(null));
  for (let i = 0; i < workers; i++) {
    for (let j = i + 1; j < workers; j++) {
      const ch = new MessageChannel();
      ports[i][j] = ch.port1;
      ports[j][i] = ch.port2;
    }
  }
  const results = await Promise.all(
    Array.from({ length: workers }, (_, me) => {
      const peers = ports[me];
      const t = new Worker(WORKER, {
        eval: true,
        workerData: { bundle: pathToFileURL(bundle).href, me, workers, init, peers, codes: shared, absent, marks, start, words, helper: helps ? workers - 1 : -1 },
        transferList: peers.filter((p): p is MessagePort => p !== null),
      });
      return new Promise<any>((resolve, reject) => {
        t.once('message', (m) => {
          void t.terminate();
          if (m.error) reject(new Error(m.error));
          else resolve(m);
        });
        t.once('error', reject);
      });
    }),
  );
  return { results, marks };
}

/**
 * A worker that only enters and leaves, against a grower that follows grow()'s
 * steps on the gate with pauses of its own: the worker helps copy whatever
 * generation the gate says is being made. It once took that generation from
 * GEN + 1 read after GROWING: when the grow ended between the two reads, it
 * waited for a table nobody would send, unless some later grow sent it (found
 * by a review). The grower here stops at the first wait for a table.
 */
const ENTERER = `
const { workerData } = require('node:worker_threads');
(async () => {
  const { SharedCodes } = await import(workerData.bundle);
  const { init, ctl } = workerData;
  let set, seen = 0;
  const exchange = {
    publish() {}, publishWords() {},
    receive() {
      const gen = Atomics.load(ctl, 0);
      if (gen > seen) { seen = gen; set.offer(new Int32Array(new SharedArrayBuffer(16)), new Int32Array(new SharedArrayBuffer(16)), gen); }
      else Atomics.store(ctl, 2, 1);
    },
  };
  set = new SharedCodes(init, exchange);
  for (;;) { set.enter(); set.leave(); Atomics.add(ctl, 1, 1); }
})();`;

const GROWER = `
const { workerData, parentPort } = require('node:worker_threads');
const { ctl, init, GATE } = workerData;
const gate = init.gate;
const spin = (n) => { let x = 0; for (let i = 0; i < n; i++) x += i; return x; };
const pause = new Int32Array(new SharedArrayBuffer(4));
// It stops once the worker has waited for a table not sent yet: a grow under way sends it, a
// grow that had ended would never have.
for (let g = 0; g < workerData.grows && Atomics.load(ctl, 2) === 0; ) {
  if (Atomics.compareExchange(gate, GATE.GROWING, 0, GATE.GROW_WAIT) !== 0) continue;
  while (Atomics.load(gate, GATE.ACTIVE) !== 0);
  Atomics.store(gate, GATE.NEXT, ((g + 1) << 16) | 1);
  Atomics.store(gate, GATE.DONE, 0);
  Atomics.store(ctl, 0, g + 1);
  Atomics.store(gate, GATE.GROWING, GATE.GROW_COPY);
  Atomics.notify(gate, GATE.GROWING);
  spin(200 + (g % 7) * 300);
  g++;
  Atomics.store(gate, GATE.GEN, g);
  Atomics.store(gate, GATE.GROWING, 0);
  Atomics.notify(gate, GATE.GROWING);
  Atomics.wait(pause, 0, 0, 1);
}
parentPort.postMessage('done');`;

describe('the shared visited set', () => {
  it('a worker that enters while a grow ends helps with the generation being made, and goes on', { timeout: 60_000 }, async () => {
    const init = newSharedSet(0, 2);
    const ctl = new Int32Array(new SharedArrayBuffer(12)); // [generation sent, entries of the worker, the worker waited for a table]
    const enterer = new Worker(ENTERER, { eval: true, workerData: { bundle: pathToFileURL(bundle).href, init, ctl } });
    try {
      const grower = new Worker(GROWER, { eval: true, workerData: { init, ctl, GATE, grows: 1500 } });
      await new Promise((resolve, reject) => {
        grower.once('message', resolve);
        grower.once('error', reject);
      });
      const before = Atomics.load(ctl, 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(Atomics.load(ctl, 1)).toBeGreaterThan(before);
    } finally {
      await enterer.terminate();
    }
  });

  it.each([
    { what: 'one-number codes', words: 0, workers: 2, helps: false },
    { what: 'one-number codes', words: 0, workers: 3, helps: false },
    { what: 'words (3 a state)', words: 3, workers: 2, helps: false },
    { what: 'words (3 a state)', words: 3, workers: 3, helps: false },
    { what: 'one-number codes', words: 0, workers: 3, helps: true },
    { what: 'words (3 a state)', words: 3, workers: 3, helps: true },
  ])('$what, $workers workers (the last only helping copy: $helps): each state new to exactly one worker, through the growths, and found by every worker after', { timeout: 120_000 }, async ({ words, workers, helps }) => {
    const n = 400_000;
    const { results, marks } = await race(workers, words, n, helps);
    expect(results.map((r) => [r.missing, r.extra])).toEqual(results.map(() => [0, 0]));
    expect(results.reduce((a, r) => a + r.added, 0)).toBe(n);
    expect(marks.every((m) => m === 1)).toBe(true);
    // From 2^16 slots to 2^20 (400,000 states at a load of 3/4 at most): four growths, while every worker adds.
    expect(results.map((r) => [r.capacity, r.size])).toEqual(results.map(() => [2 ** 20, n]));
    // The helper took parts of the grows (of 4 to 32 parts each).
    if (helps) expect(results[workers - 1].copied).toBeGreaterThan(0);
  });
});

describe('growing the shared set', () => {
  /**
   * `states` added to a fresh set of one worker (not grown: its first table of
   * 2^16 slots) by `add`, then its table copied part by part as a grow does:
   * each part alone into a table of its own (the slots they fill must not
   * meet), and all of them, in a scrambled order, into one table through a
   * proxy that records which part writes each word, the zeros that map its
   * pages included (no word may be written by two parts); in that one table
   * every state must be found from its home. `used` and `found` read a table.
   */
  function copyAll(
    words: number,
    add: (set: SharedCodes | SharedWords) => number,
    found: (table: Int32Array, mask: number) => number,
  ): { old: Int32Array; parts: number; ends: number[] } {
    const exchange = { publish() {}, publishWords() {}, receive() {}, wake() {} };
    const init = newSharedSet(words, 1);
    const set = words === 0 ? new SharedCodes(init, exchange) : new SharedWords(init, exchange, 0, 1);
    set.enter();
    const n = add(set);
    set.leave();
    const old = init.slots;
    const cap = old.length / 2;
    expect(set.capacity).toBe(cap);
    const used = (t: Int32Array, i: number): boolean => (words === 0 ? new Float64Array(t.buffer)[i] !== 0 : t[2 * i + 1] !== 0);
    const [partSlots, parts] = partsOf(old);
    expect(parts).toBe(4);
    // Where each part's copy starts: the first empty slot from its share on (past the end for the cluster that wraps).
    const ends = [...Array(parts).keys()].map((p) => {
      let i = p * partSlots;
      while (used(old, i % cap)) i++;
      return i;
    });
    const owner = new Int8Array(2 * cap).fill(-1);
    for (let p = 0; p < parts; p++) {
      const alone = new Int32Array(new SharedArrayBuffer(old.byteLength * 2));
      set.copyPart(old, p, alone);
      for (let i = 0; i < 2 * cap; i++) {
        if (!used(alone, i)) continue;
        if (owner[i] !== -1) expect.fail(`slot ${i} filled by parts ${owner[i]} and ${p}`);
        owner[i] = p;
      }
    }
    expect(owner.filter((o) => o >= 0).length).toBe(n);
    const grown = new Int32Array(new SharedArrayBuffer(old.byteLength * 2));
    const writer = new Int8Array(grown.length).fill(-1);
    for (const p of [2, 0, 3, 1]) {
      const recorded = new Proxy(grown, {
        get: (t, k) => Reflect.get(t, k),
        set(t, k, v) {
          const j = Number(k);
          if (writer[j] !== -1 && writer[j] !== p) expect.fail(`word ${j} written by parts ${writer[j]} and ${p}`);
          writer[j] = p;
          return Reflect.set(t, k, v);
        },
      });
      set.copyPart(old, p, recorded);
    }
    expect(found(grown, 2 * cap - 1)).toBe(n);
    return { old, parts, ends };
  }

  it.each([
    { what: 'one-number codes', words: 0 },
    { what: 'words (3 a state)', words: 3 },
  ])('$what, a random table: each part of the old table writes words no other part writes, and the grown table holds every state where a lookup finds it', ({ words }) => {
    // 49,000 states: 3/4 of the first table's 2^16 slots, just below the load at which it grows (49,152).
    const [list] = codes(49_000, 0, 11);
    const w = new Int32Array(Math.max(words, 1));
    const state = (c: number): Int32Array => {
      w[0] = c | 0;
      w[1] = (c / 4294967296) >>> 0;
      for (let k = 2; k < words; k++) w[k] = Math.imul(w[0], k) ^ k;
      return w;
    };
    let keyOf = (c: number): number => c;
    const { old, parts, ends } = copyAll(
      words,
      (set) => {
        if (set instanceof SharedCodes) keyOf = (c) => set.keyOf(c);
        for (const c of list) expect(set instanceof SharedCodes ? set.addHashed(c, hashPacked(c)) : set.addHashed(state(c), 0, hashWords(state(c), 0, words)) >= 0).toBe(true);
        return list.length;
      },
      (table, mask) => {
        // Probing from each state's home, as a lookup does: a code's Float64, or a state's reference (its index + 1, all added in order).
        const values = new Float64Array(table.buffer);
        let found = 0;
        list.forEach((c, k) => {
          for (let i = (words === 0 ? hashPacked(c) : hashWords(state(c), 0, words)) & mask; words === 0 ? values[i] !== 0 : table[2 * i + 1] !== 0; i = (i + 1) & mask) {
            if (words === 0 ? values[i] === keyOf(c) : table[2 * i + 1] === k + 1) {
              found++;
              break;
            }
          }
        });
        return found;
      },
    );
    // Where the parts meet, clusters run on: a part must copy its last one to its end.
    const cap = old.length / 2;
    expect(ends.filter((e, p) => e > p * (cap / parts)).length).toBeGreaterThan(0);
  });

  it('a cluster that wraps around the end of the table, and parts whose share lies inside one cluster (words, hashes chosen)', () => {
    // 40,000 states whose homes are 10,000 on (one cluster over parts 0 to 3), 8,000 at 65,530 (a cluster that wraps).
    const homes = [...Array(40_000).keys()].map((k) => 10_000 + k).concat(Array(8_000).fill(65_530));
    const hashOf = (k: number): number => homes[k] | (((k * 2654435761) >>> 16) << 16);
    const w = new Int32Array(2);
    const { old, parts, ends } = copyAll(
      2,
      (set) => {
        homes.forEach((_, k) => {
          w[0] = k;
          w[1] = hashOf(k);
          expect((set as { addHashed(src: Int32Array, at: number, hash: number): number }).addHashed(w, 0, hashOf(k))).toBe(k);
        });
        return homes.length;
      },
      (table, mask) => {
        let found = 0;
        for (let k = 0; k < homes.length; k++) {
          for (let i = hashOf(k) & mask; table[2 * i + 1] !== 0; i = (i + 1) & mask) {
            if (table[2 * i + 1] === k + 1) {
              found++;
              break;
            }
          }
        }
        return found;
      },
    );
    const cap = old.length / 2;
    // The last cluster runs past the end (part 0 starts after it), and shares 1 and 2 lie inside the long cluster (their parts copy nothing).
    expect(ends[0]).toBeGreaterThan(0);
    expect(old[2 * (cap - 1) + 1]).not.toBe(0);
    expect(ends[1]).toBe(ends[2]);
    expect(parts).toBe(4);
  });
});

describe('a grow the memory budget refuses', () => {
  it('leaves the table as it is, which still takes and finds states past its load of 3/4; the worker asks once', () => {
    const asked: number[] = [];
    const exchange = { publish() {}, publishWords() {}, receive() {}, wake() {}, allows: (bytes: number) => (asked.push(bytes), false) };
    const set = new SharedCodes(newSharedSet(0, 1), exchange);
    // 60,000 states in 2^16 slots: past the 49,152 at which it grows, in batches of 512 (each leave() would grow it).
    const [list, absent] = codes(60_000, 1_000, 5);
    for (let i = 0; i < list.length; i += 512) {
      set.enter();
      for (const c of list.subarray(i, i + 512)) expect(set.addHashed(c, hashPacked(c))).toBe(true);
      set.leave();
    }
    expect([set.capacity, set.size]).toEqual([2 ** 16, 60_000]);
    // Asked for a table twice the size (2^17 slots of 8 bytes), once.
    expect(asked).toEqual([2 ** 20]);
    set.enter();
    expect(list.every((c) => set.hasHashed(c, hashPacked(c)))).toBe(true);
    expect(absent.some((c) => set.hasHashed(c, hashPacked(c)))).toBe(false);
    set.leave();
  });
});
