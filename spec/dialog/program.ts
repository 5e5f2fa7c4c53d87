/**
 * A small language for the actors of the dialog model.
 *
 * Each actor is a program: a list of instructions (steps), each labelled with a
 * step id (the id of docs/c-reference.md §7, e.g. "W4", plus the micro-step inside it, e.g.
 * "W4.old") and the C file:line it stands for. The pc of an actor is the index
 * of its next instruction. An instruction may
 * - acquire or release a lock (a step of its own),
 * - read one shared field (a step of its own: under the relaxed memory model a
 *   read can return any of several writes, and each possibility is an action),
 * - touch the cell (an access that is a use-after-free once the cell is freed),
 * - run an effect on a draft of the state and jump to a label.
 *
 * The subroutines of docs/c-reference.md (§3.4, §3.7, §5.1) (REF, UNREF, next_state_dlg, the timer
 * primitives, ...) are macros that emit their steps inline with a call-site
 * prefix, so a step id names both the caller and the part of the callee.
 */
import { SpecError, type SourceLoc } from '../../src/engine/model.js';
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
  type CellState,
  type DialogGhost,
  type DialogState,
  type Ghost,
  type Env,
  type Field,
  type LockName,
  type Locals,
} from './state.js';
import * as P from './primitives.js';

export const at = (file: string, line: number, endLine?: number): SourceLoc =>
  endLine === undefined ? { file, line } : { file, line, endLine };

/**
 * What a model knows about its names, for the instructions: the memory's
 * layout, and the index of each mark (milestone) and observation mark in the
 * ghost's flags. Built once per model (model.ts).
 */
export interface Tables {
  /** The memory layout of every cell (the same for each). */
  readonly layout: MemoryLayout<Field>;
  readonly markIndex: ReadonlyMap<string, number>;
  /** The index of each reference holder's counter in a dialog's ghost record. */
  readonly holderIndex: ReadonlyMap<string, number>;
  /** The actors' names, by index. */
  readonly actors: readonly string[];
  /**
   * The model of several cells (more than one cell, more than one bucket, or
   * memory reuse): its timer list is primitives.ts's (a walk over a broken link
   * crashes), and a lock taken through a dialog pointer first reads the cell's
   * h_entry (a step of its own). Without it (every model of one dialog), the
   * one-entry timer primitives below and one bucket.
   */
  readonly multi?: boolean;
  /**
   * [process][cell]: whether the process can reach the cell (model.ts). A
   * process that cannot keeps no view of that cell's relaxed fields, also
   * after a list operation of its own wrote a neighbour's tl there.
   */
  readonly reaches?: readonly (readonly boolean[])[];
  /** Cells, hash buckets and dialogs of the model (1, 1, 1 unless it is `multi`). */
  readonly cells?: number;
  readonly buckets?: number;
  readonly dialogs?: number;
  /**
   * By dialog: `legs_no[DLG_LEG_200OK]` is 0 (no 2xx's leg recorded). The
   * internal callers of a REQBYE pass it as `last_dst_leg` (dlg_onroute passes
   * the request's leg instead: NextStateOpts.requestLeg), and on an early
   * dialog that only logs (dlg_hash.c:1299-1300) instead of setting HASBYE.
   * Absent or false: a leg is recorded.
   */
  readonly noCalleeLeg?: readonly boolean[];
}

/**
 * The context an instruction runs in: a mutable draft of the successor state.
 * The cell an instruction reads and writes is the one the acting process's
 * pointer reaches (`cellOf(c)`, from `c.l.dlg`).
 */
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
  /**
   * A nondeterministic choice: the step runs once for each value 0 .. choose-1
   * (one action each, noted `<chooseName>=<value>`); the value is passed to
   * `exec` (e.g. the bucket a new dialog hashes to).
   */
  readonly choose?: number;
  readonly chooseName?: string;
  /**
   * For an acquire or release of H: the bucket is the one the process computed
   * from its cell's h_entry (`l.hb`, set by the `.entry` step before the
   * acquire). Without it, an acquire of H takes the bucket the process knows
   * from elsewhere (a message's h_entry, a loop index): its dialog's bucket.
   */
  readonly viaCell?: true;
  /** This step accesses the cell: a use-after-free once the cell is freed. */
  readonly touch?: boolean;
  /** The step's effect; returns the label to jump to, or nothing to fall through. */
  readonly exec?: (c: Ctx, value: number) => string | void;
  /** A milestone recorded when the step runs (for ordering constraints and witnesses). */
  readonly mark?: string;
  /**
   * For the log of unref_dlg_unsafe (`<x>.log`, dlg_hash.h:327-335): the C function the macro is expanded in,
   * whose name LM_CRIT prints before 'bogus ref' (`__FUNCTION__`: issue
   * #3835's line is `_unref_dlg: bogus ref -2 with cnt 1`).
   */
  readonly prints?: string;
  /**
   * The step reads and writes only the actor's own locals (a branch on a value
   * already read, a return): it commutes with every other step, so it may run in
   * the same transition as the actor's previous step.
   */
  readonly local?: true;
}

export const END = 'end';

/** How programs are built: set by the model around building its programs (`buildPrograms`). */
export interface BuildMode {
  /** The model of several cells (Tables.multi). */
  readonly multi: boolean;
  /** Memory can be reused (the scenario has an allocator): a cell's h_entry can change under a process. */
  readonly reuse: boolean;
  /** The model's dialogs (those of the start, and the one an allocator may build); 1 if not given. */
  readonly dialogs?: number;
}
let building: BuildMode = { multi: false, reuse: false };

/** Builds programs in a mode: every `new Program` inside `f` takes it. */
export function buildPrograms<T>(mode: BuildMode, f: () => T): T {
  const before = building;
  building = mode;
  try {
    return f();
  } finally {
    building = before;
  }
}

export class Program {
  readonly instrs: Instr[] = [];
  /** Built for the model of several cells (its timer list, buckets, the loops of T and D). */
  readonly multi = building.multi;
  /**
   * Built for a model with memory reuse: there, an acquire of H that touches
   * the cell (dlg_lock_dlg, and the d_entry = &entries[dlg->h_entry] of
   * _ref_dlg, _unref_dlg, next_state_dlg, link_dlg) is two steps: the read of
   * h_entry from the cell (`<id>.entry`, a touch), then the acquire of that
   * bucket's lock. Between the two the cell may be freed and reused in another
   * bucket (dlg_hash.c:1035-1037, 1046-1048, 1193-1196, 995-997; dlg_hash.h:243-244).
   * Without reuse a cell's h_entry never changes, and the read and the
   * acquire are one step, as in the models of one dialog.
   */
  readonly reuse = building.reuse;
  /** The model's dialogs (BuildMode.dialogs): a per-dialog mark is declared once for each. */
  readonly dialogs = building.dialogs ?? 1;
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
    if (this.reuse && i.acquire === 'H' && i.touch) {
      const base = i.id.endsWith('.H+') ? i.id.slice(0, -3) : i.id;
      this.add({ id: `${base}.entry`, src: i.src, touch: true, exec: (c) => void (c.l.hb = cellOf(c).h) });
      return this.add({ ...i, touch: undefined, viaCell: true });
    }
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
      choose: i.choose,
      chooseName: i.chooseName,
      viaCell: i.viaCell,
      touch: i.touch,
      exec: i.exec,
      mark: i.mark,
      local: i.local,
      prints: i.prints,
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

/** The cell the acting process's pointer reaches (the memory of the dialog it names, whoever lives there now). */
export const cellOf = (c: { s: DialogState; l: Locals }): CellState => (c.s.cells.length === 1 ? c.s.cells[0] : c.s.cells[c.s.ghost.dialogs[c.l.dlg].cell]);

/**
 * The ghost record of the dialog whose memory the process's pointer reaches:
 * the one living in that cell now (or the last one, once freed). Effects that
 * go through the cell's data (DB deletes, callbacks, BYEs, the DELETED
 * transition) count there; references count against the dialog the pointer
 * names (`hold`).
 */
export const dlgOf = (c: { s: DialogState; l: Locals }): DialogGhost => c.s.ghost.dialogs[cellOf(c).dlg];

/** The latest value of a field of the process's cell (reads inside a timer primitive, ghost checks). */
export const cur = (c: Ctx, f: Field): number => latest(cellOf(c).mem, f);

/** A write of a field of the process's cell. */
export const put = (c: Ctx, f: Field, v: number): void => memWrite(c.t.layout, cellOf(c).mem, c.who, f, v);

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
  // Observation marks are for the models of one dialog (one cell, one bucket).
  const other = lock === 'H' ? c.s.locks.TL : c.s.locks.H[0];
  if (other.held[c.who] > 0) obs(c, `${lock}-under-${lock === 'H' ? 'TL' : 'H'}:${c.me}`);
  if (lock === 'H' && latest(c.s.cells[0].mem, 'state') === DELETED) obs(c, `H-after-DELETED:${c.me}`);
}

/**
 * After `me` read `state` and got `value`: a confirmed value although the
 * dialog is already DELETED and its deleter has left H (the write completed),
 * and whether `me` had acquired H after that write.
 */
export function observeStateRead(c: { s: DialogState; t: Tables; me: string }, value: number): void {
  const s = c.s;
  if (!isConfirmed(value) || latest(s.cells[0].mem, 'state') !== DELETED) return;
  const by = s.ghost.dialogs[0].deletedBy;
  if (by !== 0 && s.locks.H[0].held[by - 1] === 0) obs(c, `stale-state-read:${c.me}`);
  if (observed(c, `H-after-DELETED:${c.me}`)) obs(c, `stale-after-H:${c.me}`);
}

/**
 * Adjusts the ghost count of a reference holder (a SpecError for a holder the
 * model does not know), against the dialog the process's pointer names.
 */
export const hold = (c: Ctx, holder: string, delta: number): void => {
  const i = c.t.holderIndex.get(holder);
  if (i === undefined) throw new SpecError(`dialog model: reference holder '${holder}' is not known to the model (take it with ref/refUnsafe/lookupRef, or list it in the scenario's initial holders)`);
  c.s.ghost.dialogs[c.l.dlg].holders[i] += delta;
};

/** How many references holder `holder` has in a dialog's record `g` (0 for a holder the model does not have). */
export const heldBy = (t: Tables, g: DialogGhost, holder: string): number => {
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
      // ref += n or ref -= n, as C writes it (not r + sign * n: -1 * 0 is -0 in JavaScript, which
      // V8 then keeps as a boxed double in the state's arrays, a slower kind of array).
      put(c, 'ref', sign > 0 ? c.l.r + amount(c.l) : c.l.r - amount(c.l));
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
    exec: (c) => (findsOwn(c) && !(activeOnly && cur(c, 'state') === DELETED) ? undefined : `${id}:miss`),
  });
  refUnsafe(p, id, holder, at(HASH_C, 796));
  p.add({ id: `${id}.H-`, src: at(HASH_C, 797), release: 'H', exec: () => `${id}:found` });
  p.label(`${id}:miss`);
  p.add({ id: `${id}.H-miss`, src: at(HASH_C, 803), release: 'H', exec: () => miss });
  p.label(`${id}:found`);
}

/**
 * Whether a look-up of the dialog the process's pointer names (by its h_entry
 * and h_id, from a message) finds it: its cell holds it and is linked in that
 * bucket. A look-up never returns a stale pointer: once the dialog is freed,
 * its h_id is not found (a reused cell holds another dialog, another h_id).
 */
function findsOwn(c: Ctx): boolean {
  const cell = cellOf(c);
  const d = c.s.ghost.dialogs[c.l.dlg];
  return cell.linked && cell.dlg === c.l.dlg && cell.h === d.bucket;
}

/**
 * The body of `unref_dlg_unsafe(n)` (dlg_hash.h:322-349), with H held, expanded
 * in the C function `fn` (the name its 'bogus ref' line starts with):
 * ref -= n (read, then write); load ref: < 0 logs "bogus ref" (a second load)
 * and aborts with H held; else load it again: <= 0 destroys (unlink,
 * destroy_dlg: remove_dlg_timer under TL, the DESTROY callbacks, free). `drop`
 * names the holders whose references go.
 */
export function unrefBody(
  p: Program,
  id: string,
  count: (l: Locals) => number,
  drop: (l: Locals) => string[],
  next: string,
  fn: '_unref_dlg' | 'next_state_dlg' | 'drop_dlg',
): void {
  refReadWrite(p, id, at(HASH_H, 325), count, drop, -1);
  // `ref` is volatile (dlg_hash.h:136): the test at 326, the log's argument at 330 and the test at 337
  // are three loads. Where H excludes they load the same value; under EINTR, through a stale pointer
  // into reused memory, or after an unlock by a process that does not hold H, another process's
  // write can land between them.
  p.add({
    id: `${id}.chk`,
    src: at(HASH_H, 326),
    read: 'ref',
    touch: true,
    exec: (_c, v) => (v < 0 ? undefined : `${id}:chk0`),
  });
  p.add({
    id: `${id}.log`,
    src: at(HASH_H, 327, 335),
    read: 'ref',
    touch: true,
    prints: fn,
    exec: (c, v) => {
      // LM_CRIT prints ref as this load finds it, and cnt; then abort() with H held.
      c.s.ghost.bogus = c.stepNo + 1;
      c.s.ghost.bogusRef = v;
      c.s.ghost.bogusCnt = count(c.l);
      c.s.ghost.bogusDlg = cellOf(c).dlg;
      return ABORT;
    },
  });
  p.label(`${id}:chk0`);
  p.add({
    id: `${id}.chk0`,
    src: at(HASH_H, 337),
    read: 'ref',
    touch: true,
    exec: (_c, v) => (v <= 0 ? undefined : next),
  });
  // unlink_unsafe_dlg(d_entry, dlg) (dlg_hash.c:1012-1028) unlinks the cell from the list of d_entry, the
  // bucket the caller computed. Through another bucket's entry (a stale pointer whose cell was reused in
  // another bucket) the cell stays in its own bucket's list: still linked there, then freed.
  p.add({
    id: `${id}.unlink`,
    src: at(HASH_H, 343),
    touch: true,
    exec: (c) => {
      const cell = cellOf(c);
      if (cell.h === c.l.hb) cell.linked = false;
    },
  });
  p.add({ id: `${id}.rm-TL+`, src: at(HASH_C, 255), acquire: 'TL' });
  removeTimerBody(p, id, 'rm-');
  p.add({ id: `${id}.cb`, src: at(HASH_C, 272), touch: true });
  p.add({
    id: `${id}.free`,
    src: at(HASH_C, 245),
    exec: (c) => {
      // shm_free of the cell: the dialog living there is freed (once more, if it already was).
      dlgOf(c).frees += 1;
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
  unrefBody(p, id, count, drop, `${id}:out`, '_unref_dlg');
  p.label(`${id}:out`);
  p.add({ id: `${id}.H-`, src: at(HASH_C, 1050), release: 'H' });
}


export const one = () => 1;

// ---------------------------------------------------------------------------
// Timer primitives (dlg_timer.c), each one TL section. Their bodies read the
// latest tl (they run under TL) and are single steps.
//
// In the models of one dialog they are the one-entry functions below (the
// sentinel is the only neighbour, NBR; `inList` is the list's truth). In the
// model of several cells (Tables.multi) they are primitives.ts's functions,
// run on the list as the cells hold it: see `listOp`.

/** remove_dlg_timer body (dlg_timer.c:488-515). Returns 0 (removed), 1 (not in the list) or -1. */
export function removeTimer(c: Ctx): number {
  if (c.t.multi) return listOp(c, (l, k) => P.removeTimer(l, k), 'remove');
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
  cellOf(c).inList = false;
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
  if (c.t.multi) return listOp(c, (l, k) => P.insertTimer(l, k, timeout), 'insert');
  if (cur(c, 'tlNext') !== NULLP || cur(c, 'tlPrev') !== NULLP) return (c.l.ret = -1);
  put(c, 'tlTimeout', timeout);
  put(c, 'tlNext', NBR);
  put(c, 'tlPrev', NBR);
  cellOf(c).inList = true;
  return (c.l.ret = 0);
}

/** update_dlg_timer body (dlg_timer.c:552-580). */
export function updateTimer(c: Ctx, timeout: number): number {
  if (c.t.multi) return listOp(c, (l, k) => P.updateTimer(l, k, timeout), 'update');
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
  cellOf(c).inList = true;
  return (c.l.ret = 1);
}

// ---------------------------------------------------------------------------
// The timer list of the model of several cells: primitives.ts's functions on
// the list the cells hold. The sentinel is the state's `first`; entry k is
// the tl of cell k (pointer 3 + k), whose fields are that cell's tlNext,
// tlPrev, tlTimeout. An operation loads the list (latest values: it runs
// under TL), runs the primitive, and writes back the fields it changed, each
// into the memory of the cell it belongs to (a write into a freed cell is a
// use after free of the dialog that was freed there). A primitive that would
// follow a pointer that is no list node (NULL, FAKE) throws WildPointer: the
// process crashes there (OpenSIPS goes down, as with the 'bogus ref' abort)
// and the ghost records it (TimerListWalkSafe).

/** One scratch list per size, reused (the model runs one step at a time). */
const scratch = new Map<number, P.TimerList>();
function scratchList(n: number): P.TimerList {
  let l = scratch.get(n);
  if (l === undefined) scratch.set(n, (l = P.emptyList(n)));
  return l;
}

/** The list as the state holds it (into a scratch list). */
export function loadList(s: DialogState, l: P.TimerList = scratchList(s.cells.length)): P.TimerList {
  l.next[P.SENT] = s.first.next;
  l.prev[P.SENT] = s.first.prev;
  for (let k = 0; k < s.cells.length; k++) {
    const m = s.cells[k].mem;
    const e = P.ENTRY0 + k;
    l.next[e] = latest(m, 'tlNext');
    l.prev[e] = latest(m, 'tlPrev');
    l.timeout[e] = latest(m, 'tlTimeout');
  }
  return l;
}

/** Writes back what an operation changed: the sentinel, and each changed field into its cell's memory. */
function storeList(c: Ctx, l: P.TimerList): void {
  const s = c.s;
  s.first.next = l.next[P.SENT];
  s.first.prev = l.prev[P.SENT];
  for (let k = 0; k < s.cells.length; k++) {
    const cell = s.cells[k];
    const m = cell.mem;
    const e = P.ENTRY0 + k;
    let wrote = false;
    if (latest(m, 'tlTimeout') !== l.timeout[e]) {
      memWrite(c.t.layout, m, c.who, 'tlTimeout', l.timeout[e]);
      wrote = true;
    }
    if (latest(m, 'tlNext') !== l.next[e]) {
      memWrite(c.t.layout, m, c.who, 'tlNext', l.next[e]);
      wrote = true;
    }
    if (latest(m, 'tlPrev') !== l.prev[e]) {
      memWrite(c.t.layout, m, c.who, 'tlPrev', l.prev[e]);
      wrote = true;
    }
    if (!wrote) continue;
    // A process that cannot reach this cell keeps no view of it (model.ts, `reaches`).
    if (c.t.reaches !== undefined && !c.t.reaches[c.who][k]) for (const f of c.t.layout.relaxed) m.view[c.who][c.t.layout.rIndex[f]] = 0;
    // The list wrote into the tl of a freed cell: a use after free of the dialog freed there.
    const d = s.ghost.dialogs[cell.dlg];
    if (d.frees > 0 && d.uaf === 0) d.uaf = c.stepNo + 1;
  }
}

/** The process crashed following `ptr` in the list (TimerListWalkSafe); the model stops every process. */
function walkCrash(c: Ctx, ptr: number): void {
  c.s.ghost.walk = c.stepNo + 1;
  c.s.ghost.walkPtr = ptr;
}

/** Whether the process crashed in a walk of the timer list. */
export const walkCrashed = (s: DialogState): boolean => s.ghost.walk !== 0;

/**
 * Runs a primitive on the entry of the process's cell; returns (and sets
 * `l.ret` to) what it returns, and keeps `inList` (the list's truth): an
 * insert, or an update that links the entry, links it; a remove that returns
 * 0 unlinks it. On a crash the list is left as it was and `l.ret` is 0.
 */
function listOp(c: Ctx, op: (l: P.TimerList, k: number) => number, kind: 'insert' | 'update' | 'remove'): number {
  if (c.env.assume?.length) throw new SpecError(`dialog model: the PR's assumptions are for the models of one dialog`);
  const l = loadList(c.s);
  const cell = cellOf(c);
  const k = c.s.ghost.dialogs[c.l.dlg].cell;
  let ret: number;
  try {
    ret = op(l, k);
  } catch (e) {
    if (!(e instanceof P.WildPointer)) throw e;
    walkCrash(c, e.ptr);
    return (c.l.ret = 0);
  }
  storeList(c, l);
  if (kind === 'remove') {
    if (ret === 0) cell.inList = false;
  } else if (ret === 1 || (ret === 0 && l.next[P.ENTRY0 + k] !== FAKE)) {
    // insert_dlg_timer's 0, update_dlg_timer's 1 (linked an unset entry) or its 0 after re-linking a linked one.
    cell.inList = true;
  }
  return (c.l.ret = ret);
}

/**
 * The horizon of the model of several cells: the timer routine runs at the
 * tick where the timeouts `due` (1) are reached; `later` (2) is beyond the
 * scenarios (a lifetime that does not end while they run).
 */
export const NOW = P.TICK_DUE;

/** T0 can run (model of several cells): the list's first node is due (or is no node: the walk will crash). */
export function listDue(s: DialogState): boolean {
  const head = s.first.next;
  if (head === P.SENT) return false;
  const k = head - P.ENTRY0;
  if (k < 0 || k >= s.cells.length) return true;
  return latest(s.cells[k].mem, 'tlTimeout') <= NOW;
}

/**
 * T0 in the model of several cells: _get_gen_expired_dlgs(d_timer, now)
 * (dlg_timer.c:582-635) on the list; the detached entries leave the list's
 * truth; the chain's head goes to `l.chain` (FAKE: nothing detached).
 */
export function expireList(c: Ctx): void {
  const l = loadList(c.s);
  let head: number;
  try {
    head = P.getExpired(l, NOW);
  } catch (e) {
    if (!(e instanceof P.WildPointer)) throw e;
    walkCrash(c, e.ptr);
    return;
  }
  storeList(c, l);
  // The detached chain: head .. the entry whose next is FAKE (each visited once).
  for (let p = head, n = 0; p >= P.ENTRY0 && p < P.ENTRY0 + c.s.cells.length && n < c.s.cells.length; p = l.next[p], n++) c.s.cells[p - P.ENTRY0].inList = false;
  c.l.chain = head;
}

/**
 * The routine's loop (dlg_timer.c:643): with the chain's rest FAKE it ends
 * (END: the routine runs again later); with an entry, `dlg` becomes the
 * dialog living in that entry's cell (timer_hdl gets the tl and takes the
 * dialog around it) and the loop goes on; anything else is no node, and
 * `tl->next` at 645 crashes.
 */
export function nextInChain(c: Ctx): string | void {
  const p = c.l.chain;
  if (p === P.FAKE_TL) return END;
  const k = p - P.ENTRY0;
  if (k >= 0 && k < c.s.cells.length) {
    c.l.dlg = c.s.cells[k].dlg;
    return undefined;
  }
  walkCrash(c, p);
  return ABORT;
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

/** remove_dlg_timer's three returns, by the release of TL on each path (dlg_timer.c:488-515). */
const REMOVE_PATHS = [
  // 0: the entry was in the list; unlinked and marked (507-511), released at 513.
  { path: 'removed', unlock: 513 },
  // 1: not in the list (prev NULL and timeout 0: never linked, or detached by the timer routine), released at 496.
  { path: 'absent', unlock: 496 },
  // -1: a bogus entry (a NULL or FAKE neighbour), logged and released at 503.
  { path: 'bogus', unlock: 503 },
] as const;

type RemovePath = (typeof REMOVE_PATHS)[number]['path'];

/**
 * The body of remove_dlg_timer under TL (taken by the caller) and the release
 * on the path it took, each citing its own lock_release: `<id>.<prefix>TL-`
 * after a removal, `<id>.<prefix>absent-TL-` and `<id>.<prefix>bogus-TL-` on
 * the early returns (the ids end in `TL-`, the convention for a release). `tail`, if
 * given, is the caller's test of the result: `<id>.ret`, `<id>.ret-absent`,
 * `<id>.ret-bogus`, each citing that branch's lines.
 */
function removeTimerBody(
  p: Program,
  id: string,
  prefix: '' | 'rm-',
  tail?: { readonly src: Readonly<Record<RemovePath, SourceLoc>>; readonly exec: (c: Ctx) => void },
): void {
  const label = (path: RemovePath) => `${id}:rm-${path}`;
  const done = `${id}:rm-done`;
  p.add({
    id: `${id}.rm`,
    src: at(TIMER_C, 488, 515),
    touch: true,
    exec: (c) => {
      const r = removeTimer(c);
      return r === 0 ? undefined : label(r > 0 ? 'absent' : 'bogus');
    },
  });
  // REMOVE_PATHS' order is the layout: the removed path falls through from the body, the bogus one (last) falls
  // through to the end; the others jump there.
  for (const { path, unlock } of REMOVE_PATHS) {
    const removed = path === 'removed';
    const last = path === 'bogus';
    if (!removed) p.label(label(path));
    const release = `${id}.${prefix}${removed ? '' : `${path}-`}TL-`;
    if (tail === undefined) {
      p.add({ id: release, src: at(TIMER_C, unlock), release: 'TL', exec: last ? undefined : () => done });
    } else {
      p.add({ id: release, src: at(TIMER_C, unlock), release: 'TL' });
      p.add({
        id: removed ? `${id}.ret` : `${id}.ret-${path}`,
        local: true,
        src: tail.src[path],
        exec: (c) => {
          tail.exec(c);
          return last ? undefined : done;
        },
      });
    }
  }
  p.label(done);
}

/**
 * remove_dlg_timer called by a worker, and the worker's test of its result
 * (`branches`: the lines the caller runs after each of remove_dlg_timer's
 * paths, whatever order its tests take): on 0 it owns the timer reference,
 * unref += 1 (e.g. dlg_handlers.c:2154).
 */
export function callerRemove(p: Program, id: string, call: SourceLoc, branches: Readonly<Record<RemovePath, SourceLoc>>): void {
  p.add({ id: `${id}.TL+`, src: call, acquire: 'TL' });
  removeTimerBody(p, id, '', {
    src: branches,
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
  readonly part1Src?: { block: SourceLoc; remove: SourceLoc; result: Readonly<Record<RemovePath, SourceLoc>> };
  /**
   * REQBYE: the caller passes the request's destination leg (dlg_onroute's dst_leg, dlg_handlers.c:2020),
   * not legs_no[DLG_LEG_200OK]; the model takes a BYE towards the callee (a leg other than 0), so a dialog's
   * noCalleeLeg does not apply. No scenario runs this caller on an early dialog.
   */
  readonly requestLeg?: true;
}

/**
 * N(ev): H+; old = state (1198); the event's `switch (dlg->state)` loads the
 * field again (the second load, kept in l.sw); the transition acts on that
 * second value (reads and writes under H); new = state (re-read, line 1336);
 * H-; raise_state_changed_event if old != new (a touch after H-). Sets l.old,
 * l.nw, l.unref, and l.sw (cleared after the transition, except where TDEL set
 * *unref: see `.trans`).
 *
 * The two loads are one value while H excludes. When it does not (EINTR), a
 * write by another process may fall between them: a build with the shipped
 * Makefile.conf.template (-O0) loads `dlg->state` at each of the two lines,
 * and an optimising compiler may too (the field is not volatile), so the model
 * lets them differ rather than assume the compiler merged them.
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
  // `switch (event)` (1200) selects the event's case; its `switch (dlg->state)` loads state again.
  const switchSrc: Record<DlgEvent, SourceLoc> = {
    TDEL: at(HASH_C, 1202),
    RPL2xx: at(HASH_C, 1246),
    REQBYE: at(HASH_C, 1278),
  };
  p.add({ id: `${id}.sw`, src: switchSrc[ev], read: 'state', touch: true, exec: (c, v) => void (c.l.sw = v) });
  const transSrc: Record<DlgEvent, SourceLoc> = {
    TDEL: at(HASH_C, 1203, 1219),
    RPL2xx: at(HASH_C, 1247, 1262),
    REQBYE: at(HASH_C, 1279, 1306),
  };
  const after = `${id}:new`;
  p.add({
    id: `${id}.trans`,
    src: transSrc[ev],
    touch: true,
    exec: (c) => {
      // The case the second load selected. The value is dead after the switch, except where TDEL sets
      // `*unref = 1`, which stands for TM's reference (DELETED) or the hash table's (UNCONF/EARLY): the ghost's
      // bookkeeping of the caller's unref_dlg needs to know which (its locals die when it ends).
      const sw = c.l.sw;
      if (ev !== 'TDEL' || !(sw === UNCONFIRMED || sw === EARLY || sw === DELETED)) c.l.sw = 0;
      switch (ev) {
        case 'REQBYE':
          // CONF_NA/CONF (the internal callers' leg argument always matches): HASBYE, DELETED, unref = 1.
          if (isConfirmed(sw)) {
            put(c, 'hasBye', 1);
            put(c, 'state', DELETED);
            if (dlgOf(c).deletedBy === 0) dlgOf(c).deletedBy = c.who + 1;
            c.l.unref = 1;
          } else if ((sw === UNCONFIRMED || sw === EARLY) && (o.requestLeg === true || !c.t.noCalleeLeg?.[cellOf(c).dlg])) {
            // HASBYE only if last_dst_leg != 0 (1292-1305). The internal callers (the only one that reaches an early
            // dialog here is drop_dlg, dlg_replication.c:1210-1211) pass legs_no[DLG_LEG_200OK]: the 2xx's leg once its forwarding recorded
            // it (push_reply_in_dialog, dlg_handlers.c:577-580, in the TMCB_RESPONSE_FWDED callback, which TM runs
            // before the TMCB_RESPONSE_PRE_OUT one whose next_state_dlg is O's: tm/t_reply.c:1321, 1389; so
            // drop-after-sync's dialog, whose 2xx O is processing, has it), DLG_FIRST_CALLEE_LEG for a dialog built from replication or the database
            // (dlg_replication.c:298, dlg_db_handler.c:712); 0 for a local early dialog before any 2xx (the
            // scenario's noCalleeLeg), where the C code only logs.
            put(c, 'hasBye', 1);
          }
          return after;
        case 'TDEL':
          if (sw === UNCONFIRMED || sw === EARLY) {
            put(c, 'state', DELETED);
            if (dlgOf(c).deletedBy === 0) dlgOf(c).deletedBy = c.who + 1;
            c.l.unref = 1;
            return undefined; // unref_dlg_unsafe(1) follows (1206)
          }
          if (isConfirmed(sw)) return undefined; // unref_dlg_unsafe(1) (1211)
          if (sw === DELETED) c.l.unref = 1; // 1218
          return after;
        case 'RPL2xx':
          if (sw === UNCONFIRMED || sw === EARLY) {
            put(c, 'state', CONFIRMED_NA);
            return after;
          }
          if (sw === DELETED && cur(c, 'hasBye') === 0) return `${id}:back`;
          return after;
      }
    },
  });
  if (ev === 'TDEL') {
    // unref_dlg_unsafe(dlg, 1) for the INVITE transaction's reference, inside N1.
    unrefBody(p, `${id}.tdel`, one, () => [o.tdelHolder ?? 'base'], after, 'next_state_dlg');
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
    callerRemove(p, `${id}.N1'rm`, s.remove, s.result);
    p.label(`${id}:unlock`);
  }
  p.add({ id: `${id}.H-`, src: at(HASH_C, 1338), release: 'H' });
  // raise_state_changed_event only if old != new (compared as locals, no touch).
  p.add({ id: `${id}.N2?`, local: true, src: at(HASH_C, 1340), exec: (c) => (c.l.old !== c.l.nw ? undefined : `${id}:done`) });
  touch(p, `${id}.N2`, at(HASH_C, 1341, 1342));
  p.label(`${id}:done`);
}

/**
 * Whether the last next_state_dlg call made this actor the winner, as every caller tests it
 * (`new_state == DLG_STATE_DELETED && old_state != DLG_STATE_DELETED`, e.g. dlg_handlers.c:2548).
 */
export const isWinner = (l: Locals): boolean => l.old !== DELETED && l.nw === DELETED;

/** T0's detach of one expired tl (dlg_timer.c:604-610, 620): prev = NULL, timeout = 0, next = FAKE (last of the chain). */
export function expire(c: Ctx): void {
  cellOf(c).inList = false;
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
 * Whether T0 would detach the tl (models of one dialog): it is linked. The model lets time pass
 * freely, so a linked tl becomes due at some run of the routine whatever its
 * timeout; `T_DUE` and `T_LATER` only record whether the lifetime was re-armed.
 */
export const isDue = (s: DialogState): boolean => s.cells[0].inList && latest(s.cells[0].mem, 'tlTimeout') !== T_ZERO;

// ---------------------------------------------------------------------------
// Memory reuse: a new dialog built in freed memory (model of several cells).

/** The first cell whose dialog was freed (-1 if none): shm_malloc may hand that memory to a new dialog. */
export function freeCell(s: DialogState): number {
  for (let k = 0; k < s.cells.length; k++) if (s.ghost.dialogs[s.cells[k].dlg].frees > 0) return k;
  return -1;
}

/** The next dialog that can be born (-1 if none): the model's dialogs after those of the start. */
export function unborn(s: DialogState): number {
  const ds = s.ghost.dialogs;
  for (let d = 0; d < ds.length; d++) if (!ds[d].born) return d;
  return -1;
}

/** Memory to reuse and a dialog to build in it. */
export const canAllocate = (s: DialogState): boolean => freeCell(s) >= 0 && unborn(s) >= 0;

/**
 * build_new_dlg (dlg_hash.c:309-374) in freed memory: shm_malloc returns the
 * freed cell (319), memset zeroes it (325: ref 0, flags 0, the tl
 * {NULL, NULL, 0}), state = UNCONFIRMED (343), h_entry = dlg_hash(callid)
 * (344), here `bucket`. The process's pointer names the new dialog; the cell
 * is not linked in a bucket yet, and the timer list's truth is what it was
 * (a list that still points at this memory keeps pointing at it).
 */
export function allocate(c: Ctx, bucket: number): void {
  const s = c.s;
  const k = freeCell(s);
  const d = unborn(s);
  if (k < 0 || d < 0) throw new SpecError('dialog model: an allocation without freed memory or without a dialog to build');
  const cell = s.cells[k];
  const g = s.ghost.dialogs[d];
  g.born = true;
  g.cell = k;
  g.bucket = bucket;
  cell.dlg = d;
  cell.h = bucket;
  cell.linked = false;
  c.l.dlg = d;
  const m = cell.mem;
  for (const [f, v] of ZEROED) memWrite(c.t.layout, m, c.who, f, v);
}
const ZEROED: readonly [Field, number][] = [
  ['state', UNCONFIRMED],
  ['ref', 0],
  ['hasBye', 0],
  ['tlNext', NULLP],
  ['tlPrev', NULLP],
  ['tlTimeout', T_ZERO],
];

/**
 * link_dlg(dlg, extra_refs) (dlg_hash.c:991-1008): d_entry from the cell's
 * h_entry, H+, link_dlg_unsafe (the cell joins its bucket's list, and
 * `dlg->ref++` for the hash table, dlg_hash.h:440-458), `ref += extra_refs`
 * (one read-modify-write, for `extra` holders), H-.
 */
export function linkDlg(p: Program, id: string, extra: readonly string[]): void {
  for (const h of ['hash', ...extra]) p.holders.add(h);
  p.add({ id: `${id}.H+`, src: at(HASH_C, 995, 997), acquire: 'H', touch: true });
  p.add({ id: `${id}.link`, src: at(HASH_H, 442, 448), touch: true, exec: (c) => void (cellOf(c).linked = true) });
  refReadWrite(p, `${id}.hash`, at(HASH_H, 450), () => 1, () => ['hash'], 1);
  refReadWrite(p, `${id}.extra`, at(HASH_C, 1002), () => extra.length, () => [...extra], 1);
  p.add({ id: `${id}.H-`, src: at(HASH_C, 1007), release: 'H' });
}

/**
 * `dlg = d_table->entries[i].first` (dlg_replication.c:1277): the first cell
 * linked in the bucket of the dialog the process's pointer names (its loop
 * index i), in the cells' order; the pointer becomes the dialog living there.
 * False if the bucket's list is empty (a cell destroyed before, unlinked
 * under H, is not in it).
 */
export function firstInBucket(c: Ctx): boolean {
  const s = c.s;
  if (s.cells.length === 1) return s.cells[0].linked;
  const i = s.ghost.dialogs[c.l.dlg].bucket;
  for (let k = 0; k < s.cells.length; k++) {
    if (s.cells[k].linked && s.cells[k].h === i) {
      c.l.dlg = s.cells[k].dlg;
      return true;
    }
  }
  return false;
}

/**
 * `dlg->next` in a bucket's list (drop_dlg, dlg_replication.c:1215, 1258):
 * 1 + the dialog in the next linked cell of the same bucket, or 0 (NULL).
 * The bucket lists keep the cells' order; a cell no longer linked reads NULL
 * (unlink_unsafe_dlg zeroes next and prev, dlg_hash.c:1024).
 */
export function nextInBucket(c: Ctx): number {
  const s = c.s;
  const k = s.ghost.dialogs[c.l.dlg].cell;
  const cell = s.cells[k];
  if (!cell.linked) return 0;
  for (let j = k + 1; j < s.cells.length; j++) if (s.cells[j].linked && s.cells[j].h === cell.h) return s.cells[j].dlg + 1;
  return 0;
}
