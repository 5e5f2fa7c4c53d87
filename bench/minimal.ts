/**
 * The reference the engine's speed is compared with: the minimal exploration
 * of the counter race that issue 6 describes (on its machine class, about
 * 1.07 million distinct states per second at K=8). Each step is a mutation of
 * a copied plain object, the state is packed into one integer (mixed radix),
 * the visited set is an open-addressing table of Float64 keys with a
 * well-mixed hash, and the queue is the list of codes; no parent links, no
 * properties, no coverage. It uses nothing of the engine, so that running it
 * beside the engine on the same machine at the same time measures the
 * engine's speed relative to it (the machines are shared and noisy).
 */

export interface MinimalResult {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
}

const fmix32 = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
};
const hash = (c: number): number => fmix32((c >>> 0) ^ fmix32(((c / 4294967296) >>> 0) + 0x9e3779b9));

interface St {
  x: number;
  t: number[];
  n: number[];
  pc: number[];
}
const HEAD = 0;
const LOAD = 1;
const STORE = 2;
const INCR = 3;
const DONE = 4;

export function minimalCounterRace(NP: number, K: number): MinimalResult {
  const X = NP * K + 1;
  const N = K + 1;
  const P = 5;
  const pack = (s: St): number => {
    let c = s.x;
    for (let i = 0; i < NP; i++) c = ((c * X + s.t[i]) * N + s.n[i]) * P + s.pc[i];
    return c;
  };
  const unpack = (code: number): St => {
    const t = new Array<number>(NP);
    const n = new Array<number>(NP);
    const pc = new Array<number>(NP);
    let c = code;
    for (let i = NP - 1; i >= 0; i--) {
      pc[i] = c % P;
      c = (c - pc[i]) / P;
      n[i] = c % N;
      c = (c - n[i]) / N;
      t[i] = c % X;
      c = (c - t[i]) / X;
    }
    return { x: c, t, n, pc };
  };

  let cap = 1 << 16;
  let slots = new Float64Array(cap);
  let size = 0;
  const add = (c: number): boolean => {
    const v = c + 1;
    let mask = cap - 1;
    let i = hash(c) & mask;
    for (;;) {
      const s = slots[i];
      if (s === v) return false;
      if (s === 0) break;
      i = (i + 1) & mask;
    }
    slots[i] = v;
    if (++size * 4 > cap * 3) {
      const old = slots;
      cap *= 2;
      slots = new Float64Array(cap);
      mask = cap - 1;
      for (let j = 0; j < old.length; j++) {
        const w = old[j];
        if (w === 0) continue;
        let k = hash(w - 1) & mask;
        while (slots[k] !== 0) k = (k + 1) & mask;
        slots[k] = w;
      }
    }
    return true;
  };

  let queue = new Float64Array(1 << 20);
  let tail = 0;
  const push = (c: number): void => {
    if (tail === queue.length) {
      const q = new Float64Array(queue.length * 2);
      q.set(queue);
      queue = q;
    }
    queue[tail++] = c;
  };

  const init = pack({ x: 0, t: Array(NP).fill(0), n: Array(NP).fill(0), pc: Array(NP).fill(HEAD) });
  add(init);
  push(init);
  let transitions = 0;
  let depth = 1;
  let levelEnd = tail;
  for (let head = 0; head < tail; head++) {
    if (head === levelEnd) {
      depth++;
      levelEnd = tail;
    }
    const s = unpack(queue[head]);
    for (let i = 0; i < NP; i++) {
      if (s.pc[i] === DONE) continue;
      const d: St = { x: s.x, t: s.t.slice(), n: s.n.slice(), pc: s.pc.slice() };
      switch (s.pc[i]) {
        case HEAD:
          d.pc[i] = d.n[i] < K ? LOAD : DONE;
          break;
        case LOAD:
          d.t[i] = d.x;
          d.pc[i] = STORE;
          break;
        case STORE:
          d.x = d.t[i] + 1;
          d.t[i] = 0;
          d.pc[i] = INCR;
          break;
        case INCR:
          d.n[i] += 1;
          d.pc[i] = HEAD;
          break;
      }
      transitions++;
      const c = pack(d);
      if (add(c)) push(c);
    }
  }
  return { states: size, transitions, depth };
}
