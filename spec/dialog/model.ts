/**
 * The OpenSIPS dialog model: dialog cells, the hash buckets' locks H(i), the
 * global timer lock TL, the lifetime timer list, and the actors of a
 * scenario, under a code variant and an environment (lock implementation,
 * memory model, EINTR).
 *
 * Most scenarios have one dialog in one cell and one bucket: the models of
 * one dialog, whose timer list is the one-entry abstraction of program.ts.
 * A scenario with more cells (`others`), more buckets, or an allocator that
 * builds a new dialog in freed memory (actor A) is the model of several
 * cells (`Tables.multi`): its timer list is primitives.ts's list with its
 * sentinel and neighbours, a lock taken through a dialog pointer first reads
 * the cell's h_entry, and a cell is a piece of memory apart from the dialog
 * living in it (after FREE and reuse, a stale pointer reaches the new one).
 *
 * The state has a finite shape per model (spec/dialog/shape.ts): every field
 * is a number, a flag or a fixed array/record of them, names (actors, steps,
 * marks, reference holders) being indices into the model's tables. Steps run
 * in place on a draft (`apply`), so the engine packs a state into a few
 * 32-bit words and expands it without allocating; `key` is the same state as
 * text, written independently of the codec (the string-keyed exploration,
 * which tests compare with the packed one).
 */
import { SpecError, type Action, type Model, type SourceLoc } from '../../src/engine/model.js';
import { acquire, canAcquire, freeLock, holderNames, lockKey, release, type LockImpl, type LockState } from '../../src/memory/locks.js';
import { compact, join, latest, makeMemory, memoryKey, memoryLayout, publish, readAt, readChoices } from '../../src/memory/views.js';
import { allocator, byeReply, byeWorker, dropAfterSync, inviteDelete, okReply, pinger, replicatedDelete, timeoutUpdater, timer, type ActorKnobs } from './actors.js';
import { ABORT, buildPrograms, observationMarks, observeAcquire, observeStateRead, type Ctx, type Program, type Tables } from './program.js';
import * as P from './primitives.js';
import {
  ABORTED,
  clearLocals,
  FIELDS,
  NBR,
  NULLP,
  T_DUE,
  T_LATER,
  T_ZERO,
  freshLocals,
  freshDialogGhost,
  freshGhost,
  lockIndex,
  ptrName,
  PTR_NAMES,
  RELAXED_FIELDS,
  STATE_NAMES,
  TIMEOUT_NAMES,
  type CellState,
  type DialogGhost,
  type DialogState,
  type Env,
  type Field,
  type LockName,
} from './state.js';
import { dialogCodec, historyCap, type DialogCodec, type Dims } from './shape.js';
import { recordingVariant, VARIANTS, type Variant, type VariantName } from './variants.js';
import { bogusLine, dialogProperties } from '../../invariants/dialog.js';
import { waitingActors } from './progress.js';

export type ActorKind = 'W' | 'W2' | 'T' | 'I' | 'O' | 'X' | 'R' | 'P' | 'D' | 'A';

/** The timer entry at the start: unset, linked and due at the timer run, or linked with a later expiry. */
export type InitialTl = 'unset' | 'linked-due' | 'linked-later';

/** A dialog at the start of a scenario. */
export interface InitialDialog {
  readonly state: number;
  /** Reference holders at the start; ref is their sum. */
  readonly holders: Readonly<Record<string, number>>;
  readonly tl: InitialTl;
  /**
   * `legs_no[DLG_LEG_200OK]` is 0: a local early dialog for which no 2xx has
   * been forwarded (push_reply_in_dialog records the leg, dlg_handlers.c:577-580;
   * a dialog built from replication or the database has DLG_FIRST_CALLEE_LEG,
   * dlg_replication.c:298). A REQBYE by an internal caller (all but the BYE
   * worker's dlg_onroute, which passes the request's leg) then only logs on it
   * (dlg_hash.c:1299-1300). Absent: a leg is recorded. A new call's dialog
   * (the A actor's) has none.
   */
  readonly noCalleeLeg?: true;
}

/** Another dialog at the start, in a cell of its own (model of several cells). */
export interface OtherDialog extends InitialDialog {
  /** Its hash bucket (the first dialog's is 0). */
  readonly bucket: number;
  /**
   * Its call goes on beyond the scenario: the references it starts with may
   * still be held when no process can move (NothingLeaked then asks that its
   * count equals them, not that it is freed).
   */
  readonly persists?: true;
}

export interface ScenarioDef {
  readonly name: string;
  readonly title: string;
  /** What the scenario represents and why it matters (documentation). */
  readonly description: string;
  readonly knobs: ActorKnobs;
  /** The first dialog (dialog 0, in cell 0, bucket 0). */
  readonly initial: InitialDialog;
  /** More dialogs at the start, dialog k in cell k (N = 1 + others.length cells). */
  readonly others?: readonly OtherDialog[];
  /** Hash buckets (H(0) .. H(buckets-1)); 1 if not given. */
  readonly buckets?: number;
  /** The dialog each actor's pointer names at the start, by actor (dialog 0 if not given). */
  readonly pointers?: Readonly<Record<string, number>>;
  readonly actors: readonly ActorKind[];
  /**
   * Ordering constraints: "actor:step" -> a milestone that must have been
   * reached before that step can run (the PR's scenario orderings).
   */
  readonly gates?: Readonly<Record<string, string>>;
  /** The outcomes the scenario must be able to reach (`sometimes` properties). */
  readonly witnesses: readonly Witness[];
}

export type Witness = 'TimerFired' | 'ByeWon' | 'DialogFreed';

export interface DialogConfig {
  readonly scenario: ScenarioDef;
  readonly variant: VariantName;
  readonly env: Env;
  /**
   * Record observation marks (`obs:...`) for the searches that examine the PR's
   * propositions (src/check/propositions.ts). They change no behaviour; they
   * only split states by what has been observed, so state counts differ from
   * the matrix's and the matrix never sets this.
   */
  readonly observe?: boolean;
  /**
   * Canonical write histories under `relaxed` memory (src/memory/views.ts,
   * MemoryLayout.dedup): a write whose value is written again later is
   * dropped. Exact for the model's reads; it only merges states. Always on in
   * the model of several cells; off in the models of one dialog, whose pinned
   * counts are of the plain histories (the root-cause search turns it on
   * where their histories are unbounded, e.g. route-rearm).
   */
  readonly canonicalHistories?: boolean;
}

export interface DialogAction extends Action {
  readonly source: SourceLoc;
  /** The acting process's index. */
  readonly who: number;
  /** The actor's pc when the action was enabled. */
  readonly pc: number;
  /** For a read: the index (in the field's write history) of the write it returns, and the value; for a choice, the value. */
  readonly pick?: number;
  readonly value?: number;
  /** For an acquire under EA-EINTR: the acquire returned without the lock. */
  readonly eintr?: true;
}

/** The names behind the indices of a model's states, for reading them. */
export interface DialogNames extends Tables {
  readonly programs: readonly Program[];
  /** Reference holder names, in the order of the ghost's record. */
  readonly holders: readonly string[];
  /** Mark names, by index in the ghost's flags. */
  readonly marks: readonly string[];
  /** "actor:step" of every step, by its index in the step table (the ghost's uaf and bogus are 1 + that index). */
  readonly stepLabels: readonly string[];
  /** By step index: the C function whose 'bogus ref' line the step can print (Instr.prints), or ''. */
  readonly stepPrints: readonly string[];
  readonly multi: boolean;
  readonly cells: number;
  readonly buckets: number;
  readonly dialogs: number;
  /**
   * Per dialog, the holders (indices) whose references may outlive the
   * scenario (its call goes on); empty for a dialog the scenario must free.
   */
  readonly persistent: readonly (readonly number[])[];
  /** The environment's lock implementation (a trace shows a lock's value where its holders do not imply it). */
  readonly lock: LockImpl;
}

export interface DialogModel extends Model<DialogState, DialogAction> {
  readonly config: DialogConfig;
  readonly programs: readonly Program[];
  readonly names: DialogNames;
  readonly codec: DialogCodec;
  /** Whether `actor` is inside a lock section in `s` (for merging a section into one step). */
  inSection(s: DialogState, actor: string): boolean;
  /** Whether `actor`'s next step only touches its own locals (it may join the previous step). */
  localNext(s: DialogState, actor: string): boolean;
  /** inSection and localNext for the actor of an action of this model (by its index: no lookup by name). */
  inSectionOf(s: DialogState, last: DialogAction): boolean;
  localNextOf(s: DialogState, last: DialogAction): boolean;
  /** The enabled actions of the actor of `last`, into `out` (cleared first). */
  follow(s: DialogState, last: DialogAction, out: DialogAction[]): number;
  /** Whether every lock excludes in this configuration (so merging sections is allowed). */
  readonly locksExclude: boolean;
  /**
   * The fields of the variant the model has read so far (at build time, and
   * during an exploration), with the values read: after a complete
   * exploration, everything of the variant that it depended on.
   */
  readonly variantReads: ReadonlyMap<string, unknown>;
}

/** The sizes of a scenario's model: cells, buckets, dialogs, and whether it is the model of several cells. */
export function dimsOf(scenario: ScenarioDef): Dims {
  const cells = 1 + (scenario.others?.length ?? 0);
  const buckets = scenario.buckets ?? 1;
  const allocators = scenario.actors.filter((a) => a === 'A').length;
  return { cells, buckets, dialogs: cells + allocators, multi: cells > 1 || buckets > 1 || allocators > 0 };
}

function programsFor(cfg: DialogConfig, v: Variant, dims: Dims): Program[] {
  const k = cfg.scenario.knobs;
  const progs: Program[] = [];
  if (cfg.scenario.actors.filter((a) => a === 'A').length > 1) throw new Error(`scenario ${cfg.scenario.name}: at most one allocator`);
  for (const a of cfg.scenario.actors) {
    switch (a) {
      case 'W':
      case 'W2':
        progs.push(byeWorker(a, v, k));
        break;
      case 'T':
        progs.push(timer(v, k));
        if (k.byeOnTimeout) progs.push(byeReply(1, v, k), byeReply(2, v, k));
        break;
      case 'I':
        progs.push(inviteDelete(v));
        break;
      case 'O':
        progs.push(okReply(v));
        break;
      case 'X':
        progs.push(timeoutUpdater('X', v, k.xTimeout));
        break;
      case 'R':
        progs.push(replicatedDelete(v));
        break;
      case 'P':
        if (k.byeOnTimeout && cfg.scenario.actors.includes('T')) throw new Error('P and a B-flag timer would both send BYEs');
        progs.push(pinger(v, k), byeReply(1, v, k), byeReply(2, v, k));
        break;
      case 'D':
        progs.push(dropAfterSync(v, k));
        break;
      case 'A':
        progs.push(allocator(dims.buckets));
        break;
    }
  }
  return progs;
}

function initialTl(tl: InitialTl): { next: number; prev: number; timeout: number; inList: boolean } {
  switch (tl) {
    case 'unset':
      return { next: NULLP, prev: NULLP, timeout: T_ZERO, inList: false };
    case 'linked-due':
      return { next: NBR, prev: NBR, timeout: T_DUE, inList: true };
    case 'linked-later':
      return { next: NBR, prev: NBR, timeout: T_LATER, inList: true };
  }
}

/**
 * The tl fields of every cell and the sentinel at the start (model of several
 * cells): the linked entries inserted in cell order with their timeouts, by
 * primitives.ts's insert (so the list is sorted as the code keeps it).
 */
function initialList(dialogs: readonly InitialDialog[]): P.TimerList {
  const l = P.emptyList(dialogs.length);
  dialogs.forEach((d, k) => {
    if (d.tl !== 'unset') P.insertTimer(l, k, d.tl === 'linked-due' ? T_DUE : T_LATER);
  });
  return l;
}

const readName = (multi: boolean, f: Field, v: number): string =>
  f === 'state' ? STATE_NAMES[v] : f === 'tlNext' || f === 'tlPrev' ? (multi ? ptrName(v) : PTR_NAMES[v]) : f === 'tlTimeout' ? TIMEOUT_NAMES[v] : String(v);

/** A mutable Ctx, reused for every step the model runs. */
type MutableCtx = { -readonly [K in keyof Ctx]: Ctx[K] };

export function dialogModel(cfg: DialogConfig): DialogModel {
  const { scenario, env } = cfg;
  if (!(cfg.variant in VARIANTS)) throw new Error(`unknown variant '${cfg.variant}'`);
  const dims = dimsOf(scenario);
  const { multi, cells: nCells, buckets: nBuckets, dialogs: nDialogs } = dims;
  if (multi && cfg.observe) throw new Error(`scenario ${scenario.name}: observation marks are for the models of one dialog`);
  if (multi && env.assume?.length) throw new Error(`scenario ${scenario.name}: the PR's assumptions are for the models of one dialog`);
  const starting: InitialDialog[] = [scenario.initial, ...(scenario.others ?? [])];
  const startBucket = (k: number) => (k === 0 ? 0 : scenario.others![k - 1].bucket);
  for (let k = 0; k < nCells; k++) {
    if (!(Number.isInteger(startBucket(k)) && startBucket(k) >= 0 && startBucket(k) < nBuckets)) throw new Error(`scenario ${scenario.name}: dialog ${k}'s bucket is not one of 0..${nBuckets - 1}`);
  }
  // Every read of the variant goes through `variant` (see recordingVariant): `variantReads` says what the model depended on.
  const { variant, reads: variantReads } = recordingVariant(VARIANTS[cfg.variant]);
  const progs = buildPrograms({ multi, reuse: scenario.actors.includes('A'), dialogs: nDialogs }, () => programsFor(cfg, variant, dims));
  const names = progs.map((p) => p.actor);
  const nActors = progs.length;
  const observing = cfg.observe === true;
  const relaxed = env.memory === 'relaxed';
  const pointer = (actor: string): number => {
    const d = scenario.pointers?.[actor] ?? 0;
    if (!(Number.isInteger(d) && d >= 0 && d < nCells)) throw new Error(`scenario ${scenario.name}: ${actor}'s pointer names no dialog of the start`);
    return d;
  };
  for (const a of Object.keys(scenario.pointers ?? {})) if (!names.includes(a)) throw new Error(`scenario ${scenario.name}: a pointer for '${a}', which is not an actor`);

  // The model's tables: marks, holders, steps.
  const gates = scenario.gates ?? {};
  const markSet = new Set<string>();
  for (const p of progs) for (const m of p.marks) markSet.add(m);
  for (const [g, m] of Object.entries(gates)) {
    const [actor, step] = g.split(':');
    const p = progs.find((q) => q.actor === actor);
    if (!p || !p.instrs.some((i) => i.id === step)) throw new Error(`scenario ${scenario.name}: gate on unknown step '${g}'`);
    if (!markSet.has(m)) throw new Error(`scenario ${scenario.name}: gate '${g}' waits for '${m}', which no actor records`);
  }
  // Marks the witnesses read, whether or not an actor of this scenario records them.
  for (const m of ['T:fired', 'W:won']) markSet.add(m);
  if (observing) for (const m of observationMarks(names)) markSet.add(m);
  const marks = [...markSet].sort();
  const markIndex = new Map(marks.map((m, i) => [m, i]));
  // The scenario's holders in its order (dialog 0's, then the others'), then those the programs take, in program order (as a reader meets them).
  const holderSet = new Set<string>();
  for (const d of starting) for (const h of Object.keys(d.holders)) holderSet.add(h);
  for (const p of progs) for (const h of p.holders) holderSet.add(h);
  const holders = [...holderSet];
  const holderIndex = new Map(holders.map((h, i) => [h, i]));
  // The references that outlive the scenario: a persisting dialog's own; the allocator's dialog's hash and INVITE references.
  const persistent: number[][] = [];
  for (let d = 0; d < nDialogs; d++) {
    if (d < nCells) persistent.push(d > 0 && scenario.others![d - 1].persists ? Object.keys(starting[d].holders).map((h) => holderIndex.get(h)!) : []);
    else persistent.push(['hash', 'base'].map((h) => holderIndex.get(h)!));
  }
  const stepBase: number[] = [];
  const stepLabels: string[] = [];
  const stepPrints: string[] = [];
  for (const p of progs) {
    stepBase.push(stepLabels.length);
    for (const ins of p.instrs) {
      stepLabels.push(`${p.actor}:${ins.id}`);
      stepPrints.push(ins.prints ?? '');
    }
  }
  const lens = progs.map((p) => p.instrs.length);
  /**
   * Which cells each process can reach (model of several cells): the cell of
   * the dialog its pointer names at the start, and any cell for the processes
   * whose pointer moves (T: the entries of a detached chain; D: the next
   * dialog of its bucket; A: the freed memory it takes). A process that can
   * never reach a cell keeps no view of that cell's relaxed fields: its joins
   * and publishes skip it (so its releases publish nothing about that cell:
   * an over-approximation of staleness, for readers that synchronize with
   * that cell's writers only through such a process).
   */
  const reaches = progs.map((p) => {
    const moves = p.actor === 'T' || p.actor === 'D' || p.actor === 'A';
    return Array.from({ length: nCells }, (_, k) => moves || !multi || pointer(p.actor) === k);
  });
  const ignoredIn = Array.from({ length: nCells }, (_, k) => (p: number) => !reaches[p][k]);
  // Which actors read each field through their view (a read step): only their views keep old writes alive (views.ts, compact).
  const layout = memoryLayout<Field>(env.memory, FIELDS, RELAXED_FIELDS, nActors, nBuckets + 1, historyCap(dims), (p, f) => progs[p].instrs.some((i) => i.read === f), multi || cfg.canonicalHistories === true);
  const TL = lockIndex('TL', 0, nBuckets);
  const tables: DialogNames = {
    layout,
    markIndex,
    holderIndex,
    actors: names,
    programs: progs,
    holders,
    marks,
    stepLabels,
    stepPrints,
    multi,
    cells: nCells,
    buckets: nBuckets,
    dialogs: nDialogs,
    persistent,
    reaches,
    noCalleeLeg: Array.from({ length: nDialogs }, (_, d) => (d < nCells ? starting[d].noCalleeLeg === true : true)),
    lock: env.lock,
  };

  const gateNo = progs.map((p) => p.instrs.map((i) => (gates[`${p.actor}:${i.id}`] !== undefined ? markIndex.get(gates[`${p.actor}:${i.id}`])! : -1)));
  const waitNo = progs.map((p) => p.instrs.map((i) => (i.waitFor !== undefined ? markIndex.get(i.waitFor)! : -1)));
  const markNo = progs.map((p) => p.instrs.map((i) => (i.mark !== undefined ? markIndex.get(i.mark)! : -1)));
  // Where an effect's jump leads, by instruction: the label it returned last and its pc (an effect returns one or two labels).
  const jumpLabel = progs.map((p) => p.instrs.map((): string | undefined => undefined));
  const jumpPc = progs.map((p) => p.instrs.map(() => 0));
  // drop_dlg's non-DELETED path releases H(i) without holding it (docs/c-reference.md §4.5): then locks need not exclude. With memory
  // reuse, a stale pointer reaches a cell under another bucket's lock: sections of different locks share data.
  const locksExclude = env.eintr === 0 && !scenario.actors.includes('D') && !scenario.actors.includes('A');
  const eintrRetry = variant.eintrRetry;

  const initial = (): DialogState => {
    const list = multi ? initialList(starting) : undefined;
    const cells: CellState[] = starting.map((d, k) => {
      const ref = Object.values(d.holders).reduce((a, b) => a + b, 0);
      const tl = list
        ? { next: list.next[P.ENTRY0 + k], prev: list.prev[P.ENTRY0 + k], timeout: list.timeout[P.ENTRY0 + k], inList: d.tl !== 'unset' }
        : initialTl(d.tl);
      return {
        mem: makeMemory(layout, { state: d.state, ref, hasBye: 0, tlNext: tl.next, tlPrev: tl.prev, tlTimeout: tl.timeout }),
        linked: true,
        inList: tl.inList,
        h: startBucket(k),
        dlg: k,
      };
    });
    const dialogs: DialogGhost[] = [];
    for (let d = 0; d < nDialogs; d++) {
      const start = d < nCells ? starting[d] : undefined;
      dialogs.push(
        freshDialogGhost(
          holders.map((h) => start?.holders[h] ?? 0),
          start !== undefined,
          start !== undefined ? d : 0,
          start !== undefined ? startBucket(d) : 0,
        ),
      );
    }
    return {
      cells,
      first: list ? { next: list.next[P.SENT], prev: list.prev[P.SENT] } : { next: NBR, prev: NBR },
      locks: { H: Array.from({ length: nBuckets }, () => freeLock(env.lock, nActors)), TL: freeLock(env.lock, nActors) },
      actors: progs.map((p) => ({ pc: 0, loc: freshLocals(pointer(p.actor)) })),
      ghost: freshGhost(dialogs, marks.length, env.eintr),
    };
  };

  // The actions, made once: per actor and pc the plain one; the EINTR one, the reads' and the choices' ones on first use.
  const plain: DialogAction[][] = progs.map((p, who) => p.instrs.map((ins, pc) => ({ actor: p.actor, step: ins.id, source: ins.src, who, pc })));
  const interrupted: (DialogAction | undefined)[][] = progs.map((p) => p.instrs.map(() => undefined));
  const reads: Map<number, DialogAction>[][] = progs.map((p) => p.instrs.map(() => new Map()));
  const readAction = (who: number, pc: number, field: Field, pick: number, value: number, stale: boolean): DialogAction => {
    const k = (pick * 4096 + (value + 1024)) * 2 + (stale ? 1 : 0);
    const cache = reads[who][pc];
    let a = cache.get(k);
    if (a === undefined) {
      a = { ...plain[who][pc], pick, value, note: `${field}=${readName(multi, field, value)}${stale ? ' (stale)' : ''}` };
      cache.set(k, a);
    }
    return a;
  };
  const chosen: DialogAction[][][] = progs.map((p, who) =>
    p.instrs.map((ins, pc) => Array.from({ length: ins.choose ?? 0 }, (_, v) => ({ ...plain[who][pc], pick: v, value: v, note: `${ins.chooseName ?? 'choice'}=${v}` }))),
  );
  /**
   * In the model of several cells, an access through a stale pointer: the
   * action says which dialog it really reaches (cached per action and staleCode).
   */
  const staleCache = new Map<DialogAction, Map<number, DialogAction>>();
  /**
   * Where dialog `d`'s pointer leads when it is stale, as a number (the note
   * is made from it once per action): 0 when the dialog still lives in its
   * cell, else 1 + (d, its cell, and 0 for freed memory or 1 + the dialog
   * that now lives there).
   */
  const staleCode = (s: DialogState, d: number): number => {
    const g = s.ghost.dialogs[d];
    const cell = s.cells[g.cell];
    if (cell.dlg === d && g.frees === 0) return 0;
    const there = cell.dlg !== d && s.ghost.dialogs[cell.dlg].frees === 0 ? 1 + cell.dlg : 0;
    return 1 + (d * nCells + g.cell) * (nDialogs + 1) + there;
  };
  const staleText = (code: number): string => {
    const there = (code - 1) % (nDialogs + 1);
    const cell = Math.floor((code - 1) / (nDialogs + 1)) % nCells;
    const d = Math.floor((code - 1) / (nDialogs + 1) / nCells);
    return `dialog ${d}'s pointer: cell ${cell} is ${there > 0 ? `dialog ${there - 1}, which now lives there` : 'freed memory'}`;
  };
  const withStale = (act: DialogAction, code: number): DialogAction => {
    let m = staleCache.get(act);
    if (m === undefined) staleCache.set(act, (m = new Map()));
    let a = m.get(code);
    if (a === undefined) {
      const text = staleText(code);
      m.set(code, (a = { ...act, note: act.note ? `${act.note}; ${text}` : text }));
    }
    return a;
  };
  const choices: number[] = [];
  // What decides whether an instruction is enabled, by actor and pc: 0 nothing (always, once reached), else bits.
  const GUARDED = 1;
  const ACQUIRE = 2;
  const READ = 4;
  const CHOOSE = 8;
  const STALE = 16;
  const kinds = progs.map((p, i) =>
    p.instrs.map(
      (ins, pc) =>
        (gateNo[i][pc] >= 0 || waitNo[i][pc] >= 0 || ins.when ? GUARDED : 0) |
        (ins.acquire ? ACQUIRE : 0) |
        (ins.read ? READ : 0) |
        (ins.choose ? CHOOSE : 0) |
        (multi && ins.touch ? STALE : 0),
    ),
  );

  /** The lock an acquire or release of `ins` by a process with locals `l` names. */
  const lockOf = (s: DialogState, ins: { acquire?: LockName; release?: LockName; viaCell?: true }, l: { dlg: number; hb: number }): LockState => {
    if (ins.acquire === 'TL' || ins.release === 'TL') return s.locks.TL;
    if (nBuckets === 1) return s.locks.H[0];
    // A release takes the bucket the process computed; an acquire not through the cell, its dialog's bucket.
    return s.locks.H[ins.viaCell || ins.release ? l.hb : s.ghost.dialogs[l.dlg].bucket];
  };

  /** Appends the enabled actions of actor `i` to `out` from index `n`; returns the new count. */
  const enabled = (s: DialogState, i: number, out: DialogAction[], n: number): number => {
    const a = s.actors[i];
    const pc = a.pc;
    if (pc < 0 || pc >= lens[i]) return n;
    const kind = kinds[i][pc];
    if (kind === 0) {
      out[n] = plain[i][pc];
      return n + 1;
    }
    const ins = progs[i].instrs[pc];
    if (kind & GUARDED) {
      const gate = gateNo[i][pc];
      if (gate >= 0 && !s.ghost.marks[gate]) return n;
      const wait = waitNo[i][pc];
      if (wait >= 0 && !s.ghost.marks[wait]) return n;
      if (ins.when && !ins.when(s, a)) return n;
    }
    const from = n;
    if (kind & ACQUIRE) {
      const l = lockOf(s, ins, a.loc);
      if (canAcquire(env.lock, l)) out[n++] = plain[i][pc];
      // Fix 05 (Variant.eintrRetry): lock_get retries an interrupted sem_wait, so no EINTR entry.
      else if (ins.acquire === 'H' && env.lock === 'posix-sem' && s.ghost.eintrLeft > 0 && !eintrRetry) {
        out[n++] = interrupted[i][pc] ??= { ...plain[i][pc], eintr: true, note: 'EINTR: returned without the lock' };
      }
    } else if (kind & READ) {
      const f = ins.read!;
      const m = multi ? s.cells[s.ghost.dialogs[a.loc.dlg].cell].mem : s.cells[0].mem;
      const k = readChoices(layout, m, i, f, choices);
      const last = m.len[f] - 1;
      for (let c = 0; c < k; c++) {
        const pick = choices[c];
        out[n++] = readAction(i, pc, f, pick, m.hist[f][pick], pick < last);
      }
    } else if (kind & CHOOSE) {
      const cs = chosen[i][pc];
      for (let c = 0; c < cs.length; c++) out[n++] = cs[c];
    } else out[n++] = plain[i][pc];
    if (kind & STALE && n > from) {
      const code = staleCode(s, a.loc.dlg);
      if (code !== 0) for (let c = from; c < n; c++) out[c] = withStale(out[c], code);
    }
    return n;
  };

  const stopped = (s: DialogState): boolean => s.ghost.bogus !== 0 || s.ghost.walk !== 0;

  const actorActions = (s: DialogState, i: number, out: DialogAction[]): void => {
    out.length = enabled(s, i, out, out.length);
  };

  const actions = (s: DialogState): DialogAction[] => {
    const out: DialogAction[] = [];
    // abort() in one process ('bogus ref'), or a crash in the timer list's walk: OpenSIPS shuts down.
    if (stopped(s)) return out;
    let n = 0;
    for (let i = 0; i < nActors; i++) n = enabled(s, i, out, n);
    return out;
  };

  const codec = dialogCodec(cfg, progs, holders, marks.length, stepLabels.length, dims);
  const clone = (s: DialogState): DialogState => {
    const d = codec.blank();
    codec.copy(s, d);
    return d;
  };

  /**
   * The start as the engine gets it: rebuilt by the codec (blank, then copied into), so that the
   * states the engine stores and expands share the hidden classes of its drafts. The state as
   * `initial` builds it is checked first, as the engine would: pack refuses a value outside its
   * domain (constant fields included), and the rebuilt state must have its key (no field the shape
   * leaves out). (That one pack of a state of other hidden classes still costs V8 a deoptimisation
   * of the generated pack per layout: a check of its own, compiled apart, would not.)
   */
  const start = (): DialogState => {
    const s = initial();
    codec.pack(s, new Int32Array(codec.words), 0);
    const built = clone(s);
    if (key(built) !== key(s)) throw new SpecError(`dialog model: the start state has a field its shape does not declare (${key(s)}, rebuilt ${key(built)})`);
    return built;
  };

  // One context for every step: its fields are set before each effect runs.
  const ctx = { env, t: tables, observe: observing } as unknown as MutableCtx;
  let draftNow: DialogState;
  const retired = (p: number): boolean => {
    const pc = draftNow.actors[p].pc;
    return pc < 0 || pc >= lens[p];
  };

  /** Runs `act` on the draft `d` in place. */
  const apply = (d: DialogState, act: DialogAction): void => {
    const i = act.who;
    const prog = progs[i];
    const a = d.actors[i];
    if (a.pc !== act.pc) throw new Error(`action ${act.actor}:${act.step} applied at pc ${a.pc}, enabled at ${act.pc}`);
    const ins = prog.instrs[a.pc];
    const me = prog.actor;
    const g = d.ghost;
    const l = a.loc;
    if (ins.touch) {
      if (!multi) {
        const dg = g.dialogs[0];
        if (dg.frees > 0 && dg.uaf === 0) dg.uaf = stepBase[i] + a.pc + 1;
      } else {
        // A touch through a pointer to a freed dialog (its memory free, or reused by another dialog).
        const dg = g.dialogs[l.dlg];
        const occupant = d.cells[dg.cell].dlg;
        if ((dg.frees > 0 || occupant !== l.dlg) && dg.uaf === 0) {
          dg.uaf = stepBase[i] + a.pc + 1;
          if (occupant !== l.dlg && g.dialogs[occupant].frees === 0) dg.uafInto = occupant + 1;
        }
      }
    }
    let value = 0;
    if (ins.acquire) {
      if (observing) observeAcquire({ s: d, t: tables, me, who: i }, ins.acquire);
      if (multi && ins.acquire === 'H' && !ins.viaCell) l.hb = g.dialogs[l.dlg].bucket;
      acquire(env.lock, lockOf(d, ins, l), i, act.eintr === true);
      if (act.eintr) g.eintrLeft -= 1;
      if (relaxed) {
        const li = ins.acquire === 'TL' ? TL : l.hb;
        for (let k = 0; k < nCells; k++) if (reaches[i][k]) join(layout, d.cells[k].mem, i, li);
      }
    } else if (ins.release) {
      if (relaxed) {
        const li = ins.release === 'TL' ? TL : l.hb;
        for (let k = 0; k < nCells; k++) if (reaches[i][k]) publish(layout, d.cells[k].mem, i, li);
      }
      release(env.lock, lockOf(d, ins, l), i);
    } else if (ins.read) {
      const cell = multi ? d.cells[g.dialogs[l.dlg].cell] : d.cells[0];
      value = readAt(layout, cell.mem, i, ins.read, act.pick!);
      if (observing && ins.read === 'state') observeStateRead({ s: d, t: tables, me }, value);
    } else if (ins.choose) value = act.value!;
    const pc = a.pc;
    if (markNo[i][pc] >= 0) g.marks[markNo[i][pc]] = true;
    let target: string | void = undefined;
    if (ins.exec) {
      const crashed = g.walk;
      ctx.s = d;
      ctx.me = me;
      ctx.who = i;
      ctx.a = a;
      ctx.l = l;
      ctx.step = ins.id;
      ctx.stepNo = stepBase[i] + a.pc;
      target = ins.exec(ctx, value);
      // A crash in a walk of the timer list ends the process there.
      if (g.walk !== crashed) target = ABORT;
    }
    if (target === undefined) a.pc = pc + 1;
    else if (target === ABORT) a.pc = ABORTED;
    else if (target === jumpLabel[i][pc]) a.pc = jumpPc[i][pc];
    else {
      a.pc = jumpPc[i][pc] = prog.target(target);
      jumpLabel[i][pc] = target;
    }
    if (a.pc >= lens[i] && prog.cyclic) a.pc = 0; // the timer routine runs again
    const finished = a.pc < 0 || a.pc >= lens[i] || (prog.cyclic && a.pc === 0);
    if (finished) clearLocals(l); // a finished (or restarting) process's locals are dead
    if (relaxed) {
      draftNow = d;
      if (nCells === 1) compact(layout, d.cells[0].mem, retired);
      else for (let k = 0; k < nCells; k++) compact(layout, d.cells[k].mem, retired, ignoredIn[k]);
    }
  };

  const next = (s: DialogState, act: DialogAction): DialogState => {
    const d = clone(s);
    apply(d, act);
    return d;
  };

  /**
   * The state as text. In a model of one dialog the fields that never change
   * there (the cell's bucket and dialog, the sentinel, the pointer locals, the
   * dialog's cell, bucket and existence, the walk crash) are left out: the
   * shape declares them constant, so the text stays injective and as short as
   * before several cells existed.
   */
  const legacyKey = (s: DialogState): string => {
    const g = s.ghost;
    const c = s.cells[0];
    const d = g.dialogs[0];
    let k = `${memoryKey(layout, c.mem)}|${c.linked ? 1 : 0}|${c.inList ? 1 : 0}|${lockKey(s.locks.H[0])}|${lockKey(s.locks.TL)}|`;
    for (let i = 0; i < s.actors.length; i++) {
      const a = s.actors[i];
      const l = a.loc;
      k += `${i > 0 ? ' ' : ''}${a.pc}:${l.r},${l.old},${l.nw},${l.sw},${l.unref},${l.tmr},${l.ret},${l.st},${l.bkNext},${l.bkPrev},${l.bkTimeout}`;
    }
    k += `|${d.holders.join(',')}|${d.frees}|${d.uaf}|${g.bogus}/${g.bogusRef}/${g.bogusCnt}|${d.deletedBy}|${d.dbDeletes}|${d.termCallbacks}|${d.byesSent}|${d.byesAfterDelete}|`;
    for (let i = 0; i < g.marks.length; i++) k += g.marks[i] ? '1' : '0';
    return `${k}|${g.eintrLeft}|${g.detachedUnclaimed ? 1 : 0}`;
  };
  const multiKey = (s: DialogState): string => {
    const g = s.ghost;
    let k = '';
    for (let i = 0; i < s.cells.length; i++) {
      const c = s.cells[i];
      k += `${memoryKey(layout, c.mem)}|${c.linked ? 1 : 0}|${c.inList ? 1 : 0}|${c.h}|${c.dlg}|`;
    }
    k += `${s.first.next},${s.first.prev}|`;
    for (let b = 0; b < s.locks.H.length; b++) k += `${lockKey(s.locks.H[b])}|`;
    k += `${lockKey(s.locks.TL)}|`;
    for (let i = 0; i < s.actors.length; i++) {
      const a = s.actors[i];
      const l = a.loc;
      k += `${i > 0 ? ' ' : ''}${a.pc}:${l.r},${l.old},${l.nw},${l.sw},${l.unref},${l.tmr},${l.ret},${l.st},${l.bkNext},${l.bkPrev},${l.bkTimeout},${l.dlg},${l.hb},${l.nxt},${l.chain}`;
    }
    for (let i = 0; i < g.dialogs.length; i++) {
      const d = g.dialogs[i];
      k += `|${d.holders.join(',')}/${d.frees}/${d.uaf}/${d.uafInto}/${d.deletedBy}/${d.dbDeletes}/${d.termCallbacks}/${d.byesSent}/${d.byesAfterDelete}/${d.born ? 1 : 0}/${d.cell}/${d.bucket}`;
    }
    k += `|${g.bogus}/${g.bogusRef}/${g.bogusCnt}/${g.bogusDlg}|${g.walk}/${g.walkPtr}|`;
    for (let i = 0; i < g.marks.length; i++) k += g.marks[i] ? '1' : '0';
    return `${k}|${g.eintrLeft}|${g.detachedUnclaimed ? 1 : 0}`;
  };
  const key = multi ? multiKey : legacyKey;

  const steps = progs.flatMap((p) => p.instrs.map((i) => ({ actor: p.actor, step: i.id, source: i.src })));
  const indexOf = (actor: string): number => {
    const i = names.indexOf(actor);
    if (i < 0) throw new Error(`dialog model: no actor '${actor}'`);
    return i;
  };
  const inSectionAt = (s: DialogState, i: number): boolean => {
    if (s.locks.TL.held[i] > 0) return true;
    if (nBuckets === 1) return s.locks.H[0].held[i] > 0;
    for (let b = 0; b < nBuckets; b++) if (s.locks.H[b].held[i] > 0) return true;
    return false;
  };

  return {
    name: `dialog/${scenario.name}/${cfg.variant}/${env.lock}/${env.memory}${env.eintr ? `/eintr${env.eintr}` : ''}${env.assume?.length ? `/assume:${env.assume.join('+')}` : ''}`,
    config: cfg,
    programs: progs,
    names: tables,
    initialStates: () => [start()],
    actions,
    next,
    clone,
    apply,
    key,
    codec,
    steps,
    properties: dialogProperties(scenario.witnesses, tables, waitingActors(progs, gates, tables, lockOf)),
    actorActions: (s, actor) => {
      const out: DialogAction[] = [];
      if (!stopped(s)) actorActions(s, indexOf(actor), out);
      return out;
    },
    localNext: (s, actor) => {
      const i = indexOf(actor);
      const ins = progs[i].instrs[s.actors[i].pc];
      return ins !== undefined && ins.local === true;
    },
    inSection: (s, actor) => inSectionAt(s, indexOf(actor)),
    inSectionOf: (s, last) => inSectionAt(s, last.who),
    localNextOf: (s, last) => {
      const ins = progs[last.who].instrs[s.actors[last.who].pc];
      return ins !== undefined && ins.local === true;
    },
    follow: (s, last, out) => (stopped(s) ? 0 : enabled(s, last.who, out, 0)),
    locksExclude,
    variantReads,
  };
}

/** "actor:step" of the step a ghost step field records (1 + index), or '' for 0. */
export const stepAt = (names: DialogNames, recorded: number): string => (recorded === 0 ? '' : names.stepLabels[recorded - 1]);

/** The 'bogus ref' line a state's abort printed, as the trace shows it ('' if none); with several dialogs, whose count it was. */
export const bogusText = (names: DialogNames, s: DialogState): string => (s.ghost.bogus === 0 ? '' : bogusLine(names, s));

/** The crash in a walk of the timer list ('' if none). */
export const walkText = (names: DialogNames, s: DialogState): string =>
  s.ghost.walk === 0 ? '' : `${stepAt(names, s.ghost.walk)} followed ${ptrName(s.ghost.walkPtr)} in the timer list and crashed`;

/** The actor a ghost actor field records (1 + index), or '' for 0. */
export const actorAt = (names: DialogNames, recorded: number): string => (recorded === 0 ? '' : names.actors[recorded - 1]);

/** The processes inside lock `l` (for H, the lock of bucket `bucket`), by name, sorted. */
export const lockHolders = (names: DialogNames, s: DialogState, l: LockName, bucket = 0): string[] =>
  holderNames(l === 'TL' ? s.locks.TL : s.locks.H[bucket], names.actors);

/** The reference holders of dialog `d` (0 by default) that hold something, by name, in the model's order, with their counts. */
export const holdersOf = (names: DialogNames, s: DialogState, d = 0): [string, number][] =>
  names.holders.flatMap((h, i): [string, number][] => (s.ghost.dialogs[d].holders[i] !== 0 ? [[h, s.ghost.dialogs[d].holders[i]]] : []));

/** Whether mark `m` is recorded in `s` (false for a mark the model does not have). */
export const hasMark = (names: DialogNames, s: DialogState, m: string): boolean => {
  const i = names.markIndex.get(m);
  return i !== undefined && s.ghost.marks[i];
};

/** The latest value of a field of cell `k` (0 by default). */
export const fieldOf = (s: DialogState, f: Field, k = 0): number => latest(s.cells[k].mem, f);
