/**
 * The command line. `check` (the default command) runs the registered runs, or
 * one model ad hoc, compares each outcome with its declaration and prints a
 * report (or JSON). Exit codes: 0 every result as declared, 1 some result not
 * as declared, 2 usage error.
 *
 *   tsx src/cli.ts [check] [--model NAME [-p K=V[,K=V]]...] [--filter TAG=VALUE]... [--group G]
 *                  [--json] [--max-states N] [--max-depth N] [--time-limit SECONDS]
 *                  [--progress | --no-progress] [--stop-on-first] [--no-timing] [--list] [--swimlanes]
 *                  [--jobs N] [--workers N] [--memory-limit MB]
 *                  [--export FORMAT[,FORMAT...] --out DIR [--force]]   (see cli-export.ts)
 */
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { Action, CheckOptions, Outcome, Trace } from './engine/index.js';
import { executeWith, type RunResult, type RunSpec } from './check/run.js';
import {
  adHocRun,
  defaultRegistry,
  findModel,
  paramSummary,
  parseAssignments,
  parseFilter,
  parseParams,
  selectRuns,
  UsageError,
  type Registry,
} from './check/registry.js';
import { printedViolations, renderReport, renderTable, summaryLine, traceLines, type Change } from './report/table.js';
import { toPlain } from './report/plain.js';
import { addReplayCommand } from './cli-replay.js';
import { addRootCauseCommand } from './cli-rootcause.js';
import { collect, positiveInt } from './cli-args.js';
import { chooseAll, executeAll, type ChoiceJob } from './check/pool.js';
import type { ChoiceRequest, ChosenTrace } from './check/shortest.js';
import { reportSwimlane } from './report/swimlane.js';
import { progressPrinter, progressWanted, type ProgressSink } from './report/progress.js';
import { exportHook, EXPORT_FORMATS, type ExportFlags } from './cli-export.js';

export const EXIT_OK = 0;
export const EXIT_NOT_AS_DECLARED = 1;
export const EXIT_USAGE = 2;

export interface Io {
  readonly stdout: (text: string) => void;
  /** Usage errors, progress, and the JSON mode's one-line verdict. */
  readonly stderr: ProgressSink;
}

const processIo = (): Io => ({
  stdout: (t) => process.stdout.write(t),
  stderr: process.stderr,
});

export interface CheckFlags {
  model?: string;
  param?: string[];
  filter?: string[];
  group?: string;
  scenario?: string[];
  variant?: string[];
  env?: string[];
  lock?: string[];
  memory?: string[];
  json?: boolean;
  maxStates?: string;
  maxDepth?: string;
  timeLimit?: string;
  progress?: boolean;
  stopOnFirst?: boolean;
  jobs?: string;
  workers?: string;
  memoryLimit?: string;
  timing: boolean;
  list?: boolean;
  swimlanes?: boolean;
}

/** Runs the CLI with user arguments (no `node script` prefix); resolves to the exit code. */
/** The default registry, built once: only its runs can be sent to worker processes (which rebuild it). */
let defaultReg: Registry | undefined;
const theDefaultRegistry = (): Registry => (defaultReg ??= defaultRegistry());
const defaultRunsMarker = (r: Registry) => (r === defaultReg ? r.runs : undefined);

export async function main(argv: readonly string[], io: Io = processIo(), registry: Registry = theDefaultRegistry()): Promise<number> {
  let exitCode = EXIT_OK;
  let commanderMessage = '';
  const program = new Command('dialog-race-checker')
    .description('explicit-state model checker for the OpenSIPS dialog reference-count race')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => {
        commanderMessage += s;
      },
      outputError: (s) => {
        commanderMessage += s;
      },
    });

  program.addHelpText('after', '\nWith no command, check runs. Options of check: check --help\n');

  const checkCmd = program
    .command('check', { isDefault: true })
    .description('run the registered runs (or one model ad hoc) and compare each outcome with its declaration')
    .option('--model <name>', 'run one parameterised model ad hoc instead of the registered runs')
    .option('-p, --param <K=V[,K=V...]>', 'a parameter of --model (repeatable)', collect)
    .option('--filter <tag=value>', 'only the registered runs with this tag value (repeatable; tag id is the run id)', collect)
    .option('--group <name>', 'same as --filter group=<name>')
    .option('--scenario <name>', 'dialog matrix: only this scenario (same as --filter scenario=<name>; repeatable)', collect)
    .option('--variant <name>', 'dialog matrix: only this code variant (repeatable)', collect)
    .option('--env <name>', 'dialog matrix: only this environment, e.g. fast-lock/sc (repeatable)', collect)
    .option('--lock <impl>', 'dialog matrix: only environments with this lock implementation (repeatable)', collect)
    .option('--memory <model>', 'dialog matrix: only environments with this memory model (repeatable)', collect)
    .option('--json', 'print the outcomes as JSON on stdout')
    .option('--max-states <n>', 'stop exploring after n distinct states (the run is then incomplete)')
    .option('--max-depth <n>', 'do not explore beyond depth n (initial states are depth 1)')
    .option('--time-limit <seconds>', 'stop exploring each run after this many seconds')
    .option('--progress', 'show a progress line on stderr (default: only when stderr is a terminal)')
    .option('--no-progress', 'never show progress')
    .option('--stop-on-first', 'stop each run at its first violation')
    .option('--jobs <n>', 'run the registered runs in n processes (default: 2 on a machine with 2 or more cores, 1 with --workers)')
    .option('--workers <n>', 'explore each run with n worker threads sharing its state space (default 1)')
    .option('--memory-limit <MB>', 'stop a run (incomplete) when the process nears this much memory (default: 80% of the machine\'s)')
    .option('--no-timing', 'leave out the final time line (and timings in JSON)')
    .option('--list', 'list the models, their parameters and the registered runs')
    .option('--swimlanes', 'print each trace of the report as swimlanes: a column per actor, locks and ref count, where the violation becomes unavoidable')
    .option('--export <formats>', `write counterexamples and state graphs to --out: ${EXPORT_FORMATS.join(', ')} (comma-separated)`)
    .option('--out <dir>', 'the directory --export writes to')
    .option('--force', 'with --export: overwrite existing files, and write full state graphs above the size bound')
    .action(async (flags: CheckFlags) => {
      exitCode = await runCheck(flags, io, registry);
    });
  const replayCmd = addReplayCommand(program, io, (code) => {
    exitCode = code;
  });
  const rootCauseCmd = addRootCauseCommand(program, { stdout: io.stdout, stderr: (t) => io.stderr.write(t) }, (code) => {
    exitCode = code;
  });
  for (const cmd of [checkCmd, replayCmd, rootCauseCmd]) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => {
        commanderMessage += s;
      },
      outputError: (s) => {
        commanderMessage += s;
      },
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT_OK;
      return usage(io, commanderLine(e, commanderMessage, checkCmd));
    }
    throw e;
  }
}

function usage(io: Io, message: string): number {
  io.stderr.write(`error: ${message}\n`);
  return EXIT_USAGE;
}

/** Commander's message on one line, with what was expected. */
function commanderLine(e: CommanderError, written: string, cmd: Command): string {
  const text = (written || e.message).replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
  if (e.code === 'commander.unknownOption') {
    const names = cmd.options.map((o) => o.long ?? o.short).filter((n): n is string => n !== undefined);
    return `${text}; expected one of: ${names.join(', ')}, --help`;
  }
  if (e.code === 'commander.excessArguments' || e.code === 'commander.unknownCommand') {
    const extra = cmd.args.length > 0 ? `unexpected argument '${cmd.args.join(' ')}'` : text;
    return `${extra}; expected no arguments: the commands are check (the default, options only), replay <file...> and rootcause`;
  }
  return text;
}

export const positiveSeconds = (flag: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(n > 0)) throw new UsageError(`${flag} expects a positive number of seconds, got '${raw}'`);
  return n;
};

/** The runs the flags select (usage errors as UsageError). */
export function selectedRuns(flags: CheckFlags & { param: string[]; filter: string[] }, registry: Registry): RunSpec[] {
  if (flags.model !== undefined) {
    if (flags.filter.length > 0 || flags.group !== undefined || ['scenario', 'variant', 'env', 'lock', 'memory'].some((t) => (flags as unknown as Record<string, unknown>)[t] !== undefined)) {
      throw new UsageError('--model runs one model ad hoc and cannot be combined with --filter or --group');
    }
    const def = findModel(registry.models, flags.model);
    const params = parseParams(def, parseAssignments(flags.param, '--param'));
    return [adHocRun(registry, def, params)];
  }
  if (flags.param.length > 0) throw new UsageError('--param sets a parameter of --model; give --model NAME too');
  const assignments = parseAssignments(flags.filter, '--filter');
  if (flags.group !== undefined) assignments.push(['group', flags.group]);
  const cellTags = ['scenario', 'variant', 'env', 'lock', 'memory'] as const;
  for (const tag of cellTags) {
    for (const value of flags[tag] ?? []) assignments.push([tag, value]);
  }
  // The matrix shortcuts select matrix cells; with --group or --filter group=... they apply to that group instead.
  if (cellTags.some((t) => flags[t] !== undefined) && !assignments.some(([k]) => k === 'group')) assignments.push(['group', 'dialog']);
  const filter = parseFilter(registry.runs, assignments);
  const runs = selectRuns(registry.runs, filter);
  if (runs.length === 0) {
    throw new UsageError(`no registered run matches all of: ${assignments.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  return runs;
}

async function runCheck(given: CheckFlags, io: Io, registry: Registry): Promise<number> {
  const flags = { ...given, param: given.param ?? [], filter: given.filter ?? [] };
  const maxStates = positiveInt('--max-states', flags.maxStates);
  const maxDepth = positiveInt('--max-depth', flags.maxDepth);
  const timeLimit = positiveSeconds('--time-limit', flags.timeLimit);
  const memoryLimitMb = positiveInt('--memory-limit', flags.memoryLimit);
  const exporter = exportHook(given as CheckFlags & ExportFlags);
  if (flags.swimlanes && flags.json) throw new UsageError('--swimlanes changes the text report; it cannot be combined with --json');
  if (flags.list) {
    io.stdout(renderList(registry));
    return EXIT_OK;
  }
  const runs = selectedRuns(flags, registry);
  const showProgress = progressWanted(flags.progress, io.stderr);

  const started = performance.now();
  const bounds: CheckOptions = {
    ...(maxStates !== undefined ? { maxStates } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
    ...(flags.stopOnFirst ? { stopOnFirstViolation: true } : {}),
    ...(memoryLimitMb !== undefined ? { memoryLimitBytes: memoryLimitMb * 2 ** 20 } : {}),
  };
  const threads = positiveInt('--workers', flags.workers) ?? 1;
  const jobs = positiveInt('--jobs', flags.jobs) ?? (threads === 1 && availableParallelism() >= 2 ? 2 : 1);
  if (threads > 1 && maxStates !== undefined) {
    throw new UsageError('--max-states cannot be combined with --workers above 1 (where a run stops would depend on the threads\' timing); use --workers 1');
  }
  let results: RunResult[];
  if (jobs > 1 && registry.runs === defaultRunsMarker(registry)) {
    let done = 0;
    results = await executeAll(runs, bounds, {
      jobs,
      threads,
      registered: (r) => registry.runs.includes(r),
      onResult: (r) => {
        done += 1;
        if (showProgress) io.stderr.write(`[${done}/${runs.length}] ${r.run.id}: ${r.outcome.status}, ${r.outcome.stats.states} states\n`);
      },
    });
  } else {
    results = [];
    for (const run of runs) {
      const printer = progressPrinter(run.id, io.stderr, showProgress);
      try {
        results.push(await executeWith(run, { ...bounds, ...(printer.onProgress ? { onProgress: printer.onProgress } : {}) }, threads));
      } finally {
        printer.done();
      }
    }
  }
  const exit = results.every((r) => r.differences.length === 0) ? EXIT_OK : EXIT_NOT_AS_DECLARED;
  exporter?.check(results);
  // The text report prints, for each violation it shows, the shortest trace
  // with the fewest actor switches and how many shortest ones exist (JSON
  // keeps the engine's own shortest trace).
  const chosen = flags.json
    ? undefined
    : await chooseAll(choiceJobs(results), { jobs, registered: (r) => registry.runs === defaultRunsMarker(registry) && registry.runs.includes(r) }, flags.swimlanes === true);
  const timeMs = performance.now() - started;

  if (flags.json) {
    io.stdout(JSON.stringify(toJson(results, exit, flags.timing ? timeMs : undefined), null, 2) + '\n');
    if (exit !== EXIT_OK) io.stderr.write(`${summaryLine(results)}\n`);
  } else {
    const swimlanes = flags.swimlanes
      ? {
          renderTrace: (r: RunResult, property: string, c: ChosenTrace | undefined) =>
            reportSwimlane(r.run.id, r.outcome.violations.find((v) => v.name === property)!, c),
        }
      : {};
    io.stdout(renderReport(results, { ...(flags.timing ? { timeMs } : {}), ...(chosen ? { chosen } : {}), ...swimlanes }));
  }
  if (exporter !== undefined) {
    const summary = await exporter.write(results);
    if (flags.json) io.stderr.write(summary);
    else io.stdout(summary);
  }
  return exit;
}

/** Per run, the printed violations whose trace is to be chosen among the shortest. */
function choiceJobs(results: readonly RunResult[]): ChoiceJob[] {
  const jobs = new Map<RunResult, ChoiceRequest[]>();
  for (const { result, property } of printedViolations(results)) {
    const v = result.outcome.violations.find((p) => p.name === property)!;
    const list = jobs.get(result) ?? [];
    list.push({ property, length: v.trace!.length - 1 });
    jobs.set(result, list);
  }
  return [...jobs].map(([r, requests]) => ({ run: r.run, requests }));
}

function renderList(registry: Registry): string {
  const models = renderTable(
    [{ header: 'model' }, { header: 'parameters' }, { header: 'description' }],
    registry.models.map((m) => [m.name, paramSummary(m), m.doc]),
    '  ',
  );
  const runs = renderTable(
    [{ header: 'run' }, { header: 'tags' }],
    registry.runs.map((r) => [r.id, Object.entries(r.tags).map(([k, v]) => `${k}=${v}`).join(' ')]),
    '  ',
  );
  return `models (check --model NAME -p K=V):\n${models}\n\nregistered runs (check --filter TAG=VALUE):\n${runs}\n`;
}

// ---------------------------------------------------------------------------
// JSON

const changeJson = (c: Change) => ({
  path: c.path,
  ...('from' in c ? { from: toPlain(c.from) } : {}),
  ...('to' in c ? { to: toPlain(c.to) } : {}),
});

function traceJson(trace: Trace<unknown, Action>) {
  return traceLines(trace).map((l) => ({
    index: l.index,
    actor: l.actor,
    step: l.step,
    source: l.source,
    ...(l.parts !== undefined ? { parts: l.parts.map((p) => ({ ...p })) } : {}),
    ...(l.index === 0 ? { state: toPlain(trace[0].state) } : { changed: l.changes.map(changeJson) }),
  }));
}

function outcomeJson(o: Outcome<any, any>, timing: boolean) {
  const { timeMs, statesPerSecond, ...counts } = o.stats;
  return {
    model: o.model,
    status: o.status,
    ...(o.bound !== undefined ? { bound: o.bound } : {}),
    stats: timing ? { ...counts, timeMs, statesPerSecond } : counts,
    coverage: { steps: o.coverage.steps.map((s) => ({ ...s })), dead: [...o.coverage.dead] },
    properties: o.properties.map((p) => ({
      name: p.name,
      kind: p.kind,
      meaning: p.meaning,
      verdict: p.verdict,
      ...(p.explanation !== undefined ? { explanation: p.explanation } : {}),
    })),
    violations: o.violations.map((v) => ({
      property: v.name,
      kind: v.kind,
      meaning: v.meaning,
      ...(v.explanation !== undefined ? { explanation: v.explanation } : {}),
      trace: v.trace === undefined ? null : traceJson(v.trace),
    })),
    ...(o.error !== undefined ? { error: toPlain(o.error) } : {}),
  };
}

export function toJson(results: readonly RunResult[], exitCode: number, timeMs?: number) {
  const timing = timeMs !== undefined;
  return {
    runs: results.map((r) => ({
      id: r.run.id,
      tags: { ...r.run.tags },
      ...outcomeJson(r.outcome, timing),
      expected: { ...r.run.expect, violated: [...r.run.expect.violated], declared: r.run.declared !== false },
      asDeclared: r.differences.length === 0,
      differences: r.differences.map((d) => ({ ...d })),
    })),
    summary: {
      runs: results.length,
      asDeclared: results.filter((r) => r.differences.length === 0).length,
      notAsDeclared: results.filter((r) => r.differences.length > 0).map((r) => r.run.id),
      exitCode,
      ...(timing ? { timeMs } : {}),
    },
  };
}

// ---------------------------------------------------------------------------

const invokedDirectly = (): boolean => {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
};

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // Not a usage error: a bug in the checker itself. Say so, with the stack.
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT_NOT_AS_DECLARED;
    },
  );
}
