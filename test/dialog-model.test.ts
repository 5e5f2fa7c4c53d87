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
