/**
 * The command line. `check` (the default command) runs the registered runs, or
 * one model ad hoc (a registered model, or a model file of the user's), compares
 * each outcome with its declaration and prints a report (or JSON). Exit codes:
 * 0 every result as declared, 1 some result not as declared, 2 usage error.
 *
 *   dialog-race-checker [check] [--model NAME | --model-file FILE [--model-export NAME]] [-p K=V[,K=V]]...
 *                  [--expect ok|violated=P1,P2] [--filter TAG=VALUE]... [--group G]
 *                  [--json] [--max-states N] [--max-depth N] [--time-limit SECONDS]
 *                  [--progress | --no-progress] [--stop-on-first] [--no-timing] [--list] [--swimlanes]
 *                  [--jobs N] [--workers N] [--memory-limit MB]
 *                  [--export FORMAT[,FORMAT...] --out DIR [--force]]   (see cli-export.ts)
 *   dialog-race-checker replay FILE...      (cli-replay.ts)
 *   dialog-race-checker rootcause ...       (cli-rootcause.ts)
 *   dialog-race-checker --version
 */
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { Action, CheckOptions, Model, Outcome, Trace } from './engine/index.js';
import { type RunResult, type RunSpec } from './check/run.js';
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
  type ModelDef,
  type Registry,
} from './check/registry.js';
import { renderTable, traceLines, type Change } from './format/text.js';
import { printedViolations, renderReport, summaryLine } from './report/check-report.js';
import { toPlain } from './format/plain.js';
import { addReplayCommand } from './cli-replay.js';
import { addRootCauseCommand } from './cli-rootcause.js';
import { addCitesCommand } from './cli-cites.js';
import { collect, jobProcesses, positiveInt, positiveSeconds, workerThreads, WORKERS_PER_CORE } from './cli-args.js';
import { writableTarget, writeAtomically } from './cli-files.js';
export { positiveSeconds };
import { chooseAll, executeAll, type ChoiceJob } from './check/pool.js';
import { checkSources, compareRun, makeBundle, proofRun, readBundle } from './check/proof.js';
import { choiceRequest, type ChoiceRequest, type ChosenTrace } from './check/shortest.js';
import { reportSwimlane } from './report/swimlane.js';
import { progressWanted, runsProgress, type ProgressSink } from './report/progress.js';
import { exportHook, EXPORT_FORMATS, type ExportFlags } from './cli-export.js';
import { checkExpectation, fileParams, modelFileRun, parseExpect } from './cli-model-file.js';

export const EXIT_OK = 0;
export const EXIT_NOT_AS_DECLARED = 1;
export const EXIT_USAGE = 2;

/** The package's version (package.json, beside src/ in the repository and in the installed package). */
export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** --memory-limit must leave at least this much room above what the process already uses. */
export const MEMORY_HEADROOM_MB = 64;

export interface Io {
  readonly stdout: (text: string) => void;
  /** Usage errors, progress, and the JSON mode's one-line verdict. */
  readonly stderr: ProgressSink;
}

/**
 * The process's stdout and stderr. A reader that closes its end early
 * (`... --list | head -3`) makes writes fail with EPIPE: that is not an
 * error of the check, so the output stops quietly there and the exit code
 * stays the check's own (without this, Node throws the EPIPE from the stream
 * and exits 1 with a stack trace).
 */
function processIo(): Io {
  const closed = { stdout: false, stderr: false };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') closed[name] = true;
      else throw e;
    });
  }
  return {
    stdout: (t) => {
      if (!closed.stdout) process.stdout.write(t);
    },
    stderr: {
      write: (t: string) => (closed.stderr ? false : process.stderr.write(t)),
      get isTTY() {
        return process.stderr.isTTY;
      },
    },
  };
}

export interface CheckFlags {
  model?: string;
  modelFile?: string;
  modelExport?: string;
  expect?: string;
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
  textKeys?: boolean;
  timing: boolean;
  list?: boolean;
  swimlanes?: boolean;
  traces?: boolean;
  all?: boolean;
  proof?: string;
  verify?: string;
}

/** The default registry, built once: only its runs can be sent to worker processes (which rebuild it). */
let defaultReg: Registry | undefined;
const theDefaultRegistry = (): Registry => (defaultReg ??= defaultRegistry());
const defaultRunsMarker = (r: Registry) => (r === defaultReg ? r.runs : undefined);

/** Runs the CLI with user arguments (no `node script` prefix); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo(), registry: Registry = theDefaultRegistry()): Promise<number> {
  let exitCode = EXIT_OK;
  let commanderMessage = '';
  const program = new Command('dialog-race-checker')
    .description('explicit-state model checker for the OpenSIPS dialog reference-count race')
    .version(VERSION, '-V, --version', 'print the version')
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
    .option('--model-file <file>', 'run the model of a module of your own ad hoc: its default export, a Model or a function of the parameters returning one')
    .option('--model-export <name>', 'with --model-file: the named export to use instead of the default one')
    .option('-p, --param <K=V[,K=V...]>', 'a parameter of --model or --model-file (repeatable)', collect)
    .option('--expect <ok|violated=P1,P2>', 'with --model or --model-file: the declared outcome (every property holds, or exactly these are violated)')
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
    .option('--jobs <n>', `run the registered runs in n processes (default: 2 on a machine with 2 or more cores, 1 with --workers; at most ${WORKERS_PER_CORE} per core)`)
    .option('--workers <n>', `explore each run with n worker threads sharing its state space (default 1; at most ${WORKERS_PER_CORE} per core)`)
    .option('--memory-limit <MB>', 'stop a run (incomplete) when the process nears this much memory (default: 80% of the machine\'s)')
    .option('--text-keys', 'identify states by their text (the model\'s key) instead of their packed code: several times slower, a cross-check of the codec and of the engine\'s expansion in place (one thread: not with --workers)')
    .option('--no-timing', 'leave out the final time line (and timings in JSON)')
    .option('--all', "also run the matrix rows of the full tier (millions of states per variant; see README)")
    .option('--proof <file>', 'also write a proof bundle of the runs: tool version and commit, hashes of the sources, and per run its counts, verdicts and traces (SHA-256); see --verify')
    .option('--verify <file>', "re-run every run a proof bundle lists and report each difference (exit 1) or that everything matches (exit 0)")
    .option('--list', 'list the models, their parameters and the registered runs (those --model, --filter, --group select)')
    .option('--traces', 'print the shortest counterexample of each violation the report names (one per matrix row and property; default: only when one run is selected)')
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
  const citesCmd = addCitesCommand(program, io, (code) => {
    exitCode = code;
  });
  for (const cmd of [checkCmd, replayCmd, rootCauseCmd, citesCmd]) {
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

  const commands = [checkCmd, replayCmd, rootCauseCmd, citesCmd];
  // The command the arguments are for: the first argument names it, or check runs.
  const cmd = commands.find((c) => c.name() === argv[0]) ?? checkCmd;
  try {
    if (argv[0] === 'help' && argv.length > 1 && argv[1] !== 'help' && !commands.some((c) => c.name() === argv[1])) {
      throw new UsageError(`help ${argv[1]}: no such command; the commands are ${COMMANDS_TEXT}`);
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT_OK;
      return usage(io, commanderLine(e, commanderMessage, cmd, argv));
    }
    throw e;
  }
}

/** The first option in `args` that `cmd` does not have (up to `--`; the value an option takes is skipped), or undefined. */
function unknownOption(cmd: Command, args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return undefined;
    if (!a.startsWith('-') || a === '-') continue;
    const name = a.split('=')[0];
    if (name === '--help' || name === '-h') continue;
    const o = cmd.options.find((x) => x.long === name || x.short === name);
    if (o === undefined) return name;
    if ((o.required || o.optional) && !a.includes('=')) i++;
  }
  return undefined;
}

/** --proof of a run --verify could not find again. */
const adHocProof = (what: string): UsageError =>
  new UsageError(`--proof: a proof bundle lists registered runs (check --list), which --verify finds again by id on a checkout with the same sources; ${what}`);

const COMMANDS_TEXT = 'check (the default, options only), replay <file...>, rootcause and cites';

function usage(io: Io, message: string): number {
  io.stderr.write(`error: ${message}\n`);
  return EXIT_USAGE;
}

/**
 * Commander's message on one line, with what was expected, for `cmd` (the
 * command the arguments are for). An option `cmd` does not have is named
 * first, even where commander reports something else (cites' missing
 * --opensips before an unknown option).
 */
function commanderLine(e: CommanderError, written: string, cmd: Command, argv: readonly string[]): string {
  const text = (written || e.message).replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
  const check = cmd.name() === 'check';
  const expected = `expected one of: ${cmd.options.map((o) => o.long ?? o.short).join(', ')}, --help${check ? ', --version' : ''}`;
  const forCmd = check ? '' : ` for ${cmd.name()}`;
  if (e.code === 'commander.unknownOption') return `${text.replace(/^(unknown option '[^']*')/, `$1${forCmd}`)}; ${expected}`;
  if (e.code === 'commander.missingMandatoryOptionValue') {
    const unknown = unknownOption(cmd, argv[0] === cmd.name() ? argv.slice(1) : argv);
    if (unknown !== undefined) return `unknown option '${unknown}'${forCmd}; ${expected}`;
  }
  if (e.code === 'commander.excessArguments' || e.code === 'commander.unknownCommand') {
    const extra = cmd.args.length > 0 ? `unexpected argument '${cmd.args.join(' ')}'` : text;
    return `${extra}; expected no arguments: the commands are ${COMMANDS_TEXT}`;
  }
  return text;
}

const CELL_TAGS = ['scenario', 'variant', 'env', 'lock', 'memory'] as const;

/**
 * Why a selection of matrix cells found nothing, when the reason is a row that
 * runs only some variants (check-manifest.json's `variants`): which rows, and
 * what they run instead; empty otherwise.
 */
function notRunHint(runs: readonly RunSpec[], assignments: readonly (readonly [string, string])[]): string {
  const partial = rowsNotRunning(runs, assignments);
  if (partial.length === 0) return '';
  const runsOnly = [...new Set(partial.map(([, vs]) => vs.join(', ')))].join('; or ');
  const [scenario, env] = partial[0][0].split(' ');
  const wanted = assignments.filter(([k]) => k === 'variant').map(([, v]) => v);
  const one = wanted.length === 1 ? wanted[0] : undefined;
  const where = partial.length === 1 ? `--scenario ${scenario} --env ${env}` : '--scenario S --env E';
  const search = `npm run check -- rootcause ${where}${one === undefined ? ' --variant V' : one !== 'orig' ? ` --variant ${one}` : ''}`;
  const what = one === undefined ? 'variant V' : one === 'orig' ? 'the code as written' : one;
  return ` (${partial.map(([row]) => row).join(', ')} run${partial.length === 1 ? 's' : ''} only ${runsOnly}: see the row's note in check-manifest.json; ${search} searches ${what} there for #3835's line, as docs/root-cause.md does for every variant such a row leaves out)`;
}

/** The matrix rows the other selection flags choose that run none of the selected variants, with the variants they run. */
function rowsNotRunning(runs: readonly RunSpec[], assignments: readonly (readonly [string, string])[]): [string, string[]][] {
  const wanted = assignments.filter(([k]) => k === 'variant').map(([, v]) => v);
  if (wanted.length === 0) return [];
  const keys = [...new Set(assignments.map(([k]) => k))].filter((k) => k !== 'variant');
  const fits = (r: RunSpec) => keys.every((k) => assignments.some(([k2, v2]) => k2 === k && r.tags[k] === v2));
  const rows = new Map<string, string[]>();
  for (const r of runs) {
    if (r.tags.group !== 'dialog' || !fits(r)) continue;
    const row = `${r.tags.scenario} ${r.tags.env}`;
    rows.set(row, [...(rows.get(row) ?? []), r.tags.variant]);
  }
  return [...rows].filter(([, vs]) => !vs.some((v) => wanted.includes(v)));
}

/** The selection flags given (as typed), for messages. */
function selectionFlags(flags: CheckFlags & { filter: string[] }): string[] {
  const given: string[] = [];
  if (flags.filter.length > 0) given.push('--filter');
  if (flags.group !== undefined) given.push('--group');
  for (const t of CELL_TAGS) if (flags[t] !== undefined) given.push(`--${t}`);
  return given;
}

type Flags = CheckFlags & { param: string[]; filter: string[] };

/** The registered runs the selection flags choose (all of them without any). */
function registeredSelection(flags: Flags, registry: Registry): { runs: RunSpec[]; fullLeftOut: number; notRunning: string[] } {
  const assignments = parseAssignments(flags.filter, '--filter');
  if (flags.group !== undefined) assignments.push(['group', flags.group]);
  for (const tag of CELL_TAGS) {
    for (const value of flags[tag] ?? []) assignments.push([tag, value]);
  }
  // The matrix shortcuts select matrix cells; with --group or --filter group=... they apply to that group instead.
  if (CELL_TAGS.some((t) => flags[t] !== undefined) && !assignments.some(([k]) => k === 'group')) assignments.push(['group', 'dialog']);
  const filter = parseFilter(registry.runs, assignments);
  const matched = selectRuns(registry.runs, filter);
  if (matched.length === 0) {
    throw new UsageError(`no registered run matches all of: ${assignments.map(([k, v]) => `${k}=${v}`).join(', ')}${notRunHint(registry.runs, assignments)}`);
  }
  // The full tier (matrix rows of millions of states per variant) runs with --all, or when asked for by its tag.
  const notRunning = rowsNotRunning(registry.runs, assignments).map(([row]) => row);
  if (flags.all === true || assignments.some(([k]) => k === 'tier')) return { runs: matched, fullLeftOut: 0, notRunning };
  const runs = matched.filter((r) => r.tags.tier !== 'full');
  if (runs.length === 0) {
    throw new UsageError(`the ${matched.length} registered run(s) selected are all in the full tier (millions of states each): add --all to run them`);
  }
  return { runs, fullLeftOut: matched.length - runs.length, notRunning };
}

/**
 * The runs the flags select, for a command that runs them as check does
 * (explore): the registered runs the selection flags choose, or one --model
 * run (usage errors as UsageError).
 */
export function selectedRuns(flags: CheckFlags & { param: string[]; filter: string[] }, registry: Registry): RunSpec[] {
  if (flags.model !== undefined) {
    const others = selectionFlags(flags);
    if (others.length > 0) throw new UsageError(`--model runs one model ad hoc and cannot be combined with ${others.join(', ')}`);
    const def = findModel(registry.models, flags.model);
    return [adHocRun(registry, def, parseParams(def, parseAssignments(flags.param, '--param')))];
  }
  if (flags.param.length > 0) throw new UsageError('--param sets a parameter of --model; give --model NAME too');
  return registeredSelection(flags, registry).runs;
}

/** What the flags select: registered runs, one registered model ad hoc, or a model file's model. */
type Selection =
  | { readonly kind: 'registered'; readonly runs: RunSpec[]; readonly fullLeftOut: number; readonly notRunning: readonly string[] }
  | { readonly kind: 'model'; readonly def: ModelDef; readonly run: RunSpec }
  | { readonly kind: 'file'; readonly run: RunSpec; readonly model: Model<any, any> };

/** The runs the flags select (usage errors as UsageError). */
async function selection(flags: Flags, registry: Registry): Promise<Selection> {
  if (flags.model !== undefined && flags.modelFile !== undefined) throw new UsageError('--model and --model-file exclude each other: give one');
  const adHoc = flags.model !== undefined ? '--model' : flags.modelFile !== undefined ? '--model-file' : undefined;
  if (adHoc !== undefined) {
    const others = selectionFlags(flags);
    if (others.length > 0) throw new UsageError(`${adHoc} runs one model ad hoc and cannot be combined with ${others.join(', ')} (${others.length === 1 ? 'which selects' : 'which select'} registered runs)`);
  } else {
    if (flags.param.length > 0) throw new UsageError('--param sets a parameter of --model or --model-file; give --model NAME or --model-file FILE too');
    if (flags.expect !== undefined) throw new UsageError('--expect declares the outcome of an ad-hoc run; give --model NAME or --model-file FILE too (registered runs are declared in the code and check-manifest.json)');
  }
  if (flags.modelExport !== undefined && flags.modelFile === undefined) throw new UsageError('--model-export names an export of --model-file; give --model-file FILE too');
  const expect = flags.expect === undefined ? undefined : parseExpect(flags.expect);
  if (flags.modelFile !== undefined) {
    const { run, model } = await modelFileRun(flags.modelFile, flags.modelExport, fileParams(parseAssignments(flags.param, '--param')), expect);
    return { kind: 'file', run, model };
  }
  if (flags.model !== undefined) {
    const def = findModel(registry.models, flags.model);
    const params = parseParams(def, parseAssignments(flags.param, '--param'));
    const run = adHocRun(registry, def, params);
    if (expect === undefined) return { kind: 'model', def, run };
    checkExpectation(run.build(), expect);
    // Declared here: the user's expectation replaces the registered one (and its pinned counts).
    return { kind: 'model', def, run: { ...run, expect, declared: true } };
  }
  return { kind: 'registered', ...registeredSelection(flags, registry) };
}

/** --memory-limit in MB: it must leave MEMORY_HEADROOM_MB above what this process already uses. */
function memoryLimit(raw: string | undefined): number | undefined {
  const mb = positiveInt('--memory-limit', raw);
  if (mb === undefined) return undefined;
  const used = Math.ceil(process.memoryUsage.rss() / 2 ** 20);
  if (mb < used + MEMORY_HEADROOM_MB) {
    throw new UsageError(
      `--memory-limit ${mb} is too low: this process already uses ${used} MB before exploring anything; give at least ${used + MEMORY_HEADROOM_MB} (MB)`,
    );
  }
  return mb;
}

async function runCheck(given: CheckFlags, io: Io, registry: Registry): Promise<number> {
  if (given.verify !== undefined) return verifyBundle(given, io, registry);
  const flags: Flags = { ...given, param: given.param ?? [], filter: given.filter ?? [] };
  const proofFile = flags.proof === undefined ? undefined : writableTarget('--proof', flags.proof, (given as ExportFlags).force === true);
  // Before the module is loaded (its top-level code run): a model file's runs are never registered.
  if (proofFile !== undefined && flags.modelFile !== undefined) throw adHocProof(`a run of --model-file (${flags.modelFile}) is not registered`);
  const maxStates = positiveInt('--max-states', flags.maxStates);
  const maxDepth = positiveInt('--max-depth', flags.maxDepth);
  const timeLimit = positiveSeconds('--time-limit', flags.timeLimit);
  const threads = workerThreads(flags.workers);
  const jobs = jobProcesses(flags.jobs, threads);
  const memoryLimitMb = memoryLimit(flags.memoryLimit);
  const exporter = exportHook(given as CheckFlags & ExportFlags);
  if (flags.swimlanes && flags.json) throw new UsageError('--swimlanes changes the text report; it cannot be combined with --json');
  if (flags.list && flags.json) throw new UsageError('--list prints a table of the models and runs; --json does not apply to it');
  const selected = await selection(flags, registry);
  if (proofFile !== undefined && selected.kind === 'model' && !registry.runs.some((r) => r.id === selected.run.id)) throw adHocProof(`${selected.run.id} is an ad-hoc run of --model`);
  if (flags.list) {
    io.stdout(renderList(registry, selected, flags));
    return EXIT_OK;
  }
  const runs = selected.kind === 'registered' ? selected.runs : [selected.run];
  const showProgress = progressWanted(flags.progress, io.stderr);

  const started = performance.now();
  const bounds: CheckOptions = {
    ...(maxStates !== undefined ? { maxStates } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
    ...(flags.stopOnFirst ? { stopOnFirstViolation: true } : {}),
    ...(memoryLimitMb !== undefined ? { memoryLimitBytes: memoryLimitMb * 2 ** 20 } : {}),
    ...(flags.textKeys ? { textKeys: true } : {}),
  };
  if (threads > 1 && maxStates !== undefined) {
    throw new UsageError('--max-states cannot be combined with --workers above 1 (where a run stops would depend on the threads\' timing); use --workers 1');
  }
  if (threads > 1 && proofFile !== undefined) {
    throw new UsageError("--proof cannot be combined with --workers above 1 (a bundle records each trace's hash, and which of the equally short traces several workers keep depends on their timing); use --workers 1");
  }
  if (threads > 1 && flags.textKeys) throw new UsageError('--text-keys cannot be combined with --workers above 1 (worker threads exchange packed states); use --workers 1');
  // Only the default registry's own runs can go to job processes (which rebuild it); the rest run here.
  const remote = (r: RunSpec) => registry.runs === defaultRunsMarker(registry) && registry.runs.includes(r);
  const live = runsProgress(io.stderr, showProgress, runs.length);
  let results: RunResult[];
  try {
    results = await executeAll(runs, bounds, {
      jobs,
      threads,
      registered: remote,
      onProgress: showProgress ? (run, p) => live.progress(run.id, p) : undefined,
      onResult: (r) => live.finished(r.run.id, `${r.outcome.status}, ${r.outcome.stats.states} states`),
    });
  } finally {
    live.done();
  }
  const exit = results.every((r) => r.differences.length === 0) ? EXIT_OK : EXIT_NOT_AS_DECLARED;
  exporter?.check(results);
  // The text report prints, for each violation it shows, the shortest trace
  // with the fewest actor switches and how many shortest ones exist (JSON
  // keeps the engine's own shortest trace).
  const traces = flags.traces === true || flags.swimlanes === true || runs.length === 1;
  const chosen = flags.json || !traces ? undefined : await chooseAll(choiceJobs(results), { jobs, registered: remote }, flags.swimlanes === true);
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
    io.stdout(renderReport(results, { traces, ...(flags.timing ? { timeMs } : {}), ...(chosen ? { chosen } : {}), ...swimlanes }));
    if (selected.kind === 'registered' && selected.fullLeftOut > 0) {
      io.stdout(`(${selected.fullLeftOut} run(s) of the full tier were not run: npm run check -- --all runs them too)\n`);
    }
    if (selected.kind === 'registered' && selected.notRunning.length > 0) {
      const n = selected.notRunning.length;
      io.stdout(`(${n} row${n === 1 ? '' : 's'} selected by the other flags run${n === 1 ? 's' : ''} none of the selected variants: ${selected.notRunning.join(', ')}; see ${n === 1 ? 'its note' : 'their notes'} in check-manifest.json)\n`);
    }
  }
  if (exporter !== undefined) {
    const summary = await exporter.write(results);
    if (flags.json) io.stderr.write(summary);
    else io.stdout(summary);
  }
  if (proofFile !== undefined) {
    writeAtomically(proofFile, JSON.stringify(makeBundle(results, bounds), null, 1) + '\n');
    (flags.json ? io.stderr : { write: io.stdout }).write(`proof bundle of ${results.length} run(s) written to ${flags.proof} (check --verify ${flags.proof} re-checks it)\n`);
  }
  return exit;
}

/**
 * --verify FILE: the runs a proof bundle lists, run again with its options
 * on this checkout (which must have the bundle's sources), compared with it.
 */
async function verifyBundle(flags: CheckFlags, io: Io, registry: Registry): Promise<number> {
  const given = selectionFlags({ ...flags, filter: flags.filter ?? [] });
  if (given.length > 0 || flags.model !== undefined || flags.modelFile !== undefined || flags.proof !== undefined) {
    throw new UsageError(`--verify re-runs the runs the bundle lists, with its options; it takes no selection (${[...given, ...(flags.model ? ['--model'] : []), ...(flags.modelFile ? ['--model-file'] : []), ...(flags.proof ? ['--proof'] : [])].join(', ')})`);
  }
  if (flags.json) throw new UsageError('--verify prints its differences as text lines; --json does not apply to it');
  const jobs = jobProcesses(flags.jobs);
  const bundle = readBundle(flags.verify!);
  checkSources(bundle);
  const byId = new Map(registry.runs.map((r) => [r.id, r]));
  const missing = bundle.runs.filter((r) => !byId.has(r.id)).map((r) => r.id);
  if (missing.length > 0) throw new UsageError(`--verify ${flags.verify}: ${missing.length} run(s) the bundle lists are not registered here: ${missing.slice(0, 3).join(', ')}`);
  const runs = bundle.runs.map((r) => byId.get(r.id)!);
  const remote = (r: RunSpec) => registry.runs === defaultRunsMarker(registry) && registry.runs.includes(r);
  // --text-keys re-runs them with states identified by their text: the same counts, verdicts and traces, or the codec is wrong.
  const results = await executeAll(runs, flags.textKeys ? { ...bundle.options, textKeys: true } : bundle.options, { jobs, registered: remote });
  const differences = results.flatMap((r, i) => compareRun(bundle.runs[i], proofRun(r)));
  for (const d of differences) io.stdout(`differs: ${d}\n`);
  io.stdout(
    differences.length === 0
      ? `${results.length} run(s) re-checked: everything matches the bundle (commit ${bundle.tool.commit})\n`
      : `${results.length} run(s) re-checked: ${differences.length} difference(s) from the bundle\n`,
  );
  return differences.length === 0 ? EXIT_OK : EXIT_NOT_AS_DECLARED;
}

/** Per run, the printed violations whose trace is to be chosen among the shortest. */
function choiceJobs(results: readonly RunResult[]): ChoiceJob[] {
  const jobs = new Map<RunResult, ChoiceRequest[]>();
  for (const { result, property } of printedViolations(results)) {
    const v = result.outcome.violations.find((p) => p.name === property)!;
    const list = jobs.get(result) ?? [];
    list.push(choiceRequest(property, v.trace!.length - 1, result.outcome.stats));
    jobs.set(result, list);
  }
  return [...jobs].map(([r, requests]) => ({ run: r.run, requests }));
}

const tagsText = (r: RunSpec): string => Object.entries(r.tags).map(([k, v]) => `${k}=${v}`).join(' ');

const runsTable = (runs: readonly RunSpec[]): string =>
  renderTable([{ header: 'run' }, { header: 'tags' }], runs.map((r) => [r.id, tagsText(r)]), '  ');

const expectationText = (r: RunSpec): string =>
  r.declared === false
    ? 'none declared: every property is expected to hold (declare one with --expect)'
    : r.expect.violated.length === 0
      ? 'every property holds'
      : `exactly ${r.expect.violated.join(', ')} violated`;

const propertiesTable = (model: Model<any, any>): string =>
  renderTable([{ header: 'property' }, { header: 'kind' }, { header: 'meaning' }], model.properties.map((p) => [p.name, p.kind, p.meaning]), '  ');

/**
 * `--list`: what the other flags select. Alone: every model and every
 * registered run; with --filter/--group/--scenario...: the runs they select
 * (and their models); with --model: that model, its parameters and its
 * registered runs; with --model-file: the file's model and its properties.
 */
function renderList(registry: Registry, selected: Selection, flags: Flags): string {
  if (selected.kind === 'model') {
    const def = selected.def;
    const params =
      def.params.length === 0
        ? '  (no parameters)'
        : renderTable(
            [{ header: 'parameter' }, { header: 'values' }, { header: 'default' }, { header: 'meaning' }],
            def.params.map((p) => [p.name, p.type === 'int' ? `${p.min}..${p.max}` : p.type === 'bool' ? 'true, false' : p.values.join(', '), String(p.default), p.doc]),
            '  ',
          );
    const own = registry.runs.filter((r) => r.tags.model === def.name);
    return (
      `model ${def.name}: ${def.doc}
${params}

` +
      `this ad-hoc run: ${selected.run.id}; expected: ${expectationText(selected.run)}

` +
      `registered runs of ${def.name} (check --filter model=${def.name}):
${own.length > 0 ? runsTable(own) : '  (none)'}
`
    );
  }
  if (selected.kind === 'file') {
    const m = selected.model;
    const steps = m.steps === undefined ? 'not declared' : `${m.steps.length} declared`;
    return (
      `model ${m.name} (--model-file ${flags.modelFile}${flags.modelExport !== undefined ? ` --model-export ${flags.modelExport}` : ''}):
` +
      `${propertiesTable(m)}
  steps: ${steps}

` +
      `this ad-hoc run: ${selected.run.id}; expected: ${expectationText(selected.run)}
`
    );
  }
  const narrowed = selectionFlags(flags).length > 0;
  const names = new Set(selected.runs.map((r) => r.tags.model));
  const models = registry.models.filter((m) => !narrowed || names.has(m.name));
  const modelTable = renderTable(
    [{ header: 'model' }, { header: 'parameters' }, { header: 'description' }],
    models.map((m) => [m.name, paramSummary(m), m.doc]),
    '  ',
  );
  const runsHeading = narrowed ? `registered runs selected (${selected.runs.length} of ${registry.runs.length})` : 'registered runs (check --filter TAG=VALUE)';
  return (
    (models.length > 0 ? `models (check --model NAME -p K=V):\n${modelTable}\n\n` : '') +
    `${runsHeading}:\n${runsTable(selected.runs)}\n` +
    (narrowed ? '' : '\nyour own model: check --model-file FILE [-p K=V] [--expect ok|violated=P1,P2] (docs/write-your-own-model.md)\n')
  );
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
  // The per-level counts stay out of the JSON, as out of the report: they serve the choice of traces.
  const { timeMs, statesPerSecond, levels: _levels, ...counts } = o.stats;
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
      // The run whose exploration this is (not explored again for this run: see RunResult.sameAs), if any.
      ...(r.sameAs !== undefined ? { sameAs: r.sameAs } : {}),
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

/**
 * Runs the CLI as a process: the exit code of `main` (a reader closing stdout
 * early does not change it), or 1 with the stack for an internal error.
 */
export function runAsProcess(argv: readonly string[]): void {
  main(argv).then(
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

const invokedDirectly = (): boolean => {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
};

if (invokedDirectly()) runAsProcess(process.argv.slice(2));
