/**
 * Replaying a hypothesised trace (a narrative such as the PR's TR-1..TR-6)
 * against the dialog model.
 *
 * A trace is a list of reference steps (actor + step id of docs/c-reference.md §7, e.g. W / W10), each
 * optionally with what it is claimed to read (`reads`: a state name), to return
 * (`returns`: a timer primitive's result) or to leave as the reference count
 * (`ref`). Each entry runs, for its actor, every model step belonging to that
 * reference step (W10 = W10w.TL+, W10w.rm, W10w.TL-, ...). Steps of the same
 * actor that the narrative does not mention but the code must run first
 * ("implied") run before it, and are reported. The replay stops at the first
 * entry the code does not allow, saying why: the step is not enabled (a lock
 * held, a guard false), the actor is past it or never reaches it, or it cannot
 * read / return / leave the claimed value.
 */
import { readFileSync } from 'node:fs';
import { formatSource, type Property } from '../engine/index.js';
import { latest } from '../memory/views.js';
import { bogusText, dialogModel, holdersOf, lockHolders, type DialogAction, type DialogModel } from '../../spec/dialog/model.js';
import { SCENARIOS, scenarioByName } from '../../spec/dialog/scenarios.js';
import { ASSUMPTIONS, STATE_NAMES, type DialogState, type Env } from '../../spec/dialog/state.js';
import { VARIANT_NAMES, type VariantName } from '../../spec/dialog/variants.js';
import { LOCK_IMPLS } from '../memory/locks.js';
import { MEMORY_MODELS } from '../memory/views.js';

export interface TraceEntry {
  readonly actor: string;
  readonly step: string;
  readonly reads?: string;
  readonly returns?: number;
  readonly ref?: number;
  /** A property the narrative says is violated once this step has run (e.g. NoUseAfterFree). */
  readonly violates?: string;
  /** Free text: what the narrative says here (shown in reports). */
  readonly claim?: string;
}

export interface TraceFile {
  readonly name: string;
  readonly description?: string;
  readonly scenario: string;
  readonly variant: VariantName;
  readonly env: Env;
  readonly steps: readonly TraceEntry[];
}

export class TraceFileError extends Error {
  readonly code = 'trace-file';
}

/** Parses and validates a trace file's JSON text; errors name the offending entry. */
export function parseTraceFile(text: string, where = 'trace'): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TraceFileError(`${where}: not JSON: ${(e as Error).message}`);
  }
  const fail = (msg: string): never => {
    throw new TraceFileError(`${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('expected a JSON object with name, scenario, variant, env, steps');
  const t = raw as Record<string, unknown>;
  if (typeof t.name !== 'string') fail("'name' must be a string");
  if (typeof t.scenario !== 'string' || !scenarioByName(t.scenario)) {
    fail(`unknown scenario '${String(t.scenario)}'; expected one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  if (!VARIANT_NAMES.includes(t.variant as VariantName)) fail(`unknown variant '${String(t.variant)}'; expected one of: ${VARIANT_NAMES.join(', ')}`);
  const env = t.env as Record<string, unknown> | undefined;
  if (typeof env !== 'object' || env === null) fail("'env' must be an object {lock, memory, eintr, assume?}");
  if (!LOCK_IMPLS.includes(env!.lock as never)) fail(`env.lock must be one of: ${LOCK_IMPLS.join(', ')}`);
  if (!MEMORY_MODELS.includes(env!.memory as never)) fail(`env.memory must be one of: ${MEMORY_MODELS.join(', ')}`);
  if (!Number.isInteger(env!.eintr) || (env!.eintr as number) < 0) fail('env.eintr must be an integer >= 0');
  if (env!.assume !== undefined && !(Array.isArray(env!.assume) && env!.assume.every((a) => ASSUMPTIONS.includes(a)))) {
    fail(`env.assume must be a list of: ${ASSUMPTIONS.join(', ')}`);
  }
  if (!Array.isArray(t.steps) || t.steps.length === 0) fail("'steps' must be a non-empty list");
  const scenario = scenarioByName(t.scenario as string)!;
  const programs = dialogModel({ scenario, variant: t.variant as VariantName, env: env as unknown as Env }).programs;
  const actors = programs.map((p) => p.actor);
  // The reference steps of each actor in any variant (a step of another variant is a replay verdict, "not reached"; one of none is a typo).
  const knownSteps = new Map<string, Set<string>>();
  for (const variant of VARIANT_NAMES) {
    for (const p of dialogModel({ scenario, variant, env: env as unknown as Env }).programs) {
      const set = knownSteps.get(p.actor) ?? new Set<string>();
      for (const ins of p.instrs) set.add(refStep(ins.id));
      knownSteps.set(p.actor, set);
    }
  }
  (t.steps as unknown[]).forEach((s, i) => {
    const e = s as Record<string, unknown>;
    const at = `steps[${i}]`;
    if (typeof e !== 'object' || e === null) fail(`${at}: expected an object {actor, step, reads?, returns?, ref?, claim?}`);
    if (e.actor === undefined) fail(`${at}: 'actor' is missing; this scenario has: ${actors.join(', ')}`);
    if (typeof e.actor !== 'string' || !actors.includes(e.actor)) fail(`${at}: unknown actor ${typeof e.actor === 'string' ? `'${e.actor}'` : JSON.stringify(e.actor)}; this scenario has: ${actors.join(', ')}`);
    if (e.step === undefined) fail(`${at}: 'step' is missing; it must be a step id of ${e.actor as string}, such as ${[...knownSteps.get(e.actor as string)!][0]}`);
    if (typeof e.step !== 'string' || e.step === '') fail(`${at}: 'step' must be a step id such as W4`);
    const steps = [...knownSteps.get(e.actor as string)!];
    if (!steps.some((r) => matchesStep(r, e.step as string))) {
      fail(`${at}: actor ${e.actor as string} has no step '${e.step as string}' in scenario ${scenario.name} (in any variant); its steps: ${steps.join(', ')}`);
    }
    if (e.reads !== undefined && !Object.values(STATE_NAMES).includes(e.reads as string)) {
      fail(`${at}: 'reads' must be a state name (${Object.values(STATE_NAMES).join(', ')})`);
    }
    if (e.returns !== undefined && !Number.isInteger(e.returns)) fail(`${at}: 'returns' must be an integer`);
    if (e.ref !== undefined && !Number.isInteger(e.ref)) fail(`${at}: 'ref' must be an integer`);
    const props = dialogModel({ scenario: scenarioByName(t.scenario as string)!, variant: t.variant as VariantName, env: env as unknown as Env }).properties;
    if (e.violates !== undefined && !props.some((p) => p.name === e.violates)) {
      fail(`${at}: 'violates' must name a property: ${props.map((p) => p.name).join(', ')}`);
    }
    for (const k of Object.keys(e)) if (!['actor', 'step', 'reads', 'returns', 'ref', 'violates', 'claim'].includes(k)) fail(`${at}: unknown field '${k}'`);
  });
  return t as unknown as TraceFile;
}

export const readTraceFile = (path: string): TraceFile => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TraceFileError(`${path}: ${(e as Error).message}`);
  }
  return parseTraceFile(text, path);
};

/** The reference step a model step id belongs to ("W10w.rm" -> "W10w"). */
const refStep = (id: string) => id.split('.')[0];

/** Whether a model reference step (W10w, T1r, T6N, T2') is the narrative's step (W10, T1, T6, T2'). */
export const matchesStep = (modelRef: string, named: string): boolean =>
  modelRef === named || (modelRef.startsWith(named) && /^[a-zA-Z']+$/.test(modelRef.slice(named.length)));

export interface ReplayedEntry {
  readonly index: number;
  readonly actor: string;
  readonly step: string;
  /** Reference steps the code runs first for this actor although the narrative does not name them. */
  readonly implied: readonly string[];
  /** The model steps this entry ran, with the C lines. */
  readonly ran: readonly { step: string; source: string; note?: string }[];
  readonly refAfter: number;
  readonly holdersAfter: string;
}

export interface ReplayFailure {
  readonly index: number;
  readonly actor: string;
  readonly step: string;
  readonly kind: 'not-enabled' | 'not-reached' | 'cannot-read' | 'cannot-return' | 'ref-differs' | 'no-violation';
  readonly reason: string;
  readonly source?: string;
}

export interface ReplayResult {
  readonly trace: TraceFile;
  readonly possible: boolean;
  readonly entries: readonly ReplayedEntry[];
  readonly failure?: ReplayFailure;
  /** Invariants violated along the replayed prefix, with the entry where each first failed. */
  readonly violations: readonly { property: string; index: number; explanation?: string }[];
}

const MAX_IMPLIED = 400;

export function replay(trace: TraceFile): ReplayResult {
  const m = dialogModel({ scenario: scenarioByName(trace.scenario)!, variant: trace.variant, env: trace.env });
  let s = m.initialStates()[0];
  const entries: ReplayedEntry[] = [];
  const violations: { property: string; index: number; explanation?: string }[] = [];
  const invariants = m.properties.filter((p) => p.kind === 'always');
  const seen = new Set<string>();
  const checkInvariants = (state: DialogState, index: number) => {
    for (const p of invariants as Property<DialogState>[]) {
      if (seen.has(p.name) || p.holds(state)) continue;
      seen.add(p.name);
      violations.push(p.explain ? { property: p.name, index, explanation: p.explain(state) } : { property: p.name, index });
    }
  };
  checkInvariants(s, -1);
  const result = (failure?: ReplayFailure): ReplayResult =>
    failure ? { trace, possible: false, entries, failure, violations } : { trace, possible: true, entries, violations };

  for (let index = 0; index < trace.steps.length; index++) {
    const e = trace.steps[index];
    const ai = m.programs.findIndex((p) => p.actor === e.actor);
    const prog = m.programs[ai];
    const fail = (kind: ReplayFailure['kind'], reason: string, source?: string) =>
      result({ index, actor: e.actor, step: e.step, kind, reason, ...(source ? { source } : {}) });
    const current = () => {
      const pc = s.actors[ai].pc;
      return pc >= 0 && pc < prog.instrs.length ? prog.instrs[pc] : undefined;
    };
    // 1. Implied steps of the same actor, up to the named one.
    const implied: string[] = [];
    const startPc = s.actors[ai].pc;
    while (!(current() && matchesStep(refStep(current()!.id), e.step))) {
      const ins = current();
      if (ins === undefined || implied.length > MAX_IMPLIED || (implied.length > 0 && s.actors[ai].pc === startPc)) {
        const where = ins === undefined ? (s.actors[ai].pc < 0 ? 'has aborted' : 'has finished') : `is at ${ins.id}`;
        return fail('not-reached', `${e.actor} ${where} and does not reach ${e.step} from there in this variant (${trace.variant})`);
      }
      const step = take(m, s, e.actor, undefined);
      if (typeof step === 'string') return fail('not-enabled', `${e.actor} must first run ${ins.id}, which is not enabled: ${step}`, formatSource(ins.src));
      s = step.state;
      if (!implied.includes(refStep(ins.id))) implied.push(refStep(ins.id));
      checkInvariants(s, index);
    }
    // 2. The named step: every model step of it.
    const ran: { step: string; source: string; note?: string }[] = [];
    let returned: number | undefined;
    while (current() && matchesStep(refStep(current()!.id), e.step)) {
      const ins = current()!;
      const step = take(m, s, e.actor, e.reads);
      if (typeof step === 'string') {
        const kind = step.startsWith('cannot read') ? 'cannot-read' : 'not-enabled';
        return fail(kind, `${ins.id}: ${step}`, formatSource(ins.src));
      }
      s = step.state;
      ran.push({ step: ins.id, source: formatSource(ins.src), ...(step.action.note ? { note: step.action.note } : {}) });
      if (/\.(rm|insert|update)$/.test(ins.id)) returned = s.actors[ai].loc.ret;
      checkInvariants(s, index);
      if (s.actors[ai].pc === startPc && prog.cyclic) break;
    }
    if (e.returns !== undefined) {
      if (returned === undefined) return fail('cannot-return', `${e.step} calls no timer primitive in this variant, so it returns nothing`);
      if (returned !== e.returns && returned === 0 && trace.env.assume?.includes('remove-after-expiry-returns-0')) {
        return fail('cannot-return', `the timer primitive in ${e.step} returns 0, not ${e.returns}: under the assumption remove-after-expiry-returns-0 a tl detached by T0 is "removed" once`);
      }
      if (returned !== e.returns) {
        const tl = `tl = {next ${latest(s.cells[0].mem, 'tlNext')}, prev ${latest(s.cells[0].mem, 'tlPrev')}, timeout ${latest(s.cells[0].mem, 'tlTimeout')}} before it`;
        return fail(
          'cannot-return',
          `the timer primitive in ${e.step} returns ${returned}, not ${e.returns}: ${returned === 1 ? 'remove_dlg_timer returns 1 when prev == NULL && timeout == 0 (the tl was detached or spent), dlg_timer.c:492-498' : tl}`,
        );
      }
    }
    const ref = latest(s.cells[0].mem, 'ref');
    const holders = holdersOf(m.names, s)
      .map(([h, n]) => (n === 1 ? h : `${h}x${n}`))
      .join(', ');
    entries.push({ index, actor: e.actor, step: e.step, implied, ran, refAfter: ref, holdersAfter: holders });
    if (e.ref !== undefined && e.ref !== ref) {
      return fail('ref-differs', `after ${e.step} ref is ${ref} (held by: ${holders || 'nobody'}), not the claimed ${e.ref}`);
    }
    if (e.violates !== undefined && !violations.some((v) => v.property === e.violates)) {
      return fail('no-violation', `after ${e.step}, ${e.violates} still holds (ref ${ref}, held by: ${holders || 'nobody'}; freed ${s.ghost.dialogs[0].frees} time(s))`);
    }
  }
  return result();
}

/** Runs the actor's next step; `reads` picks the read value. Returns the reason when it cannot. */
function take(m: DialogModel, s: DialogState, actor: string, reads: string | undefined): { state: DialogState; action: DialogAction } | string {
  const i = m.programs.findIndex((p) => p.actor === actor);
  const ins = m.programs[i].instrs[s.actors[i].pc];
  const acts = m.actorActions!(s, actor) as DialogAction[];
  if (acts.length === 0) {
    if (s.ghost.bogus !== 0) return `OpenSIPS already aborted (${bogusText(m.names, s)})`;
    if (ins.acquire) return `${ins.acquire} is held by ${lockHolders(m.names, s, ins.acquire).join(', ') || '(nobody: the lock word is taken)'}`;
    if (ins.id.startsWith('T0')) return 'the timer routine detaches only a linked tl, and this one is not in the timer list';
    if (ins.id === 'B0') return 'no BYE was sent on this leg yet';
    return 'its guard is false in this state (an ordering gate or a condition of the scenario)';
  }
  let act = acts.find((a) => !a.eintr) ?? acts[0];
  if (ins.read === 'state' && reads !== undefined) {
    const want = Object.entries(STATE_NAMES).find(([, n]) => n === reads)![0];
    const match = acts.find((a) => a.value === Number(want));
    if (!match) {
      const possible = [...new Set(acts.map((a) => STATE_NAMES[a.value!]))].join(', ');
      return `cannot read ${reads}: the read may return ${possible} here (the last write it can see is ${possible.split(', ')[0]})`;
    }
    act = match;
  }
  return { state: m.next(s, act), action: act };
}
