/**
 * The data the explorer page is made from (written into the page as JSON).
 * Built by build.ts from a check run; read by the page (explorer/), which
 * imports these types only. Everything the page shows comes from here: the
 * rows, columns, properties and state fields are whatever the run had.
 *
 * Repeated text is kept once: `strings` holds state field names, formatted
 * values and change paths, referred to by index; `actions` holds each distinct
 * step (actor, step id, C citations), also by index. A run's states (trace
 * steps and graph nodes) are kept once per run in `RunData.views`.
 */
import type { Citation } from './citations.js';

export const EXPLORER_FORMAT = 'dialog-race-checker explorer data 1';

export interface ExplorerData {
  readonly format: typeof EXPLORER_FORMAT;
  readonly title: string;
  /** The selection the page was made from, as command-line options ('' for every registered run). */
  readonly selection: string;
  /** The check's summary line ("747 runs, all as declared: 485 find the violations declared for them, 262 hold every property"). */
  readonly summary: string;
  /** The exit code `check` gives for these results (0 as declared, 1 not). */
  readonly exitCode: number;
  /** Wall-clock time of the check and the page's data, when timings are kept. */
  readonly timeMs?: number;
  /** Graphs with more states than this are summarised, not drawn. */
  readonly drawBound: number;
  readonly strings: readonly string[];
  readonly actions: readonly ActionData[];
  /** Every property of every run, in first-seen order. */
  readonly properties: readonly PropertyData[];
  readonly runs: readonly RunData[];
  /** The matrix cells (runs tagged scenario, env and variant), or null when the run has none. */
  readonly matrix: MatrixData | null;
  /** The PR's scenario table beside this run's cells, or null when none of its scenarios ran. */
  readonly prTable: PrTableData | null;
  /** The PR's propositions with this run's verdicts, or null when no proposition search ran. */
  readonly propositions: readonly PropositionData[] | null;
}

export type Severity = 'crash' | 'protocol' | 'witness';

export interface PropertyData {
  readonly name: string;
  /** The matrix's short name (src/report/matrix.ts), or the name. */
  readonly short: string;
  readonly kind: 'always' | 'sometimes' | 'atQuiescence';
  readonly meaning: string;
  /** crash: a memory-safety property; witness: a `sometimes` property (violated = never reached); protocol: the rest. */
  readonly severity: Severity;
  /** 0 is the worst; a cell is coloured by its worst violated property. */
  readonly rank: number;
  /** CSS colour of a cell whose worst violated property this is. */
  readonly color: string;
}

export interface ActionPart {
  readonly actor: string;
  readonly step: string;
  readonly cites: readonly Citation[];
}

export interface ActionData {
  readonly actor: string;
  /** The step as the check's trace shows it (src/format/text.ts traceLines: a note in brackets). */
  readonly step: string;
  /** Every C line it models, in order. */
  readonly cites: readonly Citation[];
  /** A merged action's steps (only when it ran more than one). */
  readonly parts?: readonly ActionPart[];
}

export interface RunData {
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
  /** matrix: a cell of the matrix; proposition: a proposition search; other: anything else (examples, ad hoc). */
  readonly kind: 'matrix' | 'proposition' | 'other';
  readonly status: 'ok' | 'violation' | 'incomplete' | 'error';
  readonly bound?: string;
  readonly error?: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly timeMs?: number;
  /** The matrix cell's text as the check prints it (src/report/matrix.ts cellText). */
  readonly cell: string;
  readonly asDeclared: boolean;
  /** How it differs from its declaration, one line each. */
  readonly differences: readonly string[];
  /** The properties declared violated. */
  readonly expected: readonly string[];
  /** Each property's verdict, in the model's order. */
  readonly verdicts: readonly { readonly name: string; readonly verdict: 'holds' | 'violated' | 'unknown'; readonly explanation?: string }[];
  /** The worst violated property (by rank), or null. */
  readonly worst: string | null;
  /** Declared steps that never fired ("actor:step"). */
  readonly dead: readonly string[];
  /**
   * This run's states. Each is either a flat list of (field, formatted value)
   * string indexes, or (its first number negative) the same fields as an earlier
   * state with some values changed: [-k, position, value, position, value, ...]
   * where k is how many states back the earlier one is, position a field's
   * position in it and value a string index.
   */
  readonly views: readonly (readonly number[])[];
  readonly traces: readonly TraceData[];
}

export interface TraceData {
  readonly property: string;
  readonly role: 'counterexample' | 'witness';
  /** Steps (the initial state is step 0). */
  readonly length: number;
  /** chosen: the fewest-switch shortest trace (src/check/shortest.ts); engine: the engine's first shortest one. */
  readonly source: 'chosen' | 'engine';
  /** Distinct shortest traces, in decimal, or null when not counted. */
  readonly count: string | null;
  readonly switches: number;
  /** Why the trace is the engine's (not chosen), when so. */
  readonly why?: string;
  /** The property's explanation of the last state. */
  readonly explanation?: string;
  /** The step after which the violation is unavoidable, or null when not computed. */
  readonly unavoidableAt: number | null;
  /** The actors, in order of their first step (one swimlane each). */
  readonly actors: readonly string[];
  readonly steps: readonly StepData[];
  readonly chart: ChartData | null;
  readonly graph: GraphData;
}

export interface StepData {
  /** Index in `actions`; -1 for the initial state. */
  readonly a: number;
  /** Index in the run's `views`. */
  readonly v: number;
  /** The changed fields (src/format/text.ts diffStates), flat (path, from, to) string indexes; from/to formatted, '(absent)' when absent. */
  readonly c: readonly number[];
  /** The reference count and the locks held after the step (src/format/lanes.ts), when the model has them. */
  readonly ref: string | null;
  readonly locks: string | null;
  /** The state's number in the run's state graph (the graph's node id), when the trace was chosen on it. */
  readonly n: number | null;
}

/** Numbers over the steps of a trace: the reference count and the breakdown of a field of counts (the dialog's holders). */
export interface ChartData {
  readonly ref: readonly (number | null)[];
  readonly breakdown: { readonly field: string; readonly keys: readonly string[]; readonly values: readonly (readonly number[])[] } | null;
}

export type GraphData =
  | {
      readonly kind: 'drawn';
      readonly states: number;
      readonly edges: number;
      readonly length: number;
      readonly count: string;
      /**
       * The states' numbers in the run's state graph, ascending (breadth-first
       * order, so their distance from the initial states never decreases),
       * each written as its difference from the one before (the first as itself).
       */
      readonly ids: readonly number[];
      /** How many of the states are at each distance, in order. */
      readonly perDepth: readonly number[];
      /** Each state's index in the run's `views`. */
      readonly views: readonly number[];
      /** Positions (in `ids`) of the initial and of the violating states. */
      readonly initial: readonly number[];
      readonly violating: readonly number[];
      /**
       * Flat (from, to, action) per edge, edges in order of their source: from
       * is the source's position minus the previous edge's source position, to
       * is the target's position minus the source's, action an index in
       * `actions`. An edge into a violating state is a violating edge.
       */
      readonly edgeList: readonly number[];
    }
  | {
      readonly kind: 'summary';
      readonly states: number;
      readonly edges: number;
      readonly length: number;
      readonly count: string;
      readonly violating: number;
      /** States at each distance from the initial states. */
      readonly perDepth: readonly number[];
      readonly why: string;
    }
  | { readonly kind: 'none'; readonly why: string };

export interface MatrixData {
  readonly rows: readonly { readonly scenario: string; readonly env: string }[];
  readonly variants: readonly string[];
  /** cells[row][variant]: index in `runs`, or -1 when not run. */
  readonly cells: readonly (readonly number[])[];
}

export interface PrTableData {
  readonly variants: readonly string[];
  readonly claims: readonly { readonly scenario: string; readonly name: string; readonly claims: readonly string[] }[];
  readonly sections: readonly {
    readonly env: string;
    readonly label: string;
    readonly rows: readonly { readonly scenario: string; readonly name: string; readonly cells: readonly string[] }[];
  }[];
}

export interface PropositionData {
  readonly id: string;
  readonly claim: string;
  readonly verdict: string;
  readonly note: string;
  readonly outside?: string;
  /** The property searched, in words, and whether a witness or a counterexample decides it. */
  readonly searched?: { readonly property: string; readonly quant: 'exists' | 'forall' };
  /** Deciding searches and contrast searches (under the PR's assumption): run index and the answer in words. */
  readonly searches: readonly { readonly run: number; readonly text: string }[];
  readonly contrast: readonly { readonly run: number; readonly text: string }[];
  /** Deciding searches in total (some may not be in this run). */
  readonly total: number;
  /** For a comparison of two variants over the matrix: the rows where they differ. */
  readonly differingRows?: readonly string[];
}
