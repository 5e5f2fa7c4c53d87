/**
 * `check --export <format>[,<format>...] --out <dir> [--force]`: readable
 * counterexamples and state graphs written to files after the check.
 *
 * Per run and violated property (files named `<run>.<property>.<what>`, the
 * run id made file-safe; a `sometimes` property never reached has no trace,
 * so it gets no files, only a line in the summary; the witnesses of the
 * `sometimes` properties that hold are not counterexamples and are not written):
 *   swimlane  .swimlane.txt       text swimlanes (fewest actor switches among the shortest)
 *   swimlane-full  .swimlane-full.txt  the same with the whole state at every step
 *   md        .swimlane.md        the same as Markdown, with the Mermaid diagram below it
 *   mermaid   .mmd                Mermaid sequence diagram
 *   itf       .itf.json           ITF trace (Apalache / Quint)
 *   json      .cex.graphology.json   counterexample graph (graphology serialisation)
 *   graphml   .cex.graphml
 *   gexf      .cex.gexf
 *   dot       .cex.dot
 *   svg       .cex.svg            the DOT laid out by Graphviz (WebAssembly)
 * Per run, for the graph formats: the full state graph `<run>.full.<ext>`.
 * A full or counterexample graph of more than FULL_GRAPH_BOUND states is not
 * written unless --force (the summary says so); the state graph behind them
 * and the swimlanes is bounded by ANALYSIS_BOUND (FORCED_BOUND with --force).
 *
 * Usage errors (UsageError, exit 2): an unknown format, --out missing or not
 * a writable directory, --out/--force without --export, an existing file
 * without --force, files asked for that are all above the size bound (nothing
 * would be written). Files are checked before any is written, the directory
 * is made with the first file written, and each file is written to a
 * temporary name and renamed, so none is left half-written.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Action, Model, Property } from './engine/index.js';
import type { RunResult } from './check/run.js';
import { UsageError } from './check/registry.js';
import { writeAtomically } from './cli-files.js';
import { analysisGraph, GraphTooLargeError, type StateGraph } from './graph/state-graph.js';
import { counterexampleGraph, dotToSvg, FULL_GRAPH_BOUND, fullGraph, toDot, toGexf, toGraphml, toGraphologyJson, type ExportGraph } from './graph/export.js';
import { analyseOnGraph, fromTrace, renderSwimlane, type Counterexample } from './report/swimlane.js';
import { renderMermaid } from './report/mermaid.js';
import { itfText } from './report/itf.js';
import { CHOICE_BOUND } from './check/shortest.js';

export const EXPORT_FORMATS = ['swimlane', 'swimlane-full', 'md', 'mermaid', 'itf', 'json', 'graphml', 'gexf', 'dot', 'svg'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
const GRAPH_FORMATS: readonly ExportFormat[] = ['json', 'graphml', 'gexf', 'dot', 'svg'];

/** Above this many states the counterexample analysis works on the states up to the trace's length only. */
export const ANALYSIS_BOUND = CHOICE_BOUND;
const FORCED_BOUND = 2_000_000;

export interface ExportFlags {
  export?: string;
  out?: string;
  force?: boolean;
}

export interface ExportPlan {
  readonly formats: readonly ExportFormat[];
  readonly dir: string;
  readonly force: boolean;
}

/** Validates the flags (before anything runs); undefined when --export is not given. */
export function exportPlan(flags: ExportFlags): ExportPlan | undefined {
  if (flags.export === undefined) {
    if (flags.out !== undefined) throw new UsageError('--out names the directory of --export; give --export FORMAT[,FORMAT] too');
    if (flags.force && (flags as { proof?: string }).proof === undefined) throw new UsageError('--force applies to --export and --proof; give --export FORMAT[,FORMAT] --out DIR, or --proof FILE, too');
    return undefined;
  }
  const formats: ExportFormat[] = [];
  for (const raw of flags.export.split(',')) {
    const f = raw.trim();
    if (!(EXPORT_FORMATS as readonly string[]).includes(f)) {
      throw new UsageError(`unknown export format '${f}'; expected one or more of: ${EXPORT_FORMATS.join(', ')} (comma-separated)`);
    }
    if (!formats.includes(f as ExportFormat)) formats.push(f as ExportFormat);
  }
  if (flags.out === undefined) throw new UsageError('--export needs --out DIR, the directory to write to');
  const dir = flags.out;
  try {
    // Checked now, created only when the files are written: a usage error
    // found later (or a run that writes nothing) leaves no empty directory behind.
    let d = resolve(dir);
    while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
    if (!statSync(d).isDirectory()) throw new Error(`${d} is not a directory`);
    accessSync(d, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${dir}: not a writable directory (${(e as Error).message})`);
  }
  return { formats, dir, force: flags.force === true };
}

/**
 * A run id as a file name part, safe in any shell and file system without
 * quoting: '=' becomes '-', any other run of characters but letters, digits,
 * '.', '_' and '-' becomes '_' (`counter-race(NP=2,K=1)` ->
 * `counter-race_NP-2_K-1`, `dialog/bye-vs-timeout-B/fast-lock/sc/orig` ->
 * `dialog_bye-vs-timeout-B_fast-lock_sc_orig`).
 */
export const fileSafe = (id: string): string =>
  id
    .replace(/=/g, '-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '');

const perProperty: Record<ExportFormat, string> = {
  swimlane: 'swimlane.txt',
  'swimlane-full': 'swimlane-full.txt',
  md: 'swimlane.md',
  mermaid: 'mmd',
  itf: 'itf.json',
  json: 'cex.graphology.json',
  graphml: 'cex.graphml',
  gexf: 'cex.gexf',
  dot: 'cex.dot',
  svg: 'cex.svg',
};
const fullSuffix: Partial<Record<ExportFormat, string>> = {
  json: 'full.graphology.json',
  graphml: 'full.graphml',
  gexf: 'full.gexf',
  dot: 'full.dot',
  svg: 'full.svg',
};

/** One file to write, named before its content is made. */
interface Planned {
  readonly name: string;
  readonly result: RunResult;
  readonly format: ExportFormat;
  /** The violated property, or undefined for the full graph. */
  readonly property?: string;
  /** Set when the file cannot be made: why (said in the summary). */
  readonly skip?: string;
}

/** The files the plan writes for these results, in a stable order. */
export function plannedFiles(plan: ExportPlan, results: readonly RunResult[]): Planned[] {
  const out: Planned[] = [];
  for (const r of results) {
    const base = fileSafe(r.run.id);
    for (const v of r.outcome.violations) {
      // A violated `sometimes` property was never reached: there is no trace, so nothing to write (said in the summary).
      if (v.trace === undefined) {
        const skip = `${v.name} (${v.kind}) was never reached, so there is no trace to export`;
        out.push({ name: `${base}.${fileSafe(v.name)}.*`, result: r, format: plan.formats[0], property: v.name, skip });
        continue;
      }
      for (const format of plan.formats) out.push({ name: `${base}.${fileSafe(v.name)}.${perProperty[format]}`, result: r, format, property: v.name });
    }
    if (r.outcome.status === 'error') continue;
    for (const format of plan.formats) {
      const suffix = fullSuffix[format];
      if (suffix !== undefined) out.push({ name: `${base}.${suffix}`, result: r, format });
    }
  }
  return out;
}

/** Throws a UsageError when a planned file is a directory, or exists and --force was not given. */
export function checkConflicts(plan: ExportPlan, files: readonly Planned[]): void {
  const folders = files.filter((f) => f.skip === undefined && existsSync(join(plan.dir, f.name)) && statSync(join(plan.dir, f.name)).isDirectory()).map((f) => f.name);
  if (folders.length > 0) throw new UsageError(`--out ${plan.dir}: ${folders[0]} is a directory${folders.length > 1 ? ` (and ${folders.length - 1} more)` : ''}; it cannot be overwritten by a file`);
  if (plan.force) return;
  const existing = files.filter((f) => f.skip === undefined && existsSync(join(plan.dir, f.name))).map((f) => f.name);
  if (existing.length > 0) {
    const shown = existing.slice(0, 3).join(', ') + (existing.length > 3 ? `, and ${existing.length - 3} more` : '');
    throw new UsageError(`--out ${plan.dir}: ${existing.length} file(s) exist (${shown}); give --force to overwrite them`);
  }
}

/** What was written (or skipped), one line each, for the summary. */
export interface ExportSummary {
  readonly written: readonly string[];
  readonly skipped: readonly string[];
}

/** Creates the directory and its missing parents, one level at a time (a recursive mkdir under a pseudo file system such as /proc can spin). */
function makeDir(dir: string): void {
  if (existsSync(dir)) return;
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
}

/**
 * Per run: the model, one state graph (lazily) and the counterexamples and
 * graphs made from it, built once for every format and property. The graph
 * is the complete one when it fits in the analysis bound, otherwise the
 * states up to the longest counterexample (which hold every shortest one).
 */
class RunExports {
  private model?: Model<any, Action>;
  private graph?: StateGraph<any, Action> | GraphTooLargeError;
  private readonly cexes = new Map<string, Counterexample>();
  private readonly cexGraphs = new Map<string, ExportGraph | string>();
  private full?: ExportGraph | string;

  constructor(
    private readonly r: RunResult,
    private readonly force: boolean,
  ) {}

  private theModel(): Model<any, Action> {
    return (this.model ??= this.r.run.build());
  }

  private get project() {
    return this.r.run.project;
  }

  private get bound(): number {
    return this.force ? FORCED_BOUND : ANALYSIS_BOUND;
  }

  private stateGraph(): StateGraph<any, Action> | GraphTooLargeError {
    if (this.graph === undefined) {
      const lengths = this.r.outcome.violations.filter((v) => v.trace !== undefined).map((v) => v.trace!.length - 1);
      try {
        this.graph = analysisGraph(this.theModel(), { maxStates: this.bound, ...(lengths.length > 0 ? { knownLength: Math.max(...lengths) } : {}) });
      } catch (e) {
        if (!(e instanceof GraphTooLargeError)) throw e;
        this.graph = e;
      }
    }
    return this.graph;
  }

  counterexample(property: string): Counterexample {
    const known = this.cexes.get(property);
    if (known !== undefined) return known;
    const v = this.r.outcome.violations.find((p) => p.name === property)!;
    const g = this.stateGraph();
    const cex =
      (g instanceof GraphTooLargeError
        ? null
        : analyseOnGraph(this.theModel(), g, property, { title: this.r.run.id, ...(this.project ? { project: this.project } : {}) })) ??
      fromTrace(this.r.run.id, { name: v.name, kind: v.kind, meaning: v.meaning }, v.trace!, v.explanation);
    this.cexes.set(property, cex);
    return cex;
  }

  /** The counterexample graph, or why it is not written. */
  counterexampleGraph(property: string): ExportGraph | string {
    const known = this.cexGraphs.get(property);
    if (known !== undefined) return known;
    const g = this.stateGraph();
    let out: ExportGraph | string;
    if (g instanceof GraphTooLargeError) {
      out = `the states up to the counterexample's length exceed ${g.bound}`;
    } else {
      const p = g.properties.find((q) => q.name === property) as Property<unknown>;
      const cg = counterexampleGraph(g, p, this.project ? { project: this.project } : {});
      if (cg === null) throw new Error(`run ${this.r.run.id}: ${property}: no violating state in the state graph`);
      out =
        cg.order > FULL_GRAPH_BOUND && !this.force
          ? `the counterexample graph has ${cg.order} states, more than ${FULL_GRAPH_BOUND}; give --force to write it anyway`
          : cg;
    }
    this.cexGraphs.set(property, out);
    return out;
  }

  /** The full graph, or why it is not written. */
  fullGraph(): ExportGraph | string {
    if (this.full !== undefined) return this.full;
    const g = this.stateGraph();
    const forceHint = this.force ? '' : '; give --force to write it anyway';
    if (g instanceof GraphTooLargeError || !g.complete) {
      this.full = `the state graph has more than ${this.bound} states${forceHint}`;
    } else if (g.states.length > FULL_GRAPH_BOUND && !this.force) {
      this.full = `the state graph has ${g.states.length} states, more than ${FULL_GRAPH_BOUND}${forceHint}`;
    } else {
      const violated = this.r.outcome.violations.map((v) => g.properties.find((p) => p.name === v.name)).filter((p) => p !== undefined);
      this.full = fullGraph(g, violated, this.project ? { project: this.project } : {});
    }
    return this.full;
  }
}

async function graphText(format: ExportFormat, graph: ExportGraph): Promise<string> {
  switch (format) {
    case 'json':
      return toGraphologyJson(graph);
    case 'graphml':
      return toGraphml(graph);
    case 'gexf':
      return toGexf(graph);
    case 'dot':
      return toDot(graph);
    case 'svg':
      return dotToSvg(toDot(graph));
    default:
      throw new Error(`not a graph format: ${format}`);
  }
}

/**
 * Writes the planned files for these results. Call `checkConflicts` first
 * (before printing the report) so that a conflict is a usage error with
 * nothing written.
 */
export async function writeExports(plan: ExportPlan, results: readonly RunResult[], runs: Map<RunResult, RunExports> = new Map()): Promise<ExportSummary> {
  const files = plannedFiles(plan, results);
  const written: string[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    const ex = exportsOf(runs, f.result, plan);
    let text: string | undefined;
    let why: string | undefined = f.skip ?? tooLarge(ex, f);
    if (why !== undefined) {
      // nothing to write
    } else if (f.property === undefined) {
      text = await graphText(f.format, ex.fullGraph() as ExportGraph);
    } else if (GRAPH_FORMATS.includes(f.format)) {
      text = await graphText(f.format, ex.counterexampleGraph(f.property) as ExportGraph);
    } else {
      const cex = ex.counterexample(f.property);
      const roles = f.result.run.roles;
      switch (f.format) {
        case 'swimlane':
          text = renderSwimlane(cex, { roles });
          break;
        case 'swimlane-full':
          text = renderSwimlane(cex, { fullState: true, roles });
          break;
        case 'md':
          text = renderSwimlane(cex, { markdown: true, roles }) + '\n' + renderMermaid(cex, { fenced: true });
          break;
        case 'mermaid':
          text = renderMermaid(cex);
          break;
        case 'itf':
          text = itfText(cex.trace, { source: f.result.run.id, description: `${f.property} violated: ${cex.property.meaning}` });
          break;
      }
    }
    if (text !== undefined) {
      // The directory is made with the first file: a run that writes nothing leaves none behind.
      try {
        makeDir(plan.dir);
      } catch (e) {
        throw new UsageError(`--out ${plan.dir}: cannot create the directory (${(e as Error).message})`);
      }
      writeAtomically(join(plan.dir, f.name), text);
      written.push(f.name);
    } else {
      skipped.push(`${f.name}: ${why}`);
    }
  }
  return { written, skipped };
}

/** The summary printed after the report. */
export function renderExportSummary(plan: ExportPlan, s: ExportSummary): string {
  const lines = [`exported ${s.written.length} file${s.written.length === 1 ? '' : 's'} to ${plan.dir}${s.written.length > 0 ? ':' : ''}`];
  for (const w of s.written) lines.push(`  ${w}`);
  if (s.skipped.length > 0) {
    lines.push(`not written (${s.skipped.length}):`);
    for (const k of s.skipped) lines.push(`  ${k}`);
  }
  return lines.join('\n') + '\n';
}

/** The exports of a run, made once and shared by the check before the report and the writing after it. */
function exportsOf(runs: Map<RunResult, RunExports>, r: RunResult, plan: ExportPlan): RunExports {
  let ex = runs.get(r);
  if (ex === undefined) runs.set(r, (ex = new RunExports(r, plan.force)));
  return ex;
}

/** Why a planned graph file is not written (above the size bound), or undefined. */
function tooLarge(ex: RunExports, f: Planned): string | undefined {
  if (f.skip !== undefined) return undefined;
  if (f.property === undefined) {
    const g = ex.fullGraph();
    return typeof g === 'string' ? g : undefined;
  }
  if (!GRAPH_FORMATS.includes(f.format)) return undefined;
  const g = ex.counterexampleGraph(f.property);
  return typeof g === 'string' ? g : undefined;
}

/**
 * Throws a UsageError when files were asked for and every one of them is
 * above the size bound: nothing would be written (and without this, the
 * run would exit 0 with nothing to show). Some written and some not is
 * fine: the summary says which and why.
 */
export function checkSomethingWritten(plan: ExportPlan, files: readonly Planned[], runs: Map<RunResult, RunExports>): void {
  const wanted = files.filter((f) => f.skip === undefined);
  if (wanted.length === 0) return;
  const refused = wanted.map((f) => ({ f, why: tooLarge(exportsOf(runs, f.result, plan), f) }));
  if (refused.some((r) => r.why === undefined)) return;
  const [first] = refused;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more file${refused.length === 2 ? '' : 's'} for the same reason)` : '';
  throw new UsageError(`--export ${plan.formats.join(',')}: nothing to write: ${first.f.name}: ${first.why}${more}`);
}

/**
 * The CLI's hook: validates the flags and returns a function that checks the
 * planned files (conflicts, and that something can be written; after the
 * run, before the report is printed) and one that writes them, creating the
 * directory with the first file, and returns the summary. undefined when
 * --export was not given.
 */
export function exportHook(flags: ExportFlags):
  | { readonly check: (results: readonly RunResult[]) => void; readonly write: (results: readonly RunResult[]) => Promise<string> }
  | undefined {
  const plan = exportPlan(flags);
  if (plan === undefined) return undefined;
  const runs = new Map<RunResult, RunExports>();
  return {
    check: (results) => {
      const files = plannedFiles(plan, results);
      checkConflicts(plan, files);
      checkSomethingWritten(plan, files, runs);
    },
    write: async (results) => renderExportSummary(plan, await writeExports(plan, results, runs)),
  };
}
