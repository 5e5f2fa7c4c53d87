/**
 * The fixes (fixes/*.patch and the fix-* variants): each variant's steps cite
 * lines that its patch adds or changes; `fixed` and `v3+fixes` are exactly
 * their fix sets; from the pinned manifest, each fix removes its own
 * counterexample and violates nothing the code as written does not, `fixed`
 * is ok wherever the code's own semantics hold, and no cell deadlocks;
 * NoDeadlock catches a seeded lost release; docs/fixes.md is fresh.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/index.js';
import { explorable } from '../src/check/granularity.js';
import { loadManifest, rowVariants } from '../src/check/dialog.js';
import { DEFECTS, beforeCounterexamples, patchPath, readPatch } from '../src/check/fixes.js';
import { fixEffect, fixedNotOk, renderFixesDoc } from '../src/report/fixes.js';
import { dialogModel } from '../spec/dialog/model.js';
import { SCENARIOS, scenarioByName } from '../spec/dialog/scenarios.js';
import { FIX_NAMES, FIX_PATCHES, FIX_SETS, VARIANTS, VARIANT_NAMES, type FixName, type Variant } from '../spec/dialog/variants.js';
import type { Env } from '../spec/dialog/state.js';

const SC: Env = { lock: 'fast-lock', memory: 'sc', eintr: 0 };
const manifest = loadManifest();
const SWITCHES = ['timerRef', 'routeWindowLocked', 'replDeleteUnref', 'dropRelock', 'eintrRetry', 'claimBeforeBye', 'dbRemove'] as const;

describe('the patches', () => {
  it.each(FIX_NAMES.map((f) => [f]))('%s: a header that says what, why safe and what not, then a diff', (f) => {
    const p = readPatch(patchPath(f as FixName));
    expect(p.header).toMatch(/^Fixes \(fix 0\d/m);
    expect(p.header).toMatch(/^Why it is safe:/m);
    expect(p.header).toMatch(/^Not covered:/m);
    expect(p.hunks.size).toBeGreaterThan(0);
    expect(p.added + p.removed).toBeGreaterThan(0);
  });

  it("every step a fix adds or changes cites a line inside one of its patch's hunks, in a file the patch changes", () => {
    const bad: string[] = [];
    let cited = 0;
    for (const sc of SCENARIOS) {
      for (const v of VARIANT_NAMES) {
        for (const st of dialogModel({ scenario: sc, variant: v, env: SC }).steps!) {
          const m = /^(.*)@(fix-[a-z-]+)$/.exec(st.source!.file);
          if (!m) continue;
          cited++;
          const hunks = readPatch(patchPath(m[2] as FixName)).hunks.get(m[1]);
          const { line, endLine = line } = st.source!;
          if (!hunks?.some((h) => line >= h.start && endLine <= h.end)) bad.push(`${sc.name}/${v} ${st.actor}:${st.step} ${st.source!.file}:${line}-${endLine}`);
        }
      }
    }
    expect(cited).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });
});

describe('the fix sets', () => {
  const orig = VARIANTS.orig;
  /** The switches one fix changes from the code as written. */
  const delta = (v: Variant) => SWITCHES.filter((k) => v[k] !== orig[k]);
  it('each single fix changes exactly one switch', () => {
    for (const f of FIX_NAMES) expect([f, delta(VARIANTS[f]).length]).toEqual([f, 1]);
  });
  it.each([['fixed', 'orig'], ['v3+fixes', 'v3']] as const)('%s is %s plus exactly the fixes of FIX_SETS', (set, base) => {
    const v = VARIANTS[set];
    const expected: Record<string, unknown> = Object.fromEntries(SWITCHES.map((k) => [k, VARIANTS[base][k]]));
    for (const f of FIX_SETS[set]) for (const k of delta(VARIANTS[f])) expected[k] = VARIANTS[f][k];
    expect(Object.fromEntries(SWITCHES.map((k) => [k, v[k]]))).toEqual(expected);
    expect([v.part1, v.timerStateRead, v.timerTransitions]).toEqual([VARIANTS[base].part1, VARIANTS[base].timerStateRead, VARIANTS[base].timerTransitions]);
    // Every defect has one of its fixes in `fixed`; v3 replaces fix 06 with its own timer transition.
    for (const d of DEFECTS) expect([d.id, d.fixes.filter((f) => FIX_SETS[set].includes(f)).length]).toEqual([d.id, set === 'v3+fixes' && d.id === '06' ? 0 : 1]);
    for (const f of FIX_SETS[set]) expect(Object.keys(FIX_PATCHES)).toContain(f);
  });
});

describe('the pinned verdicts (check-manifest.json)', () => {
  it.each(DEFECTS.flatMap((d) => d.fixes.map((f) => [d.id, f] as const)))('defect %s, %s: removes its own counterexample and violates nothing the code as written does not', (id, f) => {
    const d = DEFECTS.find((x) => x.id === id)!;
    expect(manifest.runs.find((r) => r.scenario === d.before.scenario && r.env === d.before.env && r.variant === 'orig')!.violated).toContain(d.before.property);
    expect(fixEffect(manifest, d, f)).toEqual({ removesOwn: true, newViolations: [] });
  });

  it("`fixed` is ok in every row but the PR-assumed ones, which are explained; `v3+fixes` only keeps v3's own double DB removal", () => {
    const notOk = fixedNotOk(manifest);
    expect(notOk.every((r) => r.why !== null)).toBe(true);
    expect(notOk.map((r) => r.env)).toEqual(notOk.map(() => 'fast-lock/sc/pr-assumed'));
    const rows = manifest.rows.filter((r) => manifest.environments[r.env].assume === undefined);
    const violated = (row: (typeof rows)[number], v: string) => manifest.runs.find((r) => r.scenario === row.scenario && r.env === row.env && r.variant === v)!.violated;
    expect(rows.filter((row) => violated(row, 'fixed').length > 0)).toEqual([]);
    expect(rows.flatMap((row) => violated(row, 'v3+fixes')).filter((p) => p !== 'DbDeleteOnce')).toEqual([]);
  });

  it('no cell deadlocks', () => {
    expect(manifest.runs.length).toBe(manifest.rows.reduce((n, r) => n + rowVariants(r).length, 0));
    expect(manifest.runs.filter((r) => r.violated.includes('NoDeadlock')).map((r) => `${r.scenario} ${r.env} ${r.variant}`)).toEqual([]);
  });
});

describe('NoDeadlock', () => {
  const model = () => dialogModel({ scenario: scenarioByName('bye-vs-timeout')!, variant: 'orig', env: SC });
  const verdict = (m: ReturnType<typeof model>) => check(explorable(m, 'local')).properties.find((p) => p.name === 'NoDeadlock')!;

  it('holds in the code as written (the timer idles, every other process returns)', () => {
    expect(verdict(model()).verdict).toBe('holds');
  });

  it('reports the process that waits forever when a seeded mutation loses a release of H (W14, its last step, never releases it)', () => {
    const m = model();
    const w = m.programs.find((p) => p.actor === 'W')!;
    const i = w.instrs.findIndex((x) => x.id === 'W14.H-');
    w.instrs[i] = { id: 'W14.H-', src: w.instrs[i].src }; // the release is gone: W returns still holding H
    const p = verdict(m);
    expect(p.verdict).toBe('violated');
    expect(p.explanation).toBe("T waits at T7w.linkers.H+ (dlg_handlers.c:2557) for H (value 1, held by [W])");
  });
});

describe('scripts/check-fixes.ts refuses bad input (one line on stderr, exit 2)', () => {
  const run = (...args: string[]) => spawnSync('npx', ['tsx', 'scripts/check-fixes.ts', ...args], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' });
  it.each([
    [[], 'check-fixes: give at least one --tree DIR (an OpenSIPS work tree)'],
    [['--tree', '/nonexistent/tree'], 'check-fixes: /nonexistent/tree: not a directory'],
    [['--tree', '.', '--posix-sem'], 'check-fixes: --posix-sem only makes sense with --compile'],
    [['--frobnicate'], "check-fixes: unknown argument '--frobnicate' (usage: --tree DIR [--tree DIR ...] [--compile] [--posix-sem])"],
  ])('%j', (args, line) => {
    const r = run(...(args as string[]));
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `${line}\n`]);
  });
  it('a directory that is not an OpenSIPS tree', () => {
    const d = mkdtempSync(join(tmpdir(), 'not-opensips-'));
    try {
      const r = run('--tree', d);
      expect([r.status, r.stdout, r.stderr]).toEqual([2, '', `check-fixes: ${d}: not an OpenSIPS tree (no modules/dialog/dlg_hash.c or lock_ops.h)\n`]);
    } finally {
      rmSync(d, { recursive: true });
    }
  });
});

describe('docs/fixes.md', () => {
  it('shows the fixes as they are (regenerate with npx tsx scripts/fixes-doc.ts)', () => {
    const doc = readFileSync(new URL('../docs/fixes.md', import.meta.url), 'utf8');
    expect(renderFixesDoc(manifest, beforeCounterexamples(manifest))).toBe(doc);
  }, 120_000);
});
