/**
 * The OpenSIPS dialog model: one dialog cell, its hash-entry lock H, the global
 * timer lock TL, the lifetime timer list, and the actors of a scenario, under a
 * code variant and an environment (lock implementation, memory model, EINTR).
 *
 * The state has a finite shape per model (spec/dialog/shape.ts): every field
 * is a number, a flag or a fixed array/record of them, names (actors, steps,
 * marks, reference holders) being indices into the model's tables. Steps run
 * in place on a draft (`apply`), so the engine packs a state into a few
 * 32-bit words and expands it without allocating; `key` is the same state as
 * text, written independently of the codec (the string-keyed exploration,
 * which tests compare with the packed one).
 */
import type { Action, Model, SourceLoc } from '../../src/engine/model.js';
import { acquire, canAcquire, freeLock, holderNames, lockKey, release } from '../../src/memory/locks.js';
import { compact, join, makeMemory, memoryKey, memoryLayout, publish, readAt, readChoices } from '../../src/memory/views.js';
import { byeReply, byeWorker, dropAfterSync, inviteDelete, okReply, pinger, replicatedDelete, timeoutUpdater, timer, type ActorKnobs } from './actors.js';
import { ABORT, observationMarks, observeAcquire, observeStateRead, type Ctx, type Program, type Tables } from './program.js';
import {
  ABORTED,
  clearLocals,
  FIELDS,
  LOCAL_NAMES,
  LOCK_INDEX,
  NBR,
  NULLP,
  T_DUE,
  T_LATER,
  T_ZERO,
  freshLocals,
  PTR_NAMES,
  RELAXED_FIELDS,
  STATE_NAMES,
  TIMEOUT_NAMES,
  type DialogState,
  type Env,
  type Field,
  type LockName,
} from './state.js';
import { dialogCodec, HISTORY_CAP, type DialogCodec } from './shape.js';
import { recordingVariant, VARIANTS, type Variant, type VariantName } from './variants.js';
import { dialogProperties } from '../../invariants/dialog.js';
import { waitingActors } from './progress.js';

export type ActorKind = 'W' | 'W2' | 'T' | 'I' | 'O' | 'X' | 'R' | 'P' | 'D';

/** The timer entry at the start: unset, linked and due at the timer run, or linked with a later expiry. */
export type InitialTl = 'unset' | 'linked-due' | 'linked-later';

export interface ScenarioDef {
  readonly name: string;
  readonly title: string;
  /** What the scenario represents and why it matters (documentation). */
  readonly description: string;
  readonly knobs: ActorKnobs;
  readonly initial: {
    readonly state: number;
    /** Reference holders at the start; ref is their sum. */
    readonly holders: Readonly<Record<string, number>>;
    readonly tl: InitialTl;
  };
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
}

export interface DialogAction extends Action {
  readonly source: SourceLoc;
  /** The acting process's index. */
  readonly who: number;
  /** The actor's pc when the action was enabled. */
  readonly pc: number;
  /** For a read: the index (in the field's write history) of the write it returns, and the value. */
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

function programsFor(cfg: DialogConfig, v: Variant): Program[] {
  const k = cfg.scenario.knobs;
  const progs: Program[] = [];
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
        progs.push(timeoutUpdater('X', v));
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

const readName = (f: Field, v: number): string =>
  f === 'state' ? STATE_NAMES[v] : f === 'tlNext' || f === 'tlPrev' ? PTR_NAMES[v] : f === 'tlTimeout' ? TIMEOUT_NAMES[v] : String(v);

/** A mutable Ctx, reused for every step the model runs. */
type MutableCtx = { -readonly [K in keyof Ctx]: Ctx[K] };

export function dialogModel(cfg: DialogConfig): DialogModel {
  const { scenario, env } = cfg;
  if (!(cfg.variant in VARIANTS)) throw new Error(`unknown variant '${cfg.variant}'`);
  // Every read of the variant goes through `variant` (see recordingVariant): `variantReads` says what the model depended on.
  const { variant, reads: variantReads } = recordingVariant(VARIANTS[cfg.variant]);
  const progs = programsFor(cfg, variant);
  const names = progs.map((p) => p.actor);
  const nActors = progs.length;
  const observing = cfg.observe === true;
  const relaxed = env.memory === 'relaxed';

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
  // The scenario's holders in its order, then those the programs take, in program order (as a reader meets them).
  const holderSet = new Set<string>(Object.keys(scenario.initial.holders));
  for (const p of progs) for (const h of p.holders) holderSet.add(h);
  const holders = [...holderSet];
  const holderIndex = new Map(holders.map((h, i) => [h, i]));
  const stepBase: number[] = [];
  const stepLabels: string[] = [];
  for (const p of progs) {
    stepBase.push(stepLabels.length);
    for (const ins of p.instrs) stepLabels.push(`${p.actor}:${ins.id}`);
  }
  const lens = progs.map((p) => p.instrs.length);
  // Which actors read each field through their view (a read step): only their views keep old writes alive (views.ts, compact).
  const layout = memoryLayout<Field>(env.memory, FIELDS, RELAXED_FIELDS, nActors, 2, HISTORY_CAP, (p, f) => progs[p].instrs.some((i) => i.read === f));
  const tables: DialogNames = { layout, markIndex, holderIndex, actors: names, programs: progs, holders, marks, stepLabels };

  const gateNo = progs.map((p) => p.instrs.map((i) => (gates[`${p.actor}:${i.id}`] !== undefined ? markIndex.get(gates[`${p.actor}:${i.id}`])! : -1)));
  const waitNo = progs.map((p) => p.instrs.map((i) => (i.waitFor !== undefined ? markIndex.get(i.waitFor)! : -1)));
  // drop_dlg's non-DELETED path releases H(i) without holding it (§4.5): then locks need not exclude.
  const locksExclude = env.eintr === 0 && !scenario.actors.includes('D');
  const eintrRetry = variant.eintrRetry;

  const initial = (): DialogState => {
    const tl = initialTl(scenario.initial.tl);
    const ref = Object.values(scenario.initial.holders).reduce((a, b) => a + b, 0);
    const ghostHolders = holders.map((h) => scenario.initial.holders[h] ?? 0);
    return {
      mem: makeMemory(layout, { state: scenario.initial.state, ref, hasBye: 0, tlNext: tl.next, tlPrev: tl.prev, tlTimeout: tl.timeout }),
      linked: true,
      inList: tl.inList,
      locks: { H: freeLock(env.lock, nActors), TL: freeLock(env.lock, nActors) },
      actors: progs.map(() => ({ pc: 0, loc: freshLocals() })),
      ghost: {
        holders: ghostHolders,
        frees: 0,
        uaf: 0,
        bogus: 0,
        bogusRef: 0,
        bogusCnt: 0,
        deletedBy: 0,
        dbDeletes: 0,
        termCallbacks: 0,
        byesSent: 0,
        byesAfterDelete: 0,
        marks: marks.map(() => false),
        eintrLeft: env.eintr,
        detachedUnclaimed: false,
      },
    };
  };

  // The actions, made once: per actor and pc the plain one; the EINTR one and the reads' ones on first use.
  const plain: DialogAction[][] = progs.map((p, who) => p.instrs.map((ins, pc) => ({ actor: p.actor, step: ins.id, source: ins.src, who, pc })));
  const interrupted: (DialogAction | undefined)[][] = progs.map((p) => p.instrs.map(() => undefined));
  const reads: Map<number, DialogAction>[][] = progs.map((p) => p.instrs.map(() => new Map()));
  const readAction = (who: number, pc: number, field: Field, pick: number, value: number, stale: boolean): DialogAction => {
    const k = (pick * 4096 + (value + 1024)) * 2 + (stale ? 1 : 0);
    const cache = reads[who][pc];
    let a = cache.get(k);
    if (a === undefined) {
      a = { ...plain[who][pc], pick, value, note: `${field}=${readName(field, value)}${stale ? ' (stale)' : ''}` };
      cache.set(k, a);
    }
    return a;
  };
  const choices: number[] = [];
  // What decides whether an instruction is enabled, by actor and pc: 0 nothing (always, once reached), else bits.
  const GUARDED = 1;
  const ACQUIRE = 2;
  const READ = 4;
  const kinds = progs.map((p, i) =>
    p.instrs.map((ins, pc) => (gateNo[i][pc] >= 0 || waitNo[i][pc] >= 0 || ins.when ? GUARDED : 0) | (ins.acquire ? ACQUIRE : 0) | (ins.read ? READ : 0)),
  );

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
    if (kind & ACQUIRE) {
      const l = s.locks[ins.acquire!];
      if (canAcquire(env.lock, l)) out[n++] = plain[i][pc];
      // Fix 05 (Variant.eintrRetry): lock_get retries an interrupted sem_wait, so no EINTR entry.
      else if (ins.acquire === 'H' && env.lock === 'posix-sem' && s.ghost.eintrLeft > 0 && !eintrRetry) {
        out[n++] = interrupted[i][pc] ??= { ...plain[i][pc], eintr: true, note: 'EINTR: returned without the lock' };
      }
      return n;
    }
    if (kind & READ) {
      const f = ins.read!;
      const k = readChoices(layout, s.mem, i, f, choices);
      const last = s.mem.len[f] - 1;
      for (let c = 0; c < k; c++) {
        const pick = choices[c];
        out[n++] = readAction(i, pc, f, pick, s.mem.hist[f][pick], pick < last);
      }
      return n;
    }
    out[n] = plain[i][pc];
    return n + 1;
  };

  const actorActions = (s: DialogState, i: number, out: DialogAction[]): void => {
    out.length = enabled(s, i, out, out.length);
  };

  const actions = (s: DialogState): DialogAction[] => {
    const out: DialogAction[] = [];
    if (s.ghost.bogus !== 0) return out; // abort() in one process: OpenSIPS shuts down.
    let n = 0;
    for (let i = 0; i < nActors; i++) n = enabled(s, i, out, n);
    return out;
  };

  const codec = dialogCodec(cfg, progs, holders, marks.length, stepLabels.length);
  const clone = (s: DialogState): DialogState => {
    const d = codec.blank();
    codec.copy(s, d);
    return d;
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
    if (ins.touch && g.frees > 0 && g.uaf === 0) g.uaf = stepBase[i] + a.pc + 1;
    let value = 0;
    if (ins.acquire) {
      if (observing) observeAcquire({ s: d, t: tables, me, who: i }, ins.acquire);
      acquire(env.lock, d.locks[ins.acquire], i, act.eintr === true);
      if (act.eintr) g.eintrLeft -= 1;
      join(layout, d.mem, i, LOCK_INDEX[ins.acquire]);
    } else if (ins.release) {
      publish(layout, d.mem, i, LOCK_INDEX[ins.release]);
      release(env.lock, d.locks[ins.release], i);
    } else if (ins.read) {
      value = readAt(layout, d.mem, i, ins.read, act.pick!);
      if (observing && ins.read === 'state') observeStateRead({ s: d, t: tables, me }, value);
    }
    if (ins.mark !== undefined) g.marks[markIndex.get(ins.mark)!] = true;
    let target: string | void = undefined;
    if (ins.exec) {
      ctx.s = d;
      ctx.me = me;
      ctx.who = i;
      ctx.a = a;
      ctx.l = a.loc;
      ctx.step = ins.id;
      ctx.stepNo = stepBase[i] + a.pc;
      target = ins.exec(ctx, value);
    }
    a.pc = target === undefined ? a.pc + 1 : target === ABORT ? ABORTED : prog.target(target);
    if (a.pc >= lens[i] && prog.cyclic) a.pc = 0; // the timer routine runs again
    const finished = a.pc < 0 || a.pc >= lens[i] || (prog.cyclic && a.pc === 0);
    if (finished) clearLocals(a.loc); // a finished (or restarting) process's locals are dead
    if (relaxed) {
      draftNow = d;
      compact(layout, d.mem, retired);
    }
  };

  const next = (s: DialogState, act: DialogAction): DialogState => {
    const d = clone(s);
    apply(d, act);
    return d;
  };

  const key = (s: DialogState): string => {
    const g = s.ghost;
    let k = `${memoryKey(layout, s.mem)}|${s.linked ? 1 : 0}|${s.inList ? 1 : 0}|${lockKey(s.locks.H)}|${lockKey(s.locks.TL)}|`;
    for (let i = 0; i < s.actors.length; i++) {
      const a = s.actors[i];
      const l = a.loc;
      k += `${i > 0 ? ' ' : ''}${a.pc}:${l.r},${l.old},${l.nw},${l.unref},${l.tmr},${l.ret},${l.st},${l.bkNext},${l.bkPrev},${l.bkTimeout}`;
    }
    k += `|${g.holders.join(',')}|${g.frees}|${g.uaf}|${g.bogus}/${g.bogusRef}/${g.bogusCnt}|${g.deletedBy}|${g.dbDeletes}|${g.termCallbacks}|${g.byesSent}|${g.byesAfterDelete}|`;
    for (let i = 0; i < g.marks.length; i++) k += g.marks[i] ? '1' : '0';
    return `${k}|${g.eintrLeft}|${g.detachedUnclaimed ? 1 : 0}`;
  };

  const steps = progs.flatMap((p) => p.instrs.map((i) => ({ actor: p.actor, step: i.id, source: i.src })));
  const indexOf = (actor: string): number => {
    const i = names.indexOf(actor);
    if (i < 0) throw new Error(`dialog model: no actor '${actor}'`);
    return i;
  };

  return {
    name: `dialog/${scenario.name}/${cfg.variant}/${env.lock}/${env.memory}${env.eintr ? `/eintr${env.eintr}` : ''}${env.assume?.length ? `/assume:${env.assume.join('+')}` : ''}`,
    config: cfg,
    programs: progs,
    names: tables,
    initialStates: () => [initial()],
    actions,
    next,
    clone,
    apply,
    key,
    codec,
    steps,
    properties: dialogProperties(scenario.witnesses, tables, waitingActors(progs, gates, tables)),
    actorActions: (s, actor) => {
      const out: DialogAction[] = [];
      if (s.ghost.bogus === 0) actorActions(s, indexOf(actor), out);
      return out;
    },
    localNext: (s, actor) => {
      const i = indexOf(actor);
      const ins = progs[i].instrs[s.actors[i].pc];
      return ins !== undefined && ins.local === true;
    },
    inSection: (s, actor) => {
      const i = indexOf(actor);
      return s.locks.H.held[i] > 0 || s.locks.TL.held[i] > 0;
    },
    inSectionOf: (s, last) => s.locks.H.held[last.who] > 0 || s.locks.TL.held[last.who] > 0,
    localNextOf: (s, last) => {
      const ins = progs[last.who].instrs[s.actors[last.who].pc];
      return ins !== undefined && ins.local === true;
    },
    follow: (s, last, out) => (s.ghost.bogus === 0 ? enabled(s, last.who, out, 0) : 0),
    locksExclude,
    variantReads,
  };
}

/** "actor:step" of the step a ghost step field records (1 + index), or '' for 0. */
export const stepAt = (names: DialogNames, recorded: number): string => (recorded === 0 ? '' : names.stepLabels[recorded - 1]);

/** The 'bogus ref' line a state's abort printed, as the trace shows it ('' if none). */
export const bogusText = (names: DialogNames, s: DialogState): string =>
  s.ghost.bogus === 0 ? '' : `${stepAt(names, s.ghost.bogus)} printed 'bogus ref ${s.ghost.bogusRef} with cnt ${s.ghost.bogusCnt}'`;

/** The actor a ghost actor field records (1 + index), or '' for 0. */
export const actorAt = (names: DialogNames, recorded: number): string => (recorded === 0 ? '' : names.actors[recorded - 1]);

/** The processes inside lock `l`, by name, sorted. */
export const lockHolders = (names: DialogNames, s: DialogState, l: LockName): string[] => holderNames(s.locks[l], names.actors);

/** The reference holders of `s` that hold something, by name, in the model's order, with their counts. */
export const holdersOf = (names: DialogNames, s: DialogState): [string, number][] =>
  names.holders.flatMap((h, i): [string, number][] => (s.ghost.holders[i] !== 0 ? [[h, s.ghost.holders[i]]] : []));

/** Whether mark `m` is recorded in `s` (false for a mark the model does not have). */
export const hasMark = (names: DialogNames, s: DialogState, m: string): boolean => {
  const i = names.markIndex.get(m);
  return i !== undefined && s.ghost.marks[i];
};

