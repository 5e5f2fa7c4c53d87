/**
 * The direction of the data flow, held mechanically: spec + invariants ->
 * engine -> typed outcome -> report / graph -> cli. Each directory of the
 * project has a rank; a module may import only from its own rank or below,
 * and the models (spec/, invariants/, src/memory/) reach the engine only
 * through its public surface for models, src/engine/model.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bottom to top; the first prefix that matches a file gives its rank. */
const RANKS: readonly [prefix: string, rank: number][] = [
  ['src/engine/', 0],
  ['src/memory/', 1],
  ['spec/', 2],
  ['invariants/', 2],
  ['src/format/', 3],
  ['src/graph/', 4],
  ['src/check/', 5],
  ['src/report/', 6],
  ['src/conform/', 6],
  ['src/explore/', 7],
];
/** The command line and the package's entry (src/cli*.ts, src/api.ts): the modules directly in src/. */
const TOP = 8;
const isTop = (file: string): boolean => /^src\/[^/]+\.ts$/.test(file);
/** What the models may import from the engine. */
const MODEL_SURFACE = 'src/engine/model.ts';
const MODELS = ['spec/', 'invariants/', 'src/memory/'];

/** A file's rank, or undefined for one in no ranked directory (a new directory must be given its place). */
const rankOf = (file: string): number | undefined => (isTop(file) ? TOP : RANKS.find(([p]) => file.startsWith(p))?.[1]);

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The project files a module imports (relative specifiers, static or dynamic), as paths from the root. */
function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)) {
    out.push(relative(ROOT, resolve(ROOT, dirname(file), m[1])).replace(/\.js$/, '.ts'));
  }
  return out;
}

/** Every import that goes up a rank, or from a model into the engine past its surface, as "file -> target". */
function violations(files: readonly { file: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    for (const target of importsOf(file, text)) {
      // Imports of files outside the layered tree (scripts/, test/, package.json) are not layered.
      if (!/^(src|spec|invariants)\//.test(target)) continue;
      const up = (rankOf(target) ?? Infinity) > (rankOf(file) ?? -1);
      const pastSurface = MODELS.some((m) => file.startsWith(m)) && target.startsWith('src/engine/') && target !== MODEL_SURFACE;
      if (up || pastSurface) out.push(`${file} -> ${target}`);
    }
  }
  return out;
}

describe('the layers of the project', () => {
  const files = ['src', 'spec', 'invariants'].flatMap(tsFiles).map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

  it('gives every module a rank (a new directory of src/ is placed in RANKS first)', () => {
    expect(files.filter(({ file }) => rankOf(file) === undefined).map(({ file }) => file)).toEqual([]);
    expect([rankOf('src/newdir/x.ts'), rankOf('src/cli.ts'), rankOf('src/engine/explore.ts')]).toEqual([undefined, TOP, 0]);
  });

  it('reads the imports of every module', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(importsOf('src/check/worker.ts', readFileSync(join(ROOT, 'src/check/worker.ts'), 'utf8'))).toContain('src/format/plain.ts');
  });

  it('has no import that runs back up, and the models see only the engine model surface', () => {
    expect(violations(files)).toEqual([]);
  });

  it('catches a seeded import that runs back up, and one past the models surface', () => {
    const seeded = [
      { file: 'src/engine/explore.ts', text: "import { x } from '../../spec/dialog/model.js';" },
      { file: 'src/check/worker.ts', text: "import { toPlain } from '../report/anything.js';" },
      { file: 'src/graph/export.ts', text: "export { y } from '../cli-export.js';" },
      { file: 'spec/dialog/model.ts', text: "import { SpecError } from '../../src/engine/errors.js';" },
      { file: 'src/memory/views.ts', text: "const m = await import('../engine/store.js');" },
      // A module of an unranked directory, and an import of one, fail too.
      { file: 'src/newdir/x.ts', text: "import { check } from '../engine/index.js';" },
      { file: 'src/report/matrix.ts', text: "import { y } from '../newdir/y.js';" },
      // Allowed: the same rank, below, the surface, and packages.
      { file: 'spec/dialog/model.ts', text: "import { bogusLine } from '../../invariants/dialog.js';\nimport { SpecError } from '../../src/engine/model.js';\nimport { match } from 'ts-pattern';" },
      { file: 'src/report/matrix.ts', text: "import { runAll } from '../check/run.js';" },
    ];
    expect(violations(seeded)).toEqual([
      'src/engine/explore.ts -> spec/dialog/model.ts',
      'src/check/worker.ts -> src/report/anything.ts',
      'src/graph/export.ts -> src/cli-export.ts',
      'spec/dialog/model.ts -> src/engine/errors.ts',
      'src/memory/views.ts -> src/engine/store.ts',
      'src/newdir/x.ts -> src/engine/index.ts',
      'src/report/matrix.ts -> src/newdir/y.ts',
    ]);
  });
});
