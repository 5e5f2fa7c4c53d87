/**
 * The dialog model: its building blocks against the C code's behaviour, the
 * citation of a C line by every step, exact shortest counterexamples, and the
 * reductions (merging local steps and lock sections) that must not change any
 * verdict.
 */
import { describe, expect, it } from 'vitest';
import { check, type Action, type Outcome } from '../src/engine/index.js';
import { explorable, type Granularity } from '../src/check/granularity.js';
import { dialogModel, type DialogConfig } from '../spec/dialog/model.js';
import { removeTimer, insertTimer, updateTimer, type Ctx } from '../spec/dialog/program.js';
import { SCENARIOS, scenarioByName } from '../spec/dialog/scenarios.js';
import { FAKE, NBR, NULLP, T_DUE, T_ZERO, type DialogState, type Env } from '../spec/dialog/state.js';
import { VARIANT_NAMES, type VariantName } from '../spec/dialog/variants.js';
import { latest } from '../src/memory/views.js';

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
    expect(steps.length).toBe(59);
    // W's test (dlg_db_handler.c@fix-db-flag:1017) then T's, with W's set (1018) not yet done: H admits both after an EINTR.
    expect(steps.filter((x) => /\.db\./.test(x))).toEqual(['W:W11w.db.H+', 'W:W11w.db.test', 'T:T7w.db.H+', 'T:T7w.db.test']);
    expect(db2.trace!.slice(1).flatMap((t) => (t.action as unknown as { parts: { eintr?: boolean; actor: string; step: string }[] }).parts.filter((x) => x.eintr).map((x) => x.step))).toHaveLength(1);
    // Where H excludes (fix 05's retry), the flag is tested and set once: DbDeleteOnce holds.
    const retry = check(explorable(dialogModel(cfg('bye-vs-timeout', 'fixed', EINTR1))));
    expect(retry.properties.find((p) => p.name === 'DbDeleteOnce')!.verdict).toBe('holds');
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
    expect([leak.verdict, leak.explanation, leak.trace!.length - 1]).toEqual(['violated', 'freed=0 ref=2 inList=false H=[] TL=[] holders left: none', 48]);
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
