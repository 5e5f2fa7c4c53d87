/**
 * The project stands alone: no tracked file points to notes a user's clone does
 * not have (the shared reference notes the model was first written from, their
 * directory, or their abbreviated citations), every docs/*.md page a file names
 * exists, and the project's own references keep the numbering the rest of the
 * project cites (docs/c-reference.md, docs/pr-3836.md), with the propositions
 * stated exactly as src/check/propositions.ts has them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROPOSITIONS } from '../src/check/propositions.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && f !== 'package-lock.json' && existsSync(join(root, f)));
/** A file's text, with JSON's escaped section sign read as the sign (traces/*.json). */
const text = (f: string) => readFileSync(join(root, f), 'utf8').replaceAll('\\u00a7', '§');

// The patterns are assembled from pieces so that this file does not match itself.
const NOTES_DIR = ['..', 'shared'].join('/');
const PR_NOTE = ['pr', '3836.md'].join('-');
/** A page under docs/ in the seeded cases (assembled, so that the page check does not read this file's samples). */
const page = (name: string) => ['docs', name].join('/');
const FORBIDDEN: readonly { what: string; re: RegExp }[] = [
  { what: 'the notes directory, relative', re: new RegExp(NOTES_DIR.replaceAll('.', '\\.') + '\\b') },
  { what: 'the notes directory, absolute', re: new RegExp(['', 'work', 'shared'].join('\\/') + '\\b') },
  { what: 'a notes subdirectory', re: new RegExp('\\bshared\\/(reference|benchmarks|design)\\b') },
  { what: 'the C notes by name', re: new RegExp(['opensips', 'dialog'].join('-') + '\\b') },
  { what: 'the benchmark notes by name', re: new RegExp('\\b' + ['bench', 'marks'].join('') + '\\.md\\b') },
  { what: "the notes' abbreviated citations", re: new RegExp('\\b(ref|pr) §') },
];

/**
 * Every pointer in `file` to the notes. A name of the PR page counts only when
 * it resolves to docs/: written with `docs/` in front, as a markdown link, or
 * bare inside docs/.
 */
export function notePointers(file: string, body: string): string[] {
  const found: string[] = [];
  for (const [n, line] of body.split('\n').entries()) {
    for (const { what, re } of FORBIDDEN) if (re.test(line)) found.push(`${file}:${n + 1}: ${what}`);
    let at = line.indexOf(PR_NOTE);
    while (at >= 0) {
      const before = line.slice(0, at);
      // A markdown link `[name](name)` is written for a page in docs/ (the report code writes such links into docs/).
      const link = before.endsWith('[') || before.endsWith('](');
      const resolves = before.endsWith('docs/') || link || (file.startsWith('docs/') && !before.endsWith('/'));
      if (!resolves) found.push(`${file}:${n + 1}: the PR notes by name`);
      at = line.indexOf(PR_NOTE, at + 1);
    }
  }
  return found;
}

/** The docs pages a file names that do not exist: any path `docs/<name>.md`, and relative markdown links inside docs/. */
export function missingPages(file: string, body: string, exists: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/(?<![\w./-])docs\/[\w./-]+?\.md\b/g)) if (!exists(m[0])) out.push(`${file}: ${m[0]}`);
  if (file.startsWith('docs/')) {
    for (const m of body.matchAll(/\]\(([\w./-]+?\.md)(#[^)]*)?\)/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), m[1]));
      if (!exists(target)) out.push(`${file}: ${m[1]}`);
    }
  }
  return out;
}

describe('the project stands alone', () => {
  it('finds each kind of pointer to the notes in a seeded text, and accepts the project\'s own pages', () => {
    const seeded = [
      `see ${NOTES_DIR}/x`,
      `see ${['', 'work', 'shared'].join('/')}/x`,
      `in ${['shared', 'benchmarks'].join('/')}`,
      `the ${['opensips', 'dialog'].join('-')} notes`,
      `the ${['bench', 'marks'].join('')}.md models`,
      `(${PR_NOTE} §3.1)`,
      `${'ref'} §5.2 row 8`,
      `${'pr'} §2.2`,
    ];
    for (const line of seeded) expect(notePointers('src/x.ts', line), line).toHaveLength(1);
    expect(notePointers('src/x.ts', `docs/${PR_NOTE} §6; docs/c-reference.md §5.2; a reference §4; the ref count`)).toEqual([]);
    expect(notePointers(page('x.md'), `[${PR_NOTE}](${PR_NOTE}) §2.6`)).toEqual([]);
    expect(notePointers(page('x.md'), `reference/${PR_NOTE}`)).toHaveLength(1);
    const none = ['docs', 'none.md'].join('/');
    const here = ['docs', 'here.md'].join('/');
    expect(missingPages('src/x.ts', `${none} and ${here}`, (p) => p === here)).toEqual([`src/x.ts: ${none}`]);
    expect(missingPages(page('a.md'), '[b](b.md) [c](../c.md#x)', (p) => p === page('b.md'))).toEqual([`${page('a.md')}: ../c.md`]);
  });

  it(`no tracked file (of ${tracked.length}; package-lock.json aside) points to the notes`, () => {
    expect(tracked.length).toBeGreaterThan(100);
    const found = tracked.flatMap((f) => notePointers(f, text(f)));
    expect(found).toEqual([]);
  });

  it('every docs page a tracked file names exists', () => {
    const exists = (p: string) => existsSync(join(root, p));
    const found = tracked.flatMap((f) => missingPages(f, text(f), exists));
    expect(found).toEqual([]);
  });
});

describe("the project's references keep the numbering the project cites", () => {
  const headings = (f: string) => [...text(f).matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]);

  it('docs/c-reference.md: §1 to §9 with the subsections cited, the holder rows 1 to 17 of §5.2, and every step id', () => {
    const want = ['1', '1.1', '1.2', '2', '3', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '4', '4.1', '4.2', '4.3', '4.4', '4.5', '4.6', '4.7'];
    want.push('5', '5.1', '5.2', '5.3', '5.4', '6', '6.1', '6.2', '6.3', '7', '7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '7.7', '7.8', '7.9', '7.10', '8', '9');
    expect(headings('docs/c-reference.md')).toEqual(want);
    const doc = text('docs/c-reference.md');
    const holders = doc.slice(doc.indexOf('### 5.2'), doc.indexOf('### 5.3'));
    expect([...holders.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    const steps = new Set([...doc.matchAll(/^\| \*{0,2}([A-Z]+\d+[a-z]?'?)\*{0,2}[ :]/gm)].map((m) => m[1]));
    const ids = ['W0', 'W1', "W1'", 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8w', 'W9w', 'W10w', 'W11w', 'W12w', 'W13', 'W14'];
    for (const id of [...ids, 'T0', 'T1', 'T2', 'T3', 'T4a', 'T4b', 'T4c', 'T4d', 'T4e', 'T4f', 'T5a', 'T5b', 'T5c', 'T5d', 'T6', 'T7w', 'T7l']) expect(steps, id).toContain(id);
    for (const id of ['B0', 'B1', 'B2w', 'B3', 'B4', 'I1', 'I2', 'I3', 'I4', 'O0', 'O1', 'O2', 'O3', 'O4', 'O5', 'O6', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6']) expect(steps, id).toContain(id);
    for (const id of ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'P1', 'P2', 'P3', 'P4', 'E0', 'E1', 'E2', 'E3', 'E4', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'N1', 'N2', 'N3', 'RT1', 'RT2', 'RT3']) expect(steps, id).toContain(id);
    for (const enc of ['UNSET', 'LINKED', 'DETACHED', 'SPENT']) expect(doc).toContain(`| **${enc}** |`);
  });

  it('docs/pr-3836.md: §1 to §6 with the subsections cited', () => {
    const want = ['1', '2', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '3', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '4', '4.1', '4.2', '4.3', '4.4', '5', '6'];
    expect(headings(`docs/${PR_NOTE}`)).toEqual(want);
  });

  it('docs/pr-3836.md §6 states each proposition exactly as src/check/propositions.ts does, in order', () => {
    const doc = text(`docs/${PR_NOTE}`);
    const rows = [...doc.slice(doc.indexOf('## 6.')).matchAll(/^\| (P-\d\d) \| (.+?) \| .+ \|$/gm)].map((m) => ({ id: m[1], claim: m[2] }));
    expect(rows).toEqual(PROPOSITIONS.map((p) => ({ id: p.id, claim: p.claim })));
    expect(rows).toHaveLength(27);
  });

  it('every trace names the section of docs/pr-3836.md §3 that holds its narrative', () => {
    for (let n = 1; n <= 6; n++) {
      const trace = JSON.parse(readFileSync(join(root, `traces/TR-${n}.json`), 'utf8')) as { description: string };
      expect(trace.description).toContain(`(docs/${PR_NOTE} §3.${n})`);
      expect(text(`docs/${PR_NOTE}`)).toMatch(new RegExp(`^### 3\\.${n} TR-${n}: `, 'm'));
    }
  });
});
