/**
 * The OpenSIPS dialog model: one dialog cell, its hash-entry lock H, the global
 * timer lock TL, the lifetime timer list, and the actors of a scenario, under a
 * code variant and an environment (lock implementation, memory model, EINTR).
 */
import type { Action, Model, SourceLoc } from '../../src/engine/model.js';
import { acquire, canAcquire, freeLock, lockKey, release } from '../../src/memory/locks.js';
import { compact, join, makeMemory, memoryKey, publish, readAt, readChoices } from '../../src/memory/views.js';
import { byeReply, byeWorker, dropAfterSync, inviteDelete, okReply, pinger, replicatedDelete, timeoutUpdater, timer, type ActorKnobs } from './actors.js';
import { ABORT, observeAcquire, observeStateRead, type Ctx, type Program } from './program.js';
import {
  ABORTED,
  FIELDS,
  NBR,
  NULLP,
  T_DUE,
  T_LATER,
  T_ZERO,
  freshLocals,
  PTR_NAMES,
  STATE_NAMES,
  TIMEOUT_NAMES,
  type DialogState,
  type Env,
  type Field,
  type Locals,
} from './state.js';
import { VARIANTS, type VariantName } from './variants.js';
import { dialogProperties } from '../../invariants/dialog.js';
import { waitingActors } from './progress.js';

/**
 * The fields that the relaxed memory model gives write histories: those read
 * without the lock that orders their writes (state: T4a, T5a, E1; tl.next:
 * T1; tl.timeout: T4d). The others are only accessed under H or TL.
 */
export const RELAXED_FIELDS: readonly Field[] = ['state', 'tlNext', 'tlTimeout'];

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
  /** The actor's pc when the action was enabled. */
  readonly pc: number;
  /** For a read: the index (in the field's write history) of the write it returns, and the value. */
  readonly pick?: number;
  readonly value?: number;
  /** For an acquire under EA-EINTR: the acquire returned without the lock. */
  readonly eintr?: true;
}

export interface DialogModel extends Model<DialogState, DialogAction> {
  readonly config: DialogConfig;
  readonly programs: readonly Program[];
  /** Whether `actor` is inside a lock section in `s` (for merging a section into one step). */
  inSection(s: DialogState, actor: string): boolean;
  /** Whether `actor`'s next step only touches its own locals (it may join the previous step). */
  localNext(s: DialogState, actor: string): boolean;
  /** Whether every lock excludes in this configuration (so merging sections is allowed). */
  readonly locksExclude: boolean;
}

function programsFor(cfg: DialogConfig): Program[] {
  const v = VARIANTS[cfg.variant];
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

const cloneLocals = (l: Locals): Locals => ({
  r: l.r,
  old: l.old,
  nw: l.nw,
  unref: l.unref,
  tmr: l.tmr,
  ret: l.ret,
  st: l.st,
  bkNext: l.bkNext,
  bkPrev: l.bkPrev,
  bkTimeout: l.bkTimeout,
});

function cloneState(s: DialogState, relaxed: boolean): DialogState {
  const hist = {} as Record<Field, number[]>;
  for (const f of FIELDS) hist[f] = s.mem.hist[f].slice();
  let view = s.mem.view;
  let lockView = s.mem.lockView;
  if (relaxed) {
    // Views change only under the relaxed model; under sc they are shared, never written.
    view = {};
    for (const p in s.mem.view) view[p] = { ...s.mem.view[p] };
    lockView = {};
    for (const p in s.mem.lockView) lockView[p] = { ...s.mem.lockView[p] };
  }
  return {
    mem: { hist, view, lockView, relaxed: s.mem.relaxed },
    linked: s.linked,
    inList: s.inList,
    locks: {
      H: { v: s.locks.H.v, holders: s.locks.H.holders.slice() },
      TL: { v: s.locks.TL.v, holders: s.locks.TL.holders.slice() },
    },
    actors: s.actors.map((a) => ({ pc: a.pc, loc: a.loc })),
    ghost: cloneGhost(s.ghost),
  };
}

function cloneGhost(g: DialogState['ghost']): DialogState['ghost'] {
  const holders: Record<string, number> = {};
  for (const k in g.holders) holders[k] = g.holders[k];
  return {
    holders,
    frees: g.frees,
    uaf: g.uaf,
    bogus: g.bogus,
    bogusRef: g.bogusRef,
    bogusCnt: g.bogusCnt,
    deletedBy: g.deletedBy,
    dbDeletes: g.dbDeletes,
    termCallbacks: g.termCallbacks,
    byesSent: g.byesSent,
    byesAfterDelete: g.byesAfterDelete,
    marks: g.marks.slice(),
    eintrLeft: g.eintrLeft,
    detachedUnclaimed: g.detachedUnclaimed,
  };
}

const localsKey = (l: Locals): string =>
  `${l.r},${l.old},${l.nw},${l.unref},${l.tmr},${l.ret},${l.st},${l.bkNext},${l.bkPrev},${l.bkTimeout}`;

export const holdersKey = (h: Readonly<Record<string, number>>): string =>
  Object.keys(h)
    .filter((k) => h[k] !== 0)
    .sort()
    .map((k) => `${k}=${h[k]}`)
    .join(',');

const readName = (f: Field, v: number): string =>
  f === 'state' ? STATE_NAMES[v] : f === 'tlNext' || f === 'tlPrev' ? PTR_NAMES[v] : f === 'tlTimeout' ? TIMEOUT_NAMES[v] : String(v);

export function dialogModel(cfg: DialogConfig): DialogModel {
  const { scenario, env } = cfg;
  if (!(cfg.variant in VARIANTS)) throw new Error(`unknown variant '${cfg.variant}'`);
  const progs = programsFor(cfg);
  const names = progs.map((p) => p.actor);
  const gates = scenario.gates ?? {};
  for (const g of Object.keys(gates)) {
    const [actor, step] = g.split(':');
    const p = progs.find((q) => q.actor === actor);
    if (!p || !p.instrs.some((i) => i.id === step)) throw new Error(`scenario ${scenario.name}: gate on unknown step '${g}'`);
  }
  const gateOf = progs.map((p) => p.instrs.map((i) => gates[`${p.actor}:${i.id}`]));
  const relaxed = env.memory === 'relaxed';
  const observing = cfg.observe === true;
  // drop_dlg's non-DELETED path releases H(i) without holding it (§4.5): then locks need not exclude.
  const locksExclude = env.eintr === 0 && !scenario.actors.includes('D');
  const eintrRetry = VARIANTS[cfg.variant].eintrRetry;

  const initial = (): DialogState => {
    const tl = initialTl(scenario.initial.tl);
    const ref = Object.values(scenario.initial.holders).reduce((a, b) => a + b, 0);
    return {
      mem: makeMemory<Field>(
        { state: scenario.initial.state, ref, hasBye: 0, tlNext: tl.next, tlPrev: tl.prev, tlTimeout: tl.timeout },
        names,
        ['H', 'TL'],
        RELAXED_FIELDS,
      ),
      linked: true,
      inList: tl.inList,
      locks: { H: freeLock(env.lock), TL: freeLock(env.lock) },
      actors: progs.map(() => ({ pc: 0, loc: freshLocals() })),
      ghost: {
        holders: { ...scenario.initial.holders },
        frees: 0,
        uaf: '',
        bogus: '',
        bogusRef: 0,
        bogusCnt: 0,
        deletedBy: '',
        dbDeletes: 0,
        termCallbacks: 0,
        byesSent: 0,
        byesAfterDelete: 0,
        marks: [],
        eintrLeft: env.eintr,
        detachedUnclaimed: false,
      },
    };
  };

  const actorActions = (s: DialogState, i: number, out: DialogAction[]): void => {
    const a = s.actors[i];
    const prog = progs[i];
    if (a.pc < 0 || a.pc >= prog.instrs.length) return;
    const ins = prog.instrs[a.pc];
    const gate = gateOf[i][a.pc];
    if (gate !== undefined && !s.ghost.marks.includes(gate)) return;
    if (ins.when && !ins.when(s, a)) return;
    const base = { actor: prog.actor, step: ins.id, source: ins.src, pc: a.pc };
    if (ins.acquire) {
      const l = s.locks[ins.acquire];
      if (canAcquire(env.lock, l)) out.push(base);
      // Fix 05 (Variant.eintrRetry): lock_get retries an interrupted sem_wait, so no EINTR entry.
      else if (ins.acquire === 'H' && env.lock === 'posix-sem' && s.ghost.eintrLeft > 0 && !eintrRetry) out.push({ ...base, eintr: true, note: 'EINTR: returned without the lock' });
    } else if (ins.read) {
      for (const pick of readChoices(env.memory, s.mem, prog.actor, ins.read)) {
        const value = s.mem.hist[ins.read][pick];
        const stale = pick < s.mem.hist[ins.read].length - 1 ? ' (stale)' : '';
        out.push({ ...base, pick, value, note: `${ins.read}=${readName(ins.read, value)}${stale}` });
      }
    } else out.push(base);
  };

  const actions = (s: DialogState): DialogAction[] => {
    const out: DialogAction[] = [];
    if (s.ghost.bogus !== '') return out; // abort() in one process: OpenSIPS shuts down.
    for (let i = 0; i < progs.length; i++) actorActions(s, i, out);
    return out;
  };

  const clone = (s: DialogState): DialogState => cloneState(s, relaxed);

  /** Runs `act` on the draft `d` (a copy made by clone). */
  const apply = (d: DialogState, act: DialogAction): void => {
    const i = names.indexOf(act.actor);
    const prog = progs[i];
    const a = d.actors[i];
    a.loc = cloneLocals(a.loc);
    if (a.pc !== act.pc) throw new Error(`action ${act.actor}:${act.step} applied at pc ${a.pc}, enabled at ${act.pc}`);
    const ins = prog.instrs[a.pc];
    const me = prog.actor;
    if (ins.touch && d.ghost.frees > 0 && d.ghost.uaf === '') d.ghost.uaf = `${me}:${ins.id}`;
    let value = 0;
    if (ins.acquire) {
      if (observing) observeAcquire(d, me, ins.acquire);
      acquire(env.lock, d.locks[ins.acquire], me, act.eintr === true);
      if (act.eintr) d.ghost.eintrLeft -= 1;
      join(env.memory, d.mem, me, ins.acquire);
    } else if (ins.release) {
      publish(env.memory, d.mem, me, ins.release);
      release(env.lock, d.locks[ins.release], me);
    } else if (ins.read) {
      value = readAt(d.mem, me, ins.read, act.pick!);
      if (observing && ins.read === 'state') observeStateRead(d, me, value);
    }
    if (ins.mark && !d.ghost.marks.includes(ins.mark)) {
      d.ghost.marks.push(ins.mark);
      d.ghost.marks.sort();
    }
    let target: string | void = undefined;
    if (ins.exec) {
      const ctx: Ctx = { s: d, me, a, l: a.loc, env, step: ins.id, observe: observing };
      target = ins.exec(ctx, value);
    }
    a.pc = target === undefined ? a.pc + 1 : target === ABORT ? ABORTED : prog.target(target);
    if (a.pc >= prog.instrs.length && prog.cyclic) a.pc = 0; // the timer routine runs again
    const finished = a.pc < 0 || a.pc >= prog.instrs.length || (prog.cyclic && a.pc === 0);
    if (finished) a.loc = freshLocals(); // a finished (or restarting) process's locals are dead
    if (relaxed) compact(env.memory, d.mem, d.actors.flatMap((x, j) => (x.pc < 0 || x.pc >= progs[j].instrs.length ? [names[j]] : [])));
  };

  const next = (s: DialogState, act: DialogAction): DialogState => {
    const d = clone(s);
    apply(d, act);
    return d;
  };

  const key = (s: DialogState): string => {
    const g = s.ghost;
    return [
      memoryKey(env.memory, s.mem),
      s.linked ? 1 : 0,
      s.inList ? 1 : 0,
      lockKey(s.locks.H),
      lockKey(s.locks.TL),
      s.actors.map((a) => `${a.pc}:${localsKey(a.loc)}`).join(' '),
      holdersKey(g.holders),
      g.frees,
      g.uaf,
      g.bogus,
      g.deletedBy,
      g.dbDeletes,
      g.termCallbacks,
      g.byesSent,
      g.byesAfterDelete,
      g.marks.join(','),
      g.eintrLeft,
      g.detachedUnclaimed ? 1 : 0,
    ].join('|');
  };

  const steps = progs.flatMap((p) => p.instrs.map((i) => ({ actor: p.actor, step: i.id, source: i.src })));

  return {
    name: `dialog/${scenario.name}/${cfg.variant}/${env.lock}/${env.memory}${env.eintr ? `/eintr${env.eintr}` : ''}${env.assume?.length ? `/assume:${env.assume.join('+')}` : ''}`,
    config: cfg,
    programs: progs,
    initialStates: () => [initial()],
    actions,
    next,
    clone,
    apply,
    key,
    steps,
    properties: dialogProperties(scenario.witnesses, waitingActors(progs, gates)),
    actorActions: (s, actor) => {
      const out: DialogAction[] = [];
      if (s.ghost.bogus === '') actorActions(s, names.indexOf(actor), out);
      return out;
    },
    localNext: (s, actor) => {
      const i = names.indexOf(actor);
      const ins = progs[i].instrs[s.actors[i].pc];
      return ins !== undefined && ins.local === true;
    },
    inSection: (s, actor) => s.locks.H.holders.includes(actor) || s.locks.TL.holders.includes(actor),
    locksExclude,
  };
}

