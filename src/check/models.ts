/**
 * The parameterised models that can be run ad hoc (`--model NAME -p K=V`),
 * apart from the registry (registry.ts) so that a worker thread building one
 * of them (load.ts) loads only these, not the dialog matrix.
 */
import type { Model } from '../engine/index.js';
import type { Expectation } from './run.js';
import { counterRace } from '../../spec/examples/counter.js';
import { peterson } from '../../spec/examples/peterson.js';
import { twoPhase } from '../../spec/examples/twophase.js';

export type ParamValue = number | boolean | string;
export type Params = Readonly<Record<string, ParamValue>>;

export type ParamDef =
  | { readonly name: string; readonly type: 'int'; readonly min: number; readonly max: number; readonly default: number; readonly doc: string }
  | { readonly name: string; readonly type: 'bool'; readonly default: boolean; readonly doc: string }
  | { readonly name: string; readonly type: 'enum'; readonly values: readonly string[]; readonly default: string; readonly doc: string };

/** A parameterised model that can be run ad hoc. */
export interface ModelDef {
  readonly name: string;
  /** One line. */
  readonly doc: string;
  /** Parameters, in the order they appear in run ids and tags. */
  readonly params: readonly ParamDef[];
  build(params: Params): Model<any, any>;
  /**
   * Optionally, a declared expectation for these parameters. A registered run
   * with the same model and parameters takes precedence; with neither, an
   * ad-hoc run expects every property to hold.
   */
  expect?(params: Params): Expectation | undefined;
}

const int = (name: string, min: number, max: number, def: number, doc: string): ParamDef => ({
  name,
  type: 'int',
  min,
  max,
  default: def,
  doc,
});
const bool = (name: string, def: boolean, doc: string): ParamDef => ({ name, type: 'bool', default: def, doc });

export const MODELS: readonly ModelDef[] = [
  {
    name: 'counter-race',
    doc: 'NP processes each increment a shared counter K times with a separate load and store',
    params: [int('NP', 1, 8, 3, 'processes'), int('K', 0, 50, 4, 'increments per process')],
    build: (p) => counterRace({ NP: p.NP as number, K: p.K as number }),
    // As the benchmark declares it: Bound holds, NoLostUpdate is violated (the lost
    // update needs two processes and at least one increment; otherwise nothing can be lost).
    expect: (p) => ({ violated: (p.NP as number) >= 2 && (p.K as number) >= 1 ? ['NoLostUpdate'] : [] }),
  },
  {
    name: 'peterson',
    doc: "Peterson's mutual exclusion for two processes (buggy: turn written before flag)",
    params: [bool('buggy', false, 'swap the first two steps')],
    build: (p) => peterson({ buggy: p.buggy as boolean }),
  },
  {
    name: 'two-phase',
    doc: 'two-phase commit as TwoPhase.tla (buggy: the TM may commit before every RM prepared)',
    params: [int('RM', 1, 8, 3, 'resource managers'), bool('buggy', false, 'commit without waiting for Prepared')],
    build: (p) => twoPhase({ RM: p.RM as number, buggy: p.buggy as boolean }),
  },
];

