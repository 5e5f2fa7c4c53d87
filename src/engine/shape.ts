/**
 * State shapes: a model may declare the finite domain of every field of its
 * state, and get from `shapeCodec` a codec that packs a state into the bits of
 * one integer (below 2^52, exact in a double) and back.
 *
 * The codec's functions are generated for the shape (straight-line code, one
 * shift and mask per field, no loop and no allocation except in `unpack`),
 * because they run once or twice per transition. Fields go whole into one of
 * two words, the low 32 bits and the high 20 (largest first, first fit), so
 * that every operation stays in 32-bit integer arithmetic.
 *
 * Beyond `pack`/`unpack`, a shape codec can write a code into an existing
 * state object (`unpackInto`): with the model's in-place `apply`, the engine
 * then expands states without allocating (explore.ts).
 *
 * `pack` checks every value against its declared domain (and every array's
 * length), so that a value outside it is a SpecError naming the field rather
 * than a silently wrong code.
 */
import type { StateCodec } from './model.js';
import { SpecError } from './errors.js';

/** An integer from `min` to `max` inclusive (within 32-bit signed integers). */
export interface IntField {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}
/** One of a fixed list of values (compared with ===). */
export interface EnumField<T = unknown> {
  readonly kind: 'enum';
  readonly values: readonly T[];
}
/** An array of fixed length whose elements all have one shape. */
export interface ArrayField<F extends Field = Field> {
  readonly kind: 'array';
  readonly length: number;
  readonly of: F;
}
/** A record (plain object) with one shape per property. */
export interface RecordField<R extends Record<string, Field> = Record<string, Field>> {
  readonly kind: 'record';
  readonly fields: R;
}
export type Field = IntField | EnumField | ArrayField | RecordField;

/** The shape of a state type: one field shape per property, none missing. */
export type ShapeOf<S> = { readonly [K in keyof S]-?: FieldOf<S[K]> };
// Not distributive ([T]): a union of literals is one enum field.
type FieldOf<T> = [T] extends [readonly (infer E)[]]
  ? ArrayField<FieldOf<E>>
  : [T] extends [number]
    ? IntField | EnumField<T>
    : [T] extends [string | boolean]
      ? EnumField<T>
      : [T] extends [object]
        ? RecordField<ShapeOf<T> & Record<string, Field>>
        : never;

/** Field shapes, for a model's `shapeCodec({ x: field.int(0, 9), ... })`. */
export const field = {
  int: (min: number, max: number): IntField => ({ kind: 'int', min, max }),
  oneOf: <T>(values: readonly T[]): EnumField<T> => ({ kind: 'enum', values }),
  bool: { kind: 'enum', values: [false, true] } as EnumField<boolean>,
  array: <F extends Field>(length: number, of: F): ArrayField<F> => ({ kind: 'array', length, of }),
  record: <R extends Record<string, Field>>(fields: R): RecordField<R> => ({ kind: 'record', fields }),
};

/** A codec generated from a shape. */
export interface ShapeCodec<S> extends StateCodec<S> {
  /** Writes the state with code `code` into `into` (a state of the same shape), field by field. */
  unpackInto(code: number, into: S): void;
  /** Bits the shape takes (at most 52). */
  readonly bits: number;
}

/** The width of the low word, and the most bits a code may have (so that code + 1 stays exact). */
const LO_BITS = 32;
const MAX_BITS = 52;

/** A scalar leaf of the shape: where it is in the state, and its domain. */
interface Leaf {
  /** JavaScript access path from the state, e.g. `["t"][1]`. */
  readonly path: string;
  /** Readable path for errors, e.g. `t[1]`. */
  readonly name: string;
  readonly field: IntField | EnumField;
  readonly size: number;
  readonly bits: number;
  word?: 0 | 1;
  shift?: number;
}

const bitsFor = (size: number): number => (size <= 1 ? 0 : Math.ceil(Math.log2(size)));

function leaves(f: Field, path: string, name: string, out: Leaf[], arrays: { path: string; name: string; length: number }[]): void {
  switch (f.kind) {
    case 'int': {
      if (!(Number.isInteger(f.min) && Number.isInteger(f.max) && f.min <= f.max && f.min >= -(2 ** 31) && f.max < 2 ** 31)) {
        throw new SpecError(`shape: field ${name || '(state)'} has the integer range ${f.min}..${f.max}; it must be integers min <= max within 32-bit signed integers`);
      }
      const size = f.max - f.min + 1;
      out.push({ path, name, field: f, size, bits: bitsFor(size) });
      return;
    }
    case 'enum': {
      if (f.values.length === 0) throw new SpecError(`shape: field ${name} has no values`);
      if (new Set(f.values).size !== f.values.length) throw new SpecError(`shape: field ${name} lists a value twice`);
      out.push({ path, name, field: f, size: f.values.length, bits: bitsFor(f.values.length) });
      return;
    }
    case 'array':
      if (!(Number.isInteger(f.length) && f.length >= 0)) throw new SpecError(`shape: array ${name} has length ${f.length}`);
      arrays.push({ path, name, length: f.length });
      for (let i = 0; i < f.length; i++) leaves(f.of, `${path}[${i}]`, `${name}[${i}]`, out, arrays);
      return;
    case 'record':
      for (const [k, sub] of Object.entries(f.fields)) leaves(sub, `${path}[${JSON.stringify(k)}]`, name ? `${name}.${k}` : k, out, arrays);
      return;
    default:
      throw new SpecError(`shape: field ${name || '(state)'} is not a field shape (use field.int, field.oneOf, field.bool, field.array, field.record)`);
  }
}

/** Places the leaves in the two words, largest first; false if they do not fit. */
function place(ls: Leaf[]): boolean {
  const used = [0, 0];
  const room = [LO_BITS, MAX_BITS - LO_BITS];
  for (const l of [...ls].sort((a, b) => b.bits - a.bits)) {
    const w = l.bits <= room[0] - used[0] ? 0 : l.bits <= room[1] - used[1] ? 1 : -1;
    if (w < 0) return false;
    l.word = w as 0 | 1;
    l.shift = used[w];
    used[w] += l.bits;
  }
  return true;
}

/** The expression building a fresh value of a field (its first value: min, or the first enum value). */
function blankOf(f: Field, constant: (v: unknown) => string): string {
  switch (f.kind) {
    case 'int':
      return String(f.min);
    case 'enum':
      return constant(f.values[0]);
    case 'array':
      return `[${Array.from({ length: f.length }, () => blankOf(f.of, constant)).join(', ')}]`;
    case 'record':
      return `{ ${Object.entries(f.fields)
        .map(([k, sub]) => `${JSON.stringify(k)}: ${blankOf(sub, constant)}`)
        .join(', ')} }`;
  }
}

/**
 * The codec of a shape, or undefined when the shape needs more than 52 bits
 * (then the model has no codec and the engine keys states by `key`).
 * Throws a SpecError for a malformed shape.
 */
export function shapeCodec<S>(shape: ShapeOf<S>): ShapeCodec<S> | undefined {
  const ls: Leaf[] = [];
  const arrays: { path: string; name: string; length: number }[] = [];
  leaves({ kind: 'record', fields: shape as Record<string, Field> }, '', '', ls, arrays);
  const bits = ls.reduce((n, l) => n + l.bits, 0);
  if (bits > MAX_BITS || !place(ls)) return undefined;

  // Values the generated code compares with or returns (enum values) are passed in, not printed.
  const constants: unknown[] = [];
  const constant = (v: unknown): string => {
    let i = constants.indexOf(v);
    if (i < 0) i = constants.push(v) - 1;
    return `K[${i}]`;
  };

  const pack: string[] = ['let lo = 0, hi = 0, v, d;'];
  for (const a of arrays) pack.push(`if (s${a.path}.length !== ${a.length}) bad(${JSON.stringify(a.name)}, s${a.path}, 'an array of length ${a.length}');`);
  ls.forEach((l, i) => {
    const word = l.word === 0 ? 'lo' : 'hi';
    const f = l.field;
    pack.push(`v = s${l.path};`);
    if (f.kind === 'int') {
      pack.push(`d = v - ${f.min};`);
      pack.push(`if (!(d >= 0 && d <= ${l.size - 1} && (d | 0) === d)) bad(${JSON.stringify(l.name)}, v, 'an integer from ${f.min} to ${f.max}');`);
    } else {
      pack.push(`d = ${f.values.map((v, k) => `v === ${constant(v)} ? ${k} : `).join('')}-1;`);
      pack.push(`if (d < 0) bad(${JSON.stringify(l.name)}, v, D[${i}]);`);
    }
    if (l.bits > 0) pack.push(`${word} |= d << ${l.shift};`);
  });
  pack.push('return hi * 4294967296 + (lo >>> 0);');

  const into: string[] = ['const lo = code >>> 0, hi = (code - lo) / 4294967296;'];
  for (const l of ls) {
    const word = l.word === 0 ? 'lo' : 'hi';
    const digit = l.bits === 0 ? '0' : `(${word} >>> ${l.shift}) & ${2 ** l.bits - 1}`;
    const f = l.field;
    into.push(f.kind === 'int' ? `s${l.path} = (${digit}) + ${f.min};` : `s${l.path} = ${constant(f.values)}[${digit}];`);
  }
  const domains = ls.map((l) => (l.field.kind === 'enum' ? `one of ${l.field.values.map((v) => JSON.stringify(v)).join(', ')}` : ''));
  const bad = (name: string, value: unknown, domain: string): never => {
    throw new SpecError(`shape: state field ${name} is ${JSON.stringify(value) ?? String(value)}, outside its declared domain (${domain})`);
  };
  const blank = blankOf({ kind: 'record', fields: shape as Record<string, Field> }, constant);
  const make = new Function(
    'K',
    'D',
    'bad',
    `function pack(s) {\n${pack.join('\n')}\n}
    function unpackInto(code, s) {\n${into.join('\n')}\n}
    function unpack(code) { const s = ${blank}; unpackInto(code, s); return s; }
    return { pack, unpackInto, unpack };`,
  );
  const generated = make(constants, domains, bad) as Omit<ShapeCodec<S>, 'bits'>;
  return { ...generated, bits };
}
