/**
 * A made-up check matrix for the explorer's tests: scenario, environment and
 * variant names, state fields and properties that the dialog model does not
 * have, so that a page that hard-coded today's matrix would show them wrong.
 *
 * The model: two actors P and Q each take and drop one reference on a shared
 * count (`count`, with per-holder counts in `owners`); in variant `orig` Q drops
 * twice (its count goes below zero), in `fix-timer-ref` and `fixed` it does not;
 * scenario `slow-start` adds a first step of P's.
 */
import type { Action, Model, Property } from '../../src/engine/model.js';
import type { RunSpec } from '../../src/check/run.js';
import type { Registry } from '../../src/check/registry.js';

interface S {
  readonly count: number;
  readonly owners: Readonly<Record<string, number>>;
  readonly mode: string;
  readonly pcP: number;
  readonly pcQ: number;
}

export const FAKE_VARIANTS = ['orig', 'fix-timer-ref', 'fixed'] as const;
export const FAKE_SCENARIOS = ['two-holders', 'slow-start'] as const;
export const FAKE_ENV = 'spin-lock/tso';

const P_STEPS = ['P.take', 'P.drop'];

function fakeModel(scenario: string, variant: string): Model<S, Action> {
  const pSteps = scenario === 'slow-start' ? ['P.wait', ...P_STEPS] : P_STEPS;
  const qSteps = variant === 'orig' ? ['Q.take', 'Q.drop', 'Q.drop-again'] : ['Q.take', 'Q.drop'];
  const apply = (s: S, step: string, who: string): S => {
    const owners = { ...s.owners };
    let count = s.count;
    if (step.endsWith('take')) {
      count++;
      owners[who] = (owners[who] ?? 0) + 1;
    } else if (step.includes('drop')) {
      count--;
      owners[who] = (owners[who] ?? 0) - 1;
      if (owners[who] === 0) delete owners[who];
    }
    return { ...s, count, owners, mode: count < 0 ? 'broken' : count === 0 ? 'idle' : 'busy' };
  };
  const properties: Property<S>[] = [
    { kind: 'always', name: 'CountNonNegative', meaning: 'the count never goes below zero', holds: (s) => s.count >= 0, explain: (s) => `count = ${s.count}` },
    { kind: 'always', name: 'OwnersAgree', meaning: 'no owner dropped more than it took', holds: (s) => Object.values(s.owners).every((n) => n >= 0) },
    { kind: 'sometimes', name: 'BothHeld', meaning: 'witness: both hold a reference at once', holds: (s) => (s.owners.P ?? 0) > 0 && (s.owners.Q ?? 0) > 0 },
  ];
  return {
    name: `fake(${scenario},${variant})`,
    initialStates: () => [{ count: 0, owners: {}, mode: 'idle', pcP: 0, pcQ: 0 }],
    actions: (s) => {
      const out: Action[] = [];
      if (s.pcP < pSteps.length) out.push({ actor: 'P', step: pSteps[s.pcP], source: { file: 'fake_ref.tla', line: 10 + s.pcP * 3, endLine: 11 + s.pcP * 3 } });
      if (s.pcQ < qSteps.length && s.count >= 0) out.push({ actor: 'Q', step: qSteps[s.pcQ], source: { file: `fake_ref.tla${variant === 'orig' ? '' : '@abcdef12'}`, line: 40 + s.pcQ } });
      return out;
    },
    next: (s, a) => {
      const moved = a.actor === 'P' ? { ...s, pcP: s.pcP + 1 } : { ...s, pcQ: s.pcQ + 1 };
      return apply(moved, a.step, a.actor);
    },
    key: (s) => JSON.stringify([s.count, Object.entries(s.owners).sort(), s.mode, s.pcP, s.pcQ]),
    properties,
  };
}

/** The fake matrix's runs, tagged like the dialog matrix (scenario, env, variant), declared as they come out. */
export function fakeRuns(): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const scenario of FAKE_SCENARIOS) {
    for (const variant of FAKE_VARIANTS) {
      runs.push({
        id: `fake/${scenario}/${FAKE_ENV}/${variant}`,
        tags: { group: 'fake', scenario, env: FAKE_ENV, variant },
        build: () => fakeModel(scenario, variant),
        expect: { violated: variant === 'orig' ? ['CountNonNegative', 'OwnersAgree'] : [] },
        // The readable view: the state's own fields, the program counters as names.
        project: (s: S) => ({ count: s.count, owners: s.owners, mode: s.mode }),
      });
    }
  }
  return runs;
}

export const fakeRegistry = (): Registry => ({ models: [], runs: fakeRuns() });
