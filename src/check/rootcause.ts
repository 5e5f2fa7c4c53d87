/**
 * Root-cause search for a crash signature: across scenarios and environments,
 * a shortest trace that ends in the 'bogus ref' line of OpenSIPS issue #3835
 * ('bogus ref -2 with cnt 1'), or an exhaustive search showing there is none,
 * and which environment features the signature needs.
 *
 * Each (scenario, environment) is one breadth-first search of the dialog
 * model with the single property NoCrash3835, stopped at its first violation
 * (so the trace is a shortest one) or at a time/state bound (unknown).
 */
import { check, type Outcome, type Trace } from '../engine/index.js';
import type { Action } from '../engine/index.js';
import { dialogProperties } from '../../invariants/dialog.js';
import { bogusText, dialogModel } from '../../spec/dialog/model.js';
import { scenarioByName } from '../../spec/dialog/scenarios.js';
import type { DialogState, Env } from '../../spec/dialog/state.js';
import type { VariantName } from '../../spec/dialog/variants.js';
import { stateView } from '../../spec/dialog/view.js';
import { explorable } from './granularity.js';

export const SIGNATURE_PROPERTY = 'NoCrash3835';

export interface SweepCell {
  readonly scenario: string;
  readonly env: string;
  readonly variant: VariantName;
  /** found: a shortest trace ends in the signature; none: exhaustive, no such state; unknown: a bound stopped the search. */
  readonly status: 'found' | 'none' | 'unknown';
  readonly states: number;
  readonly timeMs: number;
  /** For found: the line the aborting process printed, and the shortest trace (states as readable views). */
  readonly printed?: string;
  readonly trace?: Trace<unknown, Action>;
}

export interface SweepOptions {
  readonly scenarios: readonly string[];
  readonly environments: Readonly<Record<string, Env>>;
  readonly variant: VariantName;
  readonly timeLimitMs?: number;
  readonly maxStates?: number;
  readonly onCell?: (cell: SweepCell) => void;
}

export function searchSignature(scenario: string, envName: string, env: Env, variant: VariantName, opts: Pick<SweepOptions, 'timeLimitMs' | 'maxStates'> = {}): SweepCell {
  const def = scenarioByName(scenario);
  if (def === undefined) throw new Error(`unknown scenario '${scenario}'`);
  const m = dialogModel({ scenario: def, variant, env });
  const property = dialogProperties([], m.names).find((p) => p.name === SIGNATURE_PROPERTY)!;
  const o: Outcome<DialogState, Action> = check(
    { ...explorable(m), properties: [property] },
    { stopOnFirstViolation: true, ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}), ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}) },
  );
  if (o.status === 'error') throw o.error;
  const p = o.properties[0];
  const base = { scenario, env: envName, variant, states: o.stats.states, timeMs: o.stats.timeMs };
  if (p.verdict === 'violated') {
    const trace = p.trace!.map((t) => ({ action: t.action, state: stateView(m.names, t.state) }));
    return { ...base, status: 'found', printed: bogusText(m.names, p.trace![p.trace!.length - 1].state), trace };
  }
  return { ...base, status: p.verdict === 'holds' && o.stats.complete ? 'none' : 'unknown' };
}

export function sweep(opts: SweepOptions): SweepCell[] {
  const out: SweepCell[] = [];
  for (const scenario of opts.scenarios) {
    for (const [name, env] of Object.entries(opts.environments)) {
      const cell = searchSignature(scenario, name, env, opts.variant, opts);
      opts.onCell?.(cell);
      out.push(cell);
    }
  }
  return out;
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
 * What a scenario's signature needs: the features every environment that
 * reached it has and no environment searched exhaustively without it has.
 */
export function needs(cells: readonly SweepCell[], environments: Readonly<Record<string, Env>>): string[] {
  const found = cells.filter((c) => c.status === 'found').map((c) => featuresOf(environments[c.env]));
  const none = cells.filter((c) => c.status === 'none').map((c) => featuresOf(environments[c.env]));
  if (found.length === 0) return [];
  return found[0].filter((f) => found.every((fs) => fs.includes(f)) && none.every((fs) => !fs.includes(f)));
}
