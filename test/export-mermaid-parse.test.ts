// @vitest-environment jsdom
/**
 * The Mermaid diagrams parsed by Mermaid itself: `mermaid.parse` is the parser
 * its renderer uses (the sequence-diagram grammar), so a diagram it accepts
 * renders as-is on a Markdown page. Mermaid needs a DOM for its sanitiser
 * (DOMPurify) even to parse; jsdom gives it one, so this runs in plain Node,
 * with no browser (rendering itself needs a browser's text layout, which
 * jsdom lacks; parsing is what decides whether a page shows the diagram or a
 * syntax error).
 *
 * Checked: every Mermaid diagram of the golden files, which are those of
 * every counterexample the export tests write (test/export-all.test.ts). The parser must also reject a broken diagram, so the
 * check can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import mermaid from 'mermaid';

// (jsdom's URL replaces Node's here, so the path is made from the file's own.)
const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** The diagram text, or the text inside a ```mermaid fence of a Markdown file. */
export function mermaidBlocks(name: string, text: string): string[] {
  if (name.endsWith('.mmd')) return [text];
  return [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const parses = async (text: string) => expect(await mermaid.parse(text)).toMatchObject({ diagramType: 'sequence' });

describe('Mermaid parses the sequence diagrams', () => {
  // test/golden/ and test/golden/export/ (every example model's and two dialog cells' counterexamples, as check --export writes them).
  const files = readdirSync(goldenDir, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.mmd') || n.endsWith('.md'));
  const diagrams = files.flatMap((n) => mermaidBlocks(n, readFileSync(join(goldenDir, n), 'utf8')).map((d, i) => [`${n}#${i}`, d] as const));

  it('has diagrams to check (a .mmd and a fenced one in the .md of each exported counterexample)', () => {
    expect(diagrams.filter(([n]) => n.startsWith('export/')).length).toBe(16);
  });

  it.each(diagrams)('%s', async (_name, text) => parses(text));

  it('rejects a broken diagram (a raw ";" in a note ends the statement)', async () => {
    const [, text] = diagrams[0];
    const broken = text.replace(/Note right of (\w+): /, 'Note right of $1: a; b ');
    expect(broken).not.toBe(text);
    await expect(mermaid.parse(broken)).rejects.toThrow(/Parse error/);
  });
});
