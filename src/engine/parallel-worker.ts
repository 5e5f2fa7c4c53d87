/**
 * A worker thread of the parallel explorer (parallel.ts): owns the states
 * whose identity hashes to it, expands them level by level, sends successors
 * it does not own to their owners and stores the ones it receives.
 */
import { statCpuMs } from './proc-stat.js';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Action, Model } from './model.js';
import { CoverageCounter } from './explore.js';
import { Findings } from './findings.js';
import { PackedSpace, spaceFor, WideSpace, type Space } from './store.js';
import { SuccessorBatch, WideBatch } from './successors.js';
import { Guard, guardErrorFields, modelError } from './guard.js';
import { hashPacked, hashString, hashWords } from './table.js';
import { ParallelError, STOP_NONE, type LevelReport, type ModelRef, type RunOrder } from './parallel.js';
import { abortPeers, AbortedByPeer, barrier, CTL_ADDED, CTL_STOP, CTL_STOPPED, CTL_VIOLATED, ctlSlot } from './barrier.js';
import { importModule } from './preloaded.js';

interface Data {
  readonly me: number;
  readonly workers: number;
  readonly ref: ModelRef;
  readonly peers: (MessagePort | null)[];
  readonly stopWord: Int32Array;
  /** The level barrier and each worker's end-of-level figures (barrier.ts). */
  readonly ctl: Int32Array;
}

const { me, workers: W, ref, peers, stopWord, ctl } = workerData as Data;
const W_ = W;
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

/** The owner of a state with this hash: its top bits (the tables index by the low bits). */
const ownerOfHash = (h: number): number => Math.floor(((h >>> 0) / 2 ** 32) * W);

/** The owner of a state: by the hash of its identity (for word-packed states, the hash of its words, as their successors are routed). */
const ownerOf = (id: string | number): number => {
  if (typeof id === 'number') return ownerOfHash(hashPacked(id));
  if (wideSpace !== undefined) {
    const w = Int32Array.from(id.split(',').map(Number));
    return ownerOfHash(hashWords(w, 0, w.length));
  }
  return ownerOfHash(hashString(id));
};

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
  /** Batches posted this level, published at its end as a lane's count is: the peer checks it got them all. */
  private posted = 0;
  private readonly count = new Int32Array(new SharedArrayBuffer(4));
  constructor(private readonly to: MessagePort) {
    to.postMessage({ t: 'lane', count: this.count });
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
 * Entries per chunk of a lane (2^16, three doubles each: code, parent, action).
 * CHECKER_LANE_BITS sets another power of two, so that tests can make a level span many chunks.
 */
const LANE_BITS = Number(process.env.CHECKER_LANE_BITS ?? 16);
const LANE_MASK = (1 << LANE_BITS) - 1;

/**
 * Packed successors bound for one peer, written straight into chunks of
 * shared memory that the peer reads once the level is over (no message per
 * batch, no copy). A chunk is shared with the peer once, when it is made, and
 * reused on every level: a level starts only after every worker has stored
 * what it received in the one before. The count of a level is published with
 * an atomic store before the level's first barrier (and read with an atomic
 * load after it), so the entries written before it are visible to the peer.
 */
class Lane {
  n = 0;
  private readonly chunks: Float64Array[] = [];
  private readonly count = new Int32Array(new SharedArrayBuffer(4));
  constructor(private readonly to: MessagePort) {
    to.postMessage({ t: 'lane', count: this.count });
  }
  push(code: number, parent: number, action: number): void {
    const n = this.n;
    const c = n >>> LANE_BITS;
    if (c === this.chunks.length) {
      const chunk = new Float64Array(new SharedArrayBuffer(8 * 3 << LANE_BITS));
      this.chunks.push(chunk);
      this.to.postMessage({ t: 'chunk', chunk });
    }
    const a = this.chunks[c];
    const i = (n & LANE_MASK) * 3;
    a[i] = code;
    a[i + 1] = parent;
    a[i + 2] = action;
    this.n = n + 1;
  }
  /** Ends the level: publishes the count (the barrier after it makes the entries visible). */
  end(): void {
    Atomics.store(this.count, 0, this.n);
    this.n = 0;
  }
}

/** What a peer shares with this worker: its lane's chunks and count, and the level's count once it ended (on the string path, its outbox's count of batches). */
interface LaneIn {
  chunks: Float64Array[];
  count?: Int32Array;
  n: number;
}

let outboxes: (Outbox | null)[] = [];
let lanes: (Lane | null)[] = [];
const lanesIn: LaneIn[] = Array.from({ length: W }, () => ({ chunks: [], n: 0 }));

/** String keys already sent to their owners (bounded: cleared when full). */
const sent = new Set<string>();
const SENT_MAX = 1 << 20;

/** Expands this worker's part of the level; what it found for peers is in their lanes (or posted, on the string path) when it returns. */
function expandLevel(expand: boolean): void {
  if (packedSpace !== undefined) {
    expandPacked(packedSpace, batch!, expand);
    for (const l of lanes) l?.end();
  } else if (wideSpace !== undefined) {
    expandWide(wideSpace, wideBatch!, expand);
    for (const l of wideLanes) l?.end();
  } else {
    expandKeyed(expand);
    for (const o of outboxes) o?.end();
  }
}

/** Successors per flush of the batch (see explore.ts). */
const GENERATED = 512;

/**
 * A level of a packed model: successors generated in batches (in place when
 * the model allows); each one goes to its owner's outbox, or, if owned here,
 * is stored in order after the batch's slots in the visited set were read
 * together (as in explore.ts).
 */
function expandPacked(ps: PackedSpace<unknown>, b: SuccessorBatch<unknown, Action>, expand: boolean): void {
  const quiescent = findings.checksQuiescent;
  const flush = (): void => {
    const m = b.n;
    b.n = 0;
    const { codes, parents, indices, acted, hashes, firsts } = b;
    for (let k = 0; k < m; k++) hashes[k] = hashPacked(codes[k]);
    // Successors owned elsewhere go to their owners; those owned here move to the front, in order.
    let own = 0;
    for (let k = 0; k < m; k++) {
      const a = acted[k];
      if (a === null) {
        findings.checkQuiescent(parents[k], b.decode(codes[k], b.probe));
        continue;
      }
      transitions++;
      coverage.fire(a);
      const h = hashes[k];
      const owner = W === 1 ? me : ownerOfHash(h);
      if (owner !== me) {
        lanes[owner]!.push(codes[k], parents[k], indices[k]);
        continue;
      }
      codes[own] = codes[k];
      parents[own] = parents[k];
      indices[own] = indices[k];
      hashes[own] = h;
      own++;
    }
    // Their first slots read together, then stored in order (as in explore.ts).
    ps.firstAll(hashes, own, firsts);
    storeOwned(ps, b, codes, hashes, firsts, parents, indices, own, expand);
  };
  for (let id = levelStart; id < levelEnd; id++) {
    if ((id & 255) === 0 && Atomics.load(stopWord, 0) !== STOP_NONE) {
      stopped = true;
      break;
    }
    b.expand(gid(id), ps.stored(id), quiescent);
    if (b.n >= GENERATED) flush();
  }
  flush();
}

/** Stores `m` owned successors in order (their hashes and first slots read): new ones get an id and are checked. */
function storeOwned(
  ps: PackedSpace<unknown>,
  b: SuccessorBatch<unknown, Action>,
  codes: Float64Array,
  hashes: Int32Array,
  firsts: Float64Array,
  parents: Int32Array | Float64Array,
  indices: Int32Array | Float64Array,
  m: number,
  expand: boolean,
): void {
  for (let k = 0; k < m; k++) {
    const c = codes[k];
    if (firsts[k] === c + 1) continue;
    if (!expand) {
      if (!ps.hasHashed(c, hashes[k])) depthBound = true;
      continue;
    }
    const local = ps.addHashed(c, hashes[k], parents[k], indices[k]);
    if (local >= 0 && findings.checksNew) findings.checkNew(gid(local), b.decode(c, b.probe));
  }
}

/**
 * Word-packed successors bound for one peer, as Lane does for one-number
 * codes: per entry the state's words, its parent and its action, in Int32
 * chunks of shared memory.
 */
class WideLane {
  n = 0;
  private readonly chunks: Int32Array[] = [];
  private readonly count = new Int32Array(new SharedArrayBuffer(4));
  constructor(
    private readonly to: MessagePort,
    private readonly words: number,
  ) {
    to.postMessage({ t: 'lane', count: this.count });
  }
  push(codes: Int32Array, at: number, parent: number, action: number): void {
    const n = this.n;
    const c = n >>> LANE_BITS;
    const E = this.words + 2;
    if (c === this.chunks.length) {
      const chunk = new Int32Array(new SharedArrayBuffer((4 * E) << LANE_BITS));
      this.chunks.push(chunk);
      this.to.postMessage({ t: 'wchunk', wchunk: chunk });
    }
    const a = this.chunks[c];
    const i = (n & LANE_MASK) * E;
    for (let k = 0; k < this.words; k++) a[i + k] = codes[at + k];
    a[i + this.words] = parent;
    a[i + this.words + 1] = action;
    this.n = n + 1;
  }
  end(): void {
    Atomics.store(this.count, 0, this.n);
    this.n = 0;
  }
}

let wideLanes: (WideLane | null)[] = [];

/** A level of a word-packed model: as expandPacked, with words. */
function expandWide(ws: WideSpace<unknown>, b: WideBatch<unknown, Action>, expand: boolean): void {
  const quiescent = findings.checksQuiescent;
  const W = ws.words;
  const cur = new Int32Array(W);
  const flush = (): void => {
    const m = b.n;
    b.n = 0;
    const { codes, parents, indices, acted, hashes } = b;
    let own = 0;
    for (let k = 0; k < m; k++) {
      const a = acted[k];
      if (a === null) {
        findings.checkQuiescent(parents[k], b.decode(k, b.probe));
        continue;
      }
      transitions++;
      coverage.fire(a);
      const h = hashes[k];
      const owner = W_ === 1 ? me : ownerOfHash(h);
      if (owner !== me) {
        wideLanes[owner]!.push(codes, k * W, parents[k], indices[k]);
        continue;
      }
      if (own !== k) {
        codes.copyWithin(own * W, k * W, k * W + W);
        parents[own] = parents[k];
        indices[own] = indices[k];
        hashes[own] = h;
        acted[own] = a;
      }
      own++;
    }
    ws.firstAll(hashes, own, b.firsts);
    storeWide(ws, b, codes, hashes, parents, indices, own, expand);
  };
  for (let id = levelStart; id < levelEnd; id++) {
    if ((id & 255) === 0 && Atomics.load(stopWord, 0) !== STOP_NONE) {
      stopped = true;
      break;
    }
    ws.read(id, cur, 0);
    b.expand(gid(id), cur, 0, quiescent);
    if (b.n >= GENERATED) flush();
  }
  flush();
}

/** Stores `m` owned word-packed successors in order: new ones get an id and are checked. */
function storeWide(
  ws: WideSpace<unknown>,
  b: WideBatch<unknown, Action>,
  codes: Int32Array,
  hashes: Int32Array,
  parents: Int32Array,
  indices: Int32Array,
  m: number,
  expand: boolean,
): void {
  const W = ws.words;
  for (let k = 0; k < m; k++) {
    if (!expand) {
      if (ws.findHashed(codes, k * W, hashes[k]) < 0) depthBound = true;
      continue;
    }
    const local = ws.addHashed(codes, k * W, hashes[k], parents[k], indices[k]);
    if (local >= 0 && findings.checksNew) findings.checkNew(gid(local), b.decode(k, b.probe));
  }
}

/** What a peer shares with this worker for word-packed states. */
const wideIn: { chunks: Int32Array[] }[] = Array.from({ length: W_ }, () => ({ chunks: [] }));

/** Stores, in order, the word-packed successors a peer wrote in its lane for this worker during the level. */
/** A received state unpacked for its property checks: into the batch's probe when the codec can (no allocation per state). */
function decodeInto(ws: WideSpace<unknown>, codes: Int32Array, at: number, probe: unknown): unknown {
  if (ws.codec.unpackInto === undefined) return ws.codec.unpack(codes, at);
  ws.codec.unpackInto(codes, at, probe);
  return probe;
}

function storeWideLane(ws: WideSpace<unknown>, b: WideBatch<unknown, Action>, from: number, expand: boolean): void {
  const lane = lanesIn[from];
  const chunks = wideIn[from].chunks;
  const W = ws.words;
  const E = W + 2;
  const codes = new Int32Array(BATCH * W);
  const hashes = new Int32Array(BATCH);
  const parents = new Int32Array(BATCH);
  const actions = new Int32Array(BATCH);
  const firsts = new Int32Array(BATCH);
  // The batch decodes new states from its own codes: store them there, a slice at a time.
  for (let start = 0; start < lane.n; start += BATCH) {
    const m = Math.min(BATCH, lane.n - start);
    for (let i = 0; i < m; i++) {
      const e = start + i;
      const chunk = chunks[e >>> LANE_BITS];
      const j = (e & LANE_MASK) * E;
      for (let k = 0; k < W; k++) codes[i * W + k] = chunk[j + k];
      hashes[i] = hashWords(codes, i * W, W);
      parents[i] = chunk[j + W];
      actions[i] = chunk[j + W + 1];
    }
    ws.firstAll(hashes, m, firsts);
    for (let i = 0; i < m; i++) {
      if (!expand) {
        if (ws.findHashed(codes, i * W, hashes[i]) < 0) depthBound = true;
        continue;
      }
      const local = ws.addHashed(codes, i * W, hashes[i], parents[i], actions[i]);
      if (local >= 0 && findings.checksNew) findings.checkNew(gid(local), decodeInto(ws, codes, i * W, b.probe));
    }
  }
  lane.n = 0;
  void b;
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
      const owner = W === 1 ? 0 : ownerOf(identity);
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

/** Scratch for a received batch of packed states: codes, hashes, first slots, parents, actions. */
const rx = { codes: new Float64Array(BATCH), hashes: new Int32Array(BATCH), firsts: new Float64Array(BATCH), parents: new Float64Array(BATCH), actions: new Float64Array(BATCH) };

/** Stores, in order, the packed successors a peer wrote in its lane for this worker during the level. */
function storeLane(ps: PackedSpace<unknown>, b: SuccessorBatch<unknown, Action>, lane: LaneIn, expand: boolean): void {
  const { codes, hashes, firsts, parents, actions } = rx;
  for (let start = 0; start < lane.n; start += BATCH) {
    const m = Math.min(BATCH, lane.n - start);
    for (let i = 0; i < m; i++) {
      const e = start + i;
      const chunk = lane.chunks[e >>> LANE_BITS];
      const j = (e & LANE_MASK) * 3;
      const c = chunk[j];
      codes[i] = c;
      hashes[i] = hashPacked(c);
      parents[i] = chunk[j + 1];
      actions[i] = chunk[j + 2];
    }
    ps.firstAll(hashes, m, firsts);
    storeOwned(ps, b, codes, hashes, firsts, parents, actions, m, expand);
  }
  lane.n = 0;
}

type Batch = { t: string; n: number; nums: Float64Array; keys: string[]; states: unknown[]; chunk?: Float64Array; wchunk?: Int32Array; count?: Int32Array };

/**
 * Batches received during a level, by sender (the string path). They are
 * stored only once this worker has expanded its own part, then peer by peer
 * in worker order, as the lanes are: the order of insertion, and so every
 * parent link and trace, does not depend on the threads' timing.
 */
const inbox: Batch[][] = Array.from({ length: W }, () => []);

/** Takes what a peer posted to this worker (its lane and chunks of shared memory, or batches of keyed states), without the event loop. */
function drain(from: number): void {
  const p = peers[from]!;
  for (let r = receiveMessageOnPort(p); r !== undefined; r = receiveMessageOnPort(p)) {
    const m = r.message as Batch;
    const lane = lanesIn[from];
    switch (m.t) {
      case 'lane':
        lane.count = m.count;
        break;
      case 'chunk':
        lane.chunks.push(m.chunk!);
        break;
      case 'wchunk':
        wideIn[from].chunks.push(m.wchunk!);
        break;
      default:
        inbox[from].push(m);
    }
  }
  const lane = lanesIn[from];
  lane.n = lane.count === undefined ? 0 : Atomics.load(lane.count, 0);
  // On the string path the count is of batches: a message posted before the barrier is in the
  // port's queue after it (Node queues it synchronously); that is checked, not assumed.
  if (packedSpace === undefined && wideSpace === undefined && inbox[from].length !== lane.n) {
    throw new ParallelError(`worker ${me} received ${inbox[from].length} of the ${lane.n} batches worker ${from} posted in this level`);
  }
}

/** Stores, peer by peer in worker order, the successors the peers found for this worker during the level. */
function storeReceived(expand: boolean): void {
  for (let from = 0; from < W; from++) {
    if (from === me) continue;
    if (packedSpace !== undefined) storeLane(packedSpace, batch!, lanesIn[from], expand);
    else if (wideSpace !== undefined) storeWideLane(wideSpace, wideBatch!, from, expand);
    else {
      for (const m of inbox[from]) {
        const { n, nums, keys, states } = m;
        for (let i = 0; i < n; i++) receive(keys[i], states[i], nums[i * 3 + 1], nums[i * 3 + 2], expand);
      }
      inbox[from].length = 0;
    }
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
  space.nextLevel();
  levelStart = levelEnd;
  levelEnd = space.size;
  Atomics.store(ctl, ctlSlot(me, CTL_ADDED), levelEnd - levelStart);
  Atomics.store(ctl, ctlSlot(me, CTL_STOPPED), stopped ? 1 : 0);
  Atomics.store(ctl, ctlSlot(me, CTL_STOP), Atomics.load(stopWord, 0));
  Atomics.store(ctl, ctlSlot(me, CTL_VIOLATED), findings.violated ? 1 : 0);
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
    added += Atomics.load(ctl, ctlSlot(w, CTL_ADDED));
    anyStopped ||= Atomics.load(ctl, ctlSlot(w, CTL_STOPPED)) !== 0;
    if (stop === STOP_NONE) stop = Atomics.load(ctl, ctlSlot(w, CTL_STOP));
    violated ||= Atomics.load(ctl, ctlSlot(w, CTL_VIOLATED)) !== 0;
  }
  if (anyStopped) return { why: 'stop', stop };
  if (added === 0) return { why: 'complete', stop };
  if (order.stopOnViolation && violated) return { why: 'violation', stop };
  if (stop !== STOP_NONE) return { why: 'stop', stop };
  return undefined;
}

/**
 * Explores level after level, from the initial states' (ended by 'roots'),
 * until the space is exhausted or a bound is met, meeting the peers at the
 * barrier twice a level: after expanding (the lanes are then complete) and
 * after storing what was received (the level's figures are then in ctl).
 */
function run(order: RunOrder): RunEnd {
  for (let depth = 1; ; depth++) {
    const end = decide(order);
    if (end !== undefined) return end;
    expandLevel(depth < order.maxDepth);
    barrier(ctl, W);
    for (let from = 0; from < W; from++) if (from !== me) drain(from);
    storeReceived(depth < order.maxDepth);
    endLevel();
    barrier(ctl, W);
  }
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
        space = spaceFor(model);
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
        const packed = packedSpace !== undefined;
        const wide = wideSpace !== undefined;
        coverage = new CoverageCounter(model.steps);
        findings = new Findings(model.properties, model);
        outboxes = peers.map((p) => (p === null || packed || wide ? null : new Outbox(p)));
        lanes = peers.map((p) => (p === null || !packed ? null : new Lane(p)));
        wideLanes = peers.map((p) => (p === null || !wide ? null : new WideLane(p, wideSpace!.words)));
        loadedCpuMs = threadCpuMs();
        port.postMessage({ t: 'loaded' });
        break;
      }
      case 'roots': {
        const inits = model.initialStates();
        for (let i = 0; i < inits.length; i++) {
          const identity = space.identity(inits[i]);
          if (W === 1 || ownerOf(identity) === me) receive(identity, inits[i], -1, i, true);
        }
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
