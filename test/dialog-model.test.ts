/**
 * The dialog model: its building blocks against the C code's behaviour, the
 * citation of a C line by every step, exact shortest counterexamples, and the
 * reductions (merging local steps and lock sections) that must not change any
 * verdict.
 */
import { describe, expect, it } from 'vitest';
import { always, check, type Action, type Outcome } from '../src/engine/index.js';
import { explorable, type Granularity } from '../src/check/granularity.js';
import { dialogModel, type DialogConfig } from '../spec/dialog/model.js';
import { removeTimer, insertTimer, updateTimer, type Ctx } from '../spec/dialog/program.js';
import { SCENARIOS, scenarioByName } from '../spec/dialog/scenarios.js';
import { CONFIRMED, CONFIRMED_NA, DELETED, EARLY, FAKE, FIELDS, RELAXED_FIELDS, UNCONFIRMED, NBR, NULLP, T_DUE, T_ZERO, type DialogState, type Env } from '../spec/dialog/state.js';
import { memoryRanges } from '../invariants/dialog.js';
import { VARIANT_NAMES, type VariantName } from '../spec/dialog/variants.js';
import { latest } from '../src/memory/views.js';
import { stateView } from '../spec/dialog/view.js';
import { defaultLanes } from '../src/format/lanes.js';
import { diffStates } from '../src/format/text.js';

const SC: Env = { lock: 'fast-lock', memory: 'sc', eintr: 0 };
const cfg = (scenario: string, variant: VariantName, env: Env = SC): DialogConfig => ({ scenario: scenarioByName(scenario)!, variant, env });
const verdicts = (o: Outcome<unknown, Action>) => o.properties.map((p) => `${p.name}:${p.verdict}`);

/** A context whose state is the initial state of a model with its tl set as given. */
function tlCtx(next: number, prev: number, timeout: number, inList: boolean): Ctx {
  const m = dialogModel(cfg('bye-vs-timeout', 'orig'));
  const s = m.initialStates()[0];
  s.cells[0].mem.hist.tlNext[0] = next;
  s.cells[0].mem.hist.tlPrev[0] = prev;
  s.cells[0].mem.hist.tlTimeout[0] = timeout;
  s.cells[0].inList = inList;
  return { s, me: 'W', who: 0, a: s.actors[0], l: s.actors[0].loc, env: SC, step: 't', stepNo: 0, t: m.names };
}

describe('timer primitives (dlg_timer.c) by tl encoding', () => {
  const encodings = {
    UNSET: [NULLP, NULLP, T_ZERO, false],
    LINKED: [NBR, NBR, T_DUE, true],
    DETACHED: [FAKE, NULLP, T_ZERO, false], // the last element of a detached chain
    SPENT: [FAKE, NULLP, T_ZERO, false],
  } as const;

  it('remove_dlg_timer returns 0 only for a linked tl (and leaves it SPENT), 1 for UNSET, DETACHED and SPENT', () => {
    for (const [name, [n, p, t, l]] of Object.entries(encodings)) {
      const c = tlCtx(n, p, t, l);
      const ret = removeTimer(c);
      expect([name, ret]).toEqual([name, name === 'LINKED' ? 0 : 1]);
      expect([latest(c.s.cells[0].mem, 'tlNext'), latest(c.s.cells[0].mem, 'tlPrev'), latest(c.s.cells[0].mem, 'tlTimeout')]).toEqual(
        name === 'LINKED' ? [FAKE, NULLP, T_ZERO] : [n, p, t],
      );
    }
  });

  it('insert_dlg_timer links only an UNSET tl; update_dlg_timer returns 1 (take a reference) only for UNSET and 0 on SPENT', () => {
    expect(insertTimer(tlCtx(NULLP, NULLP, T_ZERO, false), T_DUE)).toBe(0);
    expect(insertTimer(tlCtx(FAKE, NULLP, T_ZERO, false), T_DUE)).toBe(-1);
    expect(updateTimer(tlCtx(NULLP, NULLP, T_ZERO, false), T_DUE)).toBe(1);
    expect(updateTimer(tlCtx(FAKE, NULLP, T_ZERO, false), T_DUE)).toBe(0);
    expect(updateTimer(tlCtx(NBR, NBR, T_DUE, true), T_DUE)).toBe(0);
  });
});

describe('every step cites its C source', () => {
  const FILES = /^(dlg_hash\.c|dlg_hash\.h|dlg_timer\.c|dlg_handlers\.c|dlg_req_within\.c|dlg_replication\.c|dlg_db_handler\.c|dialog\.c)(@([0-9a-f]{8}|fix-[a-z-]+))?$/;
  it.each(SCENARIOS.map((s) => s.name))('%s', (name) => {
    for (const variant of VARIANT_NAMES) {
      const m = dialogModel(cfg(name, variant));
      for (const st of m.steps!) {
        expect(st.source?.file, `${st.actor}:${st.step}`).toMatch(FILES);
        expect(st.source!.line, `${st.actor}:${st.step}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('exact shortest counterexamples', () => {
  it("ok-short-lifetime: the timer's teardown runs between O4 (insert) and O5 (timer REF), so O5 touches the freed cell", () => {
    const o = check(explorable(dialogModel(cfg('ok-short-lifetime', 'orig'))));
    const uaf = o.properties.find((p) => p.name === 'NoUseAfterFree')!;
    expect(uaf.verdict).toBe('violated');
    expect(uaf.explanation).toBe('O:O5.H+ touched the cell after FREE');
    const steps = uaf.trace!.slice(1).map((t) => `${t.action!.actor}:${t.action!.step.split('…')[0]}`);
    expect(steps).toEqual([
      'O:O2.H+', 'O:O2.N2', 'O:O3', 'O:O4.TL+',
      'T:T0.TL+', 'T:T1r', 'T:T1w', 'T:T2', 'T:T6', 'T:T6N.H+', 'T:T6N.N2', 'T:T7w',
      'T:T7w.linkers.H+', 'T:T7w.ctx+.H+', 'T:T7w.cb', 'T:T7w.ctx-.H+', 'T:T7w.db', 'T:T7w.unref.H+',
      'O:O5.H+',
    ]);
  });

  it("bye-vs-timeout-B (orig): the timer sends BYEs for a dialog the BYE worker already deleted, in 16 steps, and no memory-safety property fails", () => {
    const o = check(explorable(dialogModel(cfg('bye-vs-timeout-B', 'orig'))));
    expect(o.violations.map((v) => v.name)).toEqual(['NoByeAfterDelete', 'DbDeleteOnce']);
    expect(o.violations[0].trace!.length - 1).toBe(16);
  });
});

describe('under EINTR, a test and a set of DLG_FLAG_DB_DELETED are two steps', () => {
  const EINTR1: Env = { lock: 'posix-sem', memory: 'sc', eintr: 1 };
  it("fix 07b (bye-vs-timeout): the BYE worker's remove_dialog_from_db_once finds the flag clear, and so does the timer's before the worker sets it: two removals", () => {
    const o = check(explorable(dialogModel(cfg('bye-vs-timeout', 'fix-db-flag', EINTR1))));
    const db2 = o.properties.find((p) => p.name === 'DbDeleteOnce')!;
    expect([db2.verdict, db2.explanation]).toEqual(['violated', '2 DB deletes']);
    const steps = db2.trace!.slice(1).map((t) => `${t.action!.actor}:${t.action!.step}`);
    expect(steps.length).toBe(62); // 59 before next_state_dlg's switch loaded state again (a step in each of W's and T's calls), 61 before unref_dlg_unsafe's three loads of ref
    // W's test (dlg_db_handler.c@fix-db-flag:1017) then T's, with W's set (1018) not yet done: H admits both after an EINTR.
    expect(steps.filter((x) => /\.db\./.test(x))).toEqual(['W:W11w.db.H+', 'W:W11w.db.test', 'T:T7w.db.H+', 'T:T7w.db.test']);
    expect(db2.trace!.slice(1).flatMap((t) => (t.action as unknown as { parts: { eintr?: boolean; actor: string; step: string }[] }).parts.filter((x) => x.eintr).map((x) => x.step))).toHaveLength(1);
    // Where H excludes (fix 05's retry), the flag is tested and set once: DbDeleteOnce holds.
    const retry = check(explorable(dialogModel(cfg('bye-vs-timeout', 'fixed', EINTR1))));
    expect(retry.properties.find((p) => p.name === 'DbDeleteOnce')!.verdict).toBe('holds');
  });
});

describe("next_state_dlg loads state twice: `*old_state = dlg->state` (1198), then the event's `switch (dlg->state)`", () => {
  it("bye-vs-timeout under EINTR: W's transition to DELETED falls between the timer's two loads, so T's switch breaks on DELETED while its old_state says CONFIRMED: T tears the dialog down too", () => {
    const o = check(explorable(dialogModel(cfg('bye-vs-timeout', 'orig', { lock: 'posix-sem', memory: 'sc', eintr: 1 }))));
    const db2 = o.properties.find((p) => p.name === 'DbDeleteOnce')!;
    expect([db2.verdict, db2.explanation, db2.trace!.length - 1]).toEqual(['violated', '2 DB deletes', 59]); // 58 before unref_dlg_unsafe's three loads of ref
    type Part = { actor: string; step: string; note?: string };
    const parts = db2.trace!.slice(1).flatMap((t) => (t.action as unknown as { parts: Part[] }).parts);
    const n = parts.filter((x) => /^(W4|T6N)\.(old|sw|trans)$/.test(x.step)).map((x) => `${x.actor}:${x.step}${x.note ? `[${x.note}]` : ''}`);
    expect(n).toEqual([
      'W:W4.old[state=CONFIRMED]', 'W:W4.sw[state=CONFIRMED]',
      'T:T6N.old[state=CONFIRMED]',
      'W:W4.trans',
      'T:T6N.sw[state=DELETED]', 'T:T6N.trans',
    ]);
    // Both callers then see old CONFIRMED and new DELETED, and both run the winner's teardown (W8w.., T7w..).
    expect(parts.some((x) => x.step === 'W8w') && parts.some((x) => x.step === 'T7w')).toBe(true);
    // The switch's load is a step of its own only where two processes can be inside H: with fix 05's retry, DbDeleteOnce holds.
    const retry = check(explorable(dialogModel(cfg('bye-vs-timeout', 'fixed', { lock: 'posix-sem', memory: 'sc', eintr: 1 }))));
    expect(retry.properties.find((p) => p.name === 'DbDeleteOnce')!.verdict).toBe('holds');
  });

  it("the INVITE transaction's deletion follows dlg_onreply's tests of old and new: old CONFIRMED_NA, new DELETED is the 'failed' branch (805), whose unref (818-819) drops the reference *unref stood for", () => {
    const m = dialogModel(cfg('drop-after-sync', 'orig'));
    const i = m.programs.findIndex((p) => p.actor === 'I');
    const pcOf = (id: string) => m.programs[i].instrs.findIndex((x) => x.id === id);
    const base = m.names.holderIndex.get('base')!;
    const at = (old: number, sw: number, nw: number, unref: number) => {
      const s = m.initialStates()[0];
      s.actors[i].pc = pcOf('I2.branch');
      Object.assign(s.actors[i].loc, { old, sw, nw, unref });
      return s;
    };
    const go = (s: DialogState, steps: readonly string[]) => {
      for (const id of steps) s = m.next(s, m.actions(s).find((a) => a.actor === 'I' && a.step.split('[')[0] === id)!);
      return s;
    };
    // The switch found DELETED (another process moved the dialog between the loads): *unref = 1 is TM's reference (1218).
    const failed = go(at(CONFIRMED_NA, DELETED, DELETED, 1), ['I2.branch']);
    expect(failed.actors[i].pc).toBe(pcOf('I3.linkers.H+'));
    const done = go(failed, ['I3.linkers.H+', 'I3.linkers.body', 'I3.linkers.H-', 'I3.failed', 'I3.unref?', 'I3.H+', 'I3.ref-R', 'I3.ref-W']);
    expect([done.ghost.dialogs[0].holders[base], latest(done.cells[0].mem, 'ref')]).toEqual([0, 1]);
    // The same branch without a reference to drop (the switch found CONFIRMED: TM's was dropped inside next_state_dlg).
    expect(go(at(CONFIRMED, CONFIRMED, DELETED, 0), ['I2.branch', 'I3.linkers.H+', 'I3.linkers.body', 'I3.linkers.H-', 'I3.failed', 'I3.unref?']).actors[i].pc).toBe(pcOf('I3.ret'));
    // With PR v1's Part 1, whose removal inside next_state_dlg took the timer's reference: unref_dlg(dlg, 2) drops TM's and the timer's.
    const v1 = dialogModel(cfg('drop-after-sync', 'v1-part1'));
    const s1 = v1.initialStates()[0];
    const timer = v1.names.holderIndex.get('timer')!;
    s1.ghost.dialogs[0].holders[timer] = 1;
    s1.cells[0].mem.hist.ref[0] += 1;
    s1.actors[i].pc = v1.programs[i].instrs.findIndex((x) => x.id === 'I2.branch');
    Object.assign(s1.actors[i].loc, { old: CONFIRMED_NA, sw: DELETED, nw: DELETED, unref: 2, tmr: 1 });
    let t1 = s1;
    for (const id of ['I2.branch', 'I3.linkers.H+', 'I3.linkers.body', 'I3.linkers.H-', 'I3.failed', 'I3.unref?', 'I3.H+', 'I3.ref-R', 'I3.ref-W'])
      t1 = v1.next(t1, v1.actions(t1).find((a) => a.actor === 'I' && a.step.split('[')[0] === id)!);
    expect([t1.ghost.dialogs[0].holders[v1.names.holderIndex.get('base')!], t1.ghost.dialogs[0].holders[timer], latest(t1.cells[0].mem, 'ref')]).toEqual([0, 0, 1]);
    // new EARLY, old not: the DLGCB_EARLY branch returns without the unref (734-739).
    expect(go(at(UNCONFIRMED, EARLY, EARLY, 1), ['I2.branch']).actors[i].pc).toBe(pcOf('I2.early'));
    // The confirmation branch (741-802) is not modelled for I: reaching it is an error naming it, not a wrong state.
    expect(() => go(at(EARLY, CONFIRMED_NA, CONFIRMED_NA, 1), ['I2.branch'])).toThrow(/confirmation branch \(dlg_handlers.c:741-802\) after TDEL is not modelled/);
  });
});

describe("every exit of the 2xx's dlg_onreply lets TM go on to delete the INVITE transaction", () => {
  it("drop-after-sync under EINTR: D's BYE makes the dialog DELETED inside O's next_state_dlg; O takes the 'failed' branch (dlg_handlers.c:805-823), then I runs: the shortest leak leaves no holder", () => {
    const o = check(explorable(dialogModel(cfg('drop-after-sync', 'orig', { lock: 'posix-sem', memory: 'sc', eintr: 1 }))));
    expect(o.stats.complete).toBe(true);
    const dead = (o.coverage as unknown as { dead: string[] }).dead;
    expect(dead.filter((x) => x.startsWith('O:O7'))).toEqual([]);
    expect(dead).toContain('O:O8');
    const leak = o.properties.find((p) => p.name === 'NothingLeaked')!;
    // Before, O ended there without letting I run, and the shortest leak was I's reference never dropped (33 steps, 'base=1').
    expect([leak.verdict, leak.explanation, leak.trace!.length - 1]).toEqual(['violated', 'freed=0 ref=2 inList=false H=[] TL=[] holders left: none', 53]); // 48 with one load of state per next_state_dlg, 51 with one load of ref per unref_dlg_unsafe
    const steps = leak.trace!.slice(1).flatMap((t) => (t.action as unknown as { parts: { actor: string; step: string }[] }).parts.map((x) => `${x.actor}:${x.step}`));
    const o7 = steps.indexOf('O:O7.ret');
    expect(o7).toBeGreaterThan(0);
    expect(steps.findIndex((x) => x.startsWith('I:'))).toBeGreaterThan(o7);
  });

  it('O8 (a 2xx for a dialog already confirmed or deleted: reachable in no scenario of today) lets TM go on too', () => {
    const m = dialogModel(cfg('drop-after-sync', 'orig'));
    const o = m.programs.findIndex((p) => p.actor === 'O');
    const s = m.initialStates()[0];
    s.actors[o].pc = m.programs[o].instrs.findIndex((i) => i.id === 'O8');
    const done = (x: DialogState) => x.ghost.marks[m.names.markIndex.get('O:done')!];
    expect(done(s)).toBe(false);
    const t = m.next(s, m.actions(s).find((a) => a.actor === 'O' && a.step === 'O8')!);
    expect([done(t), t.actors[o].pc]).toEqual([true, m.programs[o].instrs.length]);
  });
});

describe('reductions do not change verdicts', () => {
  const small = ['bye-vs-timeout', 'ok-short-lifetime', 'route-vs-update', 'pr-bye-first'];
  const grains: Granularity[] = ['steps', 'local', 'sections'];
  for (const scenario of small) {
    for (const variant of ['orig', 'v1-both', 'v3'] as VariantName[]) {
      it(`${scenario} / ${variant}: steps, local and sections give the same verdicts`, () => {
        const m = dialogModel(cfg(scenario, variant));
        const [a, b, c] = grains.map((g) => check(explorable(m, g)));
        expect(a.stats.complete && b.stats.complete && c.stats.complete).toBe(true);
        expect(verdicts(b)).toEqual(verdicts(a));
        expect(verdicts(c)).toEqual(verdicts(a));
        // The reductions only ever remove states.
        expect(b.stats.states).toBeLessThanOrEqual(a.stats.states);
        expect(c.stats.states).toBeLessThanOrEqual(b.stats.states);
      });
    }
  }

  it('with EINTR (locks do not exclude), merging sections is refused and merging local steps keeps the verdicts', () => {
    const m = dialogModel(cfg('ok-short-lifetime', 'orig', { lock: 'posix-sem', memory: 'sc', eintr: 1 }));
    expect(m.locksExclude).toBe(false);
    expect(() => explorable(m, 'sections')).toThrow(/cannot be merged/);
    const a = check(explorable(m, 'steps'));
    const b = check(explorable(m, 'local'));
    expect(verdicts(b)).toEqual(verdicts(a));
    expect(a.violations.map((v) => v.name)).toContain('LockExclusion');
  });
});

describe("a trace shows a lock's value where its holders do not imply it, and HASBYE once set", () => {
  const viewOf = (m: ReturnType<typeof dialogModel>, s: DialogState) => stateView(m.names, s);
  it('fast lock: a holder inside with the word at 0 (a release by a process that was not inside) shows as I[word=0], in the view and the lanes', () => {
    const m = dialogModel(cfg('drop-after-sync', 'orig'));
    const s = m.initialStates()[0];
    const i = m.names.actors.indexOf('I');
    s.locks.H[0].held[i] = 1;
    s.locks.H[0].v = 1;
    expect(viewOf(m, s)).toMatchObject({ H: 'I', TL: '-' });
    s.locks.H[0].v = 0;
    expect(viewOf(m, s)).toMatchObject({ H: 'I[word=0]', TL: '-' });
    expect(defaultLanes.locks(viewOf(m, s))).toBe('H=I[word=0] TL=-');
    // A free lock whose word is 0 is as its holders imply.
    s.locks.H[0].held[i] = 0;
    expect(viewOf(m, s)).toMatchObject({ H: '-' });
  });

  it('semaphore: one process inside with the value at 1 (posted by a process that entered on an EINTR) shows W[sem=1]; two inside at 0 show no value; 2 with none inside shows -[sem=2]', () => {
    const m = dialogModel(cfg('bye-vs-timeout', 'orig', { lock: 'posix-sem', memory: 'sc', eintr: 1 }));
    const s = m.initialStates()[0];
    const [w, t] = ['W', 'T'].map((a) => m.names.actors.indexOf(a));
    expect(viewOf(m, s)).toMatchObject({ H: '-' });
    s.locks.H[0].held[w] = 1;
    s.locks.H[0].held[t] = 1;
    s.locks.H[0].v = 0;
    expect(viewOf(m, s)).toMatchObject({ H: 'T,W' });
    s.locks.H[0].held[t] = 0;
    s.locks.H[0].v = 1;
    expect(viewOf(m, s)).toMatchObject({ H: 'W[sem=1]' });
    s.locks.H[0].held[w] = 0;
    s.locks.H[0].v = 2;
    expect(viewOf(m, s)).toMatchObject({ H: '-[sem=2]' });
    expect(defaultLanes.locks(viewOf(m, s))).toBe('H=-[sem=2] TL=-');
  });

  it("drop-after-sync's shortest traces: the release at dlg_replication.c:1296 by D, which is not inside, shows as a change of the lock's text in D's step (the holder's name gains [word=0]); REQBYE's HASBYE shows as set", () => {
    const m = dialogModel(cfg('drop-after-sync', 'orig'));
    const o = check(explorable(m));
    const lines: string[] = [];
    let bye = false;
    for (const p of o.properties) {
      const tr = p.trace ?? [];
      for (let k = 1; k < tr.length; k++) {
        const a = tr[k].action as unknown as { parts?: { step: string }[]; step: string };
        const steps = (a.parts ?? [a]).map((x) => x.step);
        const ch = diffStates(viewOf(m, tr[k - 1].state), viewOf(m, tr[k].state));
        if (steps.includes('D8.H-')) lines.push(ch.map((c) => `${c.path}:${String(c.from)}->${String(c.to)}`).join(' '));
        if (ch.some((c) => c.path === 'hasBye' && c.to === true)) bye = true;
      }
    }
    // D releases H(0) at the loop's end either holding it (drop_dlg took it) or not (drop_dlg returned from an early dialog without it: 1213-1216).
    expect([...new Set(lines)].sort()).toEqual(['H:D->- pc.D:D8.H-->done', 'H:O->O[word=0] pc.D:D8.H-->done']);
    expect(bye).toBe(true);
  });
});

describe("remove_dlg_timer's release and the caller's test cite the path taken", () => {
  // bye-vs-timeout (fast-lock/sc, orig): W's remove finds the entry linked once (0: unref++) and
  // detached by the timer routine in 7 transitions (1); the destroys' removes find it absent.
  const o = check(explorable(dialogModel(cfg('bye-vs-timeout', 'orig'))));
  const fired = (step: string) => o.coverage.steps.filter((c) => c.step === step).reduce((n, c) => n + c.count, 0);
  const m = dialogModel(cfg('bye-vs-timeout', 'orig'));
  const src = (actor: string, step: string) => {
    const ins = m.names.programs.find((p) => p.actor === actor)!.instrs.find((i) => i.id === step)!;
    return `${ins.src.file}:${ins.src.line}${ins.src.endLine !== undefined ? `-${ins.src.endLine}` : ''}`;
  };

  it('each path fires as the timer list allows', () => {
    expect(o.stats.states).toBe(204);
    expect(['W10w.TL-', 'W10w.absent-TL-', 'W10w.bogus-TL-', 'W14.rm-TL-', 'W14.rm-absent-TL-', 'T7l.rm-absent-TL-'].map(fired)).toEqual([1, 7, 0, 0, 3, 1]);
  });

  it('the release: 513 after a removal, 496 for an entry not in the list, 503 for a bogus one', () => {
    expect(['W10w.TL-', 'W10w.absent-TL-', 'W10w.bogus-TL-'].map((s) => src('W', s))).toEqual(['dlg_timer.c:513', 'dlg_timer.c:496', 'dlg_timer.c:503']);
    expect(['W14.rm-TL-', 'W14.rm-absent-TL-', 'W14.rm-bogus-TL-'].map((s) => src('W', s))).toEqual(['dlg_timer.c:513', 'dlg_timer.c:496', 'dlg_timer.c:503']);
  });

  it("the caller's branch: unref++ only on 0 (dlg_handlers.c:2152-2154), the debug log on 1, the critical log on -1", () => {
    expect(['W10w.ret', 'W10w.ret-absent', 'W10w.ret-bogus'].map((s) => src('W', s))).toEqual([
      'dlg_handlers.c:2152-2154',
      'dlg_handlers.c:2143-2151',
      'dlg_handlers.c:2134-2142',
    ]);
  });
});

describe("unref_dlg_unsafe loads ref three times after its subtraction (dlg_hash.h:326, 330, 337; ref is volatile, dlg_hash.h:136)", () => {
  const EINTR1: Env = { lock: 'posix-sem', memory: 'sc', eintr: 1 };
  // A state whose 'bogus ref' line prints a count that is not negative: only a write between the test's load and the log's.
  const printsNonNegative = always('LogNegative', "a 'bogus ref' line prints a negative count", (s: DialogState) => !(s.ghost.bogus !== 0 && s.ghost.bogusRef >= 0));

  it('the steps cite the three loads: the test (326), the log and abort (327-335), the test of 337', () => {
    const t = dialogModel(cfg('bye-vs-timeout', 'orig')).programs.find((p) => p.actor === 'T')!;
    const at = (id: string) => {
      const s = t.instrs.find((i) => i.id === id)!.src;
      return `${s.file}:${s.line}${s.endLine !== undefined ? `-${s.endLine}` : ''}`;
    };
    expect(['T7w.unref.chk', 'T7w.unref.log', 'T7w.unref.chk0'].map(at)).toEqual(['dlg_hash.h:326', 'dlg_hash.h:327-335', 'dlg_hash.h:337']);
  });

  it("bye-vs-timeout under EINTR: T's test loads -1, W's stale write of 1 lands, and T's log prints 'bogus ref 1 with cnt 2'", () => {
    const m = dialogModel(cfg('bye-vs-timeout', 'orig', EINTR1));
    const o = check({ ...explorable(m), properties: [printsNonNegative] }, { stopOnFirstViolation: true });
    const p = o.properties[0];
    expect(p.verdict).toBe('violated');
    const last = p.trace!.at(-1)!.state as DialogState;
    expect([p.trace!.length - 1, m.names.stepLabels[last.ghost.bogus - 1], last.ghost.bogusRef, last.ghost.bogusCnt]).toEqual([65, 'T:T7w.unref.log', 1, 2]);
    const tail = p.trace!.slice(-3).map((x) => `${x.action!.actor}:${x.action!.step}`);
    expect(tail).toEqual(['T:T7w.unref.chk', 'W:W14.ref-W', 'T:T7w.unref.log']);
  });

  it("where H excludes, the log prints what the test loaded (bye-vs-timeout-B, fast-lock/sc under the PR's assumption: 'bogus ref' is reached, and never with a count that is not negative; exhaustive)", () => {
    const m = dialogModel(cfg('bye-vs-timeout-B', 'orig', { lock: 'fast-lock', memory: 'sc', eintr: 0, assume: ['remove-after-expiry-returns-0'] }));
    const bogus = always('NoBogus', "no 'bogus ref' line", (s: DialogState) => s.ghost.bogus === 0);
    const o = check({ ...explorable(m), properties: [bogus, printsNonNegative] });
    expect([o.stats.complete, ...o.properties.map((p) => p.verdict)]).toEqual([true, 'violated', 'holds']);
  });

  it("through a stale pointer into reused memory H does not exclude: in ok-short-lifetime-reuse (fast-lock/sc) I's TDEL test loads -1 and its log prints 0", () => {
    const m = dialogModel(cfg('ok-short-lifetime-reuse', 'orig'));
    const o = check({ ...explorable(m), properties: [printsNonNegative] }, { stopOnFirstViolation: true });
    const last = o.properties[0].trace!.at(-1)!.state as DialogState;
    expect([o.properties[0].trace!.length - 1, m.names.stepLabels[last.ghost.bogus - 1], last.ghost.bogusRef, last.ghost.bogusCnt]).toEqual([80, 'I:I2.tdel.log', 0, 1]);
  });
});

describe('TypeOK checks every memory field of every cell', () => {
  // A value just outside each field's range, on either side, in the live part of its history fails TypeOK; one in
  // the unused part of a relaxed field's history does not.
  for (const scenario of ['bye-vs-timeout', 'bye-vs-timeout-B-shared-bucket']) {
    it(`${scenario}: each field in turn, below and above its range, in the last cell`, () => {
      const m = dialogModel(cfg(scenario, 'orig', { lock: 'fast-lock', memory: 'relaxed', eintr: 0 }));
      const ranges = memoryRanges(m.names);
      const typeOK = m.properties.find((p) => p.name === 'TypeOK')!;
      const start = m.initialStates()[0];
      expect(typeOK.holds(start)).toBe(true);
      const k = start.cells.length - 1;
      const unusedChecked: string[] = [];
      for (const f of FIELDS) {
        for (const bad of [ranges[f][0] - 1, ranges[f][1] + 1]) {
          const s = m.clone!(start);
          s.cells[k].mem.hist[f][0] = bad;
          expect([f, bad, typeOK.holds(s)]).toEqual([f, bad, false]);
          const unused = m.clone!(start);
          if (unused.cells[k].mem.hist[f].length > 1) {
            unused.cells[k].mem.hist[f][1] = bad;
            expect([f, bad, 'unused', typeOK.holds(unused)]).toEqual([f, bad, 'unused', true]);
            unusedChecked.push(f);
          }
        }
      }
      // The relaxed fields keep histories: their unused entries were tried.
      expect([...new Set(unusedChecked)]).toEqual(RELAXED_FIELDS);
    });
  }
});
