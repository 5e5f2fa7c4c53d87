/**
 * `npm run conform -- --opensips DIR [--length N] [--no-timing]`: the
 * differential test of the model's primitives against the real C functions of
 * the OpenSIPS tree DIR (build.ts takes them out of the tree and compiles them
 * with the project's stubs; compare.ts runs and compares). Exit 0 when every
 * case agrees, 1 when one differs (the first difference is printed), 2 on a
 * usage error, a missing compiler, a tree that lacks a function or whose
 * function changed its signature, or a failed build.
 */
import { existsSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { build, ConformError } from './build.js';
import { treeCommit } from './tree.js';
import { compareConstants, compareNextState, compareRefs, compareTimer, type PartResult } from './compare.js';

export const DEFAULT_LENGTH = 6;
export const EXIT_SAME = 0;
export const EXIT_DIFFERENT = 1;
export const EXIT_USAGE = 2;

export interface ConformIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

export interface ConformOptions {
  readonly opensips: string;
  readonly length: number;
  readonly timing?: boolean;
}

const count = (n: number) => n.toLocaleString('en-US');

function part(r: PartResult, what: string): string {
  const head = `${r.name}: ${count(r.compared)} ${what} compared: `;
  if (r.differing === 0) return `${head}same\n`;
  const f = r.first!;
  return (
    `${head}${count(r.differing)} differ; the first${what.startsWith('sequences') ? ' (shortest)' : ''}:\n` +
    `  ${what.startsWith('sequences') ? 'sequence' : 'case'}: ${f.input}\n` +
    `  C:     ${f.c}\n` +
    `  model: ${f.model}\n`
  );
}

/** Builds, runs and compares; resolves to the exit code. */
export async function conform(o: ConformOptions, io: ConformIo): Promise<number> {
  const started = performance.now();
  let built;
  try {
    built = build(o.opensips);
  } catch (e) {
    if (e instanceof ConformError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  try {
    const commit = treeCommit(o.opensips);
    io.stdout(`conform: OpenSIPS tree ${o.opensips}${commit ? ` (git ${commit})` : ''}\n`);
    const rel = (f: string) => f.slice(f.indexOf('modules/dialog/') + 'modules/dialog/'.length);
    const fns = built.pieces.filter((p) => p.piece.kind !== 'macro' || !/^DLG_/.test(p.piece.name));
    io.stdout(
      `taken from the tree: ${fns.map((p) => `${p.piece.name} (${rel(p.file)}:${p.unit.startLine}-${p.unit.endLine})`).join(', ')}, ` +
        `and ${built.pieces.length - fns.length} constants; compiled with ${built.compiler}\n`,
    );
    const parts: [PartResult, string][] = [[compareConstants(built.driver), 'constants']];
    io.stdout(part(...parts[0]));
    for (const n of [1, 2]) {
      const r = await compareTimer(built.driver, n, o.length);
      const what = `sequences of up to ${o.length} operation${o.length === 1 ? '' : 's'}`;
      parts.push([r, what]);
      io.stdout(part(r, what));
    }
    for (const [r, what] of [
      [compareRefs(built.driver), 'cases'],
      [compareNextState(built.driver), 'cases'],
    ] as const) {
      parts.push([r, what]);
      io.stdout(part(r, what));
    }
    const total = parts.reduce((a, [r]) => a + r.compared, 0);
    const differing = parts.filter(([r]) => r.differing > 0);
    io.stdout(
      differing.length === 0
        ? `conform: no difference (${count(total)} cases and sequences compared)\n`
        : `conform: DIFFERENT in ${differing.map(([r]) => r.name).join(', ')} (${count(total)} cases and sequences compared)\n`,
    );
    if (o.timing !== false) io.stdout(`time: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return differing.length === 0 ? EXIT_SAME : EXIT_DIFFERENT;
  } catch (e) {
    if (e instanceof ConformError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  } finally {
    built.cleanup();
  }
}

/** The command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: ConformIo): Promise<number> {
  let message = '';
  let run: ConformOptions | undefined;
  const program = new Command('conform')
    .description("compare the dialog model's primitives with the C functions of an OpenSIPS tree")
    .requiredOption('--opensips <dir>', 'an OpenSIPS source tree (the directory that holds modules/dialog)')
    .option('--length <n>', `the longest sequence of timer operations (default ${DEFAULT_LENGTH})`)
    .option('--no-timing', 'leave out the time line')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => (message += s), outputError: (s) => (message += s) })
    .action((flags: { opensips: string; length?: string; timing: boolean }) => {
      const length = flags.length === undefined ? DEFAULT_LENGTH : Number(flags.length);
      if (!/^\d+$/.test(flags.length ?? '6') || !(length >= 1 && length <= 12)) throw new ConformError(`--length expects an integer from 1 to 12, got '${flags.length}'`);
      if (!existsSync(flags.opensips)) throw new ConformError(`--opensips: no such directory '${flags.opensips}'`);
      run = { opensips: flags.opensips, length, timing: flags.timing };
    });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') return EXIT_SAME;
      io.stderr(`error: ${(message || e.message).replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim()}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof ConformError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  return conform(run!, io);
}

const invokedDirectly = (): boolean => {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
};

if (invokedDirectly()) {
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
