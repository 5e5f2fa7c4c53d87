/**
 * The default-tier rows of the dialog matrix, for comparing the packed model
 * with the one keyed by its text (test/packed.test.ts, test/packed-2.test.ts
 * to test/packed-4.test.ts): split in PARTS parts of about the same cost (one
 * file each, so that a machine whose vitest runs several files at a time
 * shares them out), each part's rows compared in child processes
 * (`compareRows`: both cores of a 2-core machine, where vitest runs one file
 * at a time), and the comparison of one row.
 */
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dialogRuns, loadManifest } from '../../src/check/dialog.js';
import { describeDifference, execute, forgetExplorations, type RunSpec } from '../../src/check/run.js';
import { inWorkers } from '../../src/check/pool.js';
import { availableParallelism } from 'node:os';
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
 * What comparing a row costs, about: the transitions its default-tier runs
 * pin, each exploration once (variants that share one, SameAs, pin the same
 * counts).
 */
export function rowWeight(runs: readonly RunSpec[]): number {
  const explorations = new Map<string, number>();
  for (const r of runs) explorations.set(`${r.expect.states}/${r.expect.transitions}/${r.expect.depth}`, r.expect.transitions ?? 0);
  return [...explorations.values()].reduce((a, b) => a + b, 0);
}

/**
 * Part `part` (0 to PARTS - 1) of the rows: heaviest first (rowWeight), each
 * to the lightest part so far.
 */
export function rowsOfPart(part: number): [string, RunSpec[]][] {
  const sorted = [...defaultRows()].map((e) => [e, rowWeight(e[1])] as const).sort((a, b) => b[1] - a[1]);
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

/** The first 200 characters of a value as JSON. */
const brief = (v: unknown): string => {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 200 ? `${t.slice(0, 200)}...` : t;
};

/** How two different values differ: for two arrays, from their first differing entry. */
const difference = (a: unknown, b: unknown): string => {
  if (Array.isArray(a) && Array.isArray(b)) {
    let i = 0;
    while (i < a.length && i < b.length && isDeepStrictEqual(a[i], b[i])) i++;
    return `from [${i}] (of ${a.length} and ${b.length}): packed ${brief(a.slice(i))}, keyed by text ${brief(b.slice(i))}`;
  }
  return `packed ${brief(a)}, keyed by text ${brief(b)}`;
};

/**
 * Every variant of a row, packed and keyed by text: where their outcomes
 * differ, one line per run and part of the outcome (none when they agree
 * step by step, and the packed one is as declared and complete).
 */
export function rowMismatches(runs: readonly RunSpec[]): string[] {
  const out: string[] = [];
  forgetExplorations();
  for (const run of runs) {
    const packed = execute(run);
    const text = execute(run, { textKeys: true });
    if (packed.differences.length > 0) out.push(`${run.id}: not as declared: ${packed.differences.map(describeDifference).join('; ')}`);
    if (!packed.outcome.stats.complete) out.push(`${run.id}: incomplete`);
    const a = summary(packed.outcome);
    const b = summary(text.outcome);
    for (const k of Object.keys(a) as (keyof typeof a)[]) {
      if (!isDeepStrictEqual(a[k], b[k])) out.push(`${run.id}: ${k}: ${difference(a[k], b[k])}`);
    }
    // Both modes share with the same earlier variant, or neither does.
    if (text.sameAs !== packed.sameAs) out.push(`${run.id}: shares with ${packed.sameAs ?? 'none'} packed, ${text.sameAs ?? 'none'} keyed by text`);
  }
  forgetExplorations();
  return out;
}

const WORKER = fileURLToPath(new URL('./packed-worker.ts', import.meta.url));

/**
 * Child processes per test file: the cores that vitest leaves to each of the
 * files it runs at once (by default one fewer than the cores, at least one),
 * so two on a 2-core machine, where it runs one file at a time.
 */
export function childProcesses(cores = availableParallelism()): number {
  const filesAtOnce = Math.max(cores - 1, 1);
  return Math.max(1, Math.floor(cores / filesAtOnce));
}

/**
 * rowMismatches of each row, by name, computed in child processes
 * (childProcesses). Each name gets its list: a row whose comparison threw
 * gets what it threw; a child that exits with an error fails the whole call.
 */
export async function compareRows(rows: readonly (readonly [string, unknown])[]): Promise<Map<string, string[]>> {
  const results = new Map<string, string[]>();
  await inWorkers<{ id: string; mismatches: string[] }>(
    childProcesses(),
    rows.map(([name]) => ({ id: name })),
    (r) => results.set(r.id, r.mismatches),
    undefined,
    WORKER,
  );
  return results;
}
