/**
 * A worker thread of the parallel explorer (parallel.ts): owns the states
 * whose identity hashes to it, expands them level by level, sends successors
 * it does not own to their owners and stores the ones it receives.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Action, Model, Property } from './model.js';
import { CoverageCounter } from './explore.js';
import { spaceFor, type Space } from './store.js';
import { hashPacked, hashString } from './table.js';
import type { LevelReport, ModelRef } from './parallel.js';

const STOP_NONE = 0;

interface Data {
  readonly me: number;
  readonly workers: number;
  readonly ref: ModelRef;
  readonly peers: (MessagePort | null)[];
  readonly stopWord: Int32Array;
}

const { me, workers: W, ref, peers, stopWord } = workerData as Data;
const port = parentPort!;

let model: Model<unknown, Action>;
let space: Space<unknown>;
let packed = false;
let coverage: CoverageCounter;
let invariants: Property<unknown>[] = [];
let witnesses: Property<unknown>[] = [];
let quiescent: Property<unknown>[] = [];
const found: Record<string, number> = {};
let levelStart = 0;
let levelEnd = 0;
let transitions = 0;
let depthBound = false;
let stopped = false;
let expanded = false;
let ends = 0;

/** The owner of a state: the top bits of its hash (the tables index by the low bits). */
const ownerOf = (id: string | number): number =>
  Math.floor(((typeof id === 'number' ? hashPacked(id) : hashString(id)) >>> 0) / 2 ** 32 * W);

const gid = (local: number): number => local * W + me;

/** This thread's CPU time (Linux: /proc/thread-self/stat, in clock ticks of 10 ms); NaN elsewhere. */
function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
let loadedCpuMs = 0;

function checkNew(local: number, state: unknown): void {
  for (let i = 0; i < invariants.length; i++) {
    const p = invariants[i];
    if (!p.holds(state)) {
      found[p.name] = gid(local);
      invariants = invariants.filter((q) => q !== p);
      i--;
    }
  }
  for (let i = 0; i < witnesses.length; i++) {
    const p = witnesses[i];
    if (p.holds(state)) {
      found[p.name] = gid(local);
      witnesses = witnesses.filter((q) => q !== p);
      i--;
    }
  }
}

function receive(identity: string | number, state: unknown, parent: number, action: number, expand: boolean): void {
  if (!expand) {
    if (!space.hasIdentity(identity)) depthBound = true;
    return;
  }
  const local = space.addIdentity(identity, state, parent, action);
  if (local >= 0) checkNew(local, state === undefined ? space.state(local) : state);
}

const BATCH = 4096;

/** Successors bound for one peer: packed codes in a Float64Array, or keys and states. */
class Outbox {
  n = 0;
  nums = new Float64Array(BATCH * 3);
  keys: string[] = [];
  states: unknown[] = [];
  constructor(private readonly to: MessagePort) {}
  push(identity: string | number, state: unknown, parent: number, action: number, expand: boolean): void {
    const n = this.n;
    if (packed) this.nums[n * 3] = identity as number;
    else {
      this.keys.push(identity as string);
      this.states.push(state);
    }
    this.nums[n * 3 + 1] = parent;
    this.nums[n * 3 + 2] = action;
    this.n = n + 1;
    if (this.n === BATCH) this.flush(expand);
  }
  flush(expand: boolean): void {
    if (this.n === 0) return;
    const nums = this.nums;
    this.to.postMessage({ t: 'batch', n: this.n, nums, keys: this.keys, states: this.states, expand }, [nums.buffer]);
    this.n = 0;
    this.nums = new Float64Array(BATCH * 3);
    this.keys = [];
    this.states = [];
  }
}

let outboxes: (Outbox | null)[] = [];

/** String keys already sent to their owners (bounded: cleared when full). */
const sent = new Set<string>();
const SENT_MAX = 1 << 20;

function expandLevel(expand: boolean): void {
  for (let id = levelStart; id < levelEnd; id++) {
    if ((id & 255) === 0 && Atomics.load(stopWord, 0) !== STOP_NONE) {
      stopped = true;
      break;
    }
    const state = space.state(id);
    const acts = model.actions(state);
    if (acts.length === 0 && quiescent.length > 0) {
      for (let i = 0; i < quiescent.length; i++) {
        const p = quiescent[i];
        if (!p.holds(state)) {
          found[p.name] = gid(id);
          quiescent = quiescent.filter((q) => q !== p);
          i--;
        }
      }
    }
    const parent = gid(id);
    for (let ai = 0; ai < acts.length; ai++) {
      const a = acts[ai];
      const succ = model.next(state, a);
      transitions++;
      coverage.fire(a);
      const identity = space.identity(succ);
      const owner = W === 1 ? 0 : ownerOf(identity);
      if (owner === me) receive(identity, succ, parent, ai, expand);
      else if (packed) outboxes[owner]!.push(identity, undefined, parent, ai, expand);
      else if (!sent.has(identity as string)) {
        // A state object is costly to clone: send each key once (the owner has it from then on).
        if (sent.size >= SENT_MAX) sent.clear();
        sent.add(identity as string);
        outboxes[owner]!.push(identity, succ, parent, ai, expand);
      }
    }
  }
  for (const o of outboxes) o?.flush(expand);
  for (const p of peers) p?.postMessage({ t: 'end' });
  expanded = true;
  maybeDone();
}

function report(): LevelReport {
  const r: LevelReport = { size: space.size, transitions, found: { ...found }, depthBound, stopped };
  for (const k of Object.keys(found)) delete found[k];
  transitions = 0;
  return r;
}

type Batch = { t: string; n: number; nums: Float64Array; keys: string[]; states: unknown[]; expand: boolean };

/**
 * Batches received during a level, by sender. They are stored only once this
 * worker has expanded its own part, then peer by peer in worker order: the
 * order of insertion, and so every parent link and trace, does not depend on
 * the threads' timing.
 */
const inbox: Batch[][] = Array.from({ length: W }, () => []);

function maybeDone(): void {
  if (!expanded || ends < W - 1) return;
  expanded = false;
  ends = 0;
  for (const batches of inbox) {
    for (const m of batches) {
      const { n, nums, keys, states, expand } = m;
      for (let i = 0; i < n; i++) {
        receive(packed ? nums[i * 3] : keys[i], packed ? undefined : states[i], nums[i * 3 + 1], nums[i * 3 + 2], expand);
      }
    }
    batches.length = 0;
  }
  space.nextLevel();
  levelStart = levelEnd;
  levelEnd = space.size;
  port.postMessage({ t: 'level', ...report() });
}

function onPeer(from: number, m: Batch): void {
  try {
    if (m.t === 'end') {
      ends++;
      maybeDone();
      return;
    }
    inbox[from].push(m);
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  port.postMessage({ t: 'error', error: { name: err.name, message: err.message, code: (err as { code?: string }).code } });
}

port.on('message', async (m: { t: string; expand?: boolean; local?: number }) => {
  try {
    switch (m.t) {
      case 'load': {
        const mod = await import(ref.module);
        model = await mod[ref.exportName](...ref.args);
        space = spaceFor(model);
        packed = model.codec !== undefined;
        coverage = new CoverageCounter(model.steps);
        invariants = model.properties.filter((p) => p.kind === 'always');
        witnesses = model.properties.filter((p) => p.kind === 'sometimes');
        quiescent = model.properties.filter((p) => p.kind === 'atQuiescence');
        outboxes = peers.map((p) => (p === null ? null : new Outbox(p)));
        peers.forEach((p, from) => p?.on('message', (m: Batch) => onPeer(from, m)));
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
        space.nextLevel();
        levelStart = 0;
        levelEnd = space.size;
        port.postMessage({ t: 'level', ...report() });
        break;
      }
      case 'level':
        expandLevel(m.expand!);
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
