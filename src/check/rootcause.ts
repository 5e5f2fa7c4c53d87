/**
 * Root-cause search for a crash signature: across scenarios and environments,
 * a shortest trace that ends in the 'bogus ref' line of OpenSIPS issue #3835
 * ('_unref_dlg: bogus ref -2 with cnt 1', the name of the C function whose unref_dlg_unsafe printed it first), and one that ends in any 'bogus ref' abort,
 * or an exhaustive search showing there is none, and which environment
 * features the signature needs.
 *
 * Each (scenario, environment) is a breadth-first search of the dialog
 * model with the two properties NoCrash3835 and NoBogusRef, stopped at its
 * first violation: a state printing #3835's line also violates NoBogusRef, so
 * that ends both searches (each trace a shortest one). When the first
 * violation is another 'bogus ref', a second breadth-first search with
 * NoCrash3835 alone goes on to its first violation or to the end of the
 * state space. No property is left undecided unless a time, state or memory bound stops
 * a search (then it is `unknown`); a property never violated by an
 * exhaustive search is `none`.
 *
 * A model of one dialog whose plain write histories are unbounded under
 * `relaxed` memory (a process that never reads a field pins every write of
 * it, e.g. route-rearm) is searched with canonical histories instead
 * (DialogConfig.canonicalHistories: exact, fewer states); the cell says so.
 * The PR's assumption applies to the models of one dialog only: a scenario
 * of several cells is not searched in such an environment.
 */
import { check, defaultMemoryLimit, type Outcome, type Trace } from '../engine/index.js';
import type { Action } from '../engine/index.js';
import { SpecError } from '../engine/errors.js';
import { dialogProperties, noBogusRef } from '../../invariants/dialog.js';
import { bogusText, dialogModel, dimsOf, type DialogConfig, type DialogNames } from '../../spec/dialog/model.js';
import { scenarioByName } from '../../spec/dialog/scenarios.js';
import type { DialogState, Env } from '../../spec/dialog/state.js';
import { VARIANT_NAMES, type VariantName } from '../../spec/dialog/variants.js';
import { stateView } from '../../spec/dialog/view.js';
import { rowVariants, type Manifest } from './dialog.js';
import { explorable } from './granularity.js';
import { partsOf } from '../format/lanes.js';
import { fileURLToPath } from 'node:url';
import { inWorkers } from './pool.js';

export const SIGNATURE_PROPERTY = 'NoCrash3835';
export const ANY_BOGUS_PROPERTY = 'NoBogusRef';

/** What one search says about one signature. */
export interface Finding {
  /** found: a shortest trace ends in the signature; none: exhaustive, no such state; unknown: a bound stopped the search first. */
  readonly status: 'found' | 'none' | 'unknown';
  /** For found: the line the aborting process printed, and the shortest trace (states as readable views). */
  readonly printed?: string;
  readonly trace?: Trace<unknown, Action>;
  /**
   * For found, when the line's number is not what the printer's own `ref -= cnt`
   * gave: that value. `ref` is volatile (dlg_hash.h:136): the test and LM_CRIT
   * load it again after the subtraction (326, 330), so the line shows another
   * process's write that landed after this process's own.
   */
  readonly wrote?: number;
}

/** A 'bogus ref' abort as the state records it: the process that printed, the number it printed and its cnt. */
export interface BogusAbort {
  readonly actor: string;
  readonly ref: number;
  readonly cnt: number;
}

/** The abort recorded in a state of the model `names` describes (the state must have one). */
export function bogusAbort(names: DialogNames, s: DialogState): BogusAbort {
  const label = names.stepLabels[s.ghost.bogus - 1];
  return { actor: label.slice(0, label.indexOf(':')), ref: s.ghost.bogusRef, cnt: s.ghost.bogusCnt };
}

/**
 * What the printer of a 'bogus ref' line wrote itself: its last read of `ref`
 * in the trace minus the cnt. Undefined when that is the printed value, or
 * when the trace does not show the read.
 */
export function ownWrite(abort: BogusAbort, trace: Trace<unknown, Action>): number | undefined {
  const parts = trace.flatMap((t) => (t.action === null ? [] : partsOf(t.action))) as (Action & { value?: number })[];
  const read = parts.reverse().find((a) => a.actor === abort.actor && a.step.endsWith('.ref-R') && a.value !== undefined);
  if (read === undefined) return undefined;
  const own = read.value! - abort.cnt;
  return own === abort.ref ? undefined : own;
}

export interface SweepCell extends Finding {
  readonly scenario: string;
  readonly env: string;
  readonly variant: VariantName;
  readonly states: number;
  readonly timeMs: number;
  /** The search for any 'bogus ref' abort (the fields above are for issue #3835's line). */
  readonly anyBogus: Finding;
  /** The search kept canonical write histories (its plain ones are unbounded). */
  readonly canonical?: true;
}

export interface SweepOptions {
  readonly scenarios: readonly string[];
  readonly environments: Readonly<Record<string, Env>>;
  readonly variant: VariantName;
  readonly timeLimitMs?: number;
  /** A bound on states for every search, or per environment (undefined: no bound). */
  readonly maxStates?: number | ((env: Env) => number | undefined);
  readonly onCell?: (cell: SweepCell) => void;
}

/** Whether the scenario can be searched in the environment (the PR's assumption is for the models of one dialog). */
export function searchable(scenario: string, env: Env): boolean {
  const def = scenarioByName(scenario);
  return def !== undefined && !(dimsOf(def).multi && (env.assume?.length ?? 0) > 0);
}

export function searchSignature(
  scenario: string,
  envName: string,
  env: Env,
  variant: VariantName,
  opts: { readonly timeLimitMs?: number; readonly maxStates?: number; readonly memoryLimitBytes?: number; readonly onProgress?: () => void } = {},
): SweepCell {
  const def = scenarioByName(scenario);
  if (def === undefined) throw new Error(`unknown scenario '${scenario}'`);
  const search = (canonical: boolean, withAny: boolean) => {
    const cfg: DialogConfig = { scenario: def, variant, env, ...(canonical ? { canonicalHistories: true } : {}) };
    const m = dialogModel(cfg);
    const exact = dialogProperties([], m.names).find((p) => p.name === SIGNATURE_PROPERTY)!;
    const o: Outcome<DialogState, Action> = check(
      { ...explorable(m), properties: withAny ? [exact, noBogusRef(m.names)] : [exact] },
      { stopOnFirstViolation: true, ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}), ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}), ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}), ...(opts.memoryLimitBytes !== undefined ? { memoryLimitBytes: opts.memoryLimitBytes } : {}) },
    );
    return { m, o };
  };
  // Plain histories first; canonical ones if the plain ones are unbounded (the same for the second search).
  let canonical = false;
  const run = (withAny: boolean) => {
    let r = search(canonical, withAny);
    if (!canonical && r.o.status === 'error' && r.o.error instanceof SpecError && /would keep more than \d+ writes/.test(r.o.error.message) && env.memory === 'relaxed') {
      canonical = true;
      r = search(true, withAny);
    }
    if (r.o.status === 'error') throw r.o.error;
    return r;
  };
  const finding = ({ m, o }: ReturnType<typeof run>, name: string): Finding => {
    const p = o.properties.find((q) => q.name === name)!;
    if (p.verdict === 'violated') {
      const trace = p.trace!.map((t) => ({ action: t.action, state: stateView(m.names, t.state) }));
      const last = p.trace![p.trace!.length - 1].state;
      const printed = bogusText(m.names, last);
      const wrote = ownWrite(bogusAbort(m.names, last), trace);
      return { status: 'found', printed, trace, ...(wrote !== undefined ? { wrote } : {}) };
    }
    return { status: p.verdict === 'holds' && o.stats.complete ? 'none' : 'unknown' };
  };
  const first = run(true);
  const anyBogus = finding(first, ANY_BOGUS_PROPERTY);
  let exact = finding(first, SIGNATURE_PROPERTY);
  let last = first;
  // The first violation was another 'bogus ref': search on for #3835's line alone.
  if (exact.status === 'unknown' && first.o.bound === 'stopOnViolation') {
    last = run(false);
    exact = finding(last, SIGNATURE_PROPERTY);
  }
  return {
    scenario,
    env: envName,
    variant,
    states: last.o.stats.states,
    timeMs: first.o.stats.timeMs + (last === first ? 0 : last.o.stats.timeMs),
    ...exact,
    anyBogus,
    ...(canonical ? { canonical: true as const } : {}),
  };
}

/** One search of a sweep: a scenario in an environment (by its name in the manifest, with its definition), for a variant. */
export interface SearchRequest {
  readonly scenario: string;
  readonly env: string;
  readonly envDef: Env;
  readonly variant: VariantName;
  readonly timeLimitMs?: number;
  readonly maxStates?: number;
  /** The memory bound of the process that runs it (default: the engine's, 80% of the machine's; searchAll's share of it). */
  readonly memoryLimitBytes?: number;
}

/** The searches of a sweep (every scenario in every environment where it can be searched), in order. */
export function sweepRequests(opts: Omit<SweepOptions, 'onCell'>): SearchRequest[] {
  const out: SearchRequest[] = [];
  for (const scenario of opts.scenarios) {
    for (const [name, env] of Object.entries(opts.environments)) {
      if (!searchable(scenario, env)) continue;
      const maxStates = typeof opts.maxStates === 'function' ? opts.maxStates(env) : opts.maxStates;
      out.push({ scenario, env: name, envDef: env, variant: opts.variant, ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}), ...(maxStates !== undefined ? { maxStates } : {}) });
    }
  }
  return out;
}

/** One search, in this process. */
export const runSearch = (r: SearchRequest, onProgress?: () => void): SweepCell =>
  searchSignature(r.scenario, r.env, r.envDef, r.variant, { timeLimitMs: r.timeLimitMs, maxStates: r.maxStates, memoryLimitBytes: r.memoryLimitBytes, onProgress });

/** The searches one after the other in this process, in order; `onCell` as each ends. */
export function searchEach(requests: readonly SearchRequest[], onCell?: (cell: SweepCell) => void): SweepCell[] {
  return requests.map((r) => {
    const cell = runSearch(r);
    onCell?.(cell);
    return cell;
  });
}

export const sweep = (opts: SweepOptions): SweepCell[] => searchEach(sweepRequests(opts), opts.onCell);

const SEARCH_WORKER = fileURLToPath(new URL('./rootcause-worker.ts', import.meta.url));

/**
 * The memory bound of each of the processes that run `searches` searches
 * with `jobs` jobs (as many processes as there are searches, at most `jobs`):
 * the engine's default bound (80% of the machine's memory) shared equally.
 */
export const jobMemoryShare = (jobs: number, searches: number, machine: number = defaultMemoryLimit()): number =>
  Math.floor(machine / Math.max(1, Math.min(jobs, searches)));

/**
 * The searches in `jobs` processes, in the order of the requests; `onCell`
 * as each ends. One job, or one search: in this process. Each search is
 * deterministic, so a cell is the one a single process gives unless the
 * search meets a bound that depends on the run: its time limit, or the
 * memory bound, which here is each process's share (jobMemoryShare) unless
 * a request gives its own. The first job process to fail ends the others.
 */
export async function searchAll(requests: readonly SearchRequest[], opts: { readonly jobs: number; readonly onCell?: (cell: SweepCell) => void }): Promise<SweepCell[]> {
  // A request asked twice (the left-out rows' orig is also the sweep's) is searched once.
  const keyOf = (r: SearchRequest) => JSON.stringify([r.scenario, r.env, r.envDef, r.variant, r.timeLimitMs, r.maxStates, r.memoryLimitBytes]);
  const unique = [...new Map(requests.map((r) => [keyOf(r), r])).values()];
  const done = new Map<string, SweepCell>();
  if (opts.jobs <= 1 || unique.length <= 1) {
    searchEach(unique, opts.onCell).forEach((cell, i) => done.set(keyOf(unique[i]), cell));
  } else {
    const share = jobMemoryShare(opts.jobs, unique.length);
    await inWorkers(
      opts.jobs,
      unique.map((request) => ({ id: keyOf(request), request: { ...request, memoryLimitBytes: request.memoryLimitBytes ?? share } })),
      (m: { id: string; cell: SweepCell }) => {
        done.set(m.id, m.cell);
        opts.onCell?.(m.cell);
      },
      undefined,
      SEARCH_WORKER,
    );
  }
  return requests.map((r) => done.get(keyOf(r))!);
}

/** A cell of the matrix that its row leaves out. */
export interface LeftOutCell {
  readonly scenario: string;
  readonly env: string;
  readonly variant: VariantName;
}

/**
 * The cells the matrix leaves out: for each row that runs only some variants
 * (check-manifest.json's `variants`, e.g. the EINTR rows whose other variants
 * are too large for the matrix), every other variant, in row order then
 * variant order.
 */
export function leftOut(manifest: Pick<Manifest, 'rows'>): LeftOutCell[] {
  return manifest.rows
    .filter((row) => row.variants !== undefined)
    .flatMap((row) => VARIANT_NAMES.filter((v) => !rowVariants(row).includes(v)).map((variant) => ({ scenario: row.scenario, env: row.env, variant })));
}

/**
 * The signature searches (searchSignature) of the cells the matrix leaves
 * out, with the bound `maxStates` if given (else none: a search ends at the
 * signature, at the end of the state space, or at the memory bound). A search
 * that does not reach #3835's line within a bound is `unknown`, never `none`.
 */
export function leftOutRequests(manifest: Pick<Manifest, 'rows' | 'environments'>, opts: { readonly maxStates?: number } = {}): SearchRequest[] {
  return leftOut(manifest).map((c) => ({ ...c, envDef: manifest.environments[c.env], ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}) }));
}

/** leftOutRequests' searches, in this process. */
export function sweepLeftOut(
  manifest: Pick<Manifest, 'rows' | 'environments'>,
  opts: { readonly maxStates?: number; readonly onCell?: (cell: SweepCell) => void } = {},
): SweepCell[] {
  return searchEach(leftOutRequests(manifest, opts), opts.onCell);
}

/** Environment features that can make the difference. */
export function featuresOf(env: Env): string[] {
  const f: string[] = [];
  if (env.lock === 'posix-sem') f.push('posix-sem lock');
  if (env.memory === 'relaxed') f.push('relaxed memory');
  if (env.eintr > 0) f.push('an interrupted lock acquire (EINTR)');
  if (env.assume?.length) f.push(`the PR's assumption (${env.assume.join(', ')})`);
  return f;
}

/**
 * A working lock: one that excludes (no interrupted acquire), and the code's
 * own semantics (no assumption of the PR's narrative).
 */
export const workingLock = (env: Env): boolean => env.eintr === 0 && !(env.assume?.length);

/**
 * What a scenario's signature needs: the features every environment that
 * reached it has and no environment searched exhaustively without it has.
 */
export function needs(cells: readonly SweepCell[], environments: Readonly<Record<string, Env>>): string[] {
  const found = cells.filter((c) => c.status === 'found').map((c) => featuresOf(environments[c.env]));
  const none = cells.filter((c) => c.status === 'none').map((c) => featuresOf(environments[c.env]));
  if (found.length === 0) return [];
  return found[0].filter((f) => found.every((fs) => fs.includes(f)) && none.every((fs) => !fs.includes(f)));
}
