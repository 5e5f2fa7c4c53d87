/**
 * `npm run explore -- [selection] --out FILE [--force]` writes the explorer: one
 * self-contained HTML page (script, style and data inline) of a check run;
 * `--serve [--port N]` serves it on 127.0.0.1 until SIGINT or SIGTERM.
 *
 * The selection and bounds are those of `check` (--model/-p, --filter, --group,
 * --scenario, --variant, --env, --lock, --memory, --max-states, --max-depth,
 * --time-limit, --stop-on-first, --jobs, --workers, --memory-limit): the same
 * runs, run the same way. Exit codes as `check`: 0 every result as declared
 * (the page is written), 1 some result is not (the page is written all the
 * same), 2 usage error (one line on stderr, nothing written). `--out` to an
 * existing file needs `--force`; the page is written to a temporary name in the
 * same directory and renamed.
 *
 *   tsx src/cli-explore.ts [selection...] (--out FILE [--force] | --serve [--port N]) [--no-timing] [--progress]
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { CheckOptions } from './engine/index.js';
import { defaultRegistry, UsageError, type Registry } from './check/registry.js';
import { loadManifest } from './check/dialog.js';
import { writableTarget, writeAtomically } from './cli-files.js';
import { collect as collectValues, jobProcesses, positiveInt, workerThreads, WORKERS_PER_CORE } from './cli-args.js';
import { positiveSeconds, selectedRuns, type CheckFlags } from './cli.js';
import { progressWanted } from './report/progress.js';
import { summaryLine } from './report/check-report.js';
import { collect } from './explore/collect.js';
import { explorerData } from './explore/build.js';
import { bundlePage, pageHtml } from './explore/page.js';
import { listenPage, type Listening, type Serving } from './explore/serve.js';

export const EXIT_OK = 0;
export const EXIT_NOT_AS_DECLARED = 1;
export const EXIT_USAGE = 2;

export interface ExploreIo {
  readonly stdout: (text: string) => void;
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Called once the page is served, with a way to stop it; by default the process's SIGINT and SIGTERM stop it. */
  readonly onServing?: (s: Serving) => Promise<void>;
}

interface ExploreFlags extends Omit<CheckFlags, 'json' | 'list' | 'swimlanes'> {
  out?: string;
  force?: boolean;
  serve?: boolean;
  port?: string;
}

const SELECTION_FLAGS: readonly [keyof ExploreFlags, string][] = [
  ['model', '--model'],
  ['param', '-p'],
  ['filter', '--filter'],
  ['group', '--group'],
  ['scenario', '--scenario'],
  ['variant', '--variant'],
  ['env', '--env'],
  ['lock', '--lock'],
  ['memory', '--memory'],
  ['maxStates', '--max-states'],
  ['maxDepth', '--max-depth'],
  ['timeLimit', '--time-limit'],
];

/** The selection and bounds as options (shown on the page). */
function selectionText(flags: ExploreFlags): string {
  const out: string[] = [];
  for (const [k, opt] of SELECTION_FLAGS) {
    const v = flags[k];
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.push(`${opt} ${String(x)}`);
  }
  if (flags.stopOnFirst) out.push('--stop-on-first');
  return out.join(' ');
}

function portOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n > 65535) throw new UsageError(`--port expects a port number from 0 to 65535 (0: any free port), got '${raw}'`);
  return n;
}

let defaultReg: Registry | undefined;

export async function main(argv: readonly string[], io: ExploreIo = processIo(), registry?: Registry): Promise<number> {
  let exitCode = EXIT_OK;
  let commanderMessage = '';
  const program = new Command('explore')
    .description('write (or serve) the explorer: one self-contained HTML page of a check run')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => {
        commanderMessage += s;
      },
      outputError: (s) => {
        commanderMessage += s;
      },
    })
    .option('--model <name>', 'run one parameterised model ad hoc instead of the registered runs')
    .option('-p, --param <K=V[,K=V...]>', 'a parameter of --model (repeatable)', collectValues)
    .option('--filter <tag=value>', 'only the registered runs with this tag value (repeatable)', collectValues)
    .option('--group <name>', 'same as --filter group=<name>')
    .option('--scenario <name>', 'dialog matrix: only this scenario (repeatable)', collectValues)
    .option('--variant <name>', 'dialog matrix: only this code variant (repeatable)', collectValues)
    .option('--env <name>', 'dialog matrix: only this environment (repeatable)', collectValues)
    .option('--lock <impl>', 'dialog matrix: only environments with this lock implementation (repeatable)', collectValues)
    .option('--memory <model>', 'dialog matrix: only environments with this memory model (repeatable)', collectValues)
    .option('--max-states <n>', 'stop exploring after n distinct states (the run is then incomplete)')
    .option('--max-depth <n>', 'do not explore beyond depth n')
    .option('--time-limit <seconds>', 'stop exploring each run after this many seconds')
    .option('--stop-on-first', 'stop each run at its first violation')
    .option('--jobs <n>', `run the runs in n processes (default: 2 on a machine with 2 or more cores, 1 with --workers; at most ${WORKERS_PER_CORE} per core)`)
    .option('--workers <n>', `explore each run with n worker threads (default 1; at most ${WORKERS_PER_CORE} per core)`)
    .option('--memory-limit <MB>', 'stop a run (incomplete) when the process nears this much memory')
    .option('--progress', 'show progress on stderr (default: only when stderr is a terminal)')
    .option('--no-progress', 'never show progress')
    .option('--no-timing', 'leave out timings (the page and the output are then the same bytes on every run)')
    .option('--out <file>', 'write the page to this HTML file')
    .option('--force', 'with --out: overwrite an existing file')
    .option('--serve', 'serve the page on 127.0.0.1 until SIGINT or SIGTERM')
    .option('--port <n>', 'with --serve: the port (default 0: any free port; the URL is printed)')
    .action(async (flags: ExploreFlags) => {
      exitCode = await explore(flags, io, registry ?? (defaultReg ??= defaultRegistry()));
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT_OK;
      const text = (commanderMessage || e.message).replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
      return usage(io, e.code === 'commander.excessArguments' ? `${text}; explore takes options only (see --help)` : text);
    }
    throw e;
  }
}

function usage(io: ExploreIo, message: string): number {
  io.stderr.write(`error: ${message}\n`);
  return EXIT_USAGE;
}

async function explore(given: ExploreFlags, io: ExploreIo, registry: Registry): Promise<number> {
  const flags = { ...given, param: given.param ?? [], filter: given.filter ?? [] };
  if (flags.out === undefined && !flags.serve) throw new UsageError('explore needs --out FILE (write the page) or --serve (serve it), or both');
  if (flags.force && flags.out === undefined) throw new UsageError('--force applies to --out; give --out FILE too');
  if (flags.port !== undefined && !flags.serve) throw new UsageError('--port applies to --serve; give --serve too');
  const port = portOf(flags.port);
  const maxStates = positiveInt('--max-states', flags.maxStates);
  const maxDepth = positiveInt('--max-depth', flags.maxDepth);
  const timeLimit = positiveSeconds('--time-limit', flags.timeLimit);
  const memoryLimitMb = positiveInt('--memory-limit', flags.memoryLimit);
  const threads = workerThreads(flags.workers);
  const jobs = jobProcesses(flags.jobs, threads);
  if (threads > 1 && maxStates !== undefined) throw new UsageError('--max-states cannot be combined with --workers above 1; use --workers 1');
  const target = flags.out !== undefined ? writableTarget('--out', flags.out, flags.force === true, 'HTML file') : undefined;
  const runs = selectedRuns(flags as CheckFlags & { param: string[]; filter: string[] }, registry);
  const bounds: CheckOptions = {
    ...(maxStates !== undefined ? { maxStates } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
    ...(flags.stopOnFirst ? { stopOnFirstViolation: true } : {}),
    ...(memoryLimitMb !== undefined ? { memoryLimitBytes: memoryLimitMb * 2 ** 20 } : {}),
  };
  const showProgress = progressWanted(flags.progress, io.stderr);
  // The port is taken before the runs, so that one in use is a usage error, not an error after them.
  const listening = flags.serve ? await listenOn(port) : undefined;
  if (listening !== undefined) io.stdout(`listening at ${listening.url}: the page is served once the runs are done\n`);
  try {
    return await exploreAndShow();
  } catch (e) {
    await listening?.close();
    throw e;
  }

  /** The runs, the page written and shown. */
  async function exploreAndShow(): Promise<number> {
    const isDefault = registry === defaultReg;
    const started = performance.now();
    const bundle = bundlePage(); // built while the runs run
    let done = 0;
    let parts = 0;
    const collected = await collect(runs, bounds, {
      jobs,
      threads,
      registered: (r) => isDefault && registry.runs.includes(r),
      onResult: (r) => {
        done += 1;
        if (showProgress) io.stderr.write(`[${done}/${runs.length}] ${r.run.id}: ${r.outcome.status}, ${r.outcome.stats.states} states\n`);
      },
      onPart: (p, of) => {
        parts += 1;
        if (showProgress) io.stderr.write(`[${parts}/${of}] traces and graphs of ${p.id}\n`);
      },
    });
    const { results } = collected;
    const timeMs = performance.now() - started;
    const data = explorerData({
      results,
      parts: collected.parts,
      selection: selectionText(flags),
      environments: loadManifest().environments,
      ...(flags.timing ? { timeMs } : {}),
    });
    const html = pageHtml(await bundle, data);
    const exit = results.every((r) => r.differences.length === 0) ? EXIT_OK : EXIT_NOT_AS_DECLARED;
    io.stdout(`${summaryLine(results)}\n`);
    if (target !== undefined) {
      writeAtomically(target, html);
      io.stdout(`wrote ${flags.out} (${Buffer.byteLength(html)} bytes)\n`);
    }
    if (flags.timing) io.stdout(`time: ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    if (listening !== undefined) {
      listening.show(html);
      io.stdout(`serving the explorer at ${listening.url} (SIGINT or SIGTERM stops it)\n`);
      await (io.onServing ?? untilSignal)(listening);
    }
    return exit;
  }
}

/** Listens on 127.0.0.1:port, or throws the usage error that says why it cannot. */
async function listenOn(port: number): Promise<Listening> {
  try {
    return await listenPage(port);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'not allowed to listen on it' : (err.code ?? err.message);
    throw new UsageError(`--serve: cannot listen on 127.0.0.1:${port} (${why})`);
  }
}

/** Waits for SIGINT or SIGTERM, then stops serving. */
function untilSignal(serving: Serving): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void serving.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const processIo = (): ExploreIo => ({ stdout: (t) => process.stdout.write(t), stderr: process.stderr });

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
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT_NOT_AS_DECLARED;
    },
  );
}
