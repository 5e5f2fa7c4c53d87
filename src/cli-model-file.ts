/**
 * `check --model-file FILE [--model-export NAME] [-p K=V]... [--expect ok | --expect violated=P1,P2]`:
 * a model of the user's own, in a TypeScript (or JavaScript) module, checked
 * as an ad-hoc run.
 *
 * What the module may export (docs/write-your-own-model.md):
 * - a `Model` (the engine's interface, src/engine/model.ts), or
 * - a function of the parameters returning a `Model` (a factory): it is called
 *   with one object holding the `-p K=V` values (an integer value as a number,
 *   `true`/`false` as a boolean, `TRUE` and the like refused, anything else
 *   as a string; `{}` when none).
 * It is taken from the default export; without one, from the only export that
 * is a model or a function; `--model-export NAME` picks a named export. A file
 * that cannot be loaded, or that exports no model, is a usage error (exit 2).
 *
 * `--expect` declares the outcome (without it, as for any ad-hoc run, every
 * property is expected to hold, and the report says nothing was declared):
 * `ok` (every property holds) or `violated=P1,P2` (exactly these are
 * violated). A name the model does not have is a usage error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Model } from './engine/index.js';
import type { ModelRef } from './engine/parallel.js';
import { UsageError, type ParamValue, type Params } from './check/registry.js';
import { EVERY_PROPERTY_HOLDS, type Expectation, type RunSpec } from './check/run.js';

/** Where worker threads load a model file's model (src/check/load.ts). */
const LOAD = new URL('./check/load.ts', import.meta.url).href;

/** What a model module's export may be: a model, or a function of the parameters returning one. */
export type ModelExport = Model<any, any> | ((params: Params) => Model<any, any>);

const MODEL_FIELDS = ['name', 'initialStates', 'actions', 'next', 'key', 'properties'] as const;

/** Whether a value has the shape of a Model (the fields the engine needs, of the right types). */
export function isModel(v: unknown): v is Model<any, any> {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m.name === 'string' &&
    typeof m.initialStates === 'function' &&
    typeof m.actions === 'function' &&
    typeof m.next === 'function' &&
    typeof m.key === 'function' &&
    Array.isArray(m.properties)
  );
}

/** What is missing from a value that should be a model, for the message. */
function notAModel(v: unknown): string {
  if (typeof v !== 'object' || v === null) return `it is ${v === null ? 'null' : typeof v}`;
  const m = v as Record<string, unknown>;
  const missing = MODEL_FIELDS.filter((f) => (f === 'name' ? typeof m[f] !== 'string' : f === 'properties' ? !Array.isArray(m[f]) : typeof m[f] !== 'function'));
  return `it lacks ${missing.join(', ')}`;
}

/**
 * `-p K=V` values as the factory receives them. `TRUE`, `False` and the like
 * are refused: passed as strings, they would be truthy whatever they say.
 */
export function fileParams(assignments: readonly [string, string][]): Params {
  const out: Record<string, ParamValue> = {};
  for (const [k, raw] of assignments) {
    if (k in out) throw new UsageError(`parameter ${k} is given twice`);
    if (/^(true|false)$/i.test(raw) && raw !== 'true' && raw !== 'false') {
      throw new UsageError(`--param ${k}=${raw}: a boolean is written true or false (lower case); '${raw}' would reach the model as a string, which is truthy`);
    }
    out[k] = /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

/** Parses `--expect ok` / `--expect violated=P1,P2`. */
export function parseExpect(raw: string): Expectation {
  if (raw === 'ok') return EVERY_PROPERTY_HOLDS;
  const m = /^violated=(.+)$/.exec(raw);
  const names = m === null ? [] : m[1].split(',').map((n) => n.trim());
  if (m === null || names.some((n) => n === '')) throw new UsageError(`--expect expects 'ok' or 'violated=P1[,P2...]', got '${raw}'`);
  return { violated: [...new Set(names)] };
}

/** Checks that an expectation names only properties the model has. */
export function checkExpectation(model: Model<any, any>, expect: Expectation): void {
  const names = model.properties.map((p) => p.name);
  for (const n of expect.violated) {
    if (!names.includes(n)) throw new UsageError(`--expect names property '${n}', which model ${model.name} does not have; its properties: ${names.join(', ') || '(none)'}`);
  }
}

/** The chosen export of a loaded module (see the module comment). */
export function pickExport(mod: Record<string, unknown>, file: string, exportName: string | undefined): { name: string; value: ModelExport } {
  // (Sorted, as a module namespace lists them: the same messages whatever loaded the module.)
  const names = Object.keys(mod).sort();
  const usable = (v: unknown) => typeof v === 'function' || isModel(v);
  if (exportName !== undefined) {
    if (!(exportName in mod)) throw new UsageError(`--model-file ${file}: no export named '${exportName}'; it exports: ${names.join(', ') || 'nothing'}`);
    const v = mod[exportName];
    if (!usable(v)) throw new UsageError(`--model-file ${file}: export '${exportName}' is not a model nor a function returning one (${notAModel(v)})`);
    return { name: exportName, value: v as ModelExport };
  }
  if ('default' in mod && mod.default !== undefined) {
    const v = mod.default;
    if (!usable(v)) throw new UsageError(`--model-file ${file}: the default export is not a model nor a function returning one (${notAModel(v)})`);
    return { name: 'default', value: v as ModelExport };
  }
  const candidates = names.filter((k) => k !== 'default' && usable(mod[k]));
  if (candidates.length === 1) return { name: candidates[0], value: mod[candidates[0]] as ModelExport };
  if (candidates.length === 0) {
    throw new UsageError(
      `--model-file ${file}: exports no model (a default export, or one named export, that is a Model or a function of the parameters returning one); it exports: ${names.join(', ') || 'nothing'}`,
    );
  }
  throw new UsageError(`--model-file ${file}: exports several candidates (${candidates.join(', ')}) and no default; pick one with --model-export NAME`);
}

/** The model an export gives for these parameters; a factory's throw or a non-model result is a UsageError. */
export function modelOf(exported: ModelExport, params: Params, what: string): Model<any, any> {
  if (typeof exported !== 'function') {
    if (Object.keys(params).length > 0) throw new UsageError(`--param: ${what} is a model, not a function of parameters; it takes none`);
    return exported;
  }
  // The parameters the factory reads (a key it never reads is most likely a typo of one it does).
  const read = new Set<string>();
  let enumerated = false;
  const watched = new Proxy(params, {
    get: (t, k, r) => (typeof k === 'string' && read.add(k), Reflect.get(t, k, r)),
    has: (t, k) => (typeof k === 'string' && read.add(k), Reflect.has(t, k)),
    ownKeys: (t) => ((enumerated = true), Reflect.ownKeys(t)),
    getOwnPropertyDescriptor: (t, k) => (typeof k === 'string' && read.add(k), Reflect.getOwnPropertyDescriptor(t, k)),
  });
  let made: unknown;
  try {
    made = exported(watched);
  } catch (e) {
    throw new UsageError(`${what} threw for the parameters ${JSON.stringify(params)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (made !== null && typeof made === 'object' && typeof (made as { then?: unknown }).then === 'function') {
    throw new UsageError(`${what} returned a Promise; it must return the model itself`);
  }
  if (!isModel(made)) throw new UsageError(`${what} did not return a model (${notAModel(made)})`);
  const unread = enumerated ? [] : Object.keys(params).filter((k) => !read.has(k));
  if (unread.length > 0) {
    const others = [...read].filter((k) => !(k in params) && /^[A-Za-z_$][\w$]*$/.test(k));
    throw new UsageError(
      `--param ${unread.join(', ')}: ${what} never reads ${unread.length === 1 ? 'this parameter' : 'these parameters'}; ${others.length > 0 ? `it reads ${others.join(', ')}` : 'it reads no other parameter'}`,
    );
  }
  return made;
}

/**
 * The run id of a model file's run: the model's name, followed by the
 * parameters given unless the name already shows each of them as `K=V`.
 */
export function runId(model: Model<any, any>, params: Params): string {
  const given = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return given.every((kv) => model.name.includes(kv)) ? model.name : `${model.name}(${given.join(',')})`;
}

export interface ModelFileRun {
  readonly run: RunSpec;
  readonly model: Model<any, any>;
}

/** Where esbuild (the compiler tsx uses) finds the first syntax error of the file: ` (FILE:LINE:COLUMN: what)`, or undefined. */
async function syntaxLocation(path: string, file: string): Promise<string | undefined> {
  try {
    const { transformSync } = await import('esbuild');
    transformSync(readFileSync(path, 'utf8'), { loader: /\.[cm]?tsx?$/.test(path) ? 'ts' : 'js', format: 'esm', sourcefile: file });
    return undefined;
  } catch (x) {
    const first = (x as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    return first?.location ? ` (${file}:${first.location.line}:${first.location.column}: ${first.text})` : undefined;
  }
}

/** Loads the module, picks its export, builds the model and makes the ad-hoc run. */
export async function modelFileRun(file: string, exportName: string | undefined, params: Params, expect: Expectation | undefined): Promise<ModelFileRun> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`--model-file ${file}: no such file`);
  if (!statSync(path).isFile()) throw new UsageError(`--model-file ${file}: ${statSync(path).isDirectory() ? 'is a directory' : 'is not a file'}; give the module's file`);
  const url = pathToFileURL(path).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    // On one line, with what follows the first one (a syntax error's file, line and column come second).
    let text = (e instanceof Error ? `${e.name}: ${e.message}` : String(e))
      .replace(/\u001b\[[0-9;]*m/g, '')
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    // Node's own SyntaxError (a JavaScript module it loads itself) says neither the line nor the column.
    if (e instanceof SyntaxError) text += (await syntaxLocation(path, file)) ?? '';
    throw new UsageError(`--model-file ${file}: cannot load it: ${text.length > 600 ? `${text.slice(0, 600)}...` : text}`);
  }
  const picked = pickExport(mod, file, exportName);
  const what = `${file}${picked.name === 'default' ? '' : ` (export ${picked.name})`}`;
  const model = modelOf(picked.value, params, what);
  if (expect !== undefined) checkExpectation(model, expect);
  const ref: ModelRef = { module: LOAD, exportName: 'buildFromFile', args: [url, picked.name, params], imports: [url] };
  const run: RunSpec = {
    id: runId(model, params),
    tags: { group: 'ad-hoc', model: model.name, file },
    // A factory makes a new model for every use (the exports rebuild it); a model is used as it is.
    build: () => (typeof picked.value === 'function' ? modelOf(picked.value, params, what) : model),
    expect: expect ?? EVERY_PROPERTY_HOLDS,
    declared: expect !== undefined,
    ref,
  };
  return { run, model };
}
