/**
 * A worker thread of the parallel explorer (parallel.ts). Packed states: the
 * workers share one visited set (shared-set.ts) and, level by level, claim
 * chunks of the states all of them found in the level before; each keeps
 * the states it added (parent, action, words) and lists them for the next
 * level in shared memory. States keyed by strings: each worker owns the
 * states whose key hashes to it, sends successors it does not own to their
 * owners and stores the ones it receives.
 */
import { statCpuMs } from './proc-stat.js';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Action, Model } from './model.js';
import { CoverageCounter, overMemory } from './explore.js';
import { Findings } from './findings.js';
import { PackedSpace, spaceFor, WideSpace, type Space } from './store.js';
import { SuccessorBatch, WideBatch } from './successors.js';
import { Guard, guardErrorFields, modelError } from './guard.js';
import { hashString } from './table.js';
import { SharedCodes, SharedWords, type SharedSetInit, type TableExchange } from './shared-set.js';
import { ParallelError, STOP_MEMORY, STOP_NONE, type LevelReport, type ModelRef, type RunOrder } from './parallel.js';
import { abortPeers, AbortedByPeer, barrier, CTL_ADDED, CTL_STOP, CTL_STOPPED, CTL_VIOLATED, ctlSlot, wakeWaiters } from './barrier.js';
import { importModule } from './preloaded.js';

interface Data {
  readonly me: number;
  readonly workers: number;
  readonly ref: ModelRef;
  readonly peers: (MessagePort | null)[];
  readonly stopWord: Int32Array;
  /** The level barrier and each worker's end-of-level figures (barrier.ts). */
  readonly ctl: Int32Array;
  /** Packed models: the shared visited set, and two counters of claimed states (one per parity of the level). */
  readonly shared?: SharedSetInit;
  readonly claim: Int32Array;
  /** The run's memory budget in bytes (a grow of the shared set past it is refused). */
  readonly memoryLimit: number;
}

const { me, workers: W, ref, peers, stopWord, ctl, shared, claim, memoryLimit } = workerData as Data;
const port = parentPort!;

let model: Model<unknown, Action>;
let space: Space<unknown>;
let coverage: CoverageCounter;
let findings: Findings<unknown>;
/** Packed models: the visited set as packed, and the batch successors are generated into. */
let packedSpace: PackedSpace<unknown> | undefined;
let batch: SuccessorBatch<unknown, Action> | undefined;
/** Word-packed models (a WordsCodec): the same with words. */
let wideSpace: WideSpace<unknown> | undefined;
let wideBatch: WideBatch<unknown, Action> | undefined;
let levelStart = 0;
let levelEnd = 0;
let transitions = 0;
let depthBound = false;
let stopped = false;

/** The owner of a state keyed by a string: by the top bits of its key's hash. */
const ownerOf = (key: string): number => Math.floor(((hashString(key) >>> 0) / 2 ** 32) * W);

const gid = (local: number): number => local * W + me;

/** This thread's CPU time (Linux: utime + stime of /proc/thread-self/stat); NaN elsewhere. */
const threadCpuMs = (): number => statCpuMs('/proc/thread-self/stat', 14);
let loadedCpuMs = 0;

function receive(identity: string | number, state: unknown, parent: number, action: number, expand: boolean): void {
  if (!expand) {
    if (!space.hasIdentity(identity)) depthBound = true;
    return;
  }
  const local = space.addIdentity(identity, state, parent, action);
  if (local >= 0) findings.checkNew(gid(local), state === undefined ? space.state(local) : state);
}

const BATCH = 4096;

/** Successors bound for one peer on the string path: keys with their states, sent in batches. */
class Outbox {
  n = 0;
  nums = new Float64Array(BATCH * 3);
  keys: string[] = [];
  states: unknown[] = [];
  /** Batches posted this level, published at its end (an atomic store before the barrier): the peer checks it got them all. */
  private posted = 0;
  private readonly count = new Int32Array(new SharedArrayBuffer(4));
  constructor(private readonly to: MessagePort) {
    to.postMessage({ t: 'posted', count: this.count });
  }
  push(identity: string, state: unknown, parent: number, action: number): void {
    const n = this.n;
    this.keys.push(identity);
    this.states.push(state);
    this.nums[n * 3 + 1] = parent;
    this.nums[n * 3 + 2] = action;
    this.n = n + 1;
    if (this.n === BATCH) this.flush();
  }
  flush(): void {
    if (this.n === 0) return;
    const nums = this.nums;
    this.to.postMessage({ t: 'batch', n: this.n, nums, keys: this.keys, states: this.states }, [nums.buffer]);
    this.posted++;
    this.n = 0;
    this.nums = new Float64Array(BATCH * 3);
    this.keys = [];
    this.states = [];
  }
  /** Ends the level: the last batch, then the number posted. */
  end(): void {
    this.flush();
    Atomics.store(this.count, 0, this.posted);
    this.posted = 0;
  }
}

/**
 * States per chunk of a front (2^16). CHECKER_FRONT_BITS sets another power of
 * two, so that tests can make a level span many chunks.
 */
const FRONT_BITS = Number(process.env.CHECKER_FRONT_BITS ?? 16);
const FRONT_MASK = (1 << FRONT_BITS) - 1;

/**
 * The states a worker added in a level, for every worker to expand in the
 * next, in Int32 chunks of shared memory: per state, `E` words ending with
 * its global id (a one-number code's low and high 32 bits before it; a
 * word-packed state's words are read from the shared set's stores). A chunk is
 * sent to the peers once, when it is made; there are two fronts, written in
 * alternate levels, so that one is read while the other is written. The
 * level's count is published with an atomic store before the barrier that
 * ends the level, and read with an atomic load after it.
 */
class Front {
  n = 0;
  readonly chunks: Int32Array[] = [];
  readonly count = new Int32Array(new SharedArrayBuffer(4));
  constructor(
    private readonly parity: number,
    private readonly E: number,
  ) {
    for (const p of peers) p?.postMessage({ t: 'front', parity, count: this.count });
  }
  /** Room for one more state (its chunk made and sent when it is the first of one): its index. */
  private slot(): number {
    const n = this.n;
    const c = n >>> FRONT_BITS;
    if (c === this.chunks.length) {
      const chunk = new Int32Array(new SharedArrayBuffer((4 * this.E) << FRONT_BITS));
      this.chunks.push(chunk);
      for (const p of peers) p?.postMessage({ t: 'fchunk', parity: this.parity, chunk });
    }
    this.n = n + 1;
    return n;
  }
  pushCode(code: number, g: number): void {
    const n = this.slot();
    const a = this.chunks[n >>> FRONT_BITS];
    const i = (n & FRONT_MASK) * 3;
    a[i] = code | 0;
    a[i + 1] = (code / 4294967296) >>> 0;
    a[i + 2] = g;
  }
  pushId(g: number): void {
    const n = this.slot();
    this.chunks[n >>> FRONT_BITS][n & FRONT_MASK] = g;
  }
  /** Ends the level: publishes the count (its readers keep their own) and starts the front empty for its next level. */
  end(): void {
    Atomics.store(this.count, 0, this.n);
    this.n = 0;
  }
}

/** A front as its readers see it: its chunks, its count, and the level's count once it ended. */
interface FrontIn {
  readonly chunks: Int32Array[];
  count?: Int32Array;
  n: number;
}

/** This worker's two fronts (by parity of the level that writes them), and every worker's as read, [parity][worker]. */
let fronts: Front[] = [];
const frontsIn: FrontIn[][] = [0, 1].map(() => Array.from({ length: W }, () => ({ chunks: [], n: 0 })));
/** The level being expanded (1 expands the initial states). */
let depthNow = 0;
/** States claimed at a time. */
const CLAIM = 256;

/** This worker was refused a grow of the shared set (the memory budget): it stops expanding at once. */
let refused = false;

/** The shared visited set of a packed model. */
let sharedCodes: SharedCodes | undefined;
let sharedWords: SharedWords | undefined;

/**
 * Expands the states every worker added in the level before, CLAIM at a time
 * from a shared counter (whichever worker is free takes the next ones, so
 * the workers end the level together): `one` gets each state's global id
 * and where its entry is (a chunk, the offset), `E` words per entry.
 */
function claimLevel(E: number, one: (g: number, chunk: Int32Array, at: number) => void): void {
  const parity = (depthNow - 1) & 1;
  const ins = frontsIn[parity];
  let total = 0;
  for (let w = 0; w < W; w++) total += ins[w].n = Atomics.load(ins[w].count!, 0);
  for (;;) {
    if (Atomics.load(stopWord, 0) !== STOP_NONE) {
      stopped = true;
      return;
    }
    const from = Atomics.add(claim, parity, CLAIM);
    if (from >= total) return;
    const to = Math.min(total, from + CLAIM);
    let w = 0;
    let base = 0;
    for (let i = from; i < to; i++) {
      // Refused a grow of the shared set: expand no more (each state's successors are added to a set that no longer grows).
      if (refused) {
        stopped = true;
        return;
      }
      while (i >= base + ins[w].n) base += ins[w++].n;
      const o = i - base;
      const at = (o & FRONT_MASK) * E;
      const chunk = ins[w].chunks[o >>> FRONT_BITS];
      one(chunk[at + E - 1], chunk, at);
    }
  }
}

/** String keys already sent to their owners (bounded: cleared when full). */
const sent = new Set<string>();
const SENT_MAX = 1 << 20;

/** Per peer, on the string path: the count of batches it posted in the level, published at the level's end. */
interface Posted {
  count?: Int32Array;
  n: number;
}

let outboxes: (Outbox | null)[] = [];
const postedIn: Posted[] = Array.from({ length: W }, () => ({ n: 0 }));

/** Expands this worker's part of the level; on the string path, what it found for peers is posted when it returns. */
function expandLevel(expand: boolean): void {
  if (packedSpace !== undefined) expandPacked(packedSpace, batch!, expand);
  else if (wideSpace !== undefined) expandWide(wideSpace, wideBatch!, expand);
  else {
    expandKeyed(expand);
    for (const o of outboxes) o?.end();
  }
}

/** Runs `add(n)` between the shared set's enter() and leave(); leaves even if it throws, so that no peer waits for this worker. */
function adding(set: SharedCodes | SharedWords, add: (n: number) => void, n: number): void {
  set.enter();
  try {
    add(n);
  } finally {
    set.leave();
  }
}

/** Successors per flush of the batch (see explore.ts). */
const GENERATED = 512;

/**
 * A level of a packed model: the states claimed (claimLevel) expanded into a
 * batch, in place when the model allows; each flush of the batch reads the
 * first slots of its successors in the shared set together, then adds them
 * in order (as explore.ts does): a new one is this worker's, is checked and
 * goes into its front for the next level.
 */
function expandPacked(ps: PackedSpace<unknown>, b: SuccessorBatch<unknown, Action>, expand: boolean): void {
  const quiescent = findings.checksQuiescent;
  const set = sharedCodes!;
  const front = fronts[depthNow & 1];
  const flush = (): void => {
    const m = b.n;
    b.n = 0;
    const { codes, parents, indices, acted } = b;
    let n = 0;
    for (let k = 0; k < m; k++) {
      const a = acted[k];
      if (a === null) {
        findings.checkQuiescent(parents[k], b.decode(codes[k], b.probe));
        continue;
      }
      transitions++;
      coverage.fire(a);
      codes[n] = codes[k];
      parents[n] = parents[k];
      indices[n] = indices[k];
      n++;
    }
    adding(set, addAll, n);
  };
  /** Adds the batch's `n` successors in order (their first slots read together): a new one is this worker's, goes into its front and is checked. */
  const addAll = (n: number): void => {
    const { codes, parents, indices, hashes, firsts } = b;
    ps.hashAll(codes, n, hashes, firsts);
    for (let k = 0; k < n; k++) {
      const c = codes[k];
      if (firsts[k] === set.keyOf(c)) continue;
      if (!expand) {
        if (!ps.hasHashed(c, hashes[k])) depthBound = true;
        continue;
      }
      const local = ps.addHashed(c, hashes[k], parents[k], indices[k]);
      if (local < 0) continue;
      front.pushCode(c, gid(local));
      if (findings.checksNew) findings.checkNew(gid(local), b.decode(c, b.probe));
    }
  };
  claimLevel(3, (g, chunk, at) => {
    b.expand(g, chunk[at + 1] * 4294967296 + (chunk[at] >>> 0), quiescent);
    if (b.n >= GENERATED) flush();
  });
  flush();
}

/** A level of a word-packed model: as expandPacked, with words. */
function expandWide(ws: WideSpace<unknown>, b: WideBatch<unknown, Action>, expand: boolean): void {
  const quiescent = findings.checksQuiescent;
  const set = sharedWords!;
  const front = fronts[depthNow & 1];
  const W = ws.words;
  const flush = (): void => {
    const m = b.n;
    b.n = 0;
    const { codes, parents, indices, acted, hashes } = b;
    let n = 0;
    for (let k = 0; k < m; k++) {
      const a = acted[k];
      if (a === null) {
        findings.checkQuiescent(parents[k], b.decode(k, b.probe));
        continue;
      }
      transitions++;
      coverage.fire(a);
      if (n !== k) {
        codes.copyWithin(n * W, k * W, k * W + W);
        parents[n] = parents[k];
        indices[n] = indices[k];
        hashes[n] = hashes[k];
        acted[n] = a;
      }
      n++;
    }
    adding(set, addAll, n);
  };
  /** Adds the batch's `n` successors in order: a new one is this worker's, goes into its front and is checked. */
  const addAll = (n: number): void => {
    const { codes, parents, indices, hashes } = b;
    ws.firstAll(hashes, n, b.firsts);
    for (let k = 0; k < n; k++) {
      if (!expand) {
        if (!ws.hasHashed(codes, k * W, hashes[k])) depthBound = true;
        continue;
      }
      const local = ws.addHashed(codes, k * W, hashes[k], parents[k], indices[k]);
      if (local < 0) continue;
      front.pushId(gid(local));
      if (findings.checksNew) findings.checkNew(gid(local), b.decode(k, b.probe));
    }
  };
  claimLevel(1, (g) => {
    b.expand(g, set.wordsOf(g), set.at, quiescent);
    if (b.n >= GENERATED) flush();
  });
  flush();
}

let guard: Guard<unknown, Action> | undefined;

function expandKeyed(expand: boolean): void {
  guard ??= new Guard(model);
  for (let id = levelStart; id < levelEnd; id++) {
    if ((id & 255) === 0 && Atomics.load(stopWord, 0) !== STOP_NONE) {
      stopped = true;
      break;
    }
    const state = space.state(id);
    const acts = guard.actions(state);
    if (acts.length === 0 && findings.checksQuiescent) findings.checkQuiescent(gid(id), state);
    const parent = gid(id);
    for (let ai = 0; ai < acts.length; ai++) {
      const a = acts[ai];
      const succ = guard.next(state, a);
      transitions++;
      coverage.fire(a);
      let identity: string | number;
      try {
        identity = space.identity(succ);
      } catch (e) {
        throw modelError(model, 'key', e, state, a);
      }
      const owner = W === 1 ? 0 : ownerOf(identity as string);
      if (owner === me) receive(identity, succ, parent, ai, expand);
      else if (!sent.has(identity as string)) {
        // A state object is costly to clone: send each key once (the owner has it from then on).
        if (sent.size >= SENT_MAX) sent.clear();
        sent.add(identity as string);
        outboxes[owner]!.push(identity as string, succ, parent, ai);
      }
    }
  }
}

function report(): LevelReport {
  const r: LevelReport = { size: space.size, transitions, found: Object.fromEntries(findings.found), depthBound };
  findings.found.clear();
  transitions = 0;
  return r;
}

type Message = { t: string; n: number; nums: Float64Array; keys: string[]; states: unknown[]; count?: Int32Array; parity?: number; chunk?: Int32Array; slots?: Int32Array; old?: Int32Array; gen?: number };

/**
 * Batches received during a level, by sender (the string path). They are
 * stored only once this worker has expanded its own part, then peer by peer
 * in worker order: the order of insertion, and so every parent link and
 * trace, does not depend on the threads' timing.
 */
const inbox: Message[][] = Array.from({ length: W }, () => []);

/** Takes what a peer posted to this worker (its fronts' chunks and counts, a grown shared set, or batches of keyed states), without the event loop. */
function drain(from: number): void {
  const p = peers[from]!;
  for (let r = receiveMessageOnPort(p); r !== undefined; r = receiveMessageOnPort(p)) {
    const m = r.message as Message;
    switch (m.t) {
      case 'front':
        frontsIn[m.parity!][from].count = m.count;
        break;
      case 'fchunk':
        frontsIn[m.parity!][from].chunks.push(m.chunk!);
        break;
      case 'words':
        sharedWords!.offerWords(from, m.chunk!);
        break;
      case 'table':
        (sharedCodes ?? sharedWords)!.offer(m.slots!, m.old!, m.gen!);
        break;
      case 'posted':
        postedIn[from].count = m.count;
        break;
      default:
        inbox[from].push(m);
    }
  }
}

/** The shared set's way to hand a grown table to the peers and take theirs. */
const exchange: TableExchange = {
  publish(slots, old, gen) {
    for (const p of peers) p?.postMessage({ t: 'table', slots, old, gen });
  },
  publishWords(chunk) {
    for (const p of peers) p?.postMessage({ t: 'words', chunk });
  },
  receive() {
    for (let from = 0; from < W; from++) if (from !== me) drain(from);
  },
  wake() {
    wakeWaiters(ctl);
  },
  // A grow past the run's memory budget is refused and stops the run: this worker expands no more, its peers stop at their next claim (the stop word).
  allows(bytes) {
    if (!overMemory(memoryLimit, bytes)) return true;
    Atomics.compareExchange(stopWord, 0, STOP_NONE, STOP_MEMORY);
    refused = true;
    return false;
  },
};

/**
 * Stores, peer by peer in worker order, the keyed successors the peers found
 * for this worker during the level. A message posted before the barrier is
 * in the port's queue after it (Node queues it synchronously); that is
 * checked against the count of batches each peer published, not assumed.
 */
function storeReceived(expand: boolean): void {
  for (let from = 0; from < W; from++) {
    if (from === me) continue;
    drain(from);
    const posted = postedIn[from];
    posted.n = posted.count === undefined ? 0 : Atomics.load(posted.count, 0);
    if (inbox[from].length !== posted.n) {
      throw new ParallelError(`worker ${me} received ${inbox[from].length} of the ${posted.n} batches worker ${from} posted in this level`);
    }
    for (const m of inbox[from]) {
      const { n, nums, keys, states } = m;
      for (let i = 0; i < n; i++) receive(keys[i], states[i], nums[i * 3 + 1], nums[i * 3 + 2], expand);
    }
    inbox[from].length = 0;
  }
}

/** Why the workers stopped exploring: all of them decide it from the same figures (see run). */
export interface RunEnd {
  readonly why: 'complete' | 'stop' | 'violation';
  /** With 'stop': the stop word's value (STOP_TIME or STOP_MEMORY). */
  readonly stop: number;
}

/** Ends a level (the initial states' too): the next one's range, this worker's figures in ctl, its report to the main thread. */
function endLevel(): void {
  fronts[depthNow & 1]?.end();
  space.nextLevel();
  levelStart = levelEnd;
  levelEnd = space.size;
  Atomics.store(ctl, ctlSlot(W, me, CTL_ADDED, depthNow), levelEnd - levelStart);
  Atomics.store(ctl, ctlSlot(W, me, CTL_STOPPED, depthNow), stopped ? 1 : 0);
  Atomics.store(ctl, ctlSlot(W, me, CTL_STOP, depthNow), Atomics.load(stopWord, 0));
  Atomics.store(ctl, ctlSlot(W, me, CTL_VIOLATED, depthNow), findings.violated ? 1 : 0);
  port.postMessage({ t: 'report', ...report() });
}

/**
 * How the run ends after the level every worker has just ended, read from
 * all workers' figures (so every worker reads the same), or undefined to go
 * on. In the order the main thread took these decisions when it drove each
 * level itself: a stop seen during the level; a level that added nothing (the
 * run is complete); a violation, when asked to stop at the first; the stop
 * word.
 */
function decide(order: RunOrder): RunEnd | undefined {
  let added = 0;
  let anyStopped = false;
  let stop = STOP_NONE;
  let violated = false;
  for (let w = 0; w < W; w++) {
    added += Atomics.load(ctl, ctlSlot(W, w, CTL_ADDED, depthNow));
    anyStopped ||= Atomics.load(ctl, ctlSlot(W, w, CTL_STOPPED, depthNow)) !== 0;
    if (stop === STOP_NONE) stop = Atomics.load(ctl, ctlSlot(W, w, CTL_STOP, depthNow));
    violated ||= Atomics.load(ctl, ctlSlot(W, w, CTL_VIOLATED, depthNow)) !== 0;
  }
  if (anyStopped) return { why: 'stop', stop };
  if (added === 0) return { why: 'complete', stop };
  if (order.stopOnViolation && violated) return { why: 'violation', stop };
  if (stop !== STOP_NONE) return { why: 'stop', stop };
  return undefined;
}

/** At the end of a level, with packed states: helps a peer copy the shared set it grows. */
const helpGrow = (): void => {
  (sharedCodes ?? sharedWords)?.help();
};

/**
 * Explores level after level, from the initial states' (ended by 'roots'),
 * until the space is exhausted or a bound is met. With packed states the
 * workers meet at the barrier once a level, when each has expanded its part
 * and ended the level (every successor is then in the shared set, the level's
 * figures are in ctl, by the level's parity, and the fronts' counts are
 * published); while one waits there, it helps copy the shared set if a peer
 * grows it. With string keys they meet twice: after expanding (every batch
 * for this worker is then posted) and after storing what was received.
 */
function run(order: RunOrder): RunEnd {
  for (let depth = 1; ; depth++) {
    const end = decide(order);
    if (end !== undefined) return end;
    depthNow = depth;
    if (shared !== undefined) {
      // The peers' new chunks of the fronts this level reads; the counter the next level claims from, unused in this one.
      exchange.receive();
      if (me === 0) Atomics.store(claim, depth & 1, 0);
    }
    expandLevel(depth < order.maxDepth);
    if (shared === undefined) {
      barrier(ctl, W);
      storeReceived(depth < order.maxDepth);
    }
    endLevel();
    barrier(ctl, W, helpGrow);
  }
}

/** The initial states, into the shared set and this worker's first front (worker 0 adds them all). */
function addRoots(inits: readonly unknown[]): void {
  adding(
    (sharedCodes ?? sharedWords)!,
    (n) => {
      for (let i = 0; i < n; i++) {
        const local = space.addIdentity(space.identity(inits[i]), inits[i], -1, i);
        if (local < 0) continue;
        if (wideSpace !== undefined) fronts[0].pushId(gid(local));
        else fronts[0].pushCode(packedSpace!.stored(local), gid(local));
        findings.checkNew(gid(local), inits[i]);
      }
    },
    inits.length,
  );
}

function fail(e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  port.postMessage({ t: 'error', error: { name: err.name, message: err.message, code: (err as { code?: string }).code, ...guardErrorFields(err) } });
}

port.on('message', async (m: { t: string; order?: RunOrder; local?: number }) => {
  try {
    switch (m.t) {
      case 'load': {
        const mod = (await importModule(ref.module)) as Record<string, (...args: unknown[]) => unknown>;
        model = (await mod[ref.exportName](...ref.args)) as Model<unknown, Action>;
        space = spaceFor(
          model,
          shared && {
            codes: () => (sharedCodes = new SharedCodes(shared, exchange)),
            words: () => (sharedWords = new SharedWords(shared, exchange, me, W)),
          },
        );
        if (space instanceof PackedSpace) {
          packedSpace = space;
          batch = new SuccessorBatch(model, space.codec, space.identity(model.initialStates()[0]), GENERATED * 2);
        }
        if (space instanceof WideSpace) {
          wideSpace = space;
          const sample = new Int32Array(space.words);
          space.codec.pack(model.initialStates()[0], sample, 0);
          wideBatch = new WideBatch(model, space.codec, sample, GENERATED * 2);
        }
        if ((shared !== undefined) !== (packedSpace !== undefined || wideSpace !== undefined)) {
          throw new ParallelError(`worker ${me}: the model ${model.name} ${shared === undefined ? 'is' : 'is not'} packed here, but not in the main thread`);
        }
        coverage = new CoverageCounter(model.steps);
        findings = new Findings(model.properties, model);
        if (shared !== undefined) {
          const E = wideSpace === undefined ? 3 : 1;
          fronts = [new Front(0, E), new Front(1, E)];
          for (const parity of [0, 1]) frontsIn[parity][me] = { chunks: fronts[parity].chunks, count: fronts[parity].count, n: 0 };
        } else outboxes = peers.map((p) => (p === null ? null : new Outbox(p)));
        loadedCpuMs = threadCpuMs();
        port.postMessage({ t: 'loaded' });
        break;
      }
      case 'roots': {
        const inits = model.initialStates();
        if (shared === undefined) {
          for (let i = 0; i < inits.length; i++) {
            const identity = space.identity(inits[i]);
            if (W === 1 || ownerOf(identity as string) === me) receive(identity, inits[i], -1, i, true);
          }
        } else if (me === 0) addRoots(inits);
        endLevel();
        port.postMessage({ t: 'rooted' });
        break;
      }
      case 'run':
        try {
          port.postMessage({ t: 'ran', end: run(m.order!) });
        } catch (e) {
          // A peer that failed reports its own error; this worker only stops.
          if (e instanceof AbortedByPeer) break;
          abortPeers(ctl);
          throw e;
        }
        break;
      case 'coverage':
        port.postMessage({ t: 'coverage', steps: coverage.ordered.map((c) => ({ actor: c.actor, step: c.step, count: c.count })), cpuMs: threadCpuMs() - loadedCpuMs });
        break;
      case 'info': {
        const local = m.local!;
        port.postMessage({ t: 'info', parent: space.parent(local), action: space.action(local), stored: space.stored(local) });
        break;
      }
    }
  } catch (e) {
    fail(e);
  }
});
