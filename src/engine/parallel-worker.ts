/**
 * A worker thread of the parallel explorer (parallel.ts). Packed states: the
 * workers share one visited set (shared-set.ts) and, level by level, claim
 * chunks of the states all of them found in the level before; each keeps
 * the states it added (parent, action, code or words), the codes and words
 * in shared memory, where its peers read them. States keyed by strings: each
 * worker owns the states whose key hashes to it, sends successors it does
 * not own to their owners and stores the ones it receives.
 */
import { statCpuMs } from './proc-stat.js';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Action, Model } from './model.js';
import { CoverageCounter, overMemory } from './explore.js';
import { Findings } from './findings.js';
import { PackedSpace, spaceFor, WideSpace, type Space } from './store.js';
import { SuccessorBatch, WideBatch } from './successors.js';
import { Guard, guardErrorFields, modelError } from './guard.js';
import { ChunkedFloat64, hashString } from './table.js';
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
 * States per chunk of a worker's codes (2^16), in shared memory: its peers
 * read the states it added in a level to expand them in the next.
 * CHECKER_CODE_BITS sets another power of two, so that tests can make a level
 * span many chunks.
 */
const CODE_BITS = Number(process.env.CHECKER_CODE_BITS ?? 16);
const CODE_MASK = (1 << CODE_BITS) - 1;

/** A one-number model's codes of each worker, as read here: the chunks of its store, each sent to the peers when made. */
const codesOf: Float64Array[][] = Array.from({ length: W }, () => []);

/**
 * Worker w's chunk c of codes, when its message was not taken at the level's
 * start (a peer posts it before the barrier, so it is): the peers' messages
 * again, then a clear error rather than a read of nothing.
 */
function codesChunk(w: number, c: number): Float64Array {
  exchange.receive();
  const chunk = codesOf[w][c];
  if (chunk === undefined) throw new ParallelError(`worker ${me}: worker ${w}'s chunk ${c} of codes never came`);
  return chunk;
}

/**
 * The level's front: the states every worker added in the level before,
 * worker w's from local id frontStart[w] to frontEnd[w] (its count of them is
 * in ctl). A worker adds states with consecutive local ids, so these ranges
 * are the whole front: it needs no list of its own.
 */
const frontStart: number[] = new Array<number>(W).fill(0);
const frontEnd: number[] = new Array<number>(W).fill(0);
/** Worker w's part of the front: the number of states it added in the level before. */
const partOf = (w: number): number => frontEnd[w] - frontStart[w];

/** The level being expanded (1 expands the initial states). */
let depthNow = 0;
/** States claimed at a time. */
const CLAIM = 256;

/**
 * This worker was refused a grow of the shared set (the memory budget): it
 * has stopped (`stopped`, set with it) and expands no more, from the flush of
 * the batch that asked for the grow on. Only adding states sets it: a flush,
 * or the initial states (then the run ends before the first level).
 */
let refused = false;

/** The shared visited set of a packed model. */
let sharedCodes: SharedCodes | undefined;
let sharedWords: SharedWords | undefined;

/**
 * The level's front is expanded CLAIM states at a time, claimed from a shared
 * counter (whichever worker is free takes the next ones, so the workers end
 * the level together); the claims number the front's states worker after
 * worker. startClaims begins the level; each nextRun then gives the next run
 * of claimed states that are one worker's and lie in one chunk of its codes
 * (which only a one-number model reads; a word-packed one reads the shared
 * set's words): `claimed.w`'s local ids from `claimed.from` to `claimed.to`
 * (exclusive), so that the caller expands them in a loop of its own.
 */
const claimed = { w: 0, from: 0, to: 0 };
/** The level's claims: the counter's parity, the front's states in all, what is left of the current claim (claim numbers `claimNext` to `claimTo`), and where that is (worker `claimW`, whose states begin at claim number `claimBase`). */
let claimParity = 0;
let claimTotal = 0;
let claimNext = 0;
let claimTo = 0;
let claimW = 0;
let claimBase = 0;

/** Begins expanding the level depthNow: its front is what each worker added in the level before (ctl). */
function startClaims(): void {
  claimParity = (depthNow - 1) & 1;
  claimTotal = 0;
  for (let w = 0; w < W; w++) {
    frontStart[w] = frontEnd[w];
    frontEnd[w] += Atomics.load(ctl, ctlSlot(W, w, CTL_ADDED, depthNow - 1));
    claimTotal += partOf(w);
  }
  claimNext = claimTo = 0;
}

/** The next run of claimed states (into `claimed`), claiming more when the current claim is used up; false when the level has none left or the run stops. */
function nextRun(): boolean {
  if (claimNext >= claimTo) {
    if (Atomics.load(stopWord, 0) !== STOP_NONE) {
      stopped = true;
      return false;
    }
    const from = Atomics.add(claim, claimParity, CLAIM);
    if (from >= claimTotal) return false;
    claimNext = from;
    claimTo = Math.min(claimTotal, from + CLAIM);
    claimW = 0;
    claimBase = 0;
  }
  // Claim numbers count worker 0's part of the front, then worker 1's, and so on.
  while (claimNext >= claimBase + partOf(claimW)) claimBase += partOf(claimW++);
  // The run ends at the claim's end, this worker's part's end or its chunk's end, whichever comes first.
  const local = frontStart[claimW] + claimNext - claimBase;
  const n = Math.min(claimTo - claimNext, frontEnd[claimW] - local, CODE_MASK + 1 - (local & CODE_MASK));
  claimed.w = claimW;
  claimed.from = local;
  claimed.to = local + n;
  claimNext += n;
  return true;
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
 * A level of a packed model: the states claimed (nextRun), read from their
 * workers' codes, expanded into a batch, in place when the model allows; each
 * flush of the batch reads the first slots of its successors in the shared
 * set together, then adds them in order (as explore.ts does): a new one is
 * this worker's (in its part of the next level's front) and is checked.
 */
function expandPacked(ps: PackedSpace<unknown>, b: SuccessorBatch<unknown, Action>, expand: boolean): void {
  const quiescent = findings.checksQuiescent;
  const set = sharedCodes!;
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
  /** Adds the batch's `n` successors in order (their first slots read together): a new one is this worker's (in its part of the next level's front) and is checked. */
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
      if (findings.checksNew) findings.checkNew(gid(local), b.decode(c, b.probe));
    }
  };
  startClaims();
  while (nextRun()) {
    const { w, from, to } = claimed;
    const chunk = codesOf[w][from >>> CODE_BITS] ?? codesChunk(w, from >>> CODE_BITS);
    for (let local = from; local < to; local++) {
      b.expand(local * W + w, chunk[local & CODE_MASK], quiescent);
      if (b.n >= GENERATED) {
        flush();
        if (refused) return;
      }
    }
  }
  flush();
}

/** A level of a word-packed model: as expandPacked, with words. */
function expandWide(ws: WideSpace<unknown>, b: WideBatch<unknown, Action>, expand: boolean): void {
  const quiescent = findings.checksQuiescent;
  const set = sharedWords!;
  const words = ws.words;
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
        codes.copyWithin(n * words, k * words, k * words + words);
        parents[n] = parents[k];
        indices[n] = indices[k];
        hashes[n] = hashes[k];
        acted[n] = a;
      }
      n++;
    }
    adding(set, addAll, n);
  };
  /** Adds the batch's `n` successors in order: a new one is this worker's (in its part of the next level's front) and is checked. */
  const addAll = (n: number): void => {
    const { codes, parents, indices, hashes } = b;
    ws.firstAll(hashes, n, b.firsts);
    for (let k = 0; k < n; k++) {
      if (!expand) {
        if (!ws.hasHashed(codes, k * words, hashes[k])) depthBound = true;
        continue;
      }
      const local = ws.addHashed(codes, k * words, hashes[k], parents[k], indices[k]);
      if (local < 0) continue;
      if (findings.checksNew) findings.checkNew(gid(local), b.decode(k, b.probe));
    }
  };
  startClaims();
  while (nextRun()) {
    const { w, from, to } = claimed;
    for (let local = from; local < to; local++) {
      const g = local * W + w;
      b.expand(g, set.wordsOf(g), set.at, quiescent);
      if (b.n >= GENERATED) {
        flush();
        if (refused) return;
      }
    }
  }
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

type Message = { t: string; n: number; nums: Float64Array; keys: string[]; states: unknown[]; count?: Int32Array; c?: number; codes?: Float64Array; chunk?: Int32Array; slots?: Int32Array; old?: Int32Array; gen?: number };

/**
 * Batches received during a level, by sender (the string path). They are
 * stored only once this worker has expanded its own part, then peer by peer
 * in worker order: the order of insertion, and so every parent link and
 * trace, does not depend on the threads' timing.
 */
const inbox: Message[][] = Array.from({ length: W }, () => []);

/** Takes what a peer posted to this worker (the chunks of its codes or words, a grown shared set, or batches of keyed states), without the event loop. */
function drain(from: number): void {
  const p = peers[from]!;
  for (let r = receiveMessageOnPort(p); r !== undefined; r = receiveMessageOnPort(p)) {
    const m = r.message as Message;
    switch (m.t) {
      case 'codes':
        codesOf[from][m.c!] = m.codes!;
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
    refused = stopped = true;
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
 * figures, the counts of its front included, are in ctl, by the level's
 * parity); while one waits there, it helps copy the shared set if a peer
 * grows it. With string keys they meet twice: after expanding (every batch
 * for this worker is then posted) and after storing what was received.
 */
function run(order: RunOrder): RunEnd {
  for (let depth = 1; ; depth++) {
    const end = decide(order);
    if (end !== undefined) return end;
    depthNow = depth;
    if (shared !== undefined) {
      // The peers' new chunks of codes, which this level reads; the counter the next level claims from, unused in this one.
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

/** The initial states, into the shared set (worker 0 adds them all: they are its part of the first level's front). */
function addRoots(inits: readonly unknown[]): void {
  adding(
    (sharedCodes ?? sharedWords)!,
    (n) => {
      for (let i = 0; i < n; i++) {
        const local = space.addIdentity(space.identity(inits[i]), inits[i], -1, i);
        if (local < 0) continue;
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
            // The codes of the states this worker adds, which its peers read (as it reads theirs: codesOf).
            store: () =>
              new ChunkedFloat64(CODE_BITS, (c, codes) => {
                codesOf[me][c] = codes;
                for (const p of peers) p?.postMessage({ t: 'codes', c, codes });
              }),
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
        if (shared === undefined) outboxes = peers.map((p) => (p === null ? null : new Outbox(p)));
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
