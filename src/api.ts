/**
 * The package's public surface (`import ... from 'dialog-race-checker'`):
 * the engine (src/engine/index.ts: the Model interface and its helpers, check,
 * the outcome types, the typed errors, the state codecs, the parallel
 * explorer) and what a library user needs to run a model against a
 * declaration and print what it found: runs and their differences, the text
 * report and traces, readable counterexamples (swimlanes, Mermaid, ITF) and
 * state graphs (DOT, GraphML, GEXF, graphology JSON, SVG).
 *
 * The CLI's own modules (src/cli*.ts, src/check/registry.ts, the dialog
 * model) are not part of it. lib/index.mjs re-exports this for plain Node;
 * test/package.test.ts checks the two name the same exports.
 */
export * from './engine/index.js';

export { execute, executeWith, compare, describeDifference, EVERY_PROPERTY_HOLDS, ModelThrewError } from './check/run.js';
export type { Expectation, RunSpec, RunResult, Difference } from './check/run.js';

export { renderTrace, renderTable, traceLines, diffStates, formatChange, formatValue } from './format/text.js';
export type { Change, TraceLine, Column } from './format/text.js';
export { renderReport, summaryLine } from './report/check-report.js';
export type { ReportOptions } from './report/check-report.js';
export { analyseCounterexample, fromTrace, renderSwimlane, type Counterexample, type SwimlaneOptions, type AnalyseOptions } from './report/swimlane.js';
export { renderMermaid, type MermaidOptions } from './report/mermaid.js';
export { itfText, toItf, readItf, type ItfTrace, type ItfOptions } from './report/itf.js';
export { toPlain } from './format/plain.js';

export { buildStateGraph, GraphTooLargeError, type StateGraph, type BuildOptions } from './graph/state-graph.js';
export { counterexampleGraph, fullGraph, toDot, toGexf, toGraphml, toGraphologyJson, dotToSvg, type ExportGraph } from './graph/export.js';
