/**
 * State shapes: a model may declare the finite domain of every field of its
 * state, and get from `shapeCodec` a codec that packs a state into one
 * integer (below 2^52, exact in a double) and back.
 *
 * The codec's functions are generated for the shape (straight-line code, no
 * loop and no allocation except in `unpack`), because they run once or twice
 * per transition. Fields are bit fields when they fit whole in two words, the
 * low 32 bits and the high 20 (largest first, first fit), so that every
 * operation stays in 32-bit integer arithmetic; otherwise the code is the
 * mixed-radix number of the field values (a division per field to unpack),
 * as long as the product of the domain sizes is at most 2^52.
 *
 * Beyond `pack`/`unpack`, a shape codec can write a code into an existing
 * state object (`unpackInto`): with the model's in-place `apply`, the engine
 * then expands states without allocating (successors.ts). `containers` lists
 * the state's arrays and records, which such an `apply` must keep.
 *
 * A shape whose fields need more than 52 bits gets a codec of several 32-bit
 * words instead (`wordsCodec`): every field is a bit field inside one word
 * (largest first, first fit), and the engine stores a state as that many
 * Int32 words (store.ts, WideSpace). `shapeCodec` keeps the one-number codec
 * for the shapes that fit, the fast path.
 *
 * `pack` checks every value against its declared domain (an integer in its
 * range, or one of the listed values), every array's length and that every
 * record is an object, so that a value outside the shape is a SpecError
 * naming the field rather than a silently wrong code. Properties the shape
 * does not declare are not stored: the model's `key` must not depend on them
 * (the engine checks the round trip on the first transitions).
 */
import type { StateCodec, WordsCodec } from './model.js';
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
  /** Writes the state with code `code` into `into` (a state of the same shape), field by field (a field with one value is not written: `into` holds it). */
  unpackInto(code: number, into: S): void;
  /** The state's containers (itself, its arrays and records), in a fixed order: `apply` must keep them. */
  containers(state: S): readonly unknown[];
  /** Copies every field of one state into another of the same shape (containers kept). */
  copy(from: S, into: S): void;
  /** A new state of the shape, every field at its first value (for a copy to fill). */
  blank(): S;
  /** Bits the shape takes (at most 52). */
  readonly bits: number;
  /** Whether fields are bit fields of the code, or the digits of a mixed-radix number (when bit fields do not fit). */
  readonly layout: 'bit fields' | 'mixed radix';
}

/** The width of the low word, and the most bits a code may have (so that code + 1 stays exact). */
const LO_BITS = 32;
const MAX_BITS = 52;

/** A scalar leaf of the shape: where it is in the state, and its domain. */
interface Leaf {
  /** JavaScript access path from the state, e.g. `["t"][1]`. */
  readonly path: string;
  /** The same from its container's variable in generated code, e.g. `c1[1]` (see Container.ref). */
  readonly ref: string;
  /** Readable path for errors, e.g. `t[1]`. */
  readonly name: string;
  readonly field: IntField | EnumField;
  readonly size: number;
  readonly bits: number;
  word?: 0 | 1;
  shift?: number;
}

const bitsFor = (size: number): number => (size <= 1 ? 0 : Math.ceil(Math.log2(size)));

/** A container of the state (the state itself, an array or a record): checked before its fields are read. */
interface Container {
  readonly path: string;
  /** Its value in generated code, from its own container's variable: `s` for the state, e.g. `c0["t"]`. */
  readonly ref: string;
  readonly name: string;
  /** The array's length, or undefined for a record. */
  readonly length?: number;
}

/** The largest domain a field may have, so that a digit stays a 32-bit signed integer. */
const MAX_SIZE = 2 ** 31;

function leaves(f: Field, path: string, name: string, out: Leaf[], containers: Container[], ref = 's'): void {
  const what = name || '(state)';
  const me = containers.length; // this field's index, if it is a container
  switch (f.kind) {
    case 'int': {
      if (!(Number.isInteger(f.min) && Number.isInteger(f.max) && f.min <= f.max && f.max - f.min < MAX_SIZE && f.min >= -(2 ** 31) && f.max < 2 ** 31)) {
        throw new SpecError(`shape: field ${what} has the integer range ${f.min}..${f.max}; it must be 32-bit signed integers min <= max, with at most 2^31 values`);
      }
      const size = f.max - f.min + 1;
      out.push({ path, ref, name, field: f, size, bits: bitsFor(size) });
      return;
    }
    case 'enum': {
      if (f.values.length === 0) throw new SpecError(`shape: field ${what} has no values`);
      if (f.values.length > MAX_SIZE) throw new SpecError(`shape: field ${what} has more than 2^31 values`);
      if (new Set(f.values).size !== f.values.length || f.values.some((v) => v !== v)) throw new SpecError(`shape: field ${what} lists a value twice (or NaN, which equals nothing)`);
      out.push({ path, ref, name, field: f, size: f.values.length, bits: bitsFor(f.values.length) });
      return;
    }
    case 'array':
      if (!(Number.isInteger(f.length) && f.length >= 0)) throw new SpecError(`shape: array ${what} has length ${f.length}`);
      containers.push({ path, ref, name: what, length: f.length });
      for (let i = 0; i < f.length; i++) leaves(f.of, `${path}[${i}]`, `${name}[${i}]`, out, containers, `c${me}[${i}]`);
      return;
    case 'record':
      containers.push({ path, ref, name: what });
      for (const [k, sub] of Object.entries(f.fields)) {
        // In the generated object literal, "__proto__" would set the prototype, not a property.
        if (k === '__proto__') throw new SpecError(`shape: field ${name ? `${name}.` : ''}__proto__: that name cannot be a state field`);
        leaves(sub, `${path}[${JSON.stringify(k)}]`, name ? `${name}.${k}` : k, out, containers, `c${me}[${JSON.stringify(k)}]`);
      }
      return;
    default:
      throw new SpecError(`shape: field ${what} is not a field shape (use field.int, field.oneOf, field.bool, field.array, field.record)`);
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

/**
 * The expression building a fresh value of a field (its first value: min, or
 * the first enum value), given the first value of each leaf by its index (the
 * leaves in the order `leaves` visits them).
 */
function blankOf(f: Field, first: () => string): string {
  switch (f.kind) {
    case 'int':
    case 'enum':
      return first();
    case 'array':
      return `[${Array.from({ length: f.length }, () => blankOf(f.of, first)).join(', ')}]`;
    case 'record':
      return `{ ${Object.entries(f.fields)
        .map(([k, sub]) => `${JSON.stringify(k)}: ${blankOf(sub, first)}`)
        .join(', ')} }`;
  }
}

type Factory = (K: unknown[], D: string[], bad: (name: string, value: unknown, domain: string) => never, TOP: Int32Array) => Record<string, unknown>;

/**
 * The compiled factories of the generated sources, by source. A model built
 * again (another cell of a matrix, or the same one) gets the functions other
 * models made fast: every closure a factory makes shares its type feedback
 * and optimised code (V8's own cache of compiled sources does not outlive a
 * full garbage collection). At most FACTORIES sources are kept, the least
 * recently used dropped first.
 */
const factories = new Map<string, Factory>();
const FACTORIES = 1024;

/** How many generated sources this process has compiled (for the tests of the sharing). */
export const compiledSources = (): number => compiled;
let compiled = 0;

function factory(source: string): Factory {
  let f = factories.get(source);
  if (f === undefined) {
    f = new Function('K', 'D', 'bad', 'TOP', source) as Factory;
    compiled++;
    if (factories.size >= FACTORIES) factories.delete(factories.keys().next().value!);
  } else factories.delete(source); // the least recently used goes first
  factories.set(source, f);
  return f;
}

/**
 * What both codecs generate alike: the leaves, the container checks, the digit of each leaf, the blank state.
 *
 * A leaf's largest digit is printed into the code (`literal`) or read from
 * an array indexed by leaf (`data`: TOP[i]); its lowest value is printed,
 * and its enum values are constants K[j] numbered as they first appear.
 * With data, two shapes whose leaves lie alike (the same containers and
 * property names, the same kind, bits and lowest value per leaf, the same
 * number of values per enum and the same pattern of shared constants)
 * generate the same source, compiled once per process (`factory`):
 * the model of one matrix cell then runs code that other cells made fast
 * instead of compiling its own, which costs more than a small cell's whole
 * exploration (the default dialog matrix: 891 cells, 116 layouts). The
 * one-number codec keeps literals, the counter race's fast path; so does the
 * words codec's `pack`, compiled from a source of its own (see wordsCodec).
 */
class Generated {
  readonly ls: Leaf[] = [];
  readonly containers: Container[] = [];
  /** Values the generated code compares with or returns (enum values) are passed in, not printed. */
  readonly constants: unknown[] = [];

  constructor(
    readonly shape: Record<string, Field>,
    readonly domains: 'literal' | 'data' = 'literal',
  ) {
    leaves({ kind: 'record', fields: shape }, '', '', this.ls, this.containers);
  }

  constant(v: unknown): string {
    let i = this.constants.indexOf(v);
    if (i < 0) i = this.constants.push(v) - 1;
    return `K[${i}]`;
  }

  /** Leaf i's lowest value (an int's min: printed, see above). */
  lo(i: number): string {
    return String((this.ls[i].field as IntField).min);
  }

  /** Leaf i's largest digit (size - 1). */
  top(i: number): string {
    return this.domains === 'data' ? `TOP[${i}]` : String(this.ls[i].size - 1);
  }

  /** Leaf i's enum values (an array), or its k-th value. */
  values(i: number, k?: number): string {
    const vs = (this.ls[i].field as EnumField).values;
    return k === undefined ? this.constant(vs) : this.constant(vs[k]);
  }

  /** Leaf i's first value, as `blank` holds it. */
  first(i: number): string {
    return this.ls[i].field.kind === 'int' ? this.lo(i) : this.values(i, 0);
  }

  /**
   * For the start of `pack`: each container into its variable (`c0` the state,
   * `c1`... its arrays and records, each from its own container's variable,
   * so that a leaf is one property load), checked before its fields are read.
   */
  containerChecks(): string[] {
    return this.containers.map((c, i) => {
      const test = this.containerTest(i);
      const domain = c.length === undefined ? 'an object' : `an array of length ${c.length}`;
      return `const c${i} = ${c.ref};\nif ${test} bad(${JSON.stringify(c.name)}, c${i}, '${domain}');`;
    });
  }

  /** Each container of the state named `root` into its variable, prefixed with `p` (no checks: the state has the shape). */
  containerVars(root: string, p: string): string[] {
    return this.containers.map((c, i) => `const ${p}${i} = ${c.ref.replace(/^s$/, root).replace(/^c/, p)};`);
  }

  /** Code that reads leaf i into `v`, checks it, and leaves its digit (0 .. size-1) in `d`. */
  digit(i: number): string[] {
    const l = this.ls[i];
    const f = l.field;
    const out = [`v = ${l.ref};`];
    if (l.size === 1) {
      // A field with one value (a constant of this shape): one comparison, digit 0.
      out.push('d = 0;');
      out.push(`if (v !== ${this.first(i)}) bad(${JSON.stringify(l.name)}, v, D[${i}]);`);
      return out;
    }
    if (f.kind === 'int') {
      // v === (v | 0): a number and a 32-bit integer (a string, null or true is not equal to its coercion).
      out.push(`d = v - ${this.lo(i)};`);
      out.push(`if (v !== (v | 0) || d < 0 || d > ${this.top(i)}) bad(${JSON.stringify(l.name)}, v, D[${i}]);`);
    } else if (f.values.length === 2 && f.values[0] === false && f.values[1] === true) {
      out.push(`d = v === true ? 1 : v === false ? 0 : -1;`);
      out.push(`if (d < 0) bad(${JSON.stringify(l.name)}, v, D[${i}]);`);
    } else {
      out.push(`d = ${f.values.map((_, k) => `v === ${this.values(i, k)} ? ${k} : `).join('')}-1;`);
      out.push(`if (d < 0) bad(${JSON.stringify(l.name)}, v, D[${i}]);`);
    }
    return out;
  }

  /**
   * The same as `digit` without a branch: the digit in `d`, and a bit in
   * `e` (nonzero when leaf i is outside its domain) where `digit` would
   * call `bad`. Exactly the values `digit` refuses set `e`: for an
   * integer, `d = (v - min) | 0` and `d + min === v` only for a 32-bit
   * integer v (not for a string, null, a boolean, a fraction or NaN), and the
   * unsigned value of d is at most size - 1 only in range. (Every field is
   * read before `e` is looked at: see pack's try, for a value that throws.) A pack built from these is about two
   * thirds the size of one built from `digit` (no message per field), so
   * that V8 compiles it sooner. The largest digit is printed, whatever the
   * domains: the words codec compiles its pack for each shape's domains.
   */
  flagged(i: number): string[] {
    const l = this.ls[i];
    const f = l.field;
    if (l.size === 1) return [`d = 0; e |= ${l.ref} !== ${this.first(i)};`];
    if (f.kind === 'int') return [`v = ${l.ref}; d = (v - ${this.lo(i)}) | 0; e |= (d + ${this.lo(i)} !== v) | ((d >>> 0) > ${l.size - 1});`];
    if (f.values.length === 2 && f.values[0] === false && f.values[1] === true) return [`v = ${l.ref}; d = v === true ? 1 : 0; e |= (v !== true) & (v !== false);`];
    return [`v = ${l.ref}; d = ${f.values.map((_, k) => `v === ${this.values(i, k)} ? ${k} : `).join('')}-1; e |= d >>> 31;`];
  }

  /** Each container into its variable as in `containerChecks`, a wrong one returning `invalid(s)` instead of naming it. */
  containerGuards(): string[] {
    return this.containers.map((c, i) => `const c${i} = ${c.ref}; if ${this.containerTest(i)} return invalid(s);`);
  }

  /** The test that container i (in its variable `c<i>`) is not what the shape declares: an object, or an array of its length. */
  containerTest(i: number): string {
    const c = this.containers[i];
    return c.length === undefined ? `(typeof c${i} !== 'object' || c${i} === null)` : `(!Array.isArray(c${i}) || c${i}.length !== ${c.length})`;
  }

  /** The value of leaf i from its digit expression. */
  value(i: number, digit: string): string {
    return this.ls[i].field.kind === 'int' ? `(${digit}) + ${this.lo(i)}` : `${this.values(i)}[${digit}]`;
  }

  /**
   * Field-by-field copy of one state into another (containers kept). A field
   * with one value (a constant of the shape) is not copied: a state of the
   * shape holds it already (`pack` refuses any other value).
   */
  copy(): string[] {
    return [
      ...this.containerVars('from', 'f'),
      ...this.containerVars('into', 't'),
      ...this.ls.filter((l) => l.size > 1).map((l) => `${l.ref.replace(/^c/, 't')} = ${l.ref.replace(/^c/, 'f')};`),
    ];
  }

  /**
   * Compiles the generated functions; `body` defines them and ends with a
   * `return { ... }`. `alone`, if given, is the body of functions compiled
   * from a source of their own, returning a function that takes the first
   * source's result and returns theirs (merged into it).
   */
  compile(body: string, alone?: string): Record<string, unknown> {
    const ls = this.ls;
    const domains = ls.map((l) => (l.field.kind === 'enum' ? `one of ${l.field.values.map((v) => JSON.stringify(v) ?? String(v)).join(', ')}` : `an integer from ${l.field.min} to ${l.field.max}`));
    const bad = (name: string, value: unknown, domain: string): never => {
      let shown: string;
      try {
        shown = JSON.stringify(value) ?? String(value);
      } catch {
        shown = String(value);
      }
      throw new SpecError(`shape: state field ${name} is ${shown}, outside its declared domain (${domain})`);
    };
    let leaf = 0;
    const blank = blankOf({ kind: 'record', fields: this.shape }, () => this.first(leaf++));
    const source = `'use strict';
    function copy(from, into) {\n${this.copy().join('\n')}\n}
    function containers(s) { return [${this.containers.map((c) => `s${c.path}`).join(', ')}]; }
    function blank() { return ${blank}; }
    ${body}`;
    const TOP = Int32Array.from(ls, (l) => l.size - 1);
    const shared = factory(source)(this.constants, domains, bad, TOP);
    if (alone === undefined) return shared;
    return { ...shared, ...(factory(`'use strict';\n${alone}`)(this.constants, domains, bad, TOP) as unknown as (s: Record<string, unknown>) => Record<string, unknown>)(shared) };
  }
}

/**
 * The codec of a shape, or undefined when its domains do not fit in 52 bits
 * (then use `wordsCodec`, or the model keys states by `key`).
 * Fields are bit fields when they fit whole in the two words; otherwise the
 * code is the mixed-radix number of the field values (slower: a division
 * per field to unpack), as long as the product of the domain sizes is at
 * most 2^52. Throws a SpecError for a malformed shape.
 */
export function shapeCodec<S>(shape: ShapeOf<S>): ShapeCodec<S> | undefined {
  const g = new Generated(shape as Record<string, Field>);
  const ls = g.ls;
  const bitFields = ls.reduce((n, l) => n + l.bits, 0) <= MAX_BITS && place(ls);
  const log2 = ls.reduce((n, l) => n + Math.log2(l.size), 0);
  if (!bitFields && log2 > MAX_BITS) return undefined;
  const bits = bitFields ? ls.reduce((n, l) => n + l.bits, 0) : Math.ceil(log2 - 1e-9);

  const pack: string[] = [bitFields ? 'let lo = 0, hi = 0, v, d;' : 'let c = 0, v, d;', ...g.containerChecks()];
  ls.forEach((l, i) => {
    pack.push(...g.digit(i));
    if (!bitFields) pack.push(`c = c * ${l.size} + d;`);
    else if (l.bits > 0) pack.push(`${l.word === 0 ? 'lo' : 'hi'} |= d << ${l.shift};`);
  });
  pack.push(bitFields ? 'return hi * 4294967296 + (lo >>> 0);' : 'return c;');

  const into: string[] = g.containerVars('s', 'c');
  if (bitFields) {
    into.push('const lo = code >>> 0, hi = (code - lo) / 4294967296;');
    ls.forEach((l, i) => {
      if (l.size > 1) into.push(`${l.ref} = ${g.value(i, l.bits === 0 ? '0' : `(${l.word === 0 ? 'lo' : 'hi'} >>> ${l.shift}) & ${2 ** l.bits - 1}`)};`);
    });
  } else {
    // The last field is the lowest digit.
    into.push('let code_ = code, d;');
    for (let i = ls.length - 1; i >= 0; i--) {
      const l = ls[i];
      if (l.size > 1) into.push(`d = code_ % ${l.size}; code_ = (code_ - d) / ${l.size}; ${l.ref} = ${g.value(i, 'd')};`);
    }
  }
  const generated = g.compile(`
    function pack(s) {\n${pack.join('\n')}\n}
    function unpackInto(code, s) {\n${into.join('\n')}\n}
    function unpack(code) { const s = blank(); unpackInto(code, s); return s; }
    return { pack, unpackInto, unpack, containers, copy, blank };`) as unknown as Omit<ShapeCodec<S>, 'bits' | 'layout'>;
  return { ...generated, bits, layout: bitFields ? 'bit fields' : 'mixed radix' };
}

/** A codec generated from a shape that packs a state into several 32-bit words. */
export interface WordsShapeCodec<S> extends WordsCodec<S> {
  unpackInto(from: Int32Array, at: number, into: S): void;
  containers(state: S): readonly unknown[];
  copy(from: S, into: S): void;
  blank(): S;
  /** Bits the fields take (their sum; each field lies inside one word). */
  readonly bits: number;
}

/**
 * The codec of a shape as `words` 32-bit words (as few as first fit allows,
 * at least one): every field is a bit field inside one word, so a field of
 * up to 31 bits never straddles two. For shapes of any size; the engine
 * stores such states as Int32 words (store.ts, WideSpace). Throws a
 * SpecError for a malformed shape.
 */
export function wordsCodec<S>(shape: ShapeOf<S>): WordsShapeCodec<S> {
  const g = new Generated(shape as Record<string, Field>, 'data');
  const ls = g.ls;
  const used: number[] = [];
  const word: number[] = new Array(ls.length);
  const shift: number[] = new Array(ls.length);
  const order = ls.map((_, i) => i).sort((a, b) => ls[b].bits - ls[a].bits || a - b);
  for (const i of order) {
    const b = ls[i].bits;
    let w = used.findIndex((u) => u + b <= 32);
    if (w < 0) w = used.push(0) - 1;
    word[i] = w;
    shift[i] = used[w];
    used[w] += b;
  }
  const words = Math.max(1, used.length);
  const ws = [...Array(words).keys()];
  // pack checks every field without a branch (Generated.flagged); only a state it flags goes
  // through `validate`, the check that names the field (compiled if ever called). pack prints
  // each field's largest digit into its code, as the one-number codec does: a compare with a
  // constant instead of a load from TOP, which made the dialog model's pack about a tenth
  // slower. So pack is compiled from a source of its own, made for this shape's domains
  // (the default matrix's cells: 410 pack sources, beside the 127 shared ones, with no change in
  // npm run check's time); the rest, with TOP, is shared by every shape of the same layout
  // (see Generated).
  const pack: string[] = [`let v, d, e = 0, ${ws.map((w) => `w${w} = 0`).join(', ')};`, ...g.containerGuards()];
  const validate: string[] = ['let v, d;', ...g.containerChecks()];
  ls.forEach((l, i) => {
    pack.push(...g.flagged(i));
    validate.push(...g.digit(i));
    if (l.bits > 0) pack.push(`w${word[i]} |= d << ${shift[i]};`);
  });
  pack.push('if (e !== 0) return invalid(s);');
  for (const w of ws) pack.push(`out[at + ${w}] = w${w};`);
  const into: string[] = [...g.containerVars('s', 'c'), `${ws.map((w) => `const w${w} = src[at + ${w}]`).join('; ')};`];
  ls.forEach((l, i) => {
    if (l.size === 1) return; // a constant of the shape: the state holds it already
    const mask = l.bits === 32 ? '' : ` & ${2 ** l.bits - 1}`;
    into.push(`${l.ref} = ${g.value(i, l.bits === 0 ? '0' : `(w${word[i]} >>> ${shift[i]})${mask}`)};`);
  });
  // pack's catch: a value that throws when read as a number (a BigInt, a Symbol) in a later field
  // than one out of its domain gives the error of the first field, as validate (and the check
  // before it) does.
  const { validate: _validate, ...generated } = g.compile(
    `
    function validate(s) {\n${validate.join('\n')}\n}
    function unpackInto(src, at, s) {\n${into.join('\n')}\n}
    function unpack(src, at) { const s = blank(); unpackInto(src, at, s); return s; }
    return { validate, unpackInto, unpack, containers, copy, blank };`,
    `return ({ validate }) => {
    function pack(s, out, at) {\ntry {\n${pack.join('\n')}\n} catch (x) { validate(s); throw x; }\n}
    function invalid(s) {
      validate(s);
      throw new Error('shape: pack found a field outside its domain that validate accepts (a defect of the generated codec, or a field whose value changed between two reads)');
    }
    return { pack };
    };`,
  ) as unknown as Omit<WordsShapeCodec<S>, 'bits' | 'words'> & { validate: unknown };
  return { ...generated, words, bits: ls.reduce((n, l) => n + l.bits, 0) };
}
