/**
 * Traces in the Informal Trace Format (ITF), the JSON trace format of the
 * Apalache and Quint tooling (https://apalache-mc.org/docs/adr/015adr-trace.html).
 *
 * { "#meta": {...}, "vars": [names], "states": [{ "#meta": {"index": i, ...}, name: value, ... }] }
 *
 * Values: booleans, strings and lists as JSON; integers as JSON numbers when
 * they are safe integers, otherwise (and every bigint) as {"#bigint": "digits"};
 * records (plain objects) as JSON objects; Maps as {"#map": [[k, v], ...]};
 * Sets as {"#set": [...]}; tuples (the `Tuple` class here) as {"#tup": [...]};
 * anything else (null, a non-integer number, a function) as {"#unserializable": text}.
 *
 * A state that is a plain object gives one variable per field; any other
 * state is the single variable `state`. Each state's `#meta` also names the
 * action that led to it (actor, step, source), which ITF allows.
 */
import { formatSource, type Action, type Trace } from '../engine/index.js';
import { sourceText, stepText } from '../format/lanes.js';

/** An ITF tuple (JavaScript has none). */
export class Tuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A value that could not be written in ITF: its text. */
export class Unserializable {
  constructor(readonly text: string) {}
}

export type ItfValue = boolean | number | string | ItfValue[] | { [k: string]: ItfValue };

export interface ItfTrace {
  readonly '#meta': Record<string, ItfValue>;
  readonly vars: string[];
  readonly states: Record<string, ItfValue>[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export function encodeValue(v: unknown): ItfValue {
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { '#bigint': v.toString() };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    if (Number.isInteger(v)) return { '#bigint': BigInt(v).toString() };
    return { '#unserializable': String(v) };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Tuple) return { '#tup': v.items.map(encodeValue) };
  if (v instanceof Map) return { '#map': [...v].map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  if (v instanceof Set) return { '#set': [...v].map(encodeValue) };
  if (v instanceof Unserializable) return { '#unserializable': v.text };
  if (isPlainObject(v)) {
    const out: Record<string, ItfValue> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (k.startsWith('#')) throw new Error(`ITF: a record field may not start with '#': ${k}`);
      out[k] = encodeValue(x);
    }
    return out;
  }
  return { '#unserializable': v === null ? 'null' : String(v) };
}

export function decodeValue(v: unknown): unknown {
  if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  if (isPlainObject(v)) {
    if ('#bigint' in v) {
      const s = v['#bigint'];
      if (typeof s !== 'string' || !/^-?\d+$/.test(s)) throw new Error(`ITF: bad #bigint ${JSON.stringify(s)}`);
      return BigInt(s);
    }
    if ('#tup' in v) return new Tuple(asArray(v['#tup'], '#tup').map(decodeValue));
    if ('#set' in v) return new Set(asArray(v['#set'], '#set').map(decodeValue));
    if ('#map' in v) {
      return new Map(
        asArray(v['#map'], '#map').map((pair) => {
          const kv = asArray(pair, '#map entry');
          if (kv.length !== 2) throw new Error('ITF: a #map entry must be a [key, value] pair');
          return [decodeValue(kv[0]), decodeValue(kv[1])] as const;
        }),
      );
    }
    if ('#unserializable' in v) return new Unserializable(String(v['#unserializable']));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decodeValue(x);
    return out;
  }
  throw new Error(`ITF: not a value: ${JSON.stringify(v)}`);
}

const asArray = (v: unknown, what: string): unknown[] => {
  if (!Array.isArray(v)) throw new Error(`ITF: ${what} must be an array`);
  return v;
};

export interface ItfOptions {
  /** Where the trace comes from (e.g. the run id), for `#meta.source`. */
  readonly source?: string;
  /** A description, for `#meta.description` (e.g. the violated property). */
  readonly description?: string;
}

/** A trace (its states as given: project them first for readable ones) in ITF. */
export function toItf(trace: Trace<unknown, Action>, options: ItfOptions = {}): ItfTrace {
  const vars: string[] = [];
  const record = (s: unknown): Record<string, unknown> => (isPlainObject(s) ? s : { state: s });
  for (const t of trace) for (const k of Object.keys(record(t.state))) if (!vars.includes(k) && record(t.state)[k] !== undefined) vars.push(k);
  const states = trace.map((t, index) => {
    const meta: Record<string, ItfValue> = { index };
    if (t.action !== null) {
      meta.action = {
        actor: t.action.actor,
        step: stepText(t.action),
        ...(t.action.source ? { source: formatSource(t.action.source) } : {}),
        ...(t.action.parts && t.action.parts.length > 1 ? { sources: sourceText(t.action), parts: t.action.parts.map(stepText) } : {}),
      };
    }
    const fields = encodeValue(record(t.state)) as Record<string, ItfValue>;
    return { '#meta': meta, ...fields };
  });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      ...(options.source !== undefined ? { source: options.source } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
    },
    vars,
    states,
  };
}

export const itfText = (trace: Trace<unknown, Action>, options: ItfOptions = {}): string => JSON.stringify(toItf(trace, options), null, 2) + '\n';

/** A trace read back from ITF JSON: per state its index, the action recorded in `#meta`, and the decoded variables. */
export interface ReadItf {
  readonly meta: Record<string, unknown>;
  readonly vars: readonly string[];
  readonly states: readonly { readonly index: number; readonly action?: Record<string, unknown>; readonly values: Record<string, unknown> }[];
}

export function readItf(text: string): ReadItf {
  const raw = JSON.parse(text) as unknown;
  if (!isPlainObject(raw)) throw new Error('ITF: not a JSON object');
  const vars = asArray(raw.vars, 'vars');
  if (!vars.every((v): v is string => typeof v === 'string')) throw new Error('ITF: vars must be strings');
  const states = asArray(raw.states, 'states').map((s, i) => {
    if (!isPlainObject(s)) throw new Error(`ITF: state ${i} is not an object`);
    const meta = s['#meta'];
    const index = isPlainObject(meta) && typeof meta.index === 'number' ? meta.index : i;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === '#meta') continue;
      if (!vars.includes(k)) throw new Error(`ITF: state ${i} has '${k}', which is not in vars`);
      values[k] = decodeValue(v);
    }
    const action = isPlainObject(meta) && isPlainObject(meta.action) ? meta.action : undefined;
    return action ? { index, action, values } : { index, values };
  });
  return { meta: isPlainObject(raw['#meta']) ? raw['#meta'] : {}, vars, states };
}
