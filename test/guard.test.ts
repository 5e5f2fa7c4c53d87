/**
 * The engine's guards around a model's own code (src/engine/guard.ts), on each
 * path a model can take: string keys, packed states expanded in place (codec
 * and apply), packed states through `next`, and two worker threads. Matched
 * on the error classes and their fields, not on the text.
 */
import { describe, expect, it } from 'vitest';
import { check, CheckerError, checkParallel, type Outcome } from '../src/engine/index.js';
import { ModelError, MutatedInputError, SpecError } from '../src/engine/index.js';
import { brokenCounter, type Bug } from './fixtures/broken-models.js';

const FIXTURE = new URL('./fixtures/broken-models.ts', import.meta.url).href;

const PATHS = [
  ['string keys', { codec: false }],
  ['packed, in place', {}],
  ['packed, through next', { inPlace: false }],
] as const;

const errorOf = (o: Outcome<any, any>): CheckerError => {
  expect(o.status).toBe('error');
  expect(o.error).toBeInstanceOf(CheckerError);
  return o.error!;
};

describe('a model without a seeded bug passes every guard', () => {
  it.each(PATHS)('%s: 51 states, 82 transitions, NoLostUpdate violated', (_name, options) => {
    const o = check(brokenCounter('none', options));
    expect(o.status).toBe('violation');
    expect(o.stats).toMatchObject({ states: 51, transitions: 82, depth: 11 });
  });
});

describe('a model function that throws is a ModelError naming the state and the action', () => {
  it.each(PATHS)('%s: next (or apply) on p1:store from a state with x = 1', (_name, options) => {
    const e = errorOf(check(brokenCounter('next-throws', options)));
    expect(e).toBeInstanceOf(ModelError);
    const m = e as ModelError;
    expect(m.code).toBe('model-error');
    // In place, the step is `apply` on a reused state object.
    expect(m.part).toBe('inPlace' in options || 'codec' in options ? 'next' : 'apply');
    expect(m.action).toBe('p1:store');
    // The breadth-first order meets this state first: p0 loaded and stored, then p1 loaded 1.
    expect(m.stateKey).toBe('1|0,1|0,0|incr,store');
    expect(m.thrown).toBeInstanceOf(RangeError);
    expect(m.message).toContain(m.stateKey);
  });

  it.each(PATHS)('%s: actions, with no action named', (_name, options) => {
    const e = errorOf(check(brokenCounter('actions-throws', options)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ part: 'actions', action: undefined });
    expect((e as ModelError).stateKey.startsWith('2|')).toBe(true);
  });

  it('two worker threads: the same class and fields, sent back from the thread', async () => {
    const o = await checkParallel(brokenCounter('next-throws', { codec: false }), { module: FIXTURE, exportName: 'brokenCounter', args: ['next-throws', { codec: false }] }, 2);
    const e = errorOf(o);
    expect(e).toBeInstanceOf(ModelError);
    // Two states of one level throw (p1 loaded 0 or 1), each owned by either thread: whichever meets its own first reports it.
    expect(e).toMatchObject({ code: 'model-error', part: 'next', action: 'p1:store', stateKey: expect.stringMatching(/^1\|0,[01]\|0,0\|incr,store$/) });
  });
});

describe('a key that throws is a ModelError naming the step and the state it came from (was: "model X threw ...", or a worker\'s plain error)', () => {
  const message = (step: string, from: string) => `model counter-race(NP=2,K=1): key(state) threw RangeError: index 2 out of range, on the state ${step} makes from state ${from}`;
  // Through next without apply, a packed state needs no key: the run goes on (key is read only for messages).
  it.each([
    ['string keys', { codec: false }],
    ['packed, in place (the self-check keys each successor)', {}],
    ['several words, in place', { codec: 'words' as const }],
  ])('%s', (_name, options) => {
    const e = errorOf(check(brokenCounter('key-throws', options)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model-error', part: 'key', action: 'p1:store', stateKey: '1|0,1|0,0|incr,store' });
    expect(e.message).toBe(message('p1:store', '1|0,1|0,0|incr,store'));
  });

  it.each([
    ['string keys', { codec: false }],
    ['packed, in place', {}],
  ])('two worker threads, %s: the same class and fields', async (_name, options) => {
    const e = errorOf(await checkParallel(brokenCounter('key-throws', options), { module: FIXTURE, exportName: 'brokenCounter', args: ['key-throws', options] }, 2));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model-error', part: 'key' });
    expect(e.message).toMatch(/^model counter-race\(NP=2,K=1\): key\(state\) threw RangeError: index 2 out of range, on the state p[01]:store makes from state 1\|/);
  });
});

describe('an initialStates that throws is a ModelError saying so (was: "model X threw ...")', () => {
  it.each(PATHS)('%s', (_name, options) => {
    const e = errorOf(check(brokenCounter('initial-throws', options)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model-error', part: 'initialStates', stateKey: '', action: undefined });
    expect(e.message).toBe('model counter-race(NP=2,K=1): initialStates() threw RangeError: index 2 out of range');
  });

  it('two worker threads: the same, from the main thread before any worker starts', async () => {
    const e = errorOf(await checkParallel(brokenCounter('initial-throws'), { module: FIXTURE, exportName: 'brokenCounter', args: ['initial-throws', {}] }, 2));
    expect(e).toBeInstanceOf(ModelError);
    expect(e.message).toBe('model counter-race(NP=2,K=1): initialStates() threw RangeError: index 2 out of range');
  });
});

describe('a key that throws on an initial state is a ModelError saying so, with the state as JSON (was: "model X threw ...")', () => {
  const message = 'model counter-race(NP=2,K=1): key(state) threw RangeError: index 2 out of range, on the initial state {"x":0,"t":[0,0],"n":[0,0],"pc":["head","head"]}';
  it.each(PATHS)('%s', (_name, options) => {
    const e = errorOf(check(brokenCounter('initial-key-throws', options)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model-error', part: 'key', action: undefined });
    expect(e.message).toBe(message);
  });

  it('two worker threads: the same, from the main thread before any worker starts', async () => {
    const e = errorOf(await checkParallel(brokenCounter('initial-key-throws'), { module: FIXTURE, exportName: 'brokenCounter', args: ['initial-key-throws', {}] }, 2));
    expect(e.message).toBe(message);
  });
});

describe('a property that throws is a ModelError naming the property and the state', () => {
  it.each(PATHS)('%s: Bound on the first state with x = 2', (_name, options) => {
    const e = errorOf(check(brokenCounter('property-throws', options)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model-error', part: 'property', property: 'Bound', action: undefined, stateKey: '2|0,0|0,0|incr,incr' });
    expect(e.message).toBe('model counter-race(NP=2,K=1): property Bound threw RangeError: index 2 out of range, on state 2|0,0|0,0|incr,incr');
  });

  it('two worker threads: the same class and fields', async () => {
    const e = errorOf(await checkParallel(brokenCounter('property-throws'), { module: FIXTURE, exportName: 'brokenCounter', args: ['property-throws', {}] }, 2));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model-error', part: 'property', property: 'Bound', stateKey: expect.stringMatching(/^2\|/) });
    expect(e.message).toMatch(/^model counter-race\(NP=2,K=1\): property Bound threw RangeError: index 2 out of range, on state 2\|/);
  });
});

describe("a successor outside the codec's declared domain is a SpecError naming the state and the step (not a step that threw)", () => {
  const message = (state: string) =>
    `model counter-race(NP=2,K=1): p1:store from state ${state} makes a state the codec refuses: shape: state field x is 9, outside its declared domain (an integer from 0 to 2)`;
  it.each(PATHS.slice(1))('%s', (_name, options) => {
    const e = errorOf(check(brokenCounter('out-of-domain', options)));
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toBe(message('1|0,1|0,0|incr,store'));
  });

  it('two worker threads (packed, in place): the same error', async () => {
    const e = errorOf(await checkParallel(brokenCounter('out-of-domain'), { module: FIXTURE, exportName: 'brokenCounter', args: ['out-of-domain', {}] }, 2));
    expect(e).toBeInstanceOf(SpecError);
    // As for next-throws: either of two states of one level, whichever its owner meets first.
    expect([message('1|0,1|0,0|incr,store'), message('1|0,0|0,0|incr,store')]).toContain(e.message);
  });

  it('states packed into several words (the wide batch), one thread and two workers', async () => {
    const one = errorOf(check(brokenCounter('out-of-domain', { codec: 'words' })));
    expect(one).toBeInstanceOf(SpecError);
    expect(one.message).toBe(message('1|0,1|0,0|incr,store'));
    const two = errorOf(await checkParallel(brokenCounter('out-of-domain', { codec: 'words' }), { module: FIXTURE, exportName: 'brokenCounter', args: ['out-of-domain', { codec: 'words' }] }, 2));
    expect([message('1|0,1|0,0|incr,store'), message('1|0,0|0,0|incr,store')]).toContain(two.message);
  });

  // NP=3, K=4: x reaches 12 after twelve stores, at depth 48 or more, far past the 300 transitions
  // checked against next: the step runs without the self-check there, and the error is the same.
  it.each([
    ['one number', {}],
    ['several words', { codec: 'words' as const }],
  ])('past the self-checked transitions (%s)', (_name, options) => {
    const e = errorOf(check(brokenCounter('out-of-domain', { ...options, NP: 3, K: 4 })));
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toMatch(/^model counter-race\(NP=3,K=4\): p1:store from state 11\|\S+ makes a state the codec refuses: shape: state field x is 19, outside its declared domain \(an integer from 0 to 12\)$/);
  });
});

describe('the self-check catches a next or apply that changes its input state', () => {
  it.each(PATHS)('%s: next writes into its argument', (_name, options) => {
    const e = errorOf(check(brokenCounter('next-mutates', options)));
    expect(e).toBeInstanceOf(MutatedInputError);
    expect(e).toMatchObject({ code: 'mutated-input', part: 'next', action: 'p0:load', stateKey: '0|0,0|0,0|load,head', changedKey: '0|7,0|0,0|load,head' });
  });

  it('apply on a shallow clone changes the original', () => {
    const e = errorOf(check(brokenCounter('shallow-clone', { codec: false })));
    expect(e).toBeInstanceOf(MutatedInputError);
    expect(e).toMatchObject({ part: 'apply', action: 'p0:head', stateKey: '0|0,0|0,0|head,head', changedKey: '0|0,0|0,0|load,head' });
  });

  it('two worker threads (packed, in place): the same', async () => {
    const o = await checkParallel(brokenCounter('next-mutates'), { module: FIXTURE, exportName: 'brokenCounter', args: ['next-mutates', {}] }, 2);
    const e = errorOf(o);
    expect(e).toBeInstanceOf(MutatedInputError);
    // Each thread expands its own states: whichever meets a load first reports it.
    expect(e).toMatchObject({ part: 'next', action: expect.stringMatching(/^p[01]:load$/) });
  });
});

describe('successors that run the last step on the state being expanded (consume)', () => {
  // NP=2, K=4: the store that makes x = 8 is p1's, the last action of its state, long after the
  // self-checked states: the merged model runs it on the state the engine is expanding.
  const merged = { codec: 'words' as const, NP: 2, K: 4, merged: true };
  const refused = 'model counter-race(NP=2,K=4)+merged: p1:store from state 7|0,7|3,3|incr,store makes a state the codec refuses: shape: state field x is 15, outside its declared domain (an integer from 0 to 8)';

  it('a successor outside the domain names the state it came from, not the one the step wrote over', () => {
    const e = errorOf(check(brokenCounter('out-of-domain', merged)));
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toBe(refused);
  });

  it('a step that throws after writing: the ModelError names the state before it', () => {
    const e = errorOf(check(brokenCounter('throws-after-writing', merged)));
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ part: 'next', action: undefined, stateKey: '7|0,7|3,3|incr,store' });
  });

  it('two worker threads: the same errors', async () => {
    const ref = (bug: Bug) => ({ module: FIXTURE, exportName: 'brokenCounter', args: [bug, merged] });
    expect(errorOf(await checkParallel(brokenCounter('out-of-domain', merged), ref('out-of-domain'), 2)).message).toBe(refused);
    expect(errorOf(await checkParallel(brokenCounter('throws-after-writing', merged), ref('throws-after-writing'), 2))).toMatchObject({ part: 'next', stateKey: '7|0,7|3,3|incr,store' });
  });

  it('the self-check refuses successors that change the state they are given without consume', () => {
    const m = brokenCounter('none', merged);
    const e = errorOf(check({ ...m, successors: (s, emit) => m.successors!(s, emit, true) }));
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toBe(
      'model counter-race(NP=2,K=4)+merged: successors() changed the state it was given, from 0|0,0|0,0|head,head to 0|0,0|0,0|head,load; it may only when called with consume',
    );
  });

  it('and successors that give other states with consume', () => {
    const m = brokenCounter('none', merged);
    // With consume, the last successor is left out.
    const e = errorOf(
      check({
        ...m,
        successors: (s, emit, consume) => {
          const n = m.actions(s).length;
          let k = 0;
          m.successors!(s, (a, t) => (consume !== true || ++k < n ? emit(a, t) : undefined));
        },
      }),
    );
    expect(e).toBeInstanceOf(SpecError);
    expect(e.message).toBe('model counter-race(NP=2,K=4)+merged: successors() with consume differs from 0|0,0|0,0|head,head: 1 successors, not 2');
  });
});
