/**
 * State shapes (src/engine/shape.ts) and the packed exploration loop they
 * enable (explore.ts): the generated codec round-trips and refuses values
 * outside their domains; the packed loop (batched, in place or not) gives
 * exactly the outcome of the state-by-state loop, bounds included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { always, atQuiescence, check, field, shapeCodec, sometimes, SpecError, type CheckOptions, type Model, type Outcome, type Property, type ShapeOf } from '../src/engine/index.js';
import { compiledSources, wordsCodec } from '../src/engine/shape.js';
import { counterRace } from '../spec/examples/counter.js';

interface Mixed {
  readonly a: number;
  readonly b: readonly number[];
  readonly mode: 'idle' | 'busy' | 'gone';
  readonly flag: boolean;
  readonly inner: { readonly p: number; readonly q: readonly boolean[] };
  readonly pairs: readonly { readonly u: number; readonly v: 'x' | 'y' }[];
}

const mixedShape: ShapeOf<Mixed> = {
  a: field.int(-5, 1000),
  b: field.array(2, field.int(0, 3)),
  mode: field.oneOf(['idle', 'busy', 'gone'] as const),
  flag: field.bool,
  inner: field.record({ p: field.int(7, 7), q: field.array(3, field.bool) }),
  pairs: field.array(2, field.record({ u: field.int(0, 100), v: field.oneOf(['x', 'y'] as const) })),
};

describe('shapeCodec', () => {
  const codec = shapeCodec(mixedShape)!;

  it('packs every field into its bits and back (extremes, nested records and arrays)', () => {
    // a: 1006 values in 10 bits, b: 2*2, mode: 2, flag: 1, inner: 0 + 3, pairs: 2*(7 + 1)
    expect(codec.bits).toBe(36);
    const states: Mixed[] = [
      { a: -5, b: [0, 0], mode: 'idle', flag: false, inner: { p: 7, q: [false, false, false] }, pairs: [{ u: 0, v: 'x' }, { u: 0, v: 'x' }] },
      { a: 1000, b: [3, 3], mode: 'gone', flag: true, inner: { p: 7, q: [true, true, true] }, pairs: [{ u: 100, v: 'y' }, { u: 100, v: 'y' }] },
      { a: 17, b: [1, 2], mode: 'busy', flag: true, inner: { p: 7, q: [true, false, true] }, pairs: [{ u: 42, v: 'y' }, { u: 9, v: 'x' }] },
    ];
    const codes = states.map((s) => codec.pack(s));
    expect(new Set(codes).size).toBe(3);
    for (let i = 0; i < states.length; i++) {
      expect(codes[i]).toBeGreaterThanOrEqual(0);
      expect(codes[i]).toBeLessThan(2 ** 36);
      expect(codec.unpack(codes[i])).toEqual(states[i]);
      const into = codec.unpack(codes[(i + 1) % 3]);
      codec.unpackInto!(codes[i], into);
      expect(into).toEqual(states[i]);
    }
  });

  it('is one-to-one on a random sample of states', () => {
    const mixedArb: fc.Arbitrary<Mixed> = fc.record({
      a: fc.integer({ min: -5, max: 1000 }),
      b: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
      mode: fc.constantFrom('idle' as const, 'busy' as const, 'gone' as const),
      flag: fc.boolean(),
      inner: fc.record({ p: fc.constant(7), q: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()) }),
      pairs: fc.tuple(
        fc.record({ u: fc.integer({ min: 0, max: 100 }), v: fc.constantFrom('x' as const, 'y' as const) }),
        fc.record({ u: fc.integer({ min: 0, max: 100 }), v: fc.constantFrom('x' as const, 'y' as const) }),
      ),
    });
    fc.assert(
      fc.property(mixedArb, mixedArb, (s, t) => {
        expect(codec.unpack(codec.pack(s))).toEqual(s);
        expect(codec.pack(s) === codec.pack(t)).toBe(JSON.stringify(s) === JSON.stringify(t));
      }),
      { numRuns: 500 },
    );
  });

  it('uses up to 52 bits, and offers no codec beyond', () => {
    const wide = (n: number) => shapeCodec<{ w: readonly number[] }>({ w: field.array(n, field.int(0, 15)) });
    expect(wide(13)).toMatchObject({ bits: 52, layout: 'bit fields' });
    const top = wide(13)!.pack({ w: Array(13).fill(15) });
    expect(top).toBe(2 ** 52 - 1);
    expect(wide(13)!.unpack(top)).toEqual({ w: Array(13).fill(15) });
    expect(wide(14)).toBeUndefined();
  });

  it('falls back to a mixed-radix number when the fields do not fit whole in the two words', () => {
    // Two fields of 26 bits (52 in all) cannot be split whole into 32 + 20.
    const two = shapeCodec<{ w: readonly number[] }>({ w: field.array(2, field.int(0, 2 ** 26 - 1)) })!;
    expect(two).toMatchObject({ bits: 52, layout: 'mixed radix' });
    for (const w of [[0, 0], [2 ** 26 - 1, 2 ** 26 - 1], [12345, 2 ** 25]]) {
      const c = two.pack({ w });
      expect(c).toBeLessThan(2 ** 52);
      expect(two.unpack(c)).toEqual({ w });
    }
    // The counter race at NP=4, K=8: 33 values of x and each t[i], 9 of n[i], 5 of pc[i]: 58 bits as
    // bit fields, about 47.2 as a mixed-radix number.
    const counter4 = shapeCodec<{ x: number; t: readonly number[]; n: readonly number[]; pc: readonly string[] }>({
      x: field.int(0, 32),
      t: field.array(4, field.int(0, 32)),
      n: field.array(4, field.int(0, 8)),
      pc: field.array(4, field.oneOf(['head', 'load', 'store', 'incr', 'done'])),
    })!;
    expect(counter4).toMatchObject({ bits: 48, layout: 'mixed radix' });
    const s = { x: 32, t: [32, 0, 17, 5], n: [8, 0, 3, 8], pc: ['done', 'head', 'store', 'incr'] };
    expect(counter4.unpack(counter4.pack(s))).toEqual(s);
    const into = counter4.unpack(0);
    counter4.unpackInto(counter4.pack(s), into);
    expect(into).toEqual(s);
    // Beyond 2^52 values in all: no codec.
    expect(shapeCodec<{ w: readonly number[] }>({ w: field.array(3, field.int(0, 2 ** 18)) })).toBeUndefined();
  });

  it('takes integer fields of up to 2^31 values', () => {
    const c = shapeCodec<{ a: number; b: boolean }>({ a: field.int(-1, 2 ** 31 - 2), b: field.bool })!;
    expect(c.bits).toBe(32);
    for (const a of [-1, 0, 2 ** 31 - 2]) for (const b of [false, true]) expect(c.unpack(c.pack({ a, b }))).toEqual({ a, b });
    expect(() => c.pack({ a: 2 ** 31 - 1, b: true })).toThrow(/field a is 2147483647/);
  });

  // The words codec checks without a branch per field and names the field only for a state it
  // flags (shape.ts, Generated.flagged): the same refusals, with the same messages.
  it.each([
    ['shapeCodec', (s: Mixed) => codec.pack(s)],
    ['wordsCodec', (s: Mixed) => wordsCodec(mixedShape).pack(s, new Int32Array(8), 0)],
  ])('refuses a value outside its domain with a SpecError naming the field (%s)', (_name, pack) => {
    const ok: Mixed = { a: 0, b: [0, 0], mode: 'idle', flag: false, inner: { p: 7, q: [false, false, false] }, pairs: [{ u: 0, v: 'x' }, { u: 0, v: 'x' }] };
    const bad = (patch: (s: any) => void): string => {
      const s = structuredClone(ok) as any;
      patch(s);
      try {
        pack(s);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad((s) => (s.a = 1001))).toBe('shape: state field a is 1001, outside its declared domain (an integer from -5 to 1000)');
    expect(bad((s) => (s.a = 2.5))).toContain('field a is 2.5');
    expect(bad((s) => (s.a = undefined))).toContain('field a is undefined');
    expect(bad((s) => (s.b[1] = -1))).toContain('field b[1] is -1');
    expect(bad((s) => (s.mode = 'lost'))).toBe('shape: state field mode is "lost", outside its declared domain (one of "idle", "busy", "gone")');
    expect(bad((s) => (s.flag = 1))).toContain('field flag is 1');
    expect(bad((s) => (s.inner.p = 8))).toContain('field inner.p is 8');
    expect(bad((s) => (s.pairs[1].v = 'z'))).toContain('field pairs[1].v is "z"');
    expect(bad((s) => s.b.push(0))).toContain('field b is [0,0,0], outside its declared domain (an array of length 2)');
    // Values that arithmetic would coerce to a number are refused too.
    expect(bad((s) => (s.a = '3'))).toBe('shape: state field a is "3", outside its declared domain (an integer from -5 to 1000)');
    expect(bad((s) => (s.a = null))).toContain('field a is null');
    expect(bad((s) => (s.b[0] = true))).toContain('field b[0] is true');
    expect(bad((s) => delete s.b)).toBe('shape: state field b is undefined, outside its declared domain (an array of length 2)');
    expect(bad((s) => (s.inner = null))).toBe('shape: state field inner is null, outside its declared domain (an object)');
    expect(() => pack(undefined as never)).toThrow('shape: state field (state) is undefined, outside its declared domain (an object)');
    expect(bad(() => undefined)).toBe('accepted');
  });

  it('the words codec refuses exactly what the one-number codec refuses, whatever the value', () => {
    type One = { i: number; n: number; e: string; f: boolean };
    const shape: ShapeOf<One> = { i: field.int(-8, 23), n: field.int(0, 2 ** 31 - 2), e: field.oneOf(['a', 'b', 'c']), f: field.bool };
    const one = shapeCodec(shape)!;
    const words = wordsCodec(shape);
    const outcome = (f: () => unknown): string => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const value = fc.oneof(
      fc.integer({ min: -40, max: 40 }),
      fc.integer(),
      fc.double(),
      fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 + 3, -(2 ** 31) - 1, -0, NaN, Infinity, '3', 'a', '', null, undefined, true, false, [], {}),
    );
    fc.assert(
      fc.property(fc.constantFrom<keyof One>('i', 'n', 'e', 'f'), value, (k, v) => {
        const s = { i: 0, n: 5, e: 'b', f: true, [k]: v } as unknown as One;
        expect(outcome(() => words.pack(s, new Int32Array(words.words), 0))).toBe(outcome(() => one.pack(s)));
      }),
      { numRuns: 2000 },
    );
  });

  it('two shapes laid out alike share generated code, each checking its own domains', () => {
    // int(0, 5) and int(0, 6) both take 3 bits, and both enums have two values: one shared
    // source (compiled once), with each codec's own largest value and enum values; pack is
    // compiled for each shape's largest values (printed into it), once per distinct one.
    type T = { a: number; b: readonly number[]; m: string };
    const before = compiledSources();
    const five = wordsCodec<T>({ a: field.int(0, 5), b: field.array(2, field.int(1, 2)), m: field.oneOf(['x', 'y']) });
    const six = wordsCodec<T>({ a: field.int(0, 6), b: field.array(2, field.int(1, 2)), m: field.oneOf(['p', 'q']) });
    expect(compiledSources() - before).toBe(3);
    expect(six.unpackInto.toString()).toBe(five.unpackInto.toString());
    expect(six.pack.toString()).not.toBe(five.pack.toString());
    expect(five.pack.toString()).toContain('> 5)');
    expect(six.pack.toString()).toContain('> 6)');
    // A third shape with five's domains and other enum values compiles nothing new.
    const again = wordsCodec<T>({ a: field.int(0, 5), b: field.array(2, field.int(1, 2)), m: field.oneOf(['u', 'v']) });
    expect(compiledSources() - before).toBe(3);
    expect(again.pack.toString()).toBe(five.pack.toString());
    expect(() => again.pack({ a: 1, b: [2, 1], m: 'x' }, new Int32Array(1), 0)).toThrow('shape: state field m is "x", outside its declared domain (one of "u", "v")');
    expect(five.blank()).toEqual({ a: 0, b: [1, 1], m: 'x' });
    expect(six.blank()).toEqual({ a: 0, b: [1, 1], m: 'p' });
    const out = new Int32Array(1);
    six.pack({ a: 6, b: [2, 1], m: 'q' }, out, 0);
    expect(six.unpack(out, 0)).toEqual({ a: 6, b: [2, 1], m: 'q' });
    five.pack({ a: 5, b: [2, 1], m: 'y' }, out, 0);
    expect(five.unpack(out, 0)).toEqual({ a: 5, b: [2, 1], m: 'y' });
    expect(() => five.pack({ a: 6, b: [2, 1], m: 'x' }, out, 0)).toThrow('shape: state field a is 6, outside its declared domain (an integer from 0 to 5)');
    expect(() => six.pack({ a: 7, b: [2, 1], m: 'p' }, out, 0)).toThrow('shape: state field a is 7, outside its declared domain (an integer from 0 to 6)');
    expect(() => six.pack({ a: 1, b: [2, 0], m: 'p' }, out, 0)).toThrow('shape: state field b[1] is 0, outside its declared domain (an integer from 1 to 2)');
    expect(() => six.pack({ a: 1, b: [2, 1], m: 'x' }, out, 0)).toThrow('shape: state field m is "x", outside its declared domain (one of "p", "q")');
    expect(() => five.pack({ a: 1, b: [2, 1], m: 'q' }, out, 0)).toThrow('shape: state field m is "q", outside its declared domain (one of "x", "y")');
  });

  it('the cache of compiled sources drops the least recently used first', () => {
    // 1,200 shapes of one field, each with its own largest value (a pack source each): more
    // than the cache holds. A shape built again every 100 of them stays compiled.
    type T = { a: number; b: string };
    const kept = () => wordsCodec<T>({ a: field.int(0, 9), b: field.oneOf(['kept']) });
    kept();
    let recompiled = 0;
    for (let k = 1; k <= 1200; k++) {
      wordsCodec<{ a: number }>({ a: field.int(0, 1000 + k) });
      if (k % 100 === 0) {
        const was = compiledSources();
        kept();
        recompiled += compiledSources() - was;
      }
    }
    expect(recompiled).toBe(0);
    const before = compiledSources();
    // The first of the 1,200, built no more since, was dropped: building it again compiles its
    // pack and the source its layout shares (10 bits: the shapes up to int(0, 1023)).
    wordsCodec<{ a: number }>({ a: field.int(0, 1001) });
    expect(compiledSources()).toBe(before + 2);
  });

  it('a field out of its domain is named even when a later field cannot be read as a number', () => {
    type T = { m: string; n: number };
    const c = wordsCodec<T>({ m: field.oneOf(['x', 'y']), n: field.int(0, 9) });
    const out = new Int32Array(c.words);
    expect(() => c.pack({ m: 'q', n: 1n as never }, out, 0)).toThrow('shape: state field m is "q", outside its declared domain (one of "x", "y")');
    expect(() => c.pack({ m: 'q', n: Symbol('n') as never }, out, 0)).toThrow('shape: state field m is "q", outside its declared domain (one of "x", "y")');
    // As before: such a value on its own is the error of reading it.
    expect(() => c.pack({ m: 'x', n: 1n as never }, out, 0)).toThrow(TypeError);
  });

  it('refuses a malformed shape', () => {
    expect(() => shapeCodec<{ x: number }>({ x: field.int(3, 2) })).toThrow(SpecError);
    expect(() => shapeCodec<{ x: number }>({ x: field.int(0, 2 ** 31) })).toThrow(/at most 2\^31 values/);
    expect(() => shapeCodec<{ x: number }>({ x: field.int(0.5, 2) })).toThrow(SpecError);
    expect(() => shapeCodec<{ x: number }>({ x: field.oneOf([1, NaN]) })).toThrow(/NaN/);
    expect(() => shapeCodec<{ r: { p: number } }>({ r: field.record(JSON.parse('{"__proto__": {"kind": "int", "min": 0, "max": 1}}')) })).toThrow(
      'shape: field r.__proto__: that name cannot be a state field',
    );
    expect(() => shapeCodec<{ x: string }>({ x: field.oneOf([]) })).toThrow(/no values/);
    expect(() => shapeCodec<{ x: string }>({ x: field.oneOf(['a', 'a']) })).toThrow(/twice/);
    expect(() => shapeCodec<{ x: number }>({ x: { kind: 'float' } as never })).toThrow(/not a field shape/);
  });
});

/** A random transition system over nodes 0..n-1, as a model whose state is a record (so it has a shape). */
interface Sys {
  readonly n: number;
  readonly edges: readonly { from: number; to: number; label: string }[];
  readonly init: readonly number[];
  readonly bad: readonly (readonly number[])[];
  readonly goal: readonly (readonly number[])[];
  readonly stuck: readonly (readonly number[])[];
}
interface At {
  readonly v: number;
}
interface Edge {
  readonly actor: string;
  readonly step: string;
  readonly to: number;
}

function sysModel(sys: Sys, mode: 'keyed' | 'packed' | 'in-place'): Model<At, Edge> {
  const out: Edge[][] = Array.from({ length: sys.n }, () => []);
  for (const e of sys.edges) {
    const [actor, step] = e.label.split('.');
    out[e.from].push({ actor, step, to: e.to });
  }
  const properties: Property<At>[] = [
    ...sys.bad.map((b, i) => always<At>(`Inv${i}`, 'never bad', (s) => !b.includes(s.v))),
    ...sys.goal.map((g, i) => sometimes<At>(`Wit${i}`, 'goal', (s) => g.includes(s.v))),
    ...sys.stuck.map((b, i) => atQuiescence<At>(`Qui${i}`, 'clean end', (s) => !b.includes(s.v))),
  ];
  const codec = shapeCodec<At>({ v: field.int(0, sys.n - 1) })!;
  return {
    name: `sys-${mode}`,
    initialStates: () => sys.init.map((v) => ({ v })),
    actions: (s) => out[s.v],
    next: (_s, a) => ({ v: a.to }),
    key: (s) => String(s.v),
    properties,
    ...(mode === 'keyed' ? {} : mode === 'packed' ? { codec: { pack: codec.pack, unpack: codec.unpack } } : { codec, apply: (d: { v: number }, a: Edge) => void (d.v = a.to) }),
  };
}

const summary = (o: Outcome<At, Edge>) => ({
  status: o.status,
  bound: o.bound,
  error: o.error?.message,
  stats: { states: o.stats.states, transitions: o.stats.transitions, depth: o.stats.depth, complete: o.stats.complete },
  coverage: o.coverage,
  properties: o.properties.map((p) => ({ name: p.name, verdict: p.verdict, trace: p.trace?.map((t) => [t.action?.step ?? null, t.state.v]) })),
});

describe('fields with one value (constants of the shape)', () => {
  // A model of one dialog declares its many-dialog fields with one value: they take no bits and no copying.
  interface K {
    readonly x: number;
    readonly k: number;
    readonly e: readonly ('only')[];
  }
  const shape: ShapeOf<K> = { x: field.int(0, 9), k: field.int(3, 3), e: field.array(2, field.oneOf(['only'] as const)) };

  it('take no bits; pack refuses any other value, naming the field; unpackInto and copy leave them as a state of the shape holds them', () => {
    for (const codec of [shapeCodec(shape)!, wordsCodec(shape)]) {
      expect(codec.bits).toBe(4);
      const s: K = { x: 7, k: 3, e: ['only', 'only'] };
      const into = codec.blank() as { x: number; k: number; e: 'only'[] };
      expect(into).toEqual({ x: 0, k: 3, e: ['only', 'only'] });
      if ('words' in codec) {
        const out = new Int32Array(codec.words);
        codec.pack(s, out, 0);
        codec.unpackInto(out, 0, into);
      } else codec.unpackInto!(codec.pack(s), into);
      expect(into).toEqual(s);
      codec.copy({ x: 5, k: 3, e: ['only', 'only'] as 'only'[] }, into);
      expect(into.x).toBe(5);
      const packBad = (v: unknown) => () => ('words' in codec ? codec.pack({ ...s, k: v as number }, new Int32Array(codec.words), 0) : codec.pack({ ...s, k: v as number }));
      expect(packBad(4)).toThrow('shape: state field k is 4, outside its declared domain (an integer from 3 to 3)');
      expect(packBad('3')).toThrow(SpecError);
      expect(() => ('words' in codec ? codec.pack({ ...s, e: ['only', 'other'] } as never, new Int32Array(codec.words), 0) : codec.pack({ ...s, e: ['only', 'other'] } as never))).toThrow(
        'shape: state field e[1] is "other", outside its declared domain (one of "only")',
      );
    }
  });
});

describe('the packed exploration loop', () => {
  const sysArb: fc.Arbitrary<Sys> = fc.integer({ min: 1, max: 40 }).chain((n) => {
    const nodes = fc.subarray([...Array(n).keys()], { maxLength: Math.min(n, 4) });
    return fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), label: fc.constantFrom('p.a', 'p.b', 'q.a', 'r.c') }), { maxLength: 4 * n }),
      init: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 3 }),
      bad: fc.array(nodes, { maxLength: 2 }),
      goal: fc.array(nodes, { maxLength: 2 }),
      stuck: fc.array(nodes, { maxLength: 2 }),
    });
  });
  const optionsArb: fc.Arbitrary<CheckOptions> = fc.oneof(
    fc.constant({}),
    fc.record({ maxStates: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ maxDepth: fc.integer({ min: 1, max: 12 }) }),
    fc.constant({ stopOnFirstViolation: true }),
  );

  it('gives the state-by-state loop\'s outcome on random systems, with every bound (packed, and packed in place)', () => {
    fc.assert(
      fc.property(sysArb, optionsArb, (sys, options) => {
        const keyed = summary(check(sysModel(sys, 'keyed'), options));
        expect(summary(check(sysModel(sys, 'packed'), options))).toEqual(keyed);
        expect(summary(check(sysModel(sys, 'in-place'), options))).toEqual(keyed);
      }),
      { numRuns: 400 },
    );
  });

  it('counter race NP=3 K=4 stopped inside a batch: the same figures as state by state', () => {
    for (const options of [{ maxStates: 100_001 }, { stopOnFirstViolation: true }, { maxDepth: 30 }] as CheckOptions[]) {
      const packed = check(counterRace({ NP: 3, K: 4 }), options);
      const keyed = check(counterRace({ NP: 3, K: 4 }, { codec: false }), options);
      const figures = (o: typeof packed) => ({ ...o.stats, timeMs: 0, statesPerSecond: 0, bound: o.bound, status: o.status, coverage: o.coverage });
      expect(figures(packed)).toEqual(figures(keyed));
      expect(packed.violations.map((v) => v.trace!.length)).toEqual(keyed.violations.map((v) => v.trace!.length));
    }
  });

  it('an error in a successor generated after the run\'s stop is not reported, as state by state', () => {
    // 0 -> 1 -> 3 (violates Inv), 0 -> 2 -> 9 (outside the shape's 0..8): state 2 is expanded after state 1.
    const edges: Record<number, number[]> = { 0: [1, 2], 1: [3], 2: [9] };
    const model = (packed: boolean): Model<At, Edge> => ({
      name: 'stop-before-error',
      initialStates: () => [{ v: 0 }],
      actions: (s) => (edges[s.v] ?? []).map((to) => ({ actor: 'p', step: `to${to}`, to })),
      next: (_s, a) => ({ v: a.to }),
      key: (s) => String(s.v),
      properties: [always<At>('Inv', 'never 3', (s) => s.v !== 3)],
      ...(packed ? { codec: shapeCodec<At>({ v: field.int(0, 8) })!, apply: (d: { v: number }, a: Edge) => void (d.v = a.to) } : {}),
    });
    for (const options of [{ stopOnFirstViolation: true }, { maxStates: 3 }] as CheckOptions[]) {
      const packed = check(model(true), options);
      expect(packed.status, JSON.stringify(options)).toBe(options.maxStates ? 'incomplete' : 'violation');
      expect(summary(packed as Outcome<At, Edge>)).toEqual(summary(check(model(false), options) as Outcome<At, Edge>));
    }
    // Without a stop, the state outside the domain is an error.
    expect(check(model(true)).error?.message).toBe('model stop-before-error: p:to9 from state 2 makes a state the codec refuses: shape: state field v is 9, outside its declared domain (an integer from 0 to 8)');
  });

  it('maxStates 0 stores nothing and is incomplete', () => {
    const o = check(counterRace({ NP: 2, K: 1 }), { maxStates: 0 });
    expect(o).toMatchObject({ status: 'incomplete', bound: 'maxStates', stats: { states: 0, transitions: 0, depth: 0 } });
  });

  it('reports progress with the states left to expand', () => {
    const seen: { states: number; queue: number }[] = [];
    check(counterRace({ NP: 3, K: 4 }), { progressIntervalMs: 0, onProgress: (p) => seen.push({ states: p.states, queue: p.queue }) });
    expect(seen.length).toBeGreaterThan(10);
    for (const p of seen) {
      expect(p.queue).toBeGreaterThan(0);
      expect(p.queue).toBeLessThan(p.states);
    }
  });

  it('refuses an apply that replaces an array of the state (the engine reuses it)', () => {
    const base = counterRace({ NP: 2, K: 2 });
    const shared = [0, 0];
    const o = check({ ...base, apply: (d, a) => (base.apply!(d, a), a.step === 'incr' ? void ((d as unknown as { t: number[] }).t = shared) : undefined) });
    expect(o.error).toBeInstanceOf(SpecError);
    expect(o.error!.message).toBe(
      'model counter-race(NP=2,K=2): apply replaced an array or record of the state on p0:incr; with a shape codec the engine reuses the state object, so apply must assign to fields only',
    );
  });

  it('refuses, with a SpecError, an apply that disagrees with next, or a field outside the shape', () => {
    const base = counterRace({ NP: 2, K: 2 });
    const wrongApply: typeof base = { ...base, apply: (d, a) => (base.apply!(d, a), a.step === 'store' ? void ((d as { x: number }).x += 1) : undefined) };
    const o = check(wrongApply);
    expect(o.status).toBe('error');
    expect(o.error).toBeInstanceOf(SpecError);
    expect(o.error!.message).toBe('model counter-race(NP=2,K=2): apply and next disagree on p0:store from 0|0,0|0,0|store,head: apply gives 2|0,0|0,0|incr,head, next gives 1|0,0|0,0|incr,head');
    // A step that leaves its field's domain (n[0] > K): both apply and next do it, so only the codec sees it.
    const overflowing = (d: any, a: any): void => {
      base.apply!(d, a);
      if (a.step === 'incr') d.n[0] = 5;
    };
    const overflow = check({ ...base, apply: overflowing, next: (s, a) => { const d = base.clone!(s); overflowing(d, a); return d; } });
    expect(overflow.error).toBeInstanceOf(SpecError);
    expect(overflow.error!.message).toBe(
      'model counter-race(NP=2,K=2): p0:incr from state 1|0,0|0,0|incr,head makes a state the codec refuses: shape: state field n[0] is 5, outside its declared domain (an integer from 0 to 2)',
    );
  });
});
