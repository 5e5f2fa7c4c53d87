/**
 * The default-tier rows of the dialog matrix, for comparing the packed model
 * with the one keyed by its text (test/packed.test.ts, test/packed-2.test.ts
 * to test/packed-4.test.ts): split in PARTS parts of about the same cost, so
 * that vitest keeps both cores busy with them, and the comparison of one row.
 */
import { expect } from 'vitest';
import { dialogRuns, loadManifest } from '../../src/check/dialog.js';
import { execute, forgetExplorations, type RunSpec } from '../../src/check/run.js';
import type { Outcome } from '../../src/engine/index.js';

export const manifest = loadManifest();

/** Every default-tier row, by name ("scenario env"), with its runs. */
export function defaultRows(): Map<string, RunSpec[]> {
  const rows = new Map<string, RunSpec[]>();
  for (const run of dialogRuns(manifest)) {
    if (run.tags.tier === 'full') continue;
    const name = `${run.tags.scenario} ${run.tags.env}`;
    rows.set(name, [...(rows.get(name) ?? []), run]);
  }
  return rows;
}

/** How many test files share the rows. */
export const PARTS = 4;

/**
 * Part `part` (0 to PARTS - 1) of the rows: heaviest first (by the
 * transitions the manifest pins for their variants), each to the lightest
 * part so far.
 */
export function rowsOfPart(part: number): [string, RunSpec[]][] {
  const weight = ([name]: [string, RunSpec[]]) =>
    manifest.runs.filter((r) => `${r.scenario} ${r.env}` === name).reduce((n, r) => n + r.transitions, 0);
  const sorted = [...defaultRows()].map((e) => [e, weight(e)] as const).sort((a, b) => b[1] - a[1]);
  const parts: [string, RunSpec[]][][] = Array.from({ length: PARTS }, () => []);
  const load = new Array<number>(PARTS).fill(0);
  for (const [e, w] of sorted) {
    const i = load.indexOf(Math.min(...load));
    parts[i].push(e);
    load[i] += w;
  }
  return parts[part];
}

const summary = (o: Outcome<unknown>) => ({
  status: o.status,
  complete: o.stats.complete,
  states: o.stats.states,
  transitions: o.stats.transitions,
  depth: o.stats.depth,
  levels: o.stats.levels,
  coverage: o.coverage,
  verdicts: o.properties.map((p) => `${p.name}:${p.verdict}`),
  traces: o.properties.map((p) => (p.trace === undefined ? '-' : JSON.stringify(p.trace))),
});

/** Every variant of a row, packed and keyed by text: the same outcome, step by step. */
export function compareRow(runs: readonly RunSpec[]): void {
  forgetExplorations();
  for (const run of runs) {
    const packed = execute(run);
    const text = execute(run, { textKeys: true });
    expect(packed.differences, run.id).toEqual([]);
    expect(packed.outcome.stats.complete, run.id).toBe(true);
    expect(summary(text.outcome), run.id).toEqual(summary(packed.outcome));
    // Both modes share with the same earlier variant, or neither does.
    expect(text.sameAs, run.id).toBe(packed.sameAs);
  }
  forgetExplorations();
}
