/**
 * The defects the dialog model finds at aad6b856835a and their fixes
 * (fixes/*.patch, the fix-* variants of spec/dialog/variants.ts): for each,
 * the cell whose shortest counterexample shows it in the code as written, and
 * the variants that fix it. docs/fixes.md is rendered from these, the
 * manifest and the patches (src/report/fixes.ts).
 */
import { readFileSync } from 'node:fs';
import type { Action, Trace } from '../engine/index.js';
import { FIX_PATCHES, type FixName } from '../../spec/dialog/variants.js';
import { dialogRuns, runId, type Manifest } from './dialog.js';
import { execute } from './run.js';
import { choiceRequest, chooseTraces } from './shortest.js';

export interface Defect {
  readonly id: string;
  readonly title: string;
  /** The fixes of this defect; more than one when two designs were modelled. */
  readonly fixes: readonly FixName[];
  /** The cell of the code as written (`orig`) whose shortest counterexample shows the defect. */
  readonly before: { readonly scenario: string; readonly env: string; readonly property: string };
}

export const DEFECTS: readonly Defect[] = [
  {
    id: '01',
    title: 'The timer reference is taken after the tl is linked (dlg_onreply O4/O5; $DLG_timeout X2d/X2e)',
    fixes: ['fix-ref-first', 'fix-ref-locked'],
    before: { scenario: 'ok-short-lifetime', env: 'fast-lock/sc', property: 'NoUseAfterFree' },
  },
  {
    id: '02',
    title: "The on_timeout route's unlocked unset, test and restore of the tl (dlg_ontimeout T4b..T4f)",
    fixes: ['fix-route'],
    before: { scenario: 'route-vs-update', env: 'fast-lock/sc', property: 'TimerListIntegrity' },
  },
  {
    id: '03',
    title: "A replicated delete that finds nothing to do keeps its look-up reference (dlg_replicated_delete R4)",
    fixes: ['fix-repl-del'],
    before: { scenario: 'replicated-delete', env: 'fast-lock/sc', property: 'NothingLeaked' },
  },
  {
    id: '04',
    title: 'drop_dlg returns without the bucket lock that its caller then releases (D3, D8)',
    fixes: ['fix-drop'],
    before: { scenario: 'drop-after-sync', env: 'fast-lock/sc', property: 'LockExclusion' },
  },
  {
    id: '05',
    title: 'lock_get under USE_POSIX_SEM ignores an interrupted sem_wait (EINTR)',
    fixes: ['fix-eintr'],
    before: { scenario: 'bye-vs-timeout', env: 'posix-sem/sc/eintr1', property: 'NoCrash3835' },
  },
  {
    id: '06',
    title: 'The module sends BYEs for a dialog that another process already ended (timer with the B flag; pinger)',
    fixes: ['fix-bye'],
    before: { scenario: 'bye-vs-timeout-B', env: 'fast-lock/sc', property: 'NoByeAfterDelete' },
  },
  {
    id: '07',
    title: 'remove_dialog_from_db runs more than once for a dialog',
    fixes: ['fix-db-winner', 'fix-db-flag'],
    before: { scenario: 'bye-vs-timeout-B', env: 'fast-lock/sc', property: 'DbDeleteOnce' },
  },
];

/** The shortest counterexample of a defect in the code as written, as `check` prints it. */
export interface Before {
  readonly defect: string;
  readonly states: number;
  readonly explanation: string;
  readonly trace: Trace<unknown, Action>;
  readonly count: string | null;
  readonly switches: number | null;
}

/** Runs each defect's `before` cell and chooses its printed trace (a few seconds in all). */
export function beforeCounterexamples(manifest: Manifest): Before[] {
  const runs = dialogRuns(manifest);
  return DEFECTS.map((d) => {
    const { scenario, env, property } = d.before;
    const run = runs.find((r) => r.id === runId(scenario, env, 'orig'));
    if (run === undefined) throw new Error(`defect ${d.id}: no matrix row ${scenario} ${env}`);
    const o = execute(run).outcome;
    const p = o.properties.find((x) => x.name === property);
    if (p?.verdict !== 'violated' || !p.trace) throw new Error(`defect ${d.id}: ${property} is not violated in ${run.id}`);
    const [chosen] = chooseTraces(run, [choiceRequest(property, p.trace.length - 1, o.stats)]);
    if (chosen.trace === null) throw new Error(`defect ${d.id}: no trace chosen (${chosen.why})`);
    return {
      defect: d.id,
      states: o.stats.states,
      explanation: chosen.explanation ?? p.explanation ?? '',
      trace: chosen.trace,
      count: chosen.count,
      switches: chosen.switches,
    };
  });
}

/** A patch file's parts: its leading text (the header) and, per file it changes, the new-file line ranges of its hunks. */
export interface PatchInfo {
  readonly header: string;
  readonly hunks: ReadonlyMap<string, readonly { readonly start: number; readonly end: number }[]>;
  readonly added: number;
  readonly removed: number;
}

export function readPatch(path: string): PatchInfo {
  const text = readFileSync(path, 'utf8');
  const first = text.indexOf('\ndiff --git ');
  if (first < 0) throw new Error(`${path}: no 'diff --git' line`);
  const hunks = new Map<string, { start: number; end: number }[]>();
  let file = '';
  let added = 0;
  let removed = 0;
  for (const line of text.slice(first + 1).split('\n')) {
    const d = /^\+\+\+ b\/(.*)$/.exec(line);
    if (d) {
      file = d[1].replace(/^modules\/dialog\//, '');
      hunks.set(file, []);
      continue;
    }
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h) {
      const start = Number(h[1]);
      hunks.get(file)!.push({ start, end: start + Number(h[2] ?? 1) - 1 });
      continue;
    }
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    else if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  return { header: text.slice(0, first).trim(), hunks, added, removed };
}

export const patchPath = (fix: FixName): string => new URL(`../../${FIX_PATCHES[fix]}`, import.meta.url).pathname;
