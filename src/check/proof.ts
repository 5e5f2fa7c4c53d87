/**
 * Proof bundles: a check run written down so that anyone can re-check it.
 *
 * `npm run check -- --proof FILE` writes, for the runs it checked: the tool's
 * name, version and git commit; a SHA-256 of every source the verdicts rest on
 * (the models, the properties, the engine, the registered runs, the manifest);
 * the options; and per run its tags, status, counts, the verdict of every
 * property and, for every trace (counterexample or witness), its length and a
 * SHA-256 of its steps (actor, step, what it changed). `--verify FILE` refuses
 * a bundle that is not one or was made from other sources (a usage error,
 * saying which), re-runs every run it lists with its options, and reports
 * each difference.
 *
 * The hashes of traces are over the engine's own shortest trace (the one
 * --json gives), which the same sources and options give on every run.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, CheckOptions, Trace } from '../engine/index.js';
import { formatChange, traceLines } from '../format/text.js';
import type { RunResult } from './run.js';
import { UsageError } from './registry.js';

export const PROOF_FORMAT = 'dialog-race-checker-proof/1';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The sources the verdicts rest on: every file under these, and these files. */
const SOURCE_DIRS = ['spec', 'invariants', 'src/engine', 'src/memory', 'src/check'];
const SOURCE_FILES = ['check-manifest.json', 'package.json'];

export interface ProofRun {
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly status: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly verdicts: Readonly<Record<string, string>>;
  /** Per property with a trace: its length (steps) and the SHA-256 of its steps. */
  readonly traces: Readonly<Record<string, { readonly steps: number; readonly sha256: string }>>;
}

export interface ProofBundle {
  readonly format: string;
  readonly tool: { readonly name: string; readonly version: string; readonly commit: string };
  readonly sources: Readonly<Record<string, string>>;
  readonly options: ProofOptions;
  readonly runs: readonly ProofRun[];
}

/** The options that change what a run explores (times and progress do not belong here). */
export interface ProofOptions {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly stopOnFirstViolation?: boolean;
  /** The runs identified states by their text (`--text-keys`): the same counts, verdicts and traces, so kept only to re-run them the same way. */
  readonly textKeys?: boolean;
}

const sha = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** The source files, relative to the project's root, sorted. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mjs|json)$/.test(name)) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(join(root, d));
  for (const f of SOURCE_FILES) if (existsSync(join(root, f))) out.push(f);
  return out.sort();
}

/** A SHA-256 of every source file, by path. */
export function sourceHashes(root = ROOT): Record<string, string> {
  return Object.fromEntries(sourceFiles(root).map((f) => [f, sha(readFileSync(join(root, f)))]));
}

/** The git commit of the checkout (with `+changes` when sources differ from it), or 'unknown' outside git. */
export function toolCommit(root = ROOT): string {
  const head = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['-C', root, 'status', '--porcelain', '--', ...SOURCE_DIRS, ...SOURCE_FILES], { encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.status === 0 && dirty.stdout.trim() !== '' ? '+changes' : ''}`;
}

/** The SHA-256 of a trace's steps: actor, step and changes of each (the initial state as its first line). */
export function traceHash(trace: Trace<unknown, Action>): string {
  const lines = traceLines(trace).map((l) => `${l.actor}\t${l.step}\t${l.changes.map(formatChange).join(', ')}`);
  return sha(lines.join('\n'));
}

export function proofRun(r: RunResult): ProofRun {
  const o = r.outcome;
  const traces: Record<string, { steps: number; sha256: string }> = {};
  for (const p of o.properties) if (p.trace !== undefined) traces[p.name] = { steps: p.trace.length - 1, sha256: traceHash(p.trace) };
  return {
    id: r.run.id,
    tags: { ...r.run.tags },
    status: o.status,
    states: o.stats.states,
    transitions: o.stats.transitions,
    depth: o.stats.depth,
    complete: o.stats.complete,
    verdicts: Object.fromEntries(o.properties.map((p) => [p.name, p.verdict])),
    traces,
  };
}

export function proofOptions(o: CheckOptions): ProofOptions {
  return {
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    ...(o.stopOnFirstViolation ? { stopOnFirstViolation: true } : {}),
    ...(o.textKeys ? { textKeys: true } : {}),
  };
}

export function makeBundle(results: readonly RunResult[], options: CheckOptions, root = ROOT): ProofBundle {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return {
    format: PROOF_FORMAT,
    tool: { name: pkg.name, version: pkg.version, commit: toolCommit(root) },
    sources: sourceHashes(root),
    options: proofOptions(options),
    runs: results.map(proofRun),
  };
}

/** Reads and checks a bundle's form; every problem is a UsageError naming it. */
export function readBundle(path: string): ProofBundle {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--verify ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--verify ${path}: not a proof bundle (not JSON: ${(e as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new UsageError(`--verify ${path}: not a proof bundle of this tool (${what})`);
  };
  const b = raw as Partial<ProofBundle>;
  if (typeof b !== 'object' || b === null) fail('not a JSON object');
  if (b.format !== PROOF_FORMAT) fail(`format is ${JSON.stringify(b.format)}, expected ${JSON.stringify(PROOF_FORMAT)}`);
  if (typeof b.tool?.commit !== 'string' || typeof b.tool.version !== 'string') fail("'tool' lacks its version or commit");
  if (typeof b.sources !== 'object' || b.sources === null || !Object.values(b.sources).every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) fail("'sources' must map files to SHA-256 hashes");
  if (typeof b.options !== 'object' || b.options === null) fail("'options' is missing");
  for (const [k, v] of Object.entries(b.options as object)) {
    const ok = k === 'maxStates' || k === 'maxDepth' ? Number.isInteger(v) && (v as number) > 0 : (k === 'stopOnFirstViolation' || k === 'textKeys') && v === true;
    if (!ok) fail(`'options' has ${JSON.stringify(k)}: ${JSON.stringify(v)} (known: maxStates and maxDepth, positive integers; stopOnFirstViolation and textKeys, true)`);
  }
  if (!Array.isArray(b.runs)) fail("'runs' must be a list");
  b.runs!.forEach((r, i) => {
    const ok =
      typeof r?.id === 'string' &&
      typeof r.status === 'string' &&
      ['states', 'transitions', 'depth'].every((k) => Number.isInteger((r as unknown as Record<string, unknown>)[k])) &&
      typeof r.verdicts === 'object' &&
      r.verdicts !== null &&
      typeof r.traces === 'object' &&
      r.traces !== null;
    if (!ok) fail(`runs[${i}] is malformed`);
  });
  return b as ProofBundle;
}

/**
 * Whether this checkout can re-check the bundle: the same sources (a bundle
 * from another commit, or edited sources, is refused with the files that
 * differ). Returns nothing; throws a UsageError.
 */
export function checkSources(b: ProofBundle, root = ROOT): void {
  const now = sourceHashes(root);
  const changed = Object.keys({ ...b.sources, ...now })
    .filter((f) => b.sources[f] !== now[f])
    .sort();
  if (changed.length === 0) return;
  const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? ` and ${changed.length - 5} more` : '');
  throw new UsageError(
    `the bundle was made from other sources (commit ${b.tool.commit}; this checkout: ${toolCommit(root)}): ${changed.length} file(s) differ: ${shown}; check out that commit to verify it`,
  );
}

/** The differences between a bundle's run and the same run now, one line each. */
export function compareRun(was: ProofRun, now: ProofRun): string[] {
  const out: string[] = [];
  for (const k of ['status', 'states', 'transitions', 'depth', 'complete'] as const) {
    if (was[k] !== now[k]) out.push(`${was.id}: ${k} ${String(now[k])}, the bundle says ${String(was[k])}`);
  }
  for (const p of new Set([...Object.keys(was.verdicts), ...Object.keys(now.verdicts)])) {
    if (was.verdicts[p] !== now.verdicts[p]) out.push(`${was.id}: ${p} ${now.verdicts[p] ?? 'absent'}, the bundle says ${was.verdicts[p] ?? 'absent'}`);
  }
  for (const p of new Set([...Object.keys(was.traces), ...Object.keys(now.traces)])) {
    const a = was.traces[p];
    const b = now.traces[p];
    if (a === undefined || b === undefined) out.push(`${was.id}: ${p} has ${b ? `a trace of ${b.steps} steps` : 'no trace'}, the bundle ${a ? `one of ${a.steps} steps` : 'none'}`);
    else if (a.steps !== b.steps || a.sha256 !== b.sha256) out.push(`${was.id}: ${p}'s trace is ${b.steps} steps (sha256 ${b.sha256.slice(0, 12)}), the bundle's ${a.steps} steps (sha256 ${a.sha256.slice(0, 12)})`);
  }
  return out;
}
