/**
 * Builds the conformance harness from an OpenSIPS tree: takes the functions,
 * macros, structs and constants under test out of the tree's files by parsing
 * (csource.ts), checks that each is there with the signature the harness was
 * written for, writes them with the project's stubs and driver (src/conform/c/)
 * into one C file in a temporary directory, and compiles it with gcc. Nothing
 * taken from the tree is written anywhere else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CFile, normalise, type CUnit } from './csource.js';

/** A bad tree, a missing compiler or a failed build: one line, exit 2. */
export class ConformError extends Error {
  override name = 'ConformError';
}

const C_DIR = join(dirname(fileURLToPath(import.meta.url)), 'c');
const DIALOG = 'modules/dialog';

export interface Piece {
  readonly file: string;
  readonly kind: CUnit['kind'];
  readonly name: string;
  /** The normalised signature the harness was written for (functions and function-like macros). */
  readonly signature?: string;
  /** Calls to rename inside the piece: [callee, replacement]; the callee must be called at least once. */
  readonly rename?: readonly (readonly [string, string])[];
}

/** What the harness takes from the tree, in the order it is written into the C file. */
export const PIECES: readonly Piece[] = [
  { file: 'dlg_timer.h', kind: 'struct', name: 'dlg_tl' },
  { file: 'dlg_timer.h', kind: 'struct', name: 'dlg_timer' },
  { file: 'dlg_timer.c', kind: 'macro', name: 'FAKE_DIALOG_TL' },
  ...['UNCONFIRMED', 'EARLY', 'CONFIRMED_NA', 'CONFIRMED', 'DELETED'].map((s) => ({ file: 'dlg_hash.h', kind: 'macro' as const, name: `DLG_STATE_${s}` })),
  ...['TDEL', 'RPL1xx', 'RPL2xx', 'RPL3xx', 'REQPRACK', 'REQACK', 'REQBYE', 'REQ'].map((e) => ({ file: 'dlg_hash.h', kind: 'macro' as const, name: `DLG_EVENT_${e}` })),
  ...['NONE', 'DOWNSTREAM', 'UPSTREAM'].map((d) => ({ file: 'dlg_hash.h', kind: 'macro' as const, name: `DLG_DIR_${d}` })),
  { file: 'dlg_hash.h', kind: 'macro', name: 'DLG_FLAG_HASBYE' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'DLG_CALLER_LEG' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'DLG_LEGS_USED' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'DLG_LEG_200OK' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'dlg_lock', signature: '#define dlg_lock(_table,_entry)' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'dlg_unlock', signature: '#define dlg_unlock(_table,_entry)' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'ref_dlg_unsafe', signature: '#define ref_dlg_unsafe(_dlg,_cnt)' },
  { file: 'dlg_hash.h', kind: 'macro', name: 'unref_dlg_unsafe', signature: '#define unref_dlg_unsafe(_dlg,_cnt,_d_entry)' },
  // The stand-ins of cell.h come here (after the structs and macros, before the functions).
  {
    file: 'dlg_timer.c',
    kind: 'function',
    name: 'insert_gen_timer_unsafe',
    signature: 'static inline void insert_gen_timer_unsafe(struct dlg_timer*timer,struct dlg_tl*tl)',
  },
  { file: 'dlg_timer.c', kind: 'function', name: 'insert_dlg_timer', signature: 'int insert_dlg_timer(struct dlg_tl*tl,int interval)' },
  { file: 'dlg_timer.c', kind: 'function', name: 'remove_dlg_timer_unsafe', signature: 'static inline void remove_dlg_timer_unsafe(struct dlg_tl*tl)' },
  { file: 'dlg_timer.c', kind: 'function', name: 'remove_dlg_timer', signature: 'int remove_dlg_timer(struct dlg_tl*tl)' },
  { file: 'dlg_timer.c', kind: 'function', name: 'update_dlg_timer', signature: 'int update_dlg_timer(struct dlg_tl*tl,int timeout)' },
  {
    file: 'dlg_timer.c',
    kind: 'function',
    name: '_get_gen_expired_dlgs',
    signature: 'static inline struct dlg_tl*_get_gen_expired_dlgs(struct dlg_timer*timer,unsigned int time)',
  },
  {
    file: 'dlg_timer.c',
    kind: 'function',
    name: 'dlg_timer_routine',
    signature: 'void dlg_timer_routine(unsigned int ticks,void*attr)',
    // The routine's expiry call goes through the driver, which pauses the routine after it.
    rename: [['_get_gen_expired_dlgs', 'conform_get_expired']],
  },
  {
    file: 'dlg_hash.c',
    kind: 'function',
    name: 'next_state_dlg',
    signature:
      'void next_state_dlg(struct dlg_cell*dlg,int event,int dir,int*old_state,int*new_state,int*unref,int last_dst_leg,char replicate_events)',
  },
];

/** Constants whose values the model hard-codes (primitives.ts): the driver prints them, the comparison checks them. */
export const CONSTANTS = PIECES.filter((p) => /^DLG_(STATE|EVENT|DIR)_/.test(p.name)).map((p) => p.name);

export interface Extracted {
  readonly piece: Piece;
  readonly file: string;
  readonly unit: CUnit;
  readonly text: string;
}

/** The tree's dialog module directory, or a ConformError. */
export function dialogDir(tree: string): string {
  const dir = resolve(tree, DIALOG);
  if (!existsSync(join(dir, 'dlg_timer.c'))) {
    throw new ConformError(`${tree} is not an OpenSIPS source tree: ${join(DIALOG, 'dlg_timer.c')} not found`);
  }
  return dir;
}

/** Takes every piece out of the tree; a missing file, piece or a changed signature is a ConformError naming it. */
export function extract(tree: string): Extracted[] {
  const dir = dialogDir(tree);
  const files = new Map<string, CFile>();
  const out: Extracted[] = [];
  for (const piece of PIECES) {
    const path = join(dir, piece.file);
    let cf = files.get(path);
    if (!cf) {
      if (!existsSync(path)) throw new ConformError(`${join(DIALOG, piece.file)} not found in ${tree}`);
      cf = new CFile(readFileSync(path, 'utf8'));
      files.set(path, cf);
    }
    const unit = cf.find(piece.kind, piece.name);
    const what = piece.kind === 'function' ? `function ${piece.name}` : piece.kind === 'macro' ? `macro ${piece.name}` : `struct ${piece.name}`;
    if (!unit) throw new ConformError(`${join(DIALOG, piece.file)} has no ${what}`);
    if (piece.signature !== undefined && unit.signature !== normalise(piece.signature)) {
      throw new ConformError(`${join(DIALOG, piece.file)}: the signature of ${what} changed: expected '${piece.signature}', found '${unit.signature}'`);
    }
    let text = cf.textOf(unit);
    for (const [callee, replacement] of piece.rename ?? []) {
      const re = new RegExp(`\\b${callee}(\\s*\\()`, 'g');
      if (!re.test(text)) throw new ConformError(`${join(DIALOG, piece.file)}: ${what} no longer calls ${callee}`);
      text = text.replace(re, `${replacement}$1`);
    }
    out.push({ piece, file: path, unit, text });
  }
  return out;
}

/** The harness's C file: the project's stubs, the pieces (each with a #line to its place in the tree), the driver. */
export function harnessSource(pieces: readonly Extracted[]): string {
  const inc = (f: string) => `#include ${JSON.stringify(join(C_DIR, f))}\n`;
  const piece = (e: Extracted) => `#line ${e.unit.startLine} ${JSON.stringify(e.file)}\n${e.text}\n`;
  const isFunction = (e: Extracted) => e.piece.kind === 'function';
  const consts = CONSTANTS.map((n) => `\t{ ${JSON.stringify(n)}, (long)(${n}) },\n`).join('');
  return [
    '/* Generated by src/conform/build.ts in a temporary directory; never committed. */\n',
    inc('stubs.h'),
    ...pieces.filter((e) => !isFunction(e)).map(piece),
    '#line 1 "conform-harness"\n',
    `static const struct { const char *name; long value; } conform_consts[] = {\n${consts}};\n`,
    inc('cell.h'),
    ...pieces.filter(isFunction).map(piece),
    inc('driver.c'),
  ].join('');
}

export interface Built {
  readonly dir: string;
  readonly driver: string;
  readonly pieces: readonly Extracted[];
  readonly compiler: string;
  cleanup(): void;
}

/** The compiler: $CC or gcc; a ConformError when it cannot be run. */
export function compiler(): string {
  const cc = process.env.CC || 'gcc';
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new ConformError(`the C compiler '${cc}' cannot be run (install gcc, e.g. apt-get install -y gcc, or set CC)`);
  }
  return cc;
}

/** Extracts, writes and compiles the harness in a fresh temporary directory. */
export function build(tree: string): Built {
  const cc = compiler();
  const pieces = extract(tree);
  const dir = mkdtempSync(join(tmpdir(), 'conform-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const src = join(dir, 'harness.c');
    writeFileSync(src, harnessSource(pieces));
    const driver = join(dir, 'driver');
    const r = spawnSync(cc, ['-std=gnu11', '-O1', '-w', '-o', driver, src], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      const first = `${r.stderr ?? ''}`.split('\n').find((l) => /error|undefined reference/.test(l)) ?? `${r.stderr ?? r.error?.message ?? ''}`.trim().split('\n')[0];
      throw new ConformError(`the harness does not compile against ${tree}: ${first.trim()}`);
    }
    return { dir, driver, pieces, compiler: cc, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
