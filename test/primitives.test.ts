/**
 * spec/dialog/primitives.ts against the model's primitives of program.ts (as
 * the models of one dialog run them, one timer entry, one cell), on every one-entry
 * input: the timer primitives, T0's detach and T1's write, the reference
 * macros (refUnsafe, unrefBody) and next_state_dlg (TDEL, RPL2xx, REQBYE); and
 * the model of several cells, which runs primitives.ts on the list its cells
 * hold, against primitives.ts on every sequence of up to 4 operations on two
 * entries. The comparison with the C code itself is `npm run conform`
 * (test/conform.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ABORT, END, NOW, Program, at, expire, expireList, insertTimer, isDue, loadList, nextState, refUnsafe, removeTimer, unrefBody, updateTimer, type Ctx, type DlgEvent, type Tables } from '../spec/dialog/program.js';
import * as P from '../spec/dialog/primitives.js';
import { CONFIRMED, CONFIRMED_NA, DELETED, EARLY, UNCONFIRMED, FAKE, FIELDS, NBR, NULLP, T_DUE, T_LATER, T_ZERO, freshDialogGhost, freshGhost, freshLocals, type DialogState, type Env, type Field } from '../spec/dialog/state.js';
import { latest, makeMemory, memoryLayout } from '../src/memory/views.js';
import { dialogModel } from '../spec/dialog/model.js';
import { scenarioByName } from '../spec/dialog/scenarios.js';
import { freeLock } from '../src/memory/locks.js';

const SC: Env = { lock: 'fast-lock', memory: 'sc', eintr: 0 };

/** The names a one-actor state of this test uses (the tables a model would make). */
const HOLDERS = ['base', 'hash', 'h'];
const TABLES: Tables = {
  layout: memoryLayout<Field>('sc', FIELDS, [], 1, 2),
  markIndex: new Map(),
  holderIndex: new Map(HOLDERS.map((h, i) => [h, i])),
  actors: ['X'],
};

/** A one-cell state with the given fields (what program.ts's steps read and write). */
function cell(fields: Partial<Record<Field, number>>, inList = false): DialogState {
  const f = { state: CONFIRMED, ref: 1, hasBye: 0, tlNext: NULLP, tlPrev: NULLP, tlTimeout: T_ZERO, ...fields };
  return {
    cells: [{ mem: makeMemory<Field>(TABLES.layout, f), linked: true, inList, h: 0, dlg: 0 }],
    first: { next: NBR, prev: NBR },
    locks: { H: [freeLock('fast-lock', 1)], TL: freeLock('fast-lock', 1) },
    actors: [{ pc: 0, loc: freshLocals() }],
    ghost: freshGhost([freshDialogGhost([9, 9, 9], true, 0, 0)], 0, 0),
  };
}

const ctx = (s: DialogState, step = 't'): Ctx => ({ s, me: 'X', who: 0, a: s.actors[0], l: s.actors[0].loc, env: SC, step, stepNo: 0, t: TABLES });

/**
 * Runs a program's steps one after the other, alone (locks are not contended:
 * acquire and release are only steps), until its end or abort(). A read
 * returns the latest value, as under the sequentially consistent memory.
 */
function runAlone(p: Program, s: DialogState): { aborted: boolean } {
  let pc = 0;
  for (let guard = 0; guard < 1000; guard++) {
    if (pc >= p.instrs.length) return { aborted: false };
    const ins = p.instrs[pc];
    const value = ins.read ? latest(s.cells[0].mem, ins.read) : 0;
    const target = ins.exec ? ins.exec(ctx(s, ins.id), value) : undefined;
    if (target === ABORT) return { aborted: true };
    pc = target === undefined ? pc + 1 : p.target(target);
  }
  throw new Error('runaway program');
}

// ---------------------------------------------------------------------------
// Timer primitives, one entry: every (next, prev, timeout) in the model's encoding x whether the list holds it.

interface TlInput {
  readonly next: number;
  readonly prev: number;
  readonly timeout: number;
  readonly inList: boolean;
}
const TL_INPUTS: TlInput[] = [];
for (const next of [NULLP, FAKE, NBR]) for (const prev of [NULLP, FAKE, NBR]) for (const timeout of [T_ZERO, T_DUE, T_LATER]) for (const inList of [false, true]) TL_INPUTS.push({ next, prev, timeout, inList });

/** The one-entry list the input stands for: with one entry, the model's NBR is the sentinel, and inList is "the sentinel points at the entry". */
function listOf(i: TlInput): P.TimerList {
  const l = P.emptyList(1);
  const e = P.entryPtr(0);
  l.next[e] = i.next;
  l.prev[e] = i.prev;
  l.timeout[e] = i.timeout;
  if (i.inList) {
    l.next[P.SENT] = e;
    l.prev[P.SENT] = e;
  }
  return l;
}

/**
 * The one-entry states the model reaches (route-vs-update and route-rearm
 * reach all of them; the scenarios without an on_timeout route the first three
 * and the fifth): UNSET, SPENT/DETACHED, LINKED (due or later), and SPENT
 * while the list still holds the entry (T4f restores {FAKE, NULL, 0} after
 * update_dlg_timer re-linked the entry in T4's window, dlg_handlers.c:2517).
 */
const REACHED = ['0,0,0,false', '1,0,0,false', '2,2,1,true', '2,2,2,true', '1,0,0,true'];
const key = (i: TlInput) => `${i.next},${i.prev},${i.timeout},${i.inList}`;
const modelTl = (s: DialogState) => [latest(s.cells[0].mem, 'tlNext'), latest(s.cells[0].mem, 'tlPrev'), latest(s.cells[0].mem, 'tlTimeout'), s.cells[0].inList];
const pureTl = (l: P.TimerList) => [l.next[3], l.prev[3], l.timeout[3], l.next[P.SENT] === 3];

type TimerCase = readonly [string, (c: Ctx) => number, (l: P.TimerList) => number];
const TIMER_OPS: readonly TimerCase[] = [
  ['remove_dlg_timer', (c) => removeTimer(c), (l) => P.removeTimer(l, 0)],
  ['insert_dlg_timer(due)', (c) => insertTimer(c, T_DUE), (l) => P.insertTimer(l, 0, P.TICK_DUE)],
  ['insert_dlg_timer(later)', (c) => insertTimer(c, T_LATER), (l) => P.insertTimer(l, 0, P.TICK_LATER)],
  ['update_dlg_timer(due)', (c) => updateTimer(c, T_DUE), (l) => P.updateTimer(l, 0, P.TICK_DUE)],
  ['update_dlg_timer(later)', (c) => updateTimer(c, T_LATER), (l) => P.updateTimer(l, 0, P.TICK_LATER)],
  // T0: the model detaches a due entry (isDue) and the routine gets it; the C function at the latest tick the model uses.
  ['T0 (_get_gen_expired_dlgs)', (c) => (isDue(c.s) ? (expire(c), P.entryPtr(0)) : P.FAKE_TL), (l) => P.getExpired(l, P.TICK_LATER)],
];

function timerDifferences(): string[] {
  const out: string[] = [];
  for (const input of TL_INPUTS) {
    for (const [name, model, pure] of TIMER_OPS) {
      const s = cell({ tlNext: input.next, tlPrev: input.prev, tlTimeout: input.timeout }, input.inList);
      const a = [model(ctx(s)), ...modelTl(s)];
      const l = listOf(input);
      let b: unknown[];
      try {
        b = [pure(l), ...pureTl(l)];
      } catch (e) {
        if (!(e instanceof P.WildPointer)) throw e;
        b = [`crash: ${e.message}`];
      }
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${name} on ${key(input)}: model ${JSON.stringify(a)}, primitives ${JSON.stringify(b)}`);
    }
  }
  return out;
}

describe('timer primitives: primitives.ts = program.ts on one entry', () => {
  const diffs = timerDifferences();

  it('agree on every state the model reaches, except T0 on a SPENT entry the list still holds', () => {
    // program.ts's isDue says "not due" (timeout 0); the C routine walks to it (0 <= now) and follows next = FAKE (dlg_timer.c:604, 609): a crash.
    expect(diffs.filter((d) => REACHED.some((r) => d.includes(` on ${r}:`)))).toEqual([
      'T0 (_get_gen_expired_dlgs) on 1,0,0,true: model [1,1,0,0,true], primitives ["crash: dlg_timer.c:588-622: dereferences FAKE"]',
    ]);
  });

  it('differ otherwise only on inputs the model never reaches (links and list disagree, prev = FAKE, linked with timeout 0)', () => {
    expect(TL_INPUTS.length * TIMER_OPS.length).toBe(324);
    expect(diffs.length).toBe(69);
    expect(new Set(diffs.map((d) => d.split(' on ')[1].split(':')[0])).size).toBe(29);
  });

  it('the model reaches exactly these one-entry states (route-vs-update, route-rearm; orig and v1-both)', () => {
    const seen = new Set<string>();
    for (const scenario of ['route-vs-update', 'route-rearm']) {
      for (const variant of ['orig', 'v1-both'] as const) {
        const m = dialogModel({ scenario: scenarioByName(scenario)!, variant, env: SC });
        const keys = new Set<string>();
        let level = m.initialStates();
        for (const s0 of level) keys.add(m.key(s0));
        while (level.length > 0) {
          const nextLevel: DialogState[] = [];
          for (const st of level) {
            seen.add(modelTl(st).join(','));
            for (const a of m.actions(st)) {
              const t = m.next(st, a);
              const k = m.key(t);
              if (!keys.has(k)) {
                keys.add(k);
                nextLevel.push(t);
              }
            }
          }
          level = nextLevel;
        }
      }
    }
    expect([...seen].sort()).toEqual([...REACHED].sort());
  });

  it("T1: the routine's loop hands the entry to the handler and leaves next = FAKE, as T1w writes", () => {
    for (const timeout of [T_DUE, T_LATER]) {
      const l = listOf({ next: NBR, prev: NBR, timeout, inList: true });
      const head = P.getExpired(l, P.TICK_LATER);
      expect(head).toBe(P.entryPtr(0));
      expect(P.detachNext(l, head)).toEqual({ handled: P.entryPtr(0), rest: P.FAKE_TL });
      expect(pureTl(l)).toEqual([FAKE, NULLP, T_ZERO, false]);
    }
  });

  it('with two entries: insertion keeps timeout order, the routine detaches the due prefix as a chain, remove returns 1 on a detached entry', () => {
    const l = P.emptyList(2);
    expect(P.insertTimer(l, 0, P.TICK_LATER)).toBe(0);
    expect(P.insertTimer(l, 1, P.TICK_DUE)).toBe(0);
    expect([l.next[P.SENT], l.next[4], l.next[3]]).toEqual([4, 3, P.SENT]);
    expect(P.getExpired(l, P.TICK_LATER)).toBe(4);
    expect([l.next[4], l.prev[4], l.next[3], l.prev[3], l.next[P.SENT]]).toEqual([3, P.NULL_TL, P.FAKE_TL, P.NULL_TL, P.SENT]);
    expect(P.removeTimer(l, 0)).toBe(1);
    expect(P.updateTimer(l, 1, P.TICK_DUE)).toBe(-1); // detached, not last of its chain
    expect(P.timerRoutine(l, P.TICK_LATER)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The reference macros.

describe('reference macros: primitives.ts = program.ts', () => {
  it('ref_dlg_unsafe: ref += 1 (refUnsafe)', () => {
    for (const ref of [-1, 0, 1, 2, 3]) {
      const p = new Program('X');
      refUnsafe(p, 'R', 'h', at('dlg_hash.h', 319));
      const s = cell({ ref });
      runAlone(p, s);
      expect(latest(s.cells[0].mem, 'ref')).toBe(P.refDlgUnsafe(ref, 1));
    }
  });

  it('unref_dlg_unsafe(cnt): kept, destroyed (and freed), or abort with the printed values (unrefBody)', () => {
    const seen = new Set<string>();
    for (const ref of [-1, 0, 1, 2, 3]) {
      for (const cnt of [0, 1, 2, 3]) {
        const p = new Program('X');
        unrefBody(p, 'U', () => cnt, () => [], END, '_unref_dlg');
        const s = cell({ ref, tlNext: FAKE });
        const { aborted } = runAlone(p, s);
        const r = P.unrefDlgUnsafe(ref, cnt);
        seen.add(r.outcome);
        expect([ref, cnt, latest(s.cells[0].mem, 'ref')]).toEqual([ref, cnt, r.ref]);
        expect([ref, cnt, aborted, s.ghost.dialogs[0].frees, s.cells[0].linked]).toEqual([ref, cnt, r.outcome === 'abort', r.outcome === 'destroyed' ? 1 : 0, r.outcome !== 'destroyed']);
        if (r.outcome === 'abort') expect([s.ghost.bogusRef, s.ghost.bogusCnt]).toEqual([r.printed!.ref, r.printed!.cnt]);
      }
    }
    expect([...seen].sort()).toEqual(['abort', 'destroyed', 'kept']);
  });
});

// ---------------------------------------------------------------------------
// next_state_dlg, for the events and arguments the model's callers use.

describe('next_state_dlg: primitives.ts = program.ts on TDEL, RPL2xx, REQBYE', () => {
  const EVENTS: Record<DlgEvent, number> = { TDEL: P.DLG_EVENT.TDEL, RPL2xx: P.DLG_EVENT.RPL2xx, REQBYE: P.DLG_EVENT.REQBYE };

  it('every state x HASBYE x ref in 0..2, with a leg argument that matches legs_no[DLG_LEG_200OK] (non-zero)', () => {
    let compared = 0;
    for (const ev of Object.keys(EVENTS) as DlgEvent[]) {
      for (const state of [UNCONFIRMED, EARLY, CONFIRMED_NA, CONFIRMED, DELETED]) {
        for (const hasBye of [0, 1]) {
          for (const ref of [0, 1, 2]) {
            const p = new Program('X');
            nextState(p, 'N', ev, { part1: false, call: at('dlg_hash.c', 1188), tdelHolder: 'base' });
            const s = cell({ state, hasBye, ref, tlNext: FAKE });
            const { aborted } = runAlone(p, s);
            const l = s.actors[0].loc;
            const r = P.nextStateDlg({ state, event: EVENTS[ev], dir: P.DLG_DIR.DOWNSTREAM, lastDstLeg: 1, leg200ok: 1, hasBye: hasBye === 1, ref, replicate: false });
            // After abort() nothing reads *unref (program.ts sets it before the in-section unref, the C code after it, 1206-1207).
            const model = { old: l.old, new: aborted ? null : l.nw, unref: aborted ? r.unref : l.unref, state: latest(s.cells[0].mem, 'state'), hasBye: latest(s.cells[0].mem, 'hasBye') === 1, ref: latest(s.cells[0].mem, 'ref'), destroyed: s.ghost.dialogs[0].frees === 1, aborted };
            const pure = { old: r.old, new: r.new, unref: r.unref, state: r.state, hasBye: r.hasBye, ref: r.ref, destroyed: r.unrefInSection?.outcome === 'destroyed', aborted: r.aborted };
            expect([ev, state, hasBye, ref, model]).toEqual([ev, state, hasBye, ref, pure]);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(90);
  });

  it('where the C table takes more arguments than the model: REQBYE on an early dialog sets HASBYE only when last_dst_leg != 0', () => {
    const early = (lastDstLeg: number) => P.nextStateDlg({ state: EARLY, event: P.DLG_EVENT.REQBYE, dir: P.DLG_DIR.UPSTREAM, lastDstLeg, leg200ok: 0, hasBye: false, ref: 1, replicate: false });
    expect([early(0).hasBye, early(0).logged, early(1).hasBye]).toEqual([false, true, true]);
    // From a confirmed state a downstream BYE on another leg than the 2xx's changes nothing.
    const other = P.nextStateDlg({ state: CONFIRMED, event: P.DLG_EVENT.REQBYE, dir: P.DLG_DIR.DOWNSTREAM, lastDstLeg: 2, leg200ok: 1, hasBye: false, ref: 1, replicate: false });
    expect([other.new, other.unref, other.hasBye]).toEqual([CONFIRMED, 0, false]);
    const upstream = P.nextStateDlg({ state: CONFIRMED_NA, event: P.DLG_EVENT.REQBYE, dir: P.DLG_DIR.UPSTREAM, lastDstLeg: 2, leg200ok: 1, hasBye: false, ref: 1, replicate: true });
    expect([upstream.new, upstream.unref, upstream.hasBye, upstream.stateChanged, upstream.replicated]).toEqual([DELETED, 1, true, true, true]);
  });

  it('TDEL in a confirmed state with ref 1 destroys inside the H section, and the re-read of state at 1336 follows', () => {
    const r = P.nextStateDlg({ state: CONFIRMED, event: P.DLG_EVENT.TDEL, dir: 0, lastDstLeg: 0, leg200ok: 0, hasBye: false, ref: 1, replicate: false });
    expect(r.unrefInSection).toEqual({ ref: 0, outcome: 'destroyed' });
    expect([r.new, r.unref]).toEqual([CONFIRMED, 0]);
    const bogus = P.nextStateDlg({ state: EARLY, event: P.DLG_EVENT.TDEL, dir: 0, lastDstLeg: 0, leg200ok: 0, hasBye: false, ref: 0, replicate: false });
    expect([bogus.aborted, bogus.new, bogus.unrefInSection?.printed]).toEqual([true, null, { ref: -1, cnt: 1 }]);
  });
});

// ---------------------------------------------------------------------------
// The model of several cells runs primitives.ts itself on the list the cells hold (program.ts, listOp): what
// is left to compare is the loading and storing of the list, the return values, the list's truth (inList) and
// a crash recorded where primitives.ts throws WildPointer.

describe('model of several cells: its timer operations are primitives.ts on the cells and the sentinel', () => {
  type Op = readonly ['ins' | 'upd', number, number] | readonly ['rm', number] | readonly ['tmr'];
  const OPS: Op[] = [];
  for (const k of [0, 1]) for (const t of [P.TICK_DUE, P.TICK_LATER]) OPS.push(['ins', k, t], ['upd', k, t]);
  OPS.push(['rm', 0], ['rm', 1], ['tmr']);
  const m = dialogModel({ scenario: scenarioByName('route-vs-update-neighbour')!, variant: 'orig', env: SC });
  const xi = m.programs.findIndex((p) => p.actor === 'X');
  const ti = m.programs.findIndex((p) => p.actor === 'T');
  /** Both entries unset, the list empty. */
  const empty = (): DialogState => {
    const s = m.initialStates()[0];
    s.first.next = s.first.prev = P.SENT;
    for (const c of s.cells) {
      c.mem.hist.tlNext[0] = c.mem.hist.tlPrev[0] = c.mem.hist.tlTimeout[0] = 0;
      c.inList = false;
    }
    return s;
  };
  /** The entries reachable from the sentinel by next (the list's truth, for a well-formed list). */
  const reachable = (l: P.TimerList): boolean[] => {
    const seen = [false, false];
    for (let p = l.next[P.SENT], n = 0; p >= P.ENTRY0 && n < 3; p = l.next[p], n++) seen[p - P.ENTRY0] = true;
    return seen;
  };
  const ctxOf = (s: DialogState, i: number, dlg: number): Ctx => {
    s.actors[i].loc.dlg = dlg;
    return { s, me: m.programs[i].actor, who: i, a: s.actors[i], l: s.actors[i].loc, env: SC, step: 'op', stepNo: 0, t: m.names };
  };
  function apply(s: DialogState, op: Op): number {
    if (op[0] === 'tmr') {
      const c = ctxOf(s, ti, 0);
      expireList(c);
      return c.l.chain;
    }
    const c = ctxOf(s, xi, op[1]);
    return op[0] === 'ins' ? insertTimer(c, op[2]) : op[0] === 'upd' ? updateTimer(c, op[2]) : removeTimer(c);
  }
  function pure(l: P.TimerList, op: Op): number {
    if (op[0] === 'tmr') return P.getExpired(l, NOW);
    return op[0] === 'ins' ? P.insertTimer(l, op[1], op[2]) : op[0] === 'upd' ? P.updateTimer(l, op[1], op[2]) : P.removeTimer(l, op[1]);
  }

  it('every sequence of up to 4 operations from an empty 2-entry list: same returns, same list, inList = reachable from the sentinel', () => {
    let compared = 0;
    const diffs: string[] = [];
    const walk = (s: DialogState, l: P.TimerList, seq: string[], depth: number) => {
      if (depth === 0) return;
      for (const op of OPS) {
        const s2 = m.clone!(s);
        const l2 = P.copyList(l);
        const name = [...seq, op.join(':')].join(' ');
        let want: number | 'crash';
        try {
          want = pure(l2, op);
        } catch (e) {
          if (!(e instanceof P.WildPointer)) throw e;
          want = 'crash';
        }
        const got = apply(s2, op);
        compared++;
        if (want === 'crash') {
          if (s2.ghost.walk === 0) diffs.push(`${name}: primitives crash, model ${got}`);
          continue;
        }
        const mine = loadList(s2, P.emptyList(2));
        const same = JSON.stringify(mine) === JSON.stringify(l2) && got === want && s2.ghost.walk === 0;
        const truth = JSON.stringify(s2.cells.map((c) => c.inList)) === JSON.stringify(reachable(l2));
        if (!same || !truth) diffs.push(`${name}: model ${got} ${JSON.stringify(mine)} ${JSON.stringify(s2.cells.map((c) => c.inList))}, primitives ${want} ${JSON.stringify(l2)}`);
        walk(s2, l2, [...seq, op.join(':')], depth - 1);
      }
    };
    walk(empty(), P.emptyList(2), [], 4);
    expect(diffs.slice(0, 5)).toEqual([]);
    expect(compared).toBe(11 + 11 ** 2 + 11 ** 3 + 11 ** 4);
  });
});
