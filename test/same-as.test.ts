/**
 * Runs that share an exploration (src/check/run.ts, SameAs): a variant whose
 * every field the exploration read agrees with an earlier variant's gets its
 * outcome without exploring again. The shared outcomes must be exactly the
 * explored ones, and a field read only while exploring (not when building)
 * must keep variants apart.
 */
import { describe, expect, it } from 'vitest';
import { dialogRuns, loadManifest } from '../src/check/dialog.js';
import { execute, forgetExplorations, type RunSpec } from '../src/check/run.js';
import { dialogModel } from '../spec/dialog/model.js';
import { scenarioByName } from '../spec/dialog/scenarios.js';
import { recordingVariant, VARIANTS } from '../spec/dialog/variants.js';
import { explorable } from '../src/check/granularity.js';
import { check } from '../src/engine/index.js';

const manifest = loadManifest();
const row = (scenario: string, env: string): RunSpec[] => dialogRuns(manifest).filter((r) => r.tags.scenario === scenario && r.tags.env === env);
const summary = (o: ReturnType<typeof execute>['outcome']) => ({ status: o.status, stats: { ...o.stats, timeMs: 0, statesPerSecond: 0 }, verdicts: o.properties.map((p) => `${p.name}:${p.verdict}:${p.trace?.length ?? '-'}`) });

describe('runs that share an exploration', () => {
  it('records every read of a variant, at build time and while exploring', () => {
    const rec = recordingVariant(VARIANTS['fix-db-flag']);
    expect(rec.variant.dbRemove).toBe('once-flag');
    expect([...rec.reads]).toEqual([['dbRemove', 'once-flag']]);
    // drop-after-sync reads dbRemove inside D6's effect, i.e. only when D6 runs.
    const m = dialogModel({ scenario: scenarioByName('drop-after-sync')!, variant: 'orig', env: manifest.environments['fast-lock/sc'] });
    const before = new Set(m.variantReads.keys());
    check(explorable(m));
    expect(before.has('dbRemove')).toBe(true); // read when building the DB sites of T and the BYE replies
    expect([...m.variantReads.keys()].sort()).toEqual([...new Set([...before, ...m.variantReads.keys()])].sort());
  });

  it.each([
    ['bye-vs-timeout-B', 'fast-lock/sc'],
    ['drop-after-sync', 'fast-lock/sc'],
    ['route-vs-update', 'posix-sem/sc/eintr1'],
  ])('%s %s: every shared outcome is the one its own exploration gives', (scenario, env) => {
    forgetExplorations();
    const runs = row(scenario, env);
    const shared = runs.map((r) => execute(r));
    const own = runs.map((r) => execute({ ...r, sameAs: undefined }));
    expect(shared.map((r) => summary(r.outcome))).toEqual(own.map((r) => summary(r.outcome)));
    expect(own.every((r) => r.sameAs === undefined)).toBe(true);
    // Some variants of the row do share (the fixes that touch steps this scenario has not).
    expect(shared.filter((r) => r.sameAs !== undefined).length).toBeGreaterThan(0);
    for (const r of shared) if (r.sameAs !== undefined) expect(r.outcome.model).toBe(own[shared.indexOf(r)].outcome.model);
  });

  it('does not share where a field that differs was read: fix-db-flag and fix-db-winner differ from orig in drop-after-sync', () => {
    forgetExplorations();
    const runs = row('drop-after-sync', 'fast-lock/sc');
    const results = runs.map((r) => execute(r));
    const by = (v: string) => results.find((r) => r.run.tags.variant === v)!;
    expect(by('fix-db-flag').sameAs).toBeUndefined();
    expect(by('fix-db-winner').sameAs).toBeUndefined();
    // fix-route changes only the on_timeout route, which this scenario does not run: orig's exploration.
    expect(by('fix-route').sameAs).toBe('dialog/drop-after-sync/fast-lock/sc/orig');
  });

  it('would give wrong outcomes if it ignored what the exploration read (the comparison above catches it)', () => {
    forgetExplorations();
    // A seeded mutation: a group that claims to depend on nothing shares orig's outcome with every variant.
    const runs = row('drop-after-sync', 'fast-lock/sc').map((r) => ({ ...r, sameAs: { ...r.sameAs!, group: 'mutated', depends: () => new Map() } }));
    const shared = runs.map((r) => execute(r));
    const own = runs.map((r) => execute({ ...r, sameAs: undefined }));
    expect(shared.map((r) => summary(r.outcome))).not.toEqual(own.map((r) => summary(r.outcome)));
    forgetExplorations();
  });
});

