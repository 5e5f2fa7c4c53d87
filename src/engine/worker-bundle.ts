/**
 * The code a worker thread of parallel.ts runs, as one JavaScript file.
 *
 * The engine and the models are TypeScript, which Node runs through tsx's
 * module hooks. A worker thread does not inherit them: registering them in
 * the thread and loading some forty modules through them took about half a
 * second of every `--workers` run (two threads on a 2-core host: 0.9 CPU-s,
 * 0.55 s wall), and loading the same modules bundled takes a tenth of that.
 * So the main thread bundles, with esbuild (the compiler tsx itself uses),
 * the worker module together with the modules a run's model comes from
 * (`ModelRef.module` and `ModelRef.imports`), registered in preloaded.ts
 * under their URLs, and the workers run that file without tsx.
 *
 * One copy of each module: the model and the engine it imports are one
 * bundle, so the engine's classes (SpecError, ...) are the model's. Each
 * module keeps its own `import.meta.url` (written into it as its source
 * file's URL), so files it reads next to itself are found from the bundle.
 *
 * The file is kept in a folder of the user's in the system's temporary
 * directory, named by a hash of what it bundles and of the esbuild version;
 * it is used again only while every file it was built from has the same
 * content (checked at each use: a few milliseconds), and the 32 most recent
 * are kept. Anything that fails
 * (esbuild missing, a module it cannot bundle, a folder that is not the
 * user's) leaves the workers on tsx, as before: slower to start, the same
 * exploration.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a worker thread starts from: a bundle, or (when one could not be made) the tsx boot module. */
export type WorkerEntry = { readonly bundle: URL } | { readonly bundle?: undefined; readonly why: string };

interface Input {
  readonly path: string;
  readonly sha1: string;
}

const PRELOADED = fileURLToPath(new URL('./preloaded.ts', import.meta.url));
const VIRTUAL = 'dialog-race-checker:preload';

/** The file path of a module URL (file: URLs only; a query such as tsx's namespace is dropped). */
function pathOf(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'file:') throw new Error(`not a file: URL: ${url}`);
  u.search = '';
  u.hash = '';
  return fileURLToPath(u);
}

const sha1 = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

/** The folder of this user's bundles (created private; refused if someone else's). */
function folder(): string {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `dialog-race-checker-${uid ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (uid !== undefined && statSync(dir).uid !== uid) throw new Error(`${dir} belongs to another user`);
  return dir;
}

/** The module that registers the preloaded modules, imported before the worker's own (ESM evaluates imports in order). */
function preloadSource(urls: readonly string[]): string {
  const lines = [`import { preload } from ${JSON.stringify(PRELOADED)};`];
  urls.forEach((url, i) => lines.push(`import * as m${i} from ${JSON.stringify(pathOf(url))};`));
  urls.forEach((url, i) => lines.push(`preload(${JSON.stringify(url)}, m${i});`));
  return lines.join('\n');
}

/** `import.meta.url` as code (not inside a string: this file's own pattern is one). */
const META_URL = /(?<!['"`\w.])import\.meta\.url\b/g;

const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx'> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' };

/**
 * A bundle of `worker` (a module URL) that first registers the modules at
 * `preloads` (URLs) in preloaded.ts; reused while its inputs are unchanged.
 */
export async function workerBundle(worker: string, preloads: readonly string[]): Promise<URL> {
  const esbuild = await import('esbuild');
  const entry = `import ${JSON.stringify(VIRTUAL)};\nimport ${JSON.stringify(pathOf(worker))};\n`;
  const preload = preloadSource(preloads);
  const key = createHash('sha256').update(JSON.stringify([esbuild.version, process.version, entry, preload])).digest('hex').slice(0, 32);
  const dir = folder();
  const file = join(dir, `${key}.mjs`);
  const inputsFile = join(dir, `${key}.inputs.json`);
  try {
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Input[];
    statSync(file);
    if (inputs.every((i) => sha1(i.path) === i.sha1)) return pathToFileURL(file);
  } catch {
    // No bundle yet, or one whose inputs are gone: build it.
  }
  // The hash of each source as the build read it (a file changed since is then seen as changed).
  const read = new Map<string, string>();
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: dirname(pathOf(worker)) },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Imported (lazily) by this module, which the worker's imports include; never called there.
    external: ['esbuild'],
    // CommonJS modules in the bundle call require.
    banner: { js: "import { createRequire as __drcCreateRequire } from 'node:module'; const require = __drcCreateRequire(import.meta['url']);" },
    plugins: [
      {
        name: 'dialog-race-checker',
        setup(build) {
          build.onResolve({ filter: new RegExp(`^${VIRTUAL}$`) }, () => ({ path: VIRTUAL, namespace: 'drc' }));
          build.onLoad({ filter: /.*/, namespace: 'drc' }, () => ({ contents: preload, resolveDir: dirname(PRELOADED), loader: 'js' }));
          // Each module's import.meta.url is its own file's, not the bundle's.
          build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
            const bytes = readFileSync(args.path);
            read.set(resolve(args.path), createHash('sha1').update(bytes).digest('hex'));
            const source = bytes.toString('utf8');
            const contents = source.replace(META_URL, JSON.stringify(pathToFileURL(args.path).href));
            return { contents, loader: LOADERS[extname(args.path)] ?? 'js' };
          });
        },
      },
    ],
  });
  const inputs: Input[] = Object.keys(result.metafile.inputs)
    // Not the entry (<stdin>) nor the preloading module (drc:...): generated here, they are in the key.
    .filter((p) => p !== '<stdin>' && !p.startsWith('drc:'))
    .map((p) => resolve(p))
    .map((path) => ({ path, sha1: read.get(path) ?? sha1(path) }));
  // Written under temporary names and renamed: another process may be reading or writing the same bundle.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(`${tmp}.mjs`, result.outputFiles[0].contents);
  renameSync(`${tmp}.mjs`, file);
  writeFileSync(`${tmp}.json`, JSON.stringify(inputs));
  renameSync(`${tmp}.json`, inputsFile);
  pruneBundles(dir, KEPT);
  return pathToFileURL(file);
}

/** At most this many bundles are kept (each model module a user runs with workers makes its own). */
const KEPT = 32;

/** Removes the bundles in `dir` (and their lists of inputs) beyond the `keep` most recently built. */
export function pruneBundles(dir: string, keep: number): void {
  // Another process may remove or write bundles meanwhile: a file gone is skipped.
  const mtime = (f: string): number => {
    try {
      return statSync(join(dir, f)).mtimeMs;
    } catch {
      return Number.NaN;
    }
  };
  const bundles = readdirSync(dir)
    .filter((f) => /^[0-9a-f]{32}\.mjs$/.test(f))
    .map((f) => ({ f, t: mtime(f) }))
    .filter((b) => !Number.isNaN(b.t))
    .sort((a, b) => b.t - a.t);
  for (const { f } of bundles.slice(keep)) {
    rmSync(join(dir, f), { force: true });
    rmSync(join(dir, f.replace(/\.mjs$/, '.inputs.json')), { force: true });
  }
}

/** The entry for a run's workers: a bundle when one can be made, else why not. */
export async function workerEntry(worker: string, preloads: readonly string[]): Promise<WorkerEntry> {
  if (process.env.CHECKER_WORKER_BUNDLE === '0') return { why: 'CHECKER_WORKER_BUNDLE=0' };
  try {
    return { bundle: await workerBundle(worker, preloads) };
  } catch (e) {
    return { why: e instanceof Error ? e.message : String(e) };
  }
}
