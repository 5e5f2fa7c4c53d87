/**
 * The comparison: runs the harness's driver (build.ts) and computes, for every
 * case it prints, what the model's primitives (spec/dialog/primitives.ts)
 * return and leave, in the same encoding; the first difference is kept (for
 * the timer sequences, the shortest one, first in enumeration order).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  DLG_DIR,
  DLG_EVENT,
  DLG_STATE,
  FAKE_TL,
  SENT,
  WildPointer,
  copyList,
  detachNext,
  emptyList,
  entries,
  entryPtr,
  getExpired,
  insertTimer,
  nextStateDlg,
  ptrName,
  refDlgUnsafe,
  removeTimer,
  unrefDlgUnsafe,
  updateTimer,
  type NextStateInput,
  type TimerList,
} from '../../spec/dialog/primitives.js';
import { CONSTANTS, ConformError } from './build.js';

export interface Difference {
  /** The case: for the timer sequences, the operations in order. */
  readonly input: string;
  readonly c: string;
  readonly model: string;
}

export interface PartResult {
  readonly name: string;
  readonly compared: number;
  readonly differing: number;
  readonly first?: Difference;
}

// ---------------------------------------------------------------------------
// Timer sequences.

export interface TimerOp {
  readonly kind: 'ins' | 'upd' | 'rm' | 'tmr' | 'next';
  readonly k: number;
  readonly v: number;
  readonly name: string;
}

/** Intervals (= abstract timeouts, the ticks being 0) and the ticks the timer routine runs for. */
export const INTERVALS = [1, 2] as const;
export const NOWS = [1, 2] as const;

/** The operations on n entries, in the order both sides enumerate them. */
export function timerAlphabet(n: number): TimerOp[] {
  const ops: TimerOp[] = [];
  // The routine's steps first: among equally short differences, the first one printed then involves the timer routine if one does.
  for (const v of NOWS) ops.push({ kind: 'tmr', k: 0, v, name: `tmr:${v}` });
  ops.push({ kind: 'next', k: 0, v: 0, name: 'next' });
  for (let k = 0; k < n; k++) {
    for (const v of INTERVALS) ops.push({ kind: 'ins', k, v, name: `ins:${k}:${v}` });
    for (const v of INTERVALS) ops.push({ kind: 'upd', k, v, name: `upd:${k}:${v}` });
    ops.push({ kind: 'rm', k, v: 0, name: `rm:${k}` });
  }
  return ops;
}

/** The model's side of a sequence: the list, and the timer routine's progress (the chain it walks). */
interface TimerSide {
  readonly list: TimerList;
  running: boolean;
  chain: number;
}

const available = (s: TimerSide, op: TimerOp): boolean => (op.kind === 'tmr' ? !s.running : op.kind === 'next' ? s.running : true);

function applyOp(s: TimerSide, op: TimerOp): string {
  switch (op.kind) {
    case 'ins':
      return String(insertTimer(s.list, op.k, op.v));
    case 'upd':
      return String(updateTimer(s.list, op.k, op.v));
    case 'rm':
      return String(removeTimer(s.list, op.k));
    case 'tmr':
      s.running = true;
      s.chain = getExpired(s.list, op.v);
      return String(s.chain);
    case 'next': {
      if (s.chain === FAKE_TL) {
        s.running = false;
        return 'end';
      }
      const step = detachNext(s.list, s.chain);
      s.chain = step.rest;
      return String(step.handled);
    }
  }
}

const listState = (l: TimerList): string => {
  let out = `${l.next[SENT]},${l.prev[SENT]}`;
  for (let k = 0; k < entries(l); k++) {
    const p = entryPtr(k);
    out += `;${l.next[p]},${l.prev[p]},${l.timeout[p]}`;
  }
  return out;
};

/** A driver line's result and state in names: "rm:0 -> 0; first=tl0/tl0 tl0=sent/sent/1". */
export function readableTimer(op: string, result: string, state: string): string {
  const name = (x: string) => (/^\d+$/.test(x) ? ptrName(Number(x)) : x);
  const [sent, ...tls] = state.split(';');
  const [fn, fp] = (sent ?? '').split(',');
  const res = op === 'tmr' || op.startsWith('tmr:') || op === 'next' ? name(result) : result;
  const parts = [`first=${name(fn)}/${name(fp)}`, ...tls.map((t, k) => {
    const [n, p, to] = t.split(',');
    return `tl${k}=${name(n)}/${name(p)}/${to}`;
  })];
  return `${op} -> ${res}; ${parts.join(' ')}`;
}

/**
 * Every sequence of the alphabet's operations up to `length` on `n` entries:
 * the driver prints them depth first; each line is checked against the model
 * in the same order (the model's own availability rule tells which operations
 * each node must have), a differing node's subtree is skipped.
 */
export async function compareTimer(driver: string, n: number, length: number): Promise<PartResult> {
  const alphabet = timerAlphabet(n);
  const name = `timer list, ${n} ${n === 1 ? 'entry' : 'entries'}`;
  const child = spawn(driver, ['timer', String(n), String(length), ...alphabet.map((o) => o.name)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res(signal ? -1 : code));
  });
  const states: (TimerSide | undefined)[] = [{ list: emptyList(n), running: false, chain: FAKE_TL }];
  const next = [0];
  const path: string[] = [];
  let prevDepth = 0;
  let compared = 0;
  let differing = 0;
  let first: Difference | undefined;
  let skipBelow = Infinity;
  const fail = (what: string): never => {
    child.kill();
    throw new ConformError(`harness out of step (${name}): ${what}`);
  };
  /** The children of states[j] are all enumerated: no available operation may remain. */
  const closeLevel = (j: number) => {
    const s = states[j];
    if (s === undefined || j >= length) return;
    for (let i = next[j]; i < alphabet.length; i++) {
      if (available(s, alphabet[i])) fail(`after ${path.slice(0, j).join(' ') || 'the start'}, the driver did not run ${alphabet[i].name}`);
    }
  };
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of rl) {
    const [dText, op, result, state] = line.split(' ');
    const d = Number(dText);
    if (!(d >= 1 && d <= length) || state === undefined) fail(`unexpected line '${line}'`);
    if (d > skipBelow) continue;
    skipBelow = Infinity;
    for (let j = d; j <= prevDepth; j++) closeLevel(j);
    prevDepth = d;
    const parent = states[d - 1]!;
    let i = next[d - 1];
    while (i < alphabet.length && !available(parent, alphabet[i])) i++;
    if (i >= alphabet.length || alphabet[i].name !== op) fail(`after ${path.slice(0, d - 1).join(' ') || 'the start'}, the driver ran ${op} where the model expects ${alphabet[i]?.name ?? 'nothing'}`);
    next[d - 1] = i + 1;
    path[d - 1] = op;
    path.length = d;
    const s: TimerSide = { list: copyList(parent.list), running: parent.running, chain: parent.chain };
    let expected: string;
    try {
      expected = `${applyOp(s, alphabet[i])} ${listState(s.list)}`;
    } catch (e) {
      if (!(e instanceof WildPointer)) throw e;
      expected = `(the model: the C code crashes, ${e.message})`;
    }
    compared++;
    const got = `${result} ${state}`;
    if (got === expected) {
      states[d] = s;
      next[d] = 0;
      continue;
    }
    differing++;
    states[d] = undefined;
    skipBelow = d;
    if (first === undefined || path.length < first.input.split(' ').length) {
      const [mr, ms] = expected.split(' ');
      first = {
        input: path.join(' '),
        c: readableTimer(op, result, state),
        model: ms === undefined || expected.startsWith('(') ? expected : readableTimer(op, mr, ms),
      };
    }
  }
  const code = await exited;
  if (code !== 0) throw new ConformError(`the harness driver failed (${name}, exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`);
  if (skipBelow === Infinity) for (let j = 0; j <= prevDepth; j++) closeLevel(j);
  return { name, compared, differing, ...(first ? { first } : {}) };
}

// ---------------------------------------------------------------------------
// Cases on standard input: constants, the reference macros, next_state_dlg.

function runCases(driver: string, mode: string, input: string): string[] {
  const r = spawnSync(driver, [mode], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) throw new ConformError(`the harness driver failed (${mode}, exit ${r.status}): ${(r.stderr ?? r.error?.message ?? '').trim().split('\n')[0]}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

function compareLines(name: string, inputs: readonly string[], got: readonly string[], expected: readonly string[], explain: (i: number, line: string) => string): PartResult {
  if (got.length !== expected.length) throw new ConformError(`harness out of step (${name}): ${got.length} results for ${expected.length} cases`);
  let differing = 0;
  let first: Difference | undefined;
  for (let i = 0; i < got.length; i++) {
    if (got[i] === expected[i]) continue;
    differing++;
    first ??= { input: inputs[i], c: explain(i, got[i]), model: explain(i, expected[i]) };
  }
  return { name, compared: got.length, differing, ...(first ? { first } : {}) };
}

const MODEL_CONSTANTS: Record<string, number> = {
  ...Object.fromEntries(Object.entries(DLG_STATE).map(([k, v]) => [`DLG_STATE_${k}`, v])),
  ...Object.fromEntries(Object.entries(DLG_EVENT).map(([k, v]) => [`DLG_EVENT_${k}`, v])),
  ...Object.fromEntries(Object.entries(DLG_DIR).map(([k, v]) => [`DLG_DIR_${k}`, v])),
};

export function compareConstants(driver: string): PartResult {
  const got = runCases(driver, 'consts', '');
  return compareLines('constants', CONSTANTS, got, CONSTANTS.map((n) => `${n} ${MODEL_CONSTANTS[n]}`), (_i, l) => l);
}

interface Delays {
  readonly module: number;
  readonly dialog: number;
}
const DELAYS: readonly Delays[] = [
  { module: 0, dialog: 0 },
  { module: 5, dialog: 0 },
  { module: 0, dialog: 3 },
  { module: 5, dialog: 3 },
];

export function compareRefs(driver: string): PartResult {
  const inputs: string[] = [];
  const expected: string[] = [];
  for (let ref = -2; ref <= 3; ref++) {
    for (let cnt = 0; cnt <= 3; cnt++) {
      inputs.push(`ref ${ref} ${cnt}`);
      expected.push(String(refDlgUnsafe(ref, cnt)));
    }
  }
  for (let ref = -1; ref <= 3; ref++) {
    for (let cnt = 0; cnt <= 3; cnt++) {
      for (const dl of DELAYS) {
        inputs.push(`unref ${ref} ${cnt} ${dl.module} ${dl.dialog}`);
        const r = unrefDlgUnsafe(ref, cnt, dl);
        const destroyed = r.outcome === 'destroyed' ? 1 : 0;
        const timer = r.outcome === 'delete-timer' ? 1 : 0;
        const abort = r.outcome === 'abort' ? 1 : 0;
        expected.push(`${r.ref} ${destroyed} ${destroyed} ${timer} ${r.delay ?? 0} ${abort} ${r.printed?.ref ?? 0} ${r.printed?.cnt ?? 0}`);
      }
    }
  }
  const explain = (i: number, l: string) => {
    if (inputs[i].startsWith('ref ')) return `ref=${l}`;
    const [ref, unlinked, destroyed, timer, arg, abort, pref, pcnt] = l.split(' ');
    return `ref=${ref} unlinked=${unlinked} destroyed=${destroyed} delete-timer=${timer}${timer === '1' ? `(${arg})` : ''} abort=${abort}${abort === '1' ? ` printed 'bogus ref ${pref} with cnt ${pcnt}'` : ''}`;
  };
  return compareLines('reference macros', inputs, runCases(driver, 'refs', inputs.join('\n') + '\n'), expected, explain);
}

/** One next_state_dlg case: the model's input, and the two switches the C code reads for the replication (1344). */
export interface NextStateCase {
  readonly input: NextStateInput;
  readonly cluster: number;
  readonly events: number;
}

/** Every (state, event) pair, with invalid ones on both sides, and the arguments and fields the transitions read. */
export function nextStateCases(): NextStateCase[] {
  const out: NextStateCase[] = [];
  for (let state = 0; state <= 6; state++)
    for (let event = 0; event <= 9; event++)
      for (let dir = 0; dir <= 3; dir++)
        for (const lastDstLeg of [0, 1, 2])
          for (const leg200ok of [0, 1])
            for (const hasBye of [false, true])
              for (const ref of [0, 1, 2])
                for (const [cluster, events] of [[0, 0], [0, 1], [1, 0], [1, 1]])
                  for (const delay of DELAYS.slice(0, 3))
                    out.push({ input: { state, event, dir, lastDstLeg, leg200ok, hasBye, ref, replicate: cluster === 1 && events === 1, delay }, cluster, events });
  return out;
}

export function compareNextState(driver: string): PartResult {
  const cases = nextStateCases();
  const inputs = cases.map(
    ({ input: c, cluster, events }) =>
      `${c.state} ${c.event} ${c.dir} ${c.lastDstLeg} ${c.leg200ok} ${c.hasBye ? 1 : 0} ${c.ref} ${cluster} ${events} ${c.delay!.module} ${c.delay!.dialog}`,
  );
  const expected = cases.map(({ input }) => {
    const r = nextStateDlg(input);
    const u = r.unrefInSection;
    const destroyed = u?.outcome === 'destroyed' ? 1 : 0;
    const timer = u?.outcome === 'delete-timer' ? 1 : 0;
    return [
      r.old,
      r.new ?? -1,
      r.unref,
      r.state,
      r.hasBye ? 1 : 0,
      r.ref,
      destroyed,
      destroyed,
      timer,
      u?.delay ?? 0,
      r.aborted ? 1 : 0,
      u?.printed?.ref ?? 0,
      u?.printed?.cnt ?? 0,
      r.logged ? 1 : 0,
      r.stateChanged ? `1:${r.old}:${r.new}` : '0:0:0',
      r.replicated ? 1 : 0,
      r.aborted ? 1 : 0,
    ].join(' ');
  });
  const names = ['old', 'new', 'unref', 'state', 'hasBye', 'ref', 'unlinked', 'destroyed', 'delete-timer', 'delay', 'abort', 'printed-ref', 'printed-cnt', 'logged', 'state-event', 'replicated', 'H-held'];
  const explain = (_i: number, l: string) =>
    l
      .split(' ')
      .map((v, j) => `${names[j]}=${v}`)
      .join(' ');
  const described = inputs.map((l) => {
    const [state, event, dir, last, leg, hasBye, ref, cluster, events, md, dd] = l.split(' ');
    return `state=${state} event=${event} dir=${dir} last_dst_leg=${last} legs_no[DLG_LEG_200OK]=${leg} HASBYE=${hasBye} ref=${ref} dialog_repl_cluster=${cluster} replicate_events=${events} dlg_del_delay=${md} del_delay=${dd}`;
  });
  return compareLines('next_state_dlg', described, runCases(driver, 'next_state', inputs.join('\n') + '\n'), expected, explain);
}
