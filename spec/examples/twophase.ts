/**
 * Two-phase commit, as the TLA+ module TwoPhase.tla of the tlaplus/Examples
 * repository defines it (specifications/transaction_commit). Messages are a set
 * that only grows; receiving a message leaves it in the set.
 *
 * The buggy variant lets the TM commit without every RM having prepared, which
 * breaks the consistency property of TCommit.tla.
 */
import { produce } from 'immer';
import { match } from 'ts-pattern';
import { always, type Model } from '../../src/engine/model.js';

export type RmState = 'working' | 'prepared' | 'committed' | 'aborted';
export type TmState = 'init' | 'committed' | 'aborted';

export interface TwoPhaseState {
  readonly rmState: readonly RmState[];
  readonly tmState: TmState;
  /** tmPrepared[r]: the TM has received r's Prepared message. */
  readonly tmPrepared: readonly boolean[];
  /** msgPrepared[r]: the message [type |-> "Prepared", rm |-> r] is in msgs. */
  readonly msgPrepared: readonly boolean[];
  readonly msgCommit: boolean;
  readonly msgAbort: boolean;
}

export type TwoPhaseStep =
  | 'TMCommit'
  | 'TMAbort'
  | 'TMRcvPrepared'
  | 'RMPrepare'
  | 'RMChooseToAbort'
  | 'RMRcvCommitMsg'
  | 'RMRcvAbortMsg';

export interface TwoPhaseAction {
  readonly actor: string;
  readonly step: TwoPhaseStep;
  /** The resource manager concerned (TMRcvPrepared and the RM actions). */
  readonly rm?: number;
}

const rmSteps = ['TMRcvPrepared', 'RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg'] as const;

export function twoPhase({ RM, buggy = false }: { RM: number; buggy?: boolean }): Model<TwoPhaseState, TwoPhaseAction> {
  const rms = [...Array(RM).keys()];
  const actorOf = (step: TwoPhaseStep, rm: number) => (step === 'TMRcvPrepared' ? 'TM' : `rm${rm}`);
  const enabled = (s: TwoPhaseState, step: TwoPhaseStep, rm: number): boolean =>
    match(step)
      .with('TMCommit', () => s.tmState === 'init' && (buggy || s.tmPrepared.every(Boolean)))
      .with('TMAbort', () => s.tmState === 'init')
      .with('TMRcvPrepared', () => s.tmState === 'init' && s.msgPrepared[rm])
      .with('RMPrepare', 'RMChooseToAbort', () => s.rmState[rm] === 'working')
      .with('RMRcvCommitMsg', () => s.msgCommit)
      .with('RMRcvAbortMsg', () => s.msgAbort)
      .exhaustive();
  return {
    name: buggy ? `two-phase-buggy(RM=${RM})` : `two-phase(RM=${RM})`,
    initialStates: () => [
      {
        rmState: rms.map((): RmState => 'working'),
        tmState: 'init',
        tmPrepared: rms.map(() => false),
        msgPrepared: rms.map(() => false),
        msgCommit: false,
        msgAbort: false,
      },
    ],
    actions: (s) => [
      ...(['TMCommit', 'TMAbort'] as const).filter((st) => enabled(s, st, 0)).map((step) => ({ actor: 'TM', step })),
      ...rms.flatMap((rm) =>
        rmSteps.filter((st) => enabled(s, st, rm)).map((step) => ({ actor: actorOf(step, rm), step, rm })),
      ),
    ],
    next: (s, a) =>
      produce(s, (d) => {
        const rm = a.rm ?? 0;
        match(a.step)
          .with('TMCommit', () => {
            d.tmState = 'committed';
            d.msgCommit = true;
          })
          .with('TMAbort', () => {
            d.tmState = 'aborted';
            d.msgAbort = true;
          })
          .with('TMRcvPrepared', () => {
            d.tmPrepared[rm] = true;
          })
          .with('RMPrepare', () => {
            d.rmState[rm] = 'prepared';
            d.msgPrepared[rm] = true;
          })
          .with('RMChooseToAbort', 'RMRcvAbortMsg', () => {
            d.rmState[rm] = 'aborted';
          })
          .with('RMRcvCommitMsg', () => {
            d.rmState[rm] = 'committed';
          })
          .exhaustive();
      }),
    key: (s) =>
      `${s.rmState.join(',')}|${s.tmState}|${s.tmPrepared.map(Number).join('')}|${s.msgPrepared.map(Number).join('')}|${+s.msgCommit}${+s.msgAbort}`,
    steps: [
      { actor: 'TM', step: 'TMCommit' },
      { actor: 'TM', step: 'TMAbort' },
      ...rms.flatMap((rm) => rmSteps.map((step) => ({ actor: actorOf(step, rm), step }))),
    ].filter((v, i, arr) => arr.findIndex((w) => w.actor === v.actor && w.step === v.step) === i),
    properties: [
      always<TwoPhaseState>(
        'TPTypeOK',
        'every variable has a value of its declared type',
        (s) =>
          s.rmState.length === RM &&
          s.rmState.every((v) => ['working', 'prepared', 'committed', 'aborted'].includes(v)) &&
          ['init', 'committed', 'aborted'].includes(s.tmState),
      ),
      always<TwoPhaseState>(
        'TCConsistent',
        'no resource manager has aborted while another has committed',
        (s) => !(s.rmState.includes('aborted') && s.rmState.includes('committed')),
      ),
    ],
  };
}
