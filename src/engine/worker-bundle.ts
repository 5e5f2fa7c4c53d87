/**
 * The code a worker thread of parallel.ts runs, as one JavaScript file (and
 * the code a job process of src/check/pool.ts runs, the same way).
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
 * bundle, so the engine's classes (SpecError, ...) are the model's; a model
 * that imports this package by its name gets the package's sources
 * (src/api.ts), not the tsx-loaded copy lib/index.mjs would give it. Each
 * module of the user's or of this package (installed, too) keeps its own
 * `import.meta.url`, `import.meta.dirname` and `import.meta.filename`
 * (written into it as its source file's), so files it reads next to itself
 * are found from the bundle. A module of those that uses another
 * `import.meta` (`resolve`) or CommonJS's `__dirname`/`__filename` without
 * declaring it is not bundled: the workers then run on tsx.
 *
 * The file is kept in a private folder of the user's in the system's
 * temporary directory, named by a hash of what it bundles and of the esbuild
 * and Node versions. Its first line says what it was built from: every file
 * with a hash of the content the build read, and the package.json and
 * tsconfig.json files above them; where the paths it was asked for led (a
 * link); and the links in its files' folders with their targets. It is used
 * again only while all of that is the same (checked at each use: a few
 * milliseconds). (Not noticed: a file added that would change how an import
 * resolves, such as a helper.js beside a helper.ts, or a link re-pointed
 * in a folder above a source's own.) The 32 most recently used are kept.
 *
 * Anything that fails here (esbuild missing, a module it cannot bundle, a
 * folder that is not the user's alone) leaves the workers on tsx, as before:
 * slower to start, the same exploration; and parallel.ts starts them again on
 * tsx if a worker of a bundle fails before its model is loaded for another
 * reason than the model's own error. `CHECKER_WORKER_BUNDLE=0` asks for tsx;
 * `CHECKER_WORKER_BUNDLE=require` makes a start on tsx an error (for tests).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a worker thread starts from: a bundle, or (when one could not be made) the tsx boot module. */
export type WorkerEntry = { readonly bundle: URL; readonly why?: undefined } | { readonly bundle?: undefined; readonly why: string };

interface Input {
  readonly path: string;
  readonly sha1: string;
}

/**
 * What a bundle was built from: its inputs (esbuild gives their real paths),
 * where the paths it was asked for led (a link re-pointed makes another
 * bundle), and the links in its inputs' folders with their targets.
 */
interface Header {
  readonly inputs: readonly Input[];
  readonly entries: readonly { readonly path: string; readonly real: string }[];
  readonly links: readonly { readonly path: string; readonly target: string }[];
}

const PRELOADED = fileURLToPath(new URL('./preloaded.ts', import.meta.url));
/** This package's name, and the sources a model importing it gets (its public surface). */
const PACKAGE = 'dialog-race-checker';
const API = fileURLToPath(new URL('../api.ts', import.meta.url));
/** The package's folder (installed, it is inside a node_modules). */
const ROOT = dirname(dirname(API));
const VIRTUAL = `${PACKAGE}:preload`;
/** The build's own settings, by number: a bundle of another is another file. */
const FORMAT = 2;
/** How a bundle's first line starts: what it was built from (a Header) follows. */
const HEADER = '// inputs: ';

/** The file path of a module URL (file: URLs only; a query such as tsx's namespace is dropped). */
function pathOf(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'file:') throw new Error(`not a file: URL: ${url}`);
  u.search = '';
  u.hash = '';
  return fileURLToPath(u);
}

const sha1Of = (bytes: Buffer | string): string => createHash('sha1').update(bytes).digest('hex');
const sha1 = (path: string): string => sha1Of(readFileSync(path));

/**
 * The folder of this user's bundles: created private; an existing one must be a
 * real directory (not a link) of this user's, and is made private again.
 */
export function bundleFolder(base = tmpdir()): string {
  const uid = process.getuid?.();
  const dir = join(base, `${PACKAGE}-${uid ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a link?)`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to another user`);
  if ((st.mode & 0o077) !== 0) {
    chmodSync(dir, 0o700);
    if ((lstatSync(dir).mode & 0o077) !== 0) throw new Error(`${dir} cannot be made private`);
  }
  return dir;
}

/** The module that registers the preloaded modules, imported before the worker's own (ESM evaluates imports in order). */
function preloadSource(urls: readonly string[]): string {
  const lines = [`import { preload } from ${JSON.stringify(PRELOADED)};`];
  urls.forEach((url, i) => lines.push(`import * as m${i} from ${JSON.stringify(pathOf(url))};`));
  urls.forEach((url, i) => lines.push(`preload(${JSON.stringify(url)}, m${i});`));
  return lines.join('\n');
}

/** `import.meta.url`, `.dirname`, `.filename` as code (the pattern's own text is in a regular expression, not matched). */
const META = /(?<![\w$.])import\s*\.\s*meta\s*\.\s*(url|dirname|filename)\b/g;
/**
 * What is left of `import.meta`, and CommonJS's own names, once those are written in (refused:
 * see above). Looked for in the code without its comments; spelt in pieces so that this file's
 * own code does not hold them.
 */
const UNBUNDLED = new RegExp(`(?<![\\w$.])(import\\s*\\.\\s*meta\\b|${['__dir', '__file'].map((n) => `${n}name\\b`).join('|')})`);

/** The first use UNBUNDLED finds in `code` that the module does not declare itself (an ES module's own `const __dirname = ...` is fine). */
function leftOver(code: string): string | undefined {
  const all = new RegExp(UNBUNDLED.source, 'g');
  for (let m = all.exec(code); m !== null; m = all.exec(code)) {
    const name = m[1].replace(/\s+/g, '');
    if (name.startsWith('__') && new RegExp(`(?:const|let|var)\\s+${name}\\b`).test(code)) continue;
    return name;
  }
  return undefined;
}

const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx' | 'json'> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.jsx': 'jsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.json': 'json',
};

/** Whether a file is a package's (a dependency's) rather than the user's or this package's own. */
function isDependency(path: string): boolean {
  const own = path.startsWith(ROOT + sep) ? path.slice(ROOT.length + 1) : path;
  return own.split(sep).includes('node_modules');
}

/** The package.json and tsconfig.json files in the folders above these files (they change how a file compiles or resolves). */
function settingsAbove(paths: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of paths) {
    for (let dir = dirname(p); !seen.has(dir); dir = dirname(dir)) {
      seen.add(dir);
      for (const f of ['package.json', 'tsconfig.json']) if (existsSync(join(dir, f))) out.push(join(dir, f));
      if (dirname(dir) === dir) break;
    }
  }
  return out;
}

/** The symbolic links in these folders, with their targets. */
function linksIn(dirs: Iterable<string>): { path: string; target: string }[] {
  const out: { path: string; target: string }[] = [];
  for (const dir of dirs) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isSymbolicLink()) out.push({ path: join(dir, e.name), target: readlinkSync(join(dir, e.name)) });
    }
  }
  return out;
}

/** The header a bundle built now from these inputs and entries would have. */
function headerOf(inputs: readonly Input[], entries: readonly string[]): Header {
  return {
    inputs,
    entries: entries.map((path) => ({ path, real: realpathSync(path) })),
    links: linksIn(new Set(inputs.map((i) => dirname(i.path)))),
  };
}

/** The bundle at `file` if what it was built from is unchanged (marked as just used), else undefined. */
function current(file: string, entries: readonly string[]): URL | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const end = text.indexOf('\n');
  if (!text.startsWith(HEADER) || end < 0) return undefined;
  try {
    const was = JSON.parse(text.slice(HEADER.length, end)) as Header;
    const now = headerOf(was.inputs.map((i) => ({ path: i.path, sha1: sha1(i.path) })), entries);
    if (JSON.stringify(now) !== JSON.stringify(was)) return undefined;
  } catch {
    return undefined; // an input gone, or a header that does not parse
  }
  const now = new Date();
  utimesSync(file, now, now);
  return pathToFileURL(file);
}

/**
 * A bundle of `worker` (a module URL) that first registers the modules at
 * `preloads` (URLs) in preloaded.ts, and runs the code `then` once `worker`
 * is loaded; reused while its inputs are unchanged. Throws when one cannot
 * be made.
 */
export async function workerBundle(worker: string, preloads: readonly string[], base = tmpdir(), then = ''): Promise<URL> {
  // esbuild's version from its package.json: loading esbuild itself (40 ms) is for a build only.
  const require = createRequire(import.meta.url);
  const version = (require('esbuild/package.json') as { version: string }).version;
  const entry = `import ${JSON.stringify(VIRTUAL)};\nimport ${JSON.stringify(pathOf(worker))};\n${then}`;
  const preload = preloadSource(preloads);
  const key = createHash('sha256').update(JSON.stringify([FORMAT, version, process.version, entry, preload])).digest('hex').slice(0, 32);
  const dir = bundleFolder(base);
  const file = join(dir, `${key}.mjs`);
  const entries = [pathOf(worker), ...preloads.map(pathOf)];
  const ready = current(file, entries);
  if (ready !== undefined) return ready;

  // From this file's folder (a job process may run this module from a bundle elsewhere, where the name resolves to nothing).
  const esbuild = (await import(pathToFileURL(require.resolve('esbuild')).href)) as typeof import('esbuild');
  if (esbuild.version !== version) throw new Error(`esbuild ${esbuild.version} loaded, its package.json says ${version}`);

  // The hash of each file as the build read it (a file changed since is then seen as changed).
  const read = new Map<string, string>();
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: dirname(pathOf(worker)) },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    metafile: true,
    // Classes and functions keep their names where two modules share one (an error's name is its class's: errors.ts).
    keepNames: true,
    logLevel: 'silent',
    // Imported (lazily) by this module, which the worker's imports include; never called there.
    external: ['esbuild'],
    // CommonJS modules in the bundle call require. (Spelt in pieces: this file is in the bundle, and must not hold import.meta once written in.)
    banner: { js: `import { createRequire as __drcCreateRequire } from 'node:module'; const require = __drcCreateRequire(${['import', 'meta', 'url'].join('.')});` },
    plugins: [
      {
        name: PACKAGE,
        setup(build) {
          build.onResolve({ filter: new RegExp(`^${VIRTUAL}$`) }, () => ({ path: VIRTUAL, namespace: 'drc' }));
          build.onLoad({ filter: /.*/, namespace: 'drc' }, () => ({ contents: preload, resolveDir: dirname(PRELOADED), loader: 'js' }));
          // A model that imports this package gets its sources, in this bundle.
          build.onResolve({ filter: new RegExp(`^${PACKAGE}$`) }, () => ({ path: API }));
          build.onLoad({ filter: /.*/ }, (args) => {
            const loader = LOADERS[extname(args.path)];
            if (loader === undefined) return undefined; // esbuild's own loader (hashed after the build)
            const bytes = readFileSync(args.path);
            read.set(resolve(args.path), sha1Of(bytes));
            let contents = bytes.toString('utf8');
            // Dependencies are bundled as they are (their import.meta is their own business: they run as they would bundled anywhere).
            if (loader !== 'json' && !isDependency(args.path)) {
              const here = pathToFileURL(args.path);
              const values: Record<string, string> = { url: here.href, dirname: dirname(args.path), filename: args.path };
              contents = contents.replace(META, (_, what: string) => JSON.stringify(values[what]));
              const code = esbuild.transformSync(contents, { loader, minifyWhitespace: true }).code;
              const left = leftOver(code);
              if (left !== undefined) throw new Error(`${args.path} uses ${left}, which a bundle would change`);
            }
            return { contents, loader };
          });
        },
      },
    ],
  });
  const built = Object.keys(result.metafile.inputs)
    // Not the entry (<stdin>) nor the preloading module (drc:...): generated here, they are in the key.
    .filter((p) => p !== '<stdin>' && !p.startsWith('drc:'))
    .map((p) => resolve(p));
  const inputs: Input[] = [...built, ...settingsAbove(built)].map((path) => ({ path, sha1: read.get(path) ?? sha1(path) }));
  // One file, written under a temporary name and renamed: another process may be reading or writing the same bundle.
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, `${HEADER}${JSON.stringify(headerOf(inputs, entries))}\n${result.outputFiles[0].text}`);
  renameSync(tmp, file);
  pruneBundles(dir, KEPT);
  return pathToFileURL(file);
}

/** At most this many bundles are kept (each model module a user runs with workers makes its own). */
const KEPT = 32;

/**
 * Removes the bundles in `dir` beyond the `keep` most recently used, and
 * temporary files of writes that did not finish (older than an hour).
 */
export function pruneBundles(dir: string, keep: number): void {
  // Another process may remove or write files meanwhile: a file gone is skipped.
  const mtime = (f: string): number => {
    try {
      return statSync(join(dir, f)).mtimeMs;
    } catch {
      return Number.NaN;
    }
  };
  const files = readdirSync(dir).map((f) => ({ f, t: mtime(f) })).filter((x) => !Number.isNaN(x.t));
  const bundles = files.filter((x) => /^[0-9a-f]{32}\.mjs$/.test(x.f)).sort((a, b) => b.t - a.t);
  const stale = files.filter((x) => /\.tmp$/.test(x.f) && x.t < Date.now() - 3_600_000);
  for (const { f } of [...bundles.slice(keep), ...stale]) rmSync(join(dir, f), { force: true });
}

/** The entry for a run's workers (or a job process, pool.ts): a bundle when one can be made, else why not. */
export async function workerEntry(worker: string, preloads: readonly string[], base?: string, then?: string): Promise<WorkerEntry> {
  if (process.env.CHECKER_WORKER_BUNDLE === '0') return { why: 'CHECKER_WORKER_BUNDLE=0' };
  try {
    return { bundle: await workerBundle(worker, preloads, base, then) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (bundleRequired()) throw new Error(`no bundle for the workers (CHECKER_WORKER_BUNDLE=require): ${why}`);
    return { why };
  }
}

/** Whether the workers must run from a bundle (CHECKER_WORKER_BUNDLE=require: for tests, a start on tsx is then an error). */
export const bundleRequired = (): boolean => process.env.CHECKER_WORKER_BUNDLE === 'require';
