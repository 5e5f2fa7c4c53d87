/**
 * Builds a Model from a literal adjacency list, for testing the engine on tiny graphs.
 *
 * States are the node names (strings or numbers). An edge is `[label, target]`; a label
 * "actor.step" gives that actor and step, a bare label "step" gives actor "g". The
 * actions of a node are its edges in the order written, so the order of discovery is
 * fully determined by the literal.
 */
import type { Action, Model, Property, StepDecl } from '../../src/engine/model.js';

export type Node = string | number;

export interface GraphAction extends Action {
  /** The target node of the edge. */
  readonly to: Node;
}

export type Edge = readonly [label: string, to: Node];

export interface GraphSpec {
  readonly name?: string;
  readonly init: readonly Node[];
  /** Adjacency list: node -> its outgoing edges, in order. A node absent here is quiescent. */
  readonly edges: Readonly<Record<string, readonly Edge[]>>;
  readonly properties?: readonly Property<Node>[];
  readonly steps?: readonly StepDecl[];
}

export const labelParts = (label: string): { actor: string; step: string } => {
  const dot = label.indexOf('.');
  return dot < 0 ? { actor: 'g', step: label } : { actor: label.slice(0, dot), step: label.slice(dot + 1) };
};

export interface GraphModel extends Model<Node, GraphAction> {
  /** The nodes passed to actions(), in call order: the order in which states were expanded. */
  readonly expanded: Node[];
}

export function graphModel(spec: GraphSpec): GraphModel {
  const expanded: Node[] = [];
  const model: GraphModel = {
    name: spec.name ?? 'graph',
    expanded,
    initialStates: () => spec.init,
    actions: (s) => {
      expanded.push(s);
      return (spec.edges[String(s)] ?? []).map(([label, to]) => ({ ...labelParts(label), to }));
    },
    next: (_s, a) => a.to,
    key: (s) => `${typeof s}:${String(s)}`,
    properties: spec.properties ?? [],
    ...(spec.steps ? { steps: spec.steps } : {}),
  };
  return model;
}

/** A trace as "actor.step" strings (the initial state has no action and is left out). */
export const actionsOf = (trace: readonly { action: Action | null }[] | undefined): string[] =>
  (trace ?? []).slice(1).map((s) => `${s.action!.actor}.${s.action!.step}`);

/** A trace as the list of states it visits, initial state included. */
export const statesOf = <S>(trace: readonly { state: S }[] | undefined): S[] => (trace ?? []).map((s) => s.state);
