/**
 * What `check` can run: the parameterised models (for ad-hoc runs with
 * `--model NAME -p K=V`) and the registered runs (each a model with fixed
 * parameters and a declared, pinned outcome).
 */
import { propositionRuns } from './propositions.js';
import { dialogRuns } from './dialog.js';
import type { ModelRef } from '../engine/parallel.js';
import { MODELS, type ModelDef, type ParamDef, type Params, type ParamValue } from './models.js';
import { EVERY_PROPERTY_HOLDS, type Expectation, type RunSpec } from './run.js';

/** A usage mistake (unknown name, malformed value): the CLI prints the message and exits 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export { MODELS, type ModelDef, type ParamDef, type Params, type ParamValue } from './models.js';

/** The registry the CLI works from (tests can pass their own). */
export interface Registry {
  readonly models: readonly ModelDef[];
  readonly runs: readonly RunSpec[];
}

/** A registered run of a table model with fixed parameters. */
function registered(
  models: readonly ModelDef[],
  id: string,
  group: string,
  modelName: string,
  given: Record<string, ParamValue>,
  expect: Expectation,
): RunSpec {
  const def = models.find((m) => m.name === modelName);
  if (def === undefined) throw new Error(`registry: no model '${modelName}'`);
  const params = withDefaults(def, given);
  return { id, tags: { group, ...tagsOf(def, params) }, build: () => def.build(params), expect, ref: modelRef(def, params) };
}

/** Where a worker thread builds the model of MODELS named `def` with `params` (see load.ts). */
const LOAD = new URL('./load.ts', import.meta.url).href;
const modelRef = (def: ModelDef, params: Params): ModelRef | undefined =>
  MODELS.includes(def) ? { module: LOAD, exportName: 'buildModel', args: [def.name, params] } : undefined;

/** The registered runs. Counts are pinned (and, where noted, cross-checked against other checkers). */
export function allRuns(): RunSpec[] {
  const r = (id: string, model: string, params: Record<string, ParamValue>, expect: Expectation) =>
    registered(MODELS, id, 'examples', model, params, expect);
  return [
    r('counter-race(NP=3,K=4)', 'counter-race', { NP: 3, K: 4 }, { violated: ['NoLostUpdate'], states: 165340, transitions: 465273, depth: 52 }),
    r('counter-race(NP=2,K=1)', 'counter-race', { NP: 2, K: 1 }, { violated: ['NoLostUpdate'], states: 51, transitions: 82, depth: 11 }),
    r('peterson', 'peterson', { buggy: false }, { violated: [], states: 38, transitions: 64, depth: 10 }),
    r('peterson-buggy', 'peterson', { buggy: true }, { violated: ['MutualExclusion'], states: 98, transitions: 186, depth: 14 }),
    r('two-phase(RM=3)', 'two-phase', { RM: 3, buggy: false }, { violated: [], states: 288, transitions: 1145, depth: 11 }),
    r('two-phase-buggy(RM=3)', 'two-phase', { RM: 3, buggy: true }, { violated: ['TCConsistent'], states: 623, transitions: 2507, depth: 11 }),
    // The OpenSIPS dialog check matrix, declared in check-manifest.json.
    ...dialogRuns(),
    // The searches that decide PR #3836's propositions P-01..P-27, declared in check-manifest.json too.
    ...propositionRuns(),
  ];
}

export const defaultRegistry = (): Registry => ({ models: MODELS, runs: allRuns() });

/** Parameters as tags: every parameter, default or not, as a string. */
export function tagsOf(def: ModelDef, params: Params): Record<string, string> {
  const tags: Record<string, string> = { model: def.name };
  for (const p of def.params) tags[p.name] = String(params[p.name]);
  return tags;
}

function withDefaults(def: ModelDef, given: Record<string, ParamValue>): Params {
  const out: Record<string, ParamValue> = {};
  for (const p of def.params) out[p.name] = given[p.name] ?? p.default;
  return out;
}

const describeType = (p: ParamDef): string =>
  p.type === 'int'
    ? `an integer from ${p.min} to ${p.max}`
    : p.type === 'bool'
      ? 'true or false'
      : `one of ${p.values.join(', ')}`;

/** The valid names, for messages. */
export const paramSummary = (def: ModelDef): string =>
  def.params.length === 0 ? 'no parameters' : def.params.map((p) => `${p.name} (${describeType(p)}, default ${p.default})`).join(', ');

export function findModel(models: readonly ModelDef[], name: string): ModelDef {
  const def = models.find((m) => m.name === name);
  if (def === undefined) {
    throw new UsageError(`unknown model '${name}'; expected one of: ${models.map((m) => m.name).join(', ')}`);
  }
  return def;
}

/**
 * An argument's comma-separated parts; a comma inside parentheses does not
 * separate (a run id such as `counter-race(NP=3,K=4)` is one value). When
 * the parentheses do not pair up (a ')' before its '(', or a '(' left open),
 * every comma separates, as if there were none.
 */
function commaParts(arg: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return arg.split(',');
    else if (c === ',' && depth === 0) {
      parts.push(arg.slice(from, i));
      from = i + 1;
    }
  }
  if (depth !== 0) return arg.split(',');
  parts.push(arg.slice(from));
  return parts;
}

/** Splits `K=V` assignments (each argument may hold several, comma-separated; not at a comma inside parentheses). */
export function parseAssignments(args: readonly string[], what: string): [string, string][] {
  const out: [string, string][] = [];
  for (const arg of args) {
    for (const part of commaParts(arg)) {
      const m = /^([^=\s]+)=(\S.*)$/.exec(part.trim());
      if (m === null) throw new UsageError(`${what} expects NAME=VALUE (several may be comma-separated), got '${part}'`);
      out.push([m[1], m[2].trim()]);
    }
  }
  return out;
}

/** Validates `K=V` assignments against a model's parameters and fills in defaults. */
export function parseParams(def: ModelDef, assignments: readonly [string, string][]): Params {
  const given: Record<string, ParamValue> = {};
  for (const [name, raw] of assignments) {
    const p = def.params.find((q) => q.name === name);
    if (p === undefined) {
      throw new UsageError(
        `model ${def.name} has no parameter '${name}'; ` +
          (def.params.length === 0 ? 'it takes none' : `expected one of: ${def.params.map((q) => q.name).join(', ')}`),
      );
    }
    if (name in given) throw new UsageError(`parameter ${name} of model ${def.name} is given twice`);
    given[name] = parseValue(def, p, raw);
  }
  return withDefaults(def, given);
}

function parseValue(def: ModelDef, p: ParamDef, raw: string): ParamValue {
  const bad = () => new UsageError(`parameter ${p.name} of model ${def.name} expects ${describeType(p)}, got '${raw}'`);
  switch (p.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw bad();
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < p.min || n > p.max) throw bad();
      return n;
    }
    case 'bool':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw bad();
    case 'enum':
      if (!p.values.includes(raw)) throw bad();
      return raw;
  }
}

/** The run id of an ad-hoc run: the model name and every parameter. */
export const adHocId = (def: ModelDef, params: Params): string =>
  def.params.length === 0 ? def.name : `${def.name}(${def.params.map((p) => `${p.name}=${params[p.name]}`).join(',')})`;

/**
 * An ad-hoc run of a table model. If a registered run has the same model and
 * parameters, it is that run (its id and declared expectation); else the
 * model's own `expect`, else every property is expected to hold.
 */
export function adHocRun(registry: Registry, def: ModelDef, params: Params): RunSpec {
  const tags = tagsOf(def, params);
  const same = registry.runs.find((r) => Object.entries(tags).every(([k, v]) => r.tags[k] === v));
  if (same !== undefined) return same;
  const declared = def.expect?.(params);
  return {
    id: adHocId(def, params),
    tags: { group: 'ad-hoc', ...tags },
    build: () => def.build(params),
    expect: declared ?? EVERY_PROPERTY_HOLDS,
    declared: declared !== undefined,
    ...(modelRef(def, params) ? { ref: modelRef(def, params) } : {}),
  };
}

/** A tag filter: for each key, the accepted values (a run must match every key). */
export type TagFilter = ReadonlyMap<string, readonly string[]>;

/** The most values a usage error lists (a tag such as id has a thousand). */
const LISTED = 40;

/** How many characters a and b have in common at their start. */
const commonPrefix = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/**
 * "one of: a, b, c", or for a long list how many values there are and the
 * nearest ones (those that contain what was given, else those that begin
 * as it does for longest, at least 3 characters; else the first ones): one
 * line, not a thousand run ids.
 */
function someOf(values: readonly string[], given: string): string {
  if (values.length <= LISTED) return `one of: ${values.join(', ')}`;
  let near = values.filter((x) => x.includes(given));
  let which = `those that contain '${given}'`;
  if (near.length === 0) {
    const longest = Math.max(...values.map((x) => commonPrefix(x, given)));
    if (longest >= 3) {
      near = values.filter((x) => commonPrefix(x, given) === longest);
      which = `those that begin with '${given.slice(0, longest)}'`;
    }
  }
  if (near.length === 0) {
    near = [...values];
    which = 'the first ones';
  }
  const shown = near.slice(0, 10);
  return `one of ${values.length} values (check --list lists the runs); ${which}: ${shown.join(', ')}${shown.length < near.length ? `, ... (${near.length})` : ''}`;
}

/**
 * Parses `tag=value` filters. The key `id` matches the run id. Unknown keys
 * and values are usage errors that list the valid ones (for a tag of more
 * than 40 values, such as id, the nearest ten and the count: someOf).
 */
export function parseFilter(runs: readonly RunSpec[], assignments: readonly [string, string][]): TagFilter {
  const valid = new Map<string, Set<string>>([['id', new Set(runs.map((r) => r.id))]]);
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.tags)) {
      if (!valid.has(k)) valid.set(k, new Set());
      valid.get(k)!.add(v);
    }
  }
  const filter = new Map<string, string[]>();
  for (const [k, v] of assignments) {
    const values = valid.get(k);
    if (values === undefined) throw new UsageError(`unknown tag '${k}'; expected one of: ${[...valid.keys()].join(', ')}`);
    if (!values.has(v)) throw new UsageError(`no registered run has ${k}=${v}; expected ${k} to be ${someOf([...values], v)}`);
    filter.set(k, [...(filter.get(k) ?? []), v]);
  }
  return filter;
}

export function selectRuns(runs: readonly RunSpec[], filter: TagFilter): RunSpec[] {
  return runs.filter((r) => [...filter].every(([k, vs]) => vs.includes(k === 'id' ? r.id : r.tags[k])));
}
