/**
 * Finding things in C source text by parsing, not by line numbers: a function
 * definition by its name and balanced braces, a #define with its continuation
 * lines, a struct definition, and the top-level unit (function or macro) that
 * contains a line. Comments, string and character literals are masked first
 * (replaced by spaces, newlines kept), so that braces inside them do not count;
 * preprocessor lines are left out of the brace count.
 */

export interface CUnit {
  readonly kind: 'function' | 'macro' | 'struct';
  readonly name: string;
  /** 1-based first and last line. */
  readonly startLine: number;
  readonly endLine: number;
  /** Character offsets in the source: [start, end). */
  readonly start: number;
  readonly end: number;
  /** The declaration up to the opening brace (function, struct) or the #define line's head (macro), whitespace normalised. */
  readonly signature: string;
}

/** Replaces comments and the contents of string and character literals with spaces (newlines kept). */
export function maskComments(src: string): string {
  return scan(src).masked;
}

/** The masked text, and for each character whether it is inside a comment. */
function scan(src: string): { masked: string; comment: Uint8Array } {
  const out = src.split('');
  const comment = new Uint8Array(src.length);
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let j = from; j < to; j++) if (out[j] !== '\n') out[j] = ' ';
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      const end = e < 0 ? src.length : e + 2;
      blank(i, end);
      comment.fill(1, i, end);
      i = end;
    } else if (c === '/' && src[i + 1] === '/') {
      let e = src.indexOf('\n', i);
      if (e < 0) e = src.length;
      blank(i, e);
      comment.fill(1, i, e);
      i = e;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, src.length));
      i = j + 1;
    } else i++;
  }
  return { masked: out.join(''), comment };
}

/**
 * For each character: whether it belongs to a preprocessor directive. A
 * directive goes on past a newline escaped by a backslash or inside a comment
 * (comments are replaced after lines are spliced, so a comment spanning lines
 * inside a #define does not end it).
 */
function preprocessorMask(masked: string, comment: Uint8Array): Int32Array {
  const pp = new Int32Array(masked.length);
  let id = 0;
  let lineStart = 0;
  let inDirective = false;
  while (lineStart <= masked.length) {
    let e = masked.indexOf('\n', lineStart);
    if (e < 0) e = masked.length;
    const line = masked.slice(lineStart, e);
    if (!inDirective && /^\s*#/.test(line)) {
      inDirective = true;
      id++;
    }
    if (inDirective) {
      pp.fill(id, lineStart, e + 1);
      inDirective = /\\\s*$/.test(line) || (e < masked.length && comment[e] === 1);
    }
    lineStart = e + 1;
  }
  return pp;
}

export const normalise = (s: string): string =>
  s
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),*;\[\]{}])\s*/g, '$1')
    .trim();

/** A parsed C file: its masked text and line starts. */
export class CFile {
  readonly masked: string;
  private readonly pp: Int32Array;
  private readonly depth: Int32Array;
  readonly lineStarts: number[];
  private unitsCache?: CUnit[];

  constructor(readonly text: string) {
    const { masked, comment } = scan(text);
    this.masked = masked;
    this.pp = preprocessorMask(masked, comment);
    this.depth = new Int32Array(text.length + 1);
    let d = 0;
    for (let i = 0; i < text.length; i++) {
      this.depth[i] = d;
      if (this.pp[i]) continue;
      const c = this.masked[i];
      if (c === '{') d++;
      else if (c === '}') d = Math.max(0, d - 1);
    }
    this.depth[text.length] = d;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.text.endsWith('\n') ? this.lineStarts.length - 1 : this.lineStarts.length;
  }

  /** 1-based line of a character offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The text of line n (1-based), without its newline ('' past the end). */
  line(n: number): string {
    if (n < 1 || n > this.lineStarts.length) return '';
    const s = this.lineStarts[n - 1];
    const e = n < this.lineStarts.length ? this.lineStarts[n] - 1 : this.text.length;
    return this.text.slice(s, e);
  }

  /** The offset of the brace that closes the one at `open`, or -1. */
  private closing(open: number): number {
    let d = 0;
    for (let i = open; i < this.text.length; i++) {
      if (this.pp[i]) continue;
      const c = this.masked[i];
      if (c === '{') d++;
      else if (c === '}' && --d === 0) return i;
    }
    return -1;
  }

  /** Where the declaration that contains offset `at` (at top level) starts: after the previous ';', '}', '{' or directive. */
  private declarationStart(at: number): number {
    let i = at - 1;
    for (; i >= 0; i--) {
      if (this.pp[i]) break;
      const c = this.masked[i];
      if (c === ';' || c === '}' || c === '{') break;
    }
    let s = i + 1;
    while (s < at && /\s/.test(this.masked[s])) s++;
    return s;
  }

  /** Every function definition and struct definition at top level, and every #define. */
  units(): CUnit[] {
    if (this.unitsCache) return this.unitsCache;
    const out: CUnit[] = [];
    // Functions and structs: an opening brace at depth 0, outside directives.
    for (let i = 0; i < this.text.length; i++) {
      if (this.pp[i] || this.masked[i] !== '{' || this.depth[i] !== 0) continue;
      const close = this.closing(i);
      if (close < 0) break;
      const start = this.declarationStart(i);
      const head = this.masked.slice(start, i);
      const fn = /([A-Za-z_]\w*)\s*\(([^()]|\([^()]*\))*\)\s*$/.exec(head);
      const st = /\bstruct\s+([A-Za-z_]\w*)\s*$/.exec(head);
      let end = close + 1;
      if (fn && !/[=]/.test(head)) {
        out.push(this.unit('function', fn[1], start, end, normalise(head)));
      } else if (st) {
        const semi = this.masked.indexOf(';', close);
        if (semi >= 0) end = semi + 1;
        out.push(this.unit('struct', st[1], start, end, normalise(head)));
      }
      i = close;
    }
    // Macros.
    const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?/gm;
    for (let m = re.exec(this.masked); m; m = re.exec(this.masked)) {
      const id = this.pp[m.index];
      let end = m.index;
      while (end < this.text.length && this.pp[end] === id) end++;
      if (end > m.index && this.text[end - 1] === '\n') end--;
      out.push(this.unit('macro', m[1], m.index, end, normalise(`#define ${m[1]}${m[2] ?? ''}`)));
    }
    out.sort((a, b) => a.start - b.start);
    return (this.unitsCache = out);
  }

  private unit(kind: CUnit['kind'], name: string, start: number, end: number, signature: string): CUnit {
    return { kind, name, start, end, startLine: this.lineOf(start), endLine: this.lineOf(Math.max(start, end - 1)), signature };
  }

  find(kind: CUnit['kind'], name: string): CUnit | undefined {
    return this.units().find((u) => u.kind === kind && u.name === name);
  }

  /** The innermost unit that contains the whole line range. */
  enclosing(line: number, endLine = line): CUnit | undefined {
    let best: CUnit | undefined;
    for (const u of this.units()) {
      if (u.startLine <= line && endLine <= u.endLine && (!best || u.endLine - u.startLine < best.endLine - best.startLine)) best = u;
    }
    return best;
  }

  /** A unit's source text, exactly as in the file. */
  textOf(u: CUnit): string {
    return this.text.slice(u.start, u.end);
  }
}
