/**
 * Pinned citations. Every C line a model step cites (a SourceLoc: file, line,
 * optional end line) is pinned with the text it stood for when the model was
 * written (spec/dialog/citations.json, made by scripts/pin-cites.ts): the
 * cited line's code (or, for a range, its first and last lines), a hash of the
 * whole range normalised (each line trimmed, blanks collapsed), a hash of the
 * range with two lines of context on each side, and the C function or macro
 * that contains it with the line's offset in it.
 *
 * Checking a tree (`npm run check -- cites --opensips DIR`) finds each pinned
 * text again: `same` (same text at the same line), `moved` (the same text
 * nearby: in the same function or macro if it still exists, else within
 * MOVE_WINDOW lines; the place whose context also matches, then the nearest to
 * where the function's move puts it), `changed` (not found: the old text and
 * what is now at the expected line), or `not checked` (a PR commit that DIR's
 * git does not have, a project file that is missing), with the reason.
 *
 * Where a cited file comes from, by its name in the SourceLoc:
 * - `dlg_hash.c`: modules/dialog/dlg_hash.c of the tree (pinned at BASE_COMMIT);
 * - `dlg_hash.c@196b51fa`: the same path at that commit (PR versions), read
 *   with git from DIR when DIR is a git checkout that has the commit;
 * - `fixes/...`: a file of this project (a patched line of a fix variant),
 *   pinned and checked against the project's own checkout;
 * - any other name with a '/': that path in the tree.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialogModel, dimsOf, type DialogConfig } from '../../spec/dialog/model.js';
import { SCENARIOS } from '../../spec/dialog/scenarios.js';
import { FIX_PATCHES, VARIANT_NAMES, type FixName } from '../../spec/dialog/variants.js';
import type { SourceLoc } from '../engine/model.js';
import { loadManifest } from '../check/dialog.js';
import { CFile } from './csource.js';
import { treeCommit } from './tree.js';

export const BASE_COMMIT = 'aad6b856835a53d660215834e3c16c4591cf2375';
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PINS_PATH = join(PROJECT_ROOT, 'spec/dialog/citations.json');
/** How far (in lines) a pinned text is looked for when its function or macro is gone. */
export const MOVE_WINDOW = 1000;
const CONTEXT = 2;

export const citeKey = (c: SourceLoc): string => `${c.file}:${c.line}${c.endLine !== undefined ? `-${c.endLine}` : ''}`;

export function parseKey(key: string): SourceLoc {
  const m = /^(.+):(\d+)(?:-(\d+))?$/.exec(key);
  if (!m) throw new Error(`not a citation: '${key}'`);
  return m[3] !== undefined ? { file: m[1], line: Number(m[2]), endLine: Number(m[3]) } : { file: m[1], line: Number(m[2]) };
}

// ---------------------------------------------------------------------------
// The model's citations.

/** Every SourceLoc an action or step declaration carries, its own and its parts' (merged steps). */
function sourcesOf(x: unknown, out: SourceLoc[]): void {
  if (typeof x !== 'object' || x === null) return;
  const o = x as { source?: SourceLoc; src?: SourceLoc; sources?: readonly SourceLoc[]; parts?: readonly unknown[] };
  if (o.source) out.push(o.source);
  if (o.src) out.push(o.src);
  for (const s of o.sources ?? []) out.push(s);
  for (const p of o.parts ?? []) sourcesOf(p, out);
}

/**
 * The model's citations, with the steps that cite each: every scenario x
 * every variant x every environment of check-manifest.json, from the steps the
 * model declares and the instructions of its programs.
 */
export function modelCitations(): Map<string, { loc: SourceLoc; steps: Set<string> }> {
  const out = new Map<string, { loc: SourceLoc; steps: Set<string> }>();
  const add = (loc: SourceLoc, who: string) => {
    const k = citeKey(loc);
    let e = out.get(k);
    if (!e) out.set(k, (e = { loc: { file: loc.file, line: loc.line, ...(loc.endLine !== undefined ? { endLine: loc.endLine } : {}) }, steps: new Set() }));
    e.steps.add(who);
  };
  const envs = Object.values(loadManifest().environments);
  for (const scenario of SCENARIOS) {
    for (const variant of VARIANT_NAMES) {
      for (const env of envs) {
        for (const observe of [false, true]) {
          // Observation marks and the PR's assumptions are for the models of one dialog.
          if (dimsOf(scenario).multi && (observe || (env.assume?.length ?? 0) > 0)) continue;
          const cfg: DialogConfig = { scenario, variant, env, observe };
          const m = dialogModel(cfg);
          for (const st of m.steps ?? []) {
            const locs: SourceLoc[] = [];
            sourcesOf(st, locs);
            for (const l of locs) add(l, `${st.actor}:${st.step}`);
          }
          for (const p of m.programs) {
            for (const ins of p.instrs) {
              const locs: SourceLoc[] = [];
              sourcesOf(ins, locs);
              for (const l of locs) add(l, `${p.actor}:${ins.id}`);
            }
          }
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Pins.

export interface Pin {
  /** Where the text was read: `<commit>:<path>` or `project:<path>`. */
  readonly from: string;
  /** The enclosing C function or macro, and the first cited line's offset from its first line. */
  readonly unit?: string;
  readonly offset?: number;
  /** The cited line's code trimmed; for a range, its first and last lines. */
  readonly text: string;
  /** sha256 (16 hex) of the first cited line normalised (to find candidates quickly). */
  readonly first: string;
  /** sha256 (16 hex) of the normalised range, and of the range with CONTEXT lines each side. */
  readonly hash: string;
  readonly context: string;
}

export interface PinFile {
  readonly note: string;
  readonly base: string;
  readonly pins: Readonly<Record<string, Pin>>;
}

const normLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** Lines of a file, 1-based (index 0 unused), normalised. */
function normalisedLines(c: CFile): string[] {
  const out = [''];
  for (let n = 1; n <= c.lineCount; n++) out.push(normLine(c.line(n)));
  return out;
}

const rangeLen = (loc: SourceLoc) => (loc.endLine ?? loc.line) - loc.line + 1;

function hashAt(norm: readonly string[], line: number, len: number, pad = 0): string {
  const from = Math.max(1, line - pad);
  const to = Math.min(norm.length - 1, line + len - 1 + pad);
  return sha(norm.slice(from, to + 1).join('\n'));
}

export function excerpt(c: CFile, loc: SourceLoc): string {
  const len = rangeLen(loc);
  const first = c.line(loc.line).trim();
  if (len === 1) return first;
  const last = c.line(loc.line + len - 1).trim();
  const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  return `${clip(first)} … ${clip(last)}`;
}

/** The pin of a citation in a file's text, or why it cannot be made (a line past the end). */
export function makePin(f: Parsed, loc: SourceLoc, from: string): Pin {
  const { c, norm } = f;
  const end = loc.endLine ?? loc.line;
  if (loc.line < 1 || end < loc.line || end > c.lineCount) throw new Error(`${citeKey(loc)}: ${from} has ${c.lineCount} lines`);
  const unit = c.enclosing(loc.line, end);
  return {
    from,
    ...(unit ? { unit: unit.name, offset: loc.line - unit.startLine } : {}),
    text: excerpt(c, loc),
    first: sha(norm[loc.line]),
    hash: hashAt(norm, loc.line, rangeLen(loc)),
    context: hashAt(norm, loc.line, rangeLen(loc), CONTEXT),
  };
}

// ---------------------------------------------------------------------------
// Where a cited file's text comes from.

export type Source =
  | { readonly kind: 'tree'; readonly path: string }
  | { readonly kind: 'commit'; readonly commit: string; readonly path: string }
  | { readonly kind: 'project'; readonly path: string }
  /** `file@fix-NAME`: the file after applying that fix's patch (fixes/NN-*.patch) alone to it. */
  | { readonly kind: 'fix'; readonly fix: FixName; readonly patch: string; readonly path: string };

export function sourceOf(file: string): Source {
  if (file.startsWith('fixes/')) return { kind: 'project', path: file };
  const path = (f: string) => (f.includes('/') ? f : `modules/dialog/${f}`);
  const fix = /^(.+)@(fix-[a-z-]+)$/.exec(file);
  if (fix) {
    const patch = FIX_PATCHES[fix[2] as FixName];
    if (patch === undefined) throw new Error(`${file}: no fix named ${fix[2]}`);
    return { kind: 'fix', fix: fix[2] as FixName, patch, path: path(fix[1]) };
  }
  const at = /^(.+)@([0-9a-f]{7,40})$/.exec(file);
  if (at) return { kind: 'commit', commit: at[2], path: path(at[1]) };
  return { kind: 'tree', path: path(file) };
}

/**
 * `base` (the text of `path` in an OpenSIPS tree) after applying that file's
 * part of the project's patch `patch` (git apply, which works outside a
 * repository and accepts moved context); or why not.
 */
export function patchedText(base: string, path: string, patch: string, project = PROJECT_ROOT): { text?: string; why?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cites-fix-'));
  try {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), base);
    const r = spawnSync('git', ['apply', `--include=${path}`, join(project, patch)], { cwd: dir, encoding: 'utf8' });
    if (r.error) return { why: 'git cannot be run' };
    if (r.status !== 0) return { why: `${patch} does not apply to ${path}: ${r.stderr.trim().split('\n')[0]}` };
    return { text: readFileSync(join(dir, path), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file's text from a git repository at a commit, or undefined (with the reason). */
export function gitShow(repo: string, commit: string, path: string): { text?: string; why?: string } {
  const has = spawnSync('git', ['-C', repo, 'cat-file', '-e', `${commit}^{commit}`], { encoding: 'utf8' });
  if (has.error) return { why: 'git cannot be run' };
  if (has.status !== 0) {
    const isRepo = spawnSync('git', ['-C', repo, 'rev-parse', '--git-dir'], { encoding: 'utf8' }).status === 0;
    return { why: isRepo ? `the git checkout has no commit ${commit}` : `not a git checkout, so commit ${commit} cannot be read` };
  }
  const r = spawnSync('git', ['-C', repo, 'show', `${commit}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return r.status === 0 ? { text: r.stdout } : { why: `${path} not found at ${commit}` };
}

// ---------------------------------------------------------------------------
// Checking.

export type Status = 'same' | 'moved' | 'changed' | 'not checked' | 'unpinned';

export interface CiteResult {
  readonly key: string;
  readonly status: Status;
  readonly pin?: Pin;
  /** moved: the new first line (and end line). */
  readonly now?: SourceLoc;
  /** changed: what is at the expected place now, and that place (or why nothing). */
  readonly nowText?: string;
  readonly why?: string;
}

/** A file's text parsed once for all the pins that cite it. */
export interface Parsed {
  readonly c: CFile;
  readonly norm: readonly string[];
  readonly lineHash: readonly string[];
}

export function parse(text: string): Parsed {
  const c = new CFile(text);
  const norm = normalisedLines(c);
  return { c, norm, lineHash: norm.map(sha) };
}

/** Finds a pinned range in a file's (new) text. */
export function locate(f: Parsed, loc: SourceLoc, pin: Pin): { status: 'same' | 'moved'; line: number } | { status: 'changed'; expected: number; nowText: string } {
  const { c, norm } = f;
  const len = rangeLen(loc);
  const unit = pin.unit !== undefined ? c.units().find((u) => u.name === pin.unit) : undefined;
  const expected = unit && pin.offset !== undefined ? unit.startLine + pin.offset : loc.line;
  const lo = unit ? unit.startLine : Math.max(1, loc.line - MOVE_WINDOW);
  const hi = unit ? unit.endLine - len + 1 : Math.min(norm.length - len, loc.line + MOVE_WINDOW);
  let best: { line: number; ctx: boolean; dist: number } | undefined;
  for (let p = lo; p <= hi; p++) {
    if (f.lineHash[p] !== pin.first || hashAt(norm, p, len) !== pin.hash) continue;
    const cand = { line: p, ctx: hashAt(norm, p, len, CONTEXT) === pin.context, dist: Math.abs(p - expected) };
    if (!best || (cand.ctx && !best.ctx) || (cand.ctx === best.ctx && (cand.dist < best.dist || (cand.dist === best.dist && p === loc.line)))) best = cand;
  }
  if (best) return { status: best.line === loc.line ? 'same' : 'moved', line: best.line };
  const at = Math.min(Math.max(1, expected), Math.max(1, c.lineCount));
  return { status: 'changed', expected: at, nowText: excerpt(c, { file: loc.file, line: at, ...(len > 1 ? { endLine: Math.min(c.lineCount, at + len - 1) } : {}) }) };
}

export interface CheckOptions {
  /** The OpenSIPS tree. */
  readonly tree: string;
  /** This project's root (for fixes/ files). */
  readonly project?: string;
}

/** Checks every pin against the tree. */
export function checkPins(pins: PinFile, o: CheckOptions): CiteResult[] {
  const treeIsCheckout = treeCommit(o.tree) !== undefined;
  const files = new Map<string, { parsed?: Parsed; why?: string; missing?: string }>();
  const read = (s: Source) => {
    const k = JSON.stringify(s);
    let t = files.get(k);
    if (t) return t;
    if (s.kind === 'commit') {
      // Only the top of a git checkout is DIR's history (a directory inside another repository is not).
      const g = treeIsCheckout ? gitShow(o.tree, s.commit, s.path) : { why: `not a git checkout, so commit ${s.commit} cannot be read` };
      t = g.text !== undefined ? { parsed: parse(g.text) } : { why: g.why };
    } else if (s.kind === 'fix') {
      // The tree's file with the fix applied: a fix's line is checked where the patch puts it in this tree.
      const p = resolve(o.tree, s.path);
      if (!existsSync(p)) t = { missing: `${s.path} not found in the tree` };
      else {
        const g = patchedText(readFileSync(p, 'utf8'), s.path, s.patch, o.project);
        t = g.text !== undefined ? { parsed: parse(g.text) } : { why: g.why };
      }
    } else {
      const p = s.kind === 'project' ? join(o.project ?? PROJECT_ROOT, s.path) : resolve(o.tree, s.path);
      if (existsSync(p)) t = { parsed: parse(readFileSync(p, 'utf8')) };
      else if (s.kind === 'project') t = { why: `${s.path} is not in this checkout` };
      else t = { missing: `${s.path} not found in the tree` };
    }
    files.set(k, t);
    return t;
  };
  const out: CiteResult[] = [];
  for (const key of Object.keys(pins.pins).sort(compareKeys)) {
    const pin = pins.pins[key];
    const loc = parseKey(key);
    const t = read(sourceOf(loc.file));
    if (t.why !== undefined) out.push({ key, status: 'not checked', pin, why: t.why });
    else if (t.missing !== undefined) out.push({ key, status: 'changed', pin, nowText: '', why: t.missing });
    else {
      const r = locate(t.parsed!, loc, pin);
      if (r.status === 'changed') out.push({ key, status: 'changed', pin, now: { file: loc.file, line: r.expected }, nowText: r.nowText });
      else {
        const len = rangeLen(loc);
        out.push({ key, status: r.status, pin, now: { file: loc.file, line: r.line, ...(len > 1 ? { endLine: r.line + len - 1 } : {}) } });
      }
    }
  }
  return out;
}

/** Orders citation keys by file, then line, then end line. */
export function compareKeys(a: string, b: string): number {
  const x = parseKey(a);
  const y = parseKey(b);
  return x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line || (x.endLine ?? x.line) - (y.endLine ?? y.line);
}

export function readPins(path = PINS_PATH): PinFile {
  return JSON.parse(readFileSync(path, 'utf8')) as PinFile;
}

// ---------------------------------------------------------------------------
// The report.

const STATUS_WIDTH = 'not checked'.length;

export function renderCites(results: readonly CiteResult[], steps?: ReadonlyMap<string, ReadonlySet<string>>): string {
  const lines: string[] = [];
  const stepsOf = (k: string) => {
    const s = [...(steps?.get(k) ?? [])].sort();
    return s.length <= 6 ? s.join(', ') : `${s.slice(0, 6).join(', ')} and ${s.length - 6} more`;
  };
  for (const r of results) {
    const head = `${r.status.padEnd(STATUS_WIDTH)}  ${r.key}`;
    switch (r.status) {
      case 'same':
        lines.push(`${head}  ${r.pin!.text}`);
        break;
      case 'moved':
        lines.push(`${head} -> ${r.now!.line}${r.now!.endLine !== undefined ? `-${r.now!.endLine}` : ''}  ${r.pin!.text}`);
        break;
      case 'changed':
        lines.push(head);
        lines.push(`${''.padEnd(STATUS_WIDTH)}    was: ${r.pin!.text}`);
        lines.push(`${''.padEnd(STATUS_WIDTH)}    now: ${r.why ?? `${r.nowText} (line ${r.now!.line})`}`);
        if (steps?.has(r.key)) lines.push(`${''.padEnd(STATUS_WIDTH)}    re-read: ${stepsOf(r.key)}`);
        break;
      case 'not checked':
        lines.push(`${head}  (${r.why})`);
        break;
      case 'unpinned':
        lines.push(`${head}  (cited by ${stepsOf(r.key)}; no pinned text: run npm run pin-cites)`);
        break;
    }
  }
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const parts = (['same', 'moved', 'changed', 'not checked', 'unpinned'] as Status[]).filter((s) => s === 'same' || s === 'moved' || s === 'changed' || count(s) > 0).map((s) => `${count(s)} ${s}`);
  lines.push(`cites: ${results.length} citations: ${parts.join(', ')}`);
  return lines.join('\n') + '\n';
}
