/**
 * A small language for the actors of the dialog model.
 *
 * Each actor is a program: a list of instructions (steps), each labelled with a
 * step id (the reference's id, e.g. "W4", plus the micro-step inside it, e.g.
 * "W4.old") and the C file:line it stands for. The pc of an actor is the index
 * of its next instruction. An instruction may
 * - acquire or release a lock (a step of its own),
 * - read one shared field (a step of its own: under the relaxed memory model a
 *   read can return any of several writes, and each possibility is an action),
 * - touch the cell (an access that is a use-after-free once the cell is freed),
 * - run an effect on a draft of the state and jump to a label.
 *
 * The subroutines of the reference (REF, UNREF, next_state_dlg, the timer
 * primitives, ...) are macros that emit their steps inline with a call-site
 * prefix, so a step id names both the caller and the part of the callee.
 */
import type { SourceLoc } from '../../src/engine/model.js';
import { latest, write as memWrite, type MemoryLayout } from '../../src/memory/views.js';
import {
  CONFIRMED_NA,
  DELETED,
  EARLY,
  FAKE,
  NBR,
  NULLP,
  T_ZERO,
  UNCONFIRMED,
  isConfirmed,
  type ActorState,
  type DialogState,
  type Env,
  type Field,
  type Ghost,
  type LockName,
  type Locals,
} from './state.js';
import { SpecError } from '../../src/engine/errors.js';

export const at = (file: string, line: number, endLine?: number): SourceLoc =>
  endLine === undefined ? { file, line } : { file, line, endLine };

/**
 * What a model knows about its names, for the instructions: the memory's
 * layout, and the index of each mark (milestone) and observation mark in the
 * ghost's flags. Built once per model (model.ts).
 */
export interface Tables {
  readonly layout: MemoryLayout<Field>;
  readonly markIndex: ReadonlyMap<string, number>;
  /** The index of each reference holder's counter in the ghost. */
  readonly holderIndex: ReadonlyMap<string, number>;
  /** The actors' names, by index. */
  readonly actors: readonly string[];
}

/** The context an instruction runs in: a mutable draft of the successor state. */
export interface Ctx {
  readonly s: DialogState;
  /** The acting process: its name and its index. */
  readonly me: string;
  readonly who: number;
  readonly a: ActorState;
  readonly l: Locals;
  readonly env: Env;
  readonly step: string;
  /** The step's index in the model's step table (for the ghost's records of who did what). */
  readonly stepNo: number;
  readonly t: Tables;
  /** Record observation marks (DialogConfig.observe). */
  readonly observe?: boolean;
}

export interface Instr {
  readonly id: string;
  readonly src: SourceLoc;
  /** Extra enabling condition (timer due, ...). */
  readonly when?: (s: DialogState, a: ActorState) => boolean;
  /** A mark (milestone) that must have been recorded before this step can run (an event having happened). */
  readonly waitFor?: string;
  readonly acquire?: LockName;
  readonly release?: LockName;
  /** The field this step reads; its value (one action per possible value) is passed to `exec`. */
  readonly read?: Field;
  /** This step accesses the cell: a use-after-free once the cell is freed. */
  readonly touch?: boolean;
  /** The step's effect; returns the label to jump to, or nothing to fall through. */
  readonly exec?: (c: Ctx, value: number) => string | void;
  /** A milestone recorded when the step runs (for ordering constraints and witnesses). */
  readonly mark?: string;
  /**
   * The step reads and writes only the actor's own locals (a branch on a value
   * already read, a return): it commutes with every other step, so it may run in
   * the same transition as the actor's previous step.
   */
  readonly local?: true;
}

export const END = 'end';

export class Program {
  readonly instrs: Instr[] = [];
  private readonly labels = new Map<string, number>();
  private readonly ids = new Set<string>();
  /** The reference holders this program names when it takes a reference (the model gives each a ghost counter). */
  readonly holders = new Set<string>();
  /** The marks its steps may record or wait for (the model gives each a ghost flag). */
  readonly marks = new Set<string>();

  /**
   * A cyclic program starts again at its first step when it reaches its end
   * (the timer routine runs every second for as long as OpenSIPS runs).
   */
  constructor(
    readonly actor: string,
    readonly cyclic = false,
  ) {}

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`${this.actor}: label '${name}' defined twice`);
    this.labels.set(name, this.instrs.length);
    return this;
  }

  add(i: Instr): this {
    if (this.ids.has(i.id)) throw new Error(`${this.actor}: step id '${i.id}' used twice`);
    this.ids.add(i.id);
    // Every instruction gets the same set of properties (absent ones undefined), so that the
    // interpreter's property reads see one object layout (model.ts runs them per step).
    const n: Instr = {
      id: i.id,
      src: i.src,
      when: i.when,
      waitFor: i.waitFor,
      acquire: i.acquire,
      release: i.release,
      read: i.read,
      touch: i.touch,
      exec: i.exec,
      mark: i.mark,
      local: i.local,
    };
    this.instrs.push(n);
    if (i.mark !== undefined) this.marks.add(i.mark);
    if (i.waitFor !== undefined) this.marks.add(i.waitFor);
    return this;
  }

  /** Declares marks that the effects of this program's steps record with `mark(c, name)`. */
  declareMarks(...names: string[]): this {
    for (const n of names) this.marks.add(n);
    return this;
  }

  target(name: string): number {
    if (name === END) return this.instrs.length;
    const t = this.labels.get(name);
    if (t === undefined) throw new Error(`${this.actor}: unknown label '${name}'`);
    return t;
  }
}

// ---------------------------------------------------------------------------
// Memory access helpers used inside effects.

/** The latest value of a field (reads inside a timer primitive, ghost checks). */
export const cur = (c: Ctx, f: Field): number => latest(c.s.mem, f);

export const put = (c: Ctx, f: Field, v: number): void => memWrite(c.t.layout, c.s.mem, c.who, f, v);

/** The index of a mark in the ghost's flags (a SpecError if the model did not declare it). */
export function markNo(t: Tables, m: string): number {
  const i = t.markIndex.get(m);
  if (i === undefined) throw new SpecError(`dialog model: mark '${m}' is not declared (Program.declareMarks, or an instruction's mark/waitFor)`);
  return i;
}

export const mark = (c: Ctx, m: string): void => {
  c.s.ghost.marks[markNo(c.t, m)] = true;
};

/** Whether mark `m` was recorded (false for a mark the model does not have). */
export const marked = (t: Tables, g: Ghost, m: string): boolean => {
  const i = t.markIndex.get(m);
  return i !== undefined && g.marks[i];
};

/** Whether `who` is the actor recorded in a ghost actor field (1 + index, 0 for none). */
export const isActor = (recorded: number, who: number): boolean => recorded === who + 1;

// ---------------------------------------------------------------------------
// Observation marks (DialogConfig.observe): facts about the order of events
// that the PR's propositions talk about and that the state does not keep.

/** The observation marks a model with these actors can record. */
export function observationMarks(actors: readonly string[]): string[] {
  const out = ['obs:detached', 'obs:detached-after-rm0'];
  for (const a of actors) {
    for (const m of ['rm0', 'rm0-after-detach', 'rm1-after-detach', 'H-under-TL', 'TL-under-H', 'H-after-DELETED', 'stale-state-read', 'stale-after-H']) out.push(`obs:${m}:${a}`);
  }
  return out;
}

const obs = (c: { s: DialogState; t: Tables }, m: string): void => {
  c.s.ghost.marks[markNo(c.t, `obs:${m}`)] = true;
};
const observed = (c: { s: DialogState; t: Tables }, m: string): boolean => marked(c.t, c.s.ghost, `obs:${m}`);

/**
 * Before `me` acquires `lock`: nesting (H taken while holding TL, or TL while
 * holding H), and whether H is taken after the dialog became DELETED (the
 * write of DELETED happens under H, so it was released before this acquire).
 */
export function observeAcquire(c: { s: DialogState; t: Tables; me: string; who: number }, lock: LockName): void {
  const other: LockName = lock === 'H' ? 'TL' : 'H';
  if (c.s.locks[other].held[c.who] > 0) obs(c, `${lock}-under-${other}:${c.me}`);
  if (lock === 'H' && latest(c.s.mem, 'state') === DELETED) obs(c, `H-after-DELETED:${c.me}`);
}

/**
 * After `me` read `state` and got `value`: a confirmed value although the
 * dialog is already DELETED and its deleter has left H (the write completed),
 * and whether `me` had acquired H after that write.
 */
export function observeStateRead(c: { s: DialogState; t: Tables; me: string }, value: number): void {
  const s = c.s;
  if (!isConfirmed(value) || latest(s.mem, 'state') !== DELETED) return;
  const by = s.ghost.deletedBy;
  if (by !== 0 && s.locks.H.held[by - 1] === 0) obs(c, `stale-state-read:${c.me}`);
  if (observed(c, `H-after-DELETED:${c.me}`)) obs(c, `stale-after-H:${c.me}`);
}

/** Adjusts the ghost count of a reference holder (a SpecError for a holder the model does not know). */
export const hold = (c: Ctx, holder: string, delta: number): void => {
  const i = c.t.holderIndex.get(holder);
  if (i === undefined) throw new SpecError(`dialog model: reference holder '${holder}' is not known to the model (take it with ref/refUnsafe/lookupRef, or list it in the scenario's initial holders)`);
  c.s.ghost.holders[i] += delta;
};

/** How many references holder `holder` has in `g` (0 for a holder the model does not have). */
export const heldBy = (t: Tables, g: Ghost, holder: string): number => {
  const i = t.holderIndex.get(holder);
  return i === undefined ? 0 : g.holders[i];
};

// ---------------------------------------------------------------------------
// Steps and subroutines.

/** A step that accesses the cell and does nothing else the model tracks. */
export function touch(p: Program, id: string, src: SourceLoc, exec?: Instr['exec']): void {
  p.add(exec ? { id, src, touch: true, exec } : { id, src, touch: true });
}

/** An H section whose body is only a touch (destroy_linkers, CSeq updates). */
export function hSection(
  p: Program,
  id: string,
  lockSrc: SourceLoc,
  bodySrc: SourceLoc,
  unlockSrc: SourceLoc,
  /** dlg_lock_dlg(dlg) reads dlg->h_entry (a touch); dlg_lock(d_table, entry) does not. */
  lockTouches = true,
): void {
  p.add({ id: `${id}.H+`, src: lockSrc, acquire: 'H', touch: lockTouches });
  touch(p, `${id}.body`, bodySrc);
  p.add({ id: `${id}.H-`, src: unlockSrc, release: 'H' });
}

const HASH_C = 'dlg_hash.c';
const HASH_H = 'dlg_hash.h';
const TIMER_C = 'dlg_timer.c';

/**
 * REF(1) through `_ref_dlg` (dlg_hash.c:1031-1040): H+; ref += 1 (a read and a
 * write); H-. `holder` names who now holds the new reference.
 */
export function ref(p: Program, id: string, holder: string, call: SourceLoc): void {
  p.holders.add(holder);
  p.add({ id: `${id}.H+`, src: call, acquire: 'H', touch: true });
  refUnsafe(p, id, holder, at(HASH_H, 319));
  p.add({ id: `${id}.H-`, src: at(HASH_C, 1039), release: 'H' });
}

/**
 * `ref += 1` as its read step and its write step (ref_dlg_unsafe, dlg_hash.h:316-320,
 * or an inline `ref++`): the caller is meant to hold H; this emits no lock step.
 */
export function refUnsafe(p: Program, id: string, holder: string, src: SourceLoc): void {
  p.holders.add(holder);
  refReadWrite(p, id, src, () => 1, () => [holder], 1);
}

/**
 * A non-atomic `ref += delta` as its read step and its write step; the write
 * moves the named holders' ghost counts by `sign` each.
 */
function refReadWrite(
  p: Program,
  id: string,
  src: SourceLoc,
  amount: (l: Locals) => number,
  holders: (l: Locals) => string[],
  sign: 1 | -1,
): void {
  p.add({ id: `${id}.ref-R`, src, read: 'ref', touch: true, exec: (c, v) => void (c.l.r = v) });
  p.add({
    id: `${id}.ref-W`,
    src,
    touch: true,
    exec: (c) => {
      put(c, 'ref', c.l.r + sign * amount(c.l));
      c.l.r = 0;
      for (const h of holders(c.l)) hold(c, h, sign);
    },
  });
}

/**
 * A look-up that takes a reference (lookup_dlg, dlg_hash.c:785-797): H+ on the
 * bucket; scan it (the cell is found only while it is linked); ref++; H-. If
 * the cell is no longer linked the caller finds nothing and returns (`miss`).
 */
export function lookupRef(p: Program, id: string, holder: string, miss: string, activeOnly = false): void {
  p.holders.add(holder);
  p.add({ id: `${id}.H+`, src: at(HASH_C, 787), acquire: 'H' });
  // With active_only (dlg_hash.c:790-794), a DELETED cell is skipped as if absent.
  p.add({
    id: `${id}.scan`,
    src: at(HASH_C, 789, 795),
    exec: (c) => (c.s.linked && !(activeOnly && cur(c, 'state') === DELETED) ? undefined : `${id}:miss`),
  });
  refUnsafe(p, id, holder, at(HASH_C, 796));
  p.add({ id: `${id}.H-`, src: at(HASH_C, 797), release: 'H', exec: () => `${id}:found` });
  p.label(`${id}:miss`);
  p.add({ id: `${id}.H-miss`, src: at(HASH_C, 803), release: 'H', exec: () => miss });
  p.label(`${id}:found`);
}

/**
 * The body of `unref_dlg_unsafe(n)` (dlg_hash.h:322-349), with H held:
 * ref -= n (read, then write); re-read ref: < 0 logs "bogus ref" and aborts with
 * H held; <= 0 destroys (unlink, destroy_dlg: remove_dlg_timer under TL, the
 * DESTROY callbacks, free). `drop` names the holders whose references go.
 */
export function unrefBody(
  p: Program,
  id: string,
  count: (l: Locals) => number,
  drop: (l: Locals) => string[],
  next: string,
): void {
  refReadWrite(p, id, at(HASH_H, 325), count, drop, -1);
  p.add({
    id: `${id}.chk`,
    src: at(HASH_H, 326, 337),
    read: 'ref',
    touch: true,
    exec: (c, v) => {
      if (v < 0) {
        // LM_CRIT prints ref as re-read here, and cnt; then abort() with H held.
        c.s.ghost.bogus = c.stepNo + 1;
        c.s.ghost.bogusRef = v;
        c.s.ghost.bogusCnt = count(c.l);
        return ABORT;
      }
      return v <= 0 ? undefined : next;
    },
  });
  p.add({ id: `${id}.unlink`, src: at(HASH_H, 343), touch: true, exec: (c) => void (c.s.linked = false) });
  p.add({ id: `${id}.rm-TL+`, src: at(HASH_C, 255), acquire: 'TL' });
  p.add({
    id: `${id}.rm`,
    src: at(TIMER_C, 488, 515),
    touch: true,
    exec: (c) => void removeTimer(c),
  });
  p.add({ id: `${id}.rm-TL-`, src: at(TIMER_C, 513), release: 'TL' });
  p.add({ id: `${id}.cb`, src: at(HASH_C, 272), touch: true });
  p.add({
    id: `${id}.free`,
    src: at(HASH_C, 245),
    exec: (c) => {
      c.s.ghost.frees += 1;
      return next;
    },
  });
}

/** Jump target meaning "this process called abort()". */
export const ABORT = '!abort';

/**
 * UNREF(n) through `_unref_dlg` (dlg_hash.c:1042-1051): H+, the unsafe body, H-.
 */
export function unref(
  p: Program,
  id: string,
  count: (l: Locals) => number,
  drop: (l: Locals) => string[],
  call: SourceLoc,
): void {
  p.add({ id: `${id}.H+`, src: call, acquire: 'H', touch: true });
  unrefBody(p, id, count, drop, `${id}:out`);
  p.label(`${id}:out`);
  p.add({ id: `${id}.H-`, src: at(HASH_C, 1050), release: 'H' });
}


export const one = () => 1;

// ---------------------------------------------------------------------------
// Timer primitives (dlg_timer.c), each one TL section. Their bodies read the
// latest tl (they run under TL) and are single steps.

/** remove_dlg_timer body (dlg_timer.c:488-515). Returns 0 (removed), 1 (not in the list) or -1. */
export function removeTimer(c: Ctx): number {
  const prev = cur(c, 'tlPrev');
  const next = cur(c, 'tlNext');
  const timeout = cur(c, 'tlTimeout');
  if (prev === NULLP && timeout === T_ZERO) {
    // The PR's assumption, not the code: a tl detached by T0 still "removes" once.
    if (c.s.ghost.detachedUnclaimed && c.env.assume?.includes('remove-after-expiry-returns-0')) {
      c.s.ghost.detachedUnclaimed = false;
      if (c.observe) observeRemoved(c);
      return (c.l.ret = 0);
    }
    if (c.observe && observed(c, 'detached')) obs(c, `rm1-after-detach:${c.me}`);
    return (c.l.ret = 1);
  }
  if (prev === NULLP || next === NULLP || next === FAKE) return (c.l.ret = -1);
  if (c.observe) observeRemoved(c);
  c.s.inList = false;
  put(c, 'tlNext', FAKE);
  put(c, 'tlPrev', NULLP);
  put(c, 'tlTimeout', T_ZERO);
  return (c.l.ret = 0);
}

/** remove_dlg_timer returned 0 ("removed: the timer reference is yours"). */
function observeRemoved(c: Ctx): void {
  obs(c, `rm0:${c.me}`);
  if (observed(c, 'detached')) obs(c, `rm0-after-detach:${c.me}`);
}

/** insert_dlg_timer body (dlg_timer.c:285-302). */
export function insertTimer(c: Ctx, timeout: number): number {
  if (cur(c, 'tlNext') !== NULLP || cur(c, 'tlPrev') !== NULLP) return (c.l.ret = -1);
  put(c, 'tlTimeout', timeout);
  put(c, 'tlNext', NBR);
  put(c, 'tlPrev', NBR);
  c.s.inList = true;
  return (c.l.ret = 0);
}

/** update_dlg_timer body (dlg_timer.c:552-580). */
export function updateTimer(c: Ctx, timeout: number): number {
  const next = cur(c, 'tlNext');
  const prev = cur(c, 'tlPrev');
  if (next === FAKE) return (c.l.ret = 0);
  if (next !== NULLP && prev === NULLP) return (c.l.ret = -1);
  if (next !== NULLP) {
    put(c, 'tlTimeout', timeout);
    return (c.l.ret = 0);
  }
  put(c, 'tlTimeout', timeout);
  put(c, 'tlNext', NBR);
  put(c, 'tlPrev', NBR);
  c.s.inList = true;
  return (c.l.ret = 1);
}

/** A TL section around a primitive: TL+, the body, TL-. */
export function timerCall(
  p: Program,
  id: string,
  name: string,
  call: SourceLoc,
  body: SourceLoc,
  run: (c: Ctx) => void,
  unlock: SourceLoc,
): void {
  p.add({ id: `${id}.TL+`, src: call, acquire: 'TL' });
  p.add({ id: `${id}.${name}`, src: body, touch: true, exec: (c) => void run(c) });
  p.add({ id: `${id}.TL-`, src: unlock, release: 'TL' });
}

/** remove_dlg_timer called by a worker; on 0 it owns the timer reference: unref += 1 (e.g. dlg_handlers.c:2154). */
export function callerRemove(p: Program, id: string, call: SourceLoc, plus: SourceLoc): void {
  timerCall(p, id, 'rm', call, at(TIMER_C, 488, 515), (c) => void removeTimer(c), at(TIMER_C, 513));
  p.add({
    id: `${id}.ret`,
    local: true,
    src: plus,
    exec: (c) => {
      if (c.l.ret === 0) {
        c.l.unref += 1;
        c.l.tmr = 1;
      }
      c.l.ret = 0;
    },
  });
}

// ---------------------------------------------------------------------------
// next_state_dlg (dlg_hash.c:1188-1352).

export type DlgEvent = 'TDEL' | 'RPL2xx' | 'REQBYE';

export interface NextStateOpts {
  /** PR v1 Part 1 (N1'): remove_dlg_timer inside the H section when moving into DELETED. */
  readonly part1: boolean;
  /** For TDEL: the holder whose reference the in-section unref drops (the INVITE transaction). */
  readonly tdelHolder?: string;
  readonly call: SourceLoc;
  /** v1's line numbers for N1' (patched dlg_hash.c). */
  readonly part1Src?: { block: SourceLoc; remove: SourceLoc; plus: SourceLoc };
}

/**
 * N(ev): H+; old = state; the transition (reads and writes under H); new =
 * state (re-read, line 1336); H-; raise_state_changed_event if old != new
 * (a touch after H-). Sets l.old, l.nw, l.unref.
 */
export function nextState(p: Program, id: string, ev: DlgEvent, o: NextStateOpts): void {
  p.add({
    id: `${id}.H+`,
    src: o.call,
    acquire: 'H',
    touch: true,
    exec: (c) => {
      c.l.unref = 0;
      c.l.tmr = 0;
    },
  });
  p.add({ id: `${id}.old`, src: at(HASH_C, 1198), read: 'state', touch: true, exec: (c, v) => void (c.l.old = v) });
  const transSrc: Record<DlgEvent, SourceLoc> = {
    TDEL: at(HASH_C, 1200, 1219),
    RPL2xx: at(HASH_C, 1245, 1262),
    REQBYE: at(HASH_C, 1274, 1306),
  };
  const after = `${id}:new`;
  p.add({
    id: `${id}.trans`,
    src: transSrc[ev],
    touch: true,
    exec: (c) => {
      const old = c.l.old;
      switch (ev) {
        case 'REQBYE':
          // CONF_NA/CONF (the internal callers' leg argument always matches): HASBYE, DELETED, unref = 1.
          if (isConfirmed(old)) {
            put(c, 'hasBye', 1);
            put(c, 'state', DELETED);
            if (c.s.ghost.deletedBy === 0) c.s.ghost.deletedBy = c.who + 1;
            c.l.unref = 1;
          } else if (old === UNCONFIRMED || old === EARLY) {
            put(c, 'hasBye', 1);
          }
          return after;
        case 'TDEL':
          if (old === UNCONFIRMED || old === EARLY) {
            put(c, 'state', DELETED);
            if (c.s.ghost.deletedBy === 0) c.s.ghost.deletedBy = c.who + 1;
            c.l.unref = 1;
            return undefined; // unref_dlg_unsafe(1) follows (1206)
          }
          if (isConfirmed(old)) return undefined; // unref_dlg_unsafe(1) (1211)
          if (old === DELETED) c.l.unref = 1; // 1218
          return after;
        case 'RPL2xx':
          if (old === UNCONFIRMED || old === EARLY) {
            put(c, 'state', CONFIRMED_NA);
            return after;
          }
          if (old === DELETED && cur(c, 'hasBye') === 0) return `${id}:back`;
          return after;
      }
    },
  });
  if (ev === 'TDEL') {
    // unref_dlg_unsafe(dlg, 1) for the INVITE transaction's reference, inside N1.
    unrefBody(p, `${id}.tdel`, one, () => [o.tdelHolder ?? 'base'], after);
  }
  if (ev === 'RPL2xx') {
    p.holders.add('hash');
    // "Back in hash": ref += 1 (1252), then state := CONF_NA.
    p.label(`${id}:back`);
    p.add({ id: `${id}.back-R`, src: at(HASH_C, 1252), read: 'ref', touch: true, exec: (c, v) => void (c.l.r = v) });
    p.add({
      id: `${id}.back-W`,
      src: at(HASH_C, 1252, 1253),
      touch: true,
      exec: (c) => {
        put(c, 'ref', c.l.r + 1);
        c.l.r = 0;
        hold(c, 'hash', 1);
        put(c, 'state', CONFIRMED_NA);
        return after;
      },
    });
  }
  p.label(after);
  p.add({ id: `${id}.new`, src: at(HASH_C, 1336), read: 'state', touch: true, exec: (c, v) => void (c.l.nw = v) });
  if (o.part1) {
    const s = o.part1Src!;
    p.add({
      id: `${id}.N1'`,
      local: true,
      src: s.block,
      exec: (c) => (c.l.old !== DELETED && c.l.nw === DELETED ? undefined : `${id}:unlock`),
    });
    callerRemove(p, `${id}.N1'rm`, s.remove, s.plus);
    p.label(`${id}:unlock`);
  }
  p.add({ id: `${id}.H-`, src: at(HASH_C, 1338), release: 'H' });
  // raise_state_changed_event only if old != new (compared as locals, no touch).
  p.add({ id: `${id}.N2?`, local: true, src: at(HASH_C, 1340), exec: (c) => (c.l.old !== c.l.nw ? undefined : `${id}:done`) });
  touch(p, `${id}.N2`, at(HASH_C, 1341, 1342));
  p.label(`${id}:done`);
}

/** Whether the last next_state_dlg call made this actor the winner (old CONF*, new DELETED). */
export const isWinner = (l: Locals): boolean => isConfirmed(l.old) && l.nw === DELETED;

/** T0's detach of one expired tl (dlg_timer.c:604-610, 620): prev = NULL, timeout = 0, next = FAKE (last of the chain). */
export function expire(c: Ctx): void {
  c.s.inList = false;
  if (c.observe) {
    if (c.t.actors.some((a) => observed(c, `rm0:${a}`))) obs(c, 'detached-after-rm0');
    obs(c, 'detached');
  }
  if (c.env.assume?.includes('remove-after-expiry-returns-0')) c.s.ghost.detachedUnclaimed = true;
  put(c, 'tlPrev', NULLP);
  put(c, 'tlTimeout', T_ZERO);
  put(c, 'tlNext', FAKE);
}

/**
 * Whether T0 would detach the tl: it is linked. The model lets time pass
 * freely, so a linked tl becomes due at some run of the routine whatever its
 * timeout; `T_DUE` and `T_LATER` only record whether the lifetime was re-armed.
 */
export const isDue = (s: DialogState): boolean => s.inList && latest(s.mem, 'tlTimeout') !== T_ZERO;
