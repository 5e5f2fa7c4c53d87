/**
 * The npm package: what `npm pack` ships, and that the packed tarball,
 * installed in an empty folder, works as a user would use it: the
 * `dialog-race-checker` command (one run, worker threads, job processes, a
 * model file of the user's importing the package), the library from plain
 * Node (import and require), and its types.
 *
 * No network: the folder installs from a lockfile made from the package's
 * own npm-shrinkwrap.json (the project's package-lock.json, copied on
 * prepack) with `npm ci --offline`, so every dependency comes from npm's
 * cache, where the repository's own `npm ci` put it. (`npm install
 * file.tgz` would first ask the registry for each dependency's metadata.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'package-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs a command; resolves to its exit code and output (a failure is a result, not an exception). */
async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('lib/index.mjs and lib/index.cjs, the package entries', () => {
  it('export the same names as src/api.ts', async () => {
    const api = await import('../src/api.js');
    const text = readFileSync(join(ROOT, 'lib/index.mjs'), 'utf8');
    const listed = /export const \{([^}]*)\} = api;/.exec(text)![1].split(',').map((n) => n.trim()).filter((n) => n !== '');
    expect(listed).toEqual(Object.keys(api).sort());
  });
});

describe('npm pack, then install the tarball in an empty folder', () => {
  it('works: the command, worker threads, job processes, a model file, the library and its types', { timeout: 300_000 }, async () => {
    // 1. Pack (prepack builds the types and copies the lockfile as npm-shrinkwrap.json).
    const pack = await sh('npm', ['pack', '--json', '--pack-destination', tmp], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as [{ filename: string; size: number; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    for (const f of ['bin/dialog-race-checker.mjs', 'lib/index.mjs', 'lib/index.cjs', 'LICENSE', 'README.md', 'npm-shrinkwrap.json', 'dist/types/src/api.d.ts', 'src/engine/parallel-boot.mjs', 'check-manifest.json', 'examples/refcount.ts', 'docs/write-your-own-model.md', 'fixes/05-posix-sem-lock-retries-eintr.patch']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(test|bench|scripts|\.ci)\//.test(f))).toEqual([]);
    // The tarball (401 KB on 2026-12-05) is mostly check-manifest.json's notes (300 KB unpacked), the lockfile and the
    // pinned citations, which grow as rows are pinned; a stray large file would take it far past this bound.
    expect(info.size).toBeLessThan(450_000);

    // 2. Install it in an empty folder, offline, from the package's own lock.
    const dir = join(tmp, 'user');
    await sh('mkdir', ['-p', dir], tmp);
    const tgz = `file:${join(tmp, info.filename)}`;
    const unpacked = await sh('tar', ['xzf', join(tmp, info.filename), '-C', tmp, 'package/npm-shrinkwrap.json', 'package/package.json'], tmp);
    expect(unpacked.code).toBe(0);
    const shrinkwrap = JSON.parse(readFileSync(join(tmp, 'package/npm-shrinkwrap.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(tmp, 'package/package.json'), 'utf8'));
    const packages: Record<string, unknown> = {
      '': { name: 'user', dependencies: { 'dialog-race-checker': tgz } },
      'node_modules/dialog-race-checker': { version: pkg.version, resolved: tgz, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
    };
    for (const [k, v] of Object.entries(shrinkwrap.packages as Record<string, { dev?: boolean }>)) if (k !== '' && !v.dev) packages[k] = v;
    // A folder of CommonJS, as `npm init` makes it: a .ts model file here is compiled as CommonJS.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', private: true, type: 'commonjs', dependencies: { 'dialog-race-checker': tgz } }, null, 2));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'user', lockfileVersion: 3, requires: true, packages }, null, 2));
    const install = await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toContain('EBADENGINE');

    // 3. The command.
    const npx = (...args: string[]) => sh('npx', ['--offline', 'dialog-race-checker', ...args], dir);
    // Worker threads must then run from their bundle of the installed package's sources (src/engine/worker-bundle.ts): a start on tsx is an error.
    const npxBundled = (...args: string[]) => sh('npx', ['--offline', 'dialog-race-checker', ...args], dir, { CHECKER_WORKER_BUNDLE: 'require' });
    const peterson = await npx('--model', 'peterson');
    expect(peterson.stderr).toBe('');
    expect(peterson.code).toBe(0);
    expect(peterson.stdout.split('\n').slice(0, 4)).toEqual([
      'run       status  states  transitions  depth  violated  as declared',
      'peterson  ok          38           64     10  -         yes',
      '',
      '1 run, all as declared: every property holds in it',
    ]);
    expect(await npx('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    // Worker threads, and on a dialog cell, whose modules read the manifest next to themselves.
    const threads = await npxBundled('--model', 'counter-race', '-p', 'NP=2,K=2', '--workers', '2', '--no-timing');
    expect(threads.stdout.split('\n')[1]).toBe('counter-race(NP=2,K=2)  violation     228          398     19  NoLostUpdate  yes');
    const cell = await npxBundled('--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--variant', 'orig', '--workers', '2', '--no-timing');
    expect([cell.code, cell.stderr]).toEqual([0, '']);
    expect(cell.stdout).toContain('1 run, all as declared');
    // Job processes (--jobs 2, the default, for two registered runs), from their bundle too.
    const jobs = await npxBundled('--filter', 'model=peterson', '--jobs', '2', '--no-timing');
    expect([jobs.code, jobs.stderr]).toEqual([0, '']);
    expect(jobs.stdout.trimEnd().split('\n').at(-1)).toBe('2 runs, all as declared: 1 finds the violations declared for it, 1 holds every property');
    // A job process of a bundle that runs its cell with worker threads bundles them in turn (esbuild found from the
    // package's files, not from the bundle's folder): with a bundle folder of its own, none of them is cached yet.
    const fresh = mkdtempSync(join(tmpdir(), 'package-bundles-'));
    const both = await sh('npx', ['--offline', 'dialog-race-checker', '--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--variant', 'orig', '--variant', 'v2', '--jobs', '2', '--workers', '2', '--no-timing'], dir, {
      CHECKER_WORKER_BUNDLE: 'require',
      TMPDIR: fresh,
    });
    rmSync(fresh, { recursive: true, force: true });
    expect([both.code, both.stderr]).toEqual([0, '']);
    expect(both.stdout).toContain('2 runs, all as declared');

    // 4. The guide's model as a user writes it: importing the package, in a CommonJS folder, with worker threads.
    const guideModel = readFileSync(join(ROOT, 'examples/refcount.ts'), 'utf8').replace("from '../src/api.js'", "from 'dialog-race-checker'");
    expect(guideModel).toContain("from 'dialog-race-checker'");
    writeFileSync(join(dir, 'refcount.ts'), guideModel);
    const own = await npxBundled('--model-file', 'refcount.ts', '--expect', 'violated=FreedOnce', '--workers', '2', '--no-timing');
    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    expect(own.stdout.split('\n')[1]).toBe('refcount(THREADS=2,atomic=false)  violation      28           38      7  FreedOnce  yes');

    // 5. The library from plain Node: import and require, with the typed errors.
    const model = `{ name: 't', initialStates: () => [0], actions: (n) => (n < 3 ? [{ actor: 'a', step: 'inc' }] : []), next: (n) => { if (n === 2) throw new RangeError('x'); return n + 1; }, key: String, properties: [] }`;
    writeFileSync(join(dir, 'use.mjs'), `import { check, ModelError } from 'dialog-race-checker';\nconst o = check(${model});\nconsole.log(o.status, o.error instanceof ModelError, o.error.stateKey, o.error.action);\n`);
    writeFileSync(join(dir, 'use.cjs'), `const { check, ModelError } = require('dialog-race-checker');\nconst o = check(${model});\nconsole.log(o.status, o.error instanceof ModelError, o.error.stateKey, o.error.action);\n`);
    expect(await sh('node', ['use.mjs'], dir)).toEqual({ code: 0, stdout: 'error true 2 a:inc\n', stderr: '' });
    expect(await sh('node', ['use.cjs'], dir)).toEqual({ code: 0, stdout: 'error true 2 a:inc\n', stderr: '' });

    // 6. Its types: a consumer type-checks against dist/types (a wrong type is caught, so they are not `any`).
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { always, check, type Model } from 'dialog-race-checker';
const m: Model<number> = { name: 'c', initialStates: () => [0], actions: (n) => (n < 1 ? [{ actor: 'a', step: 's' }] : []), next: (n) => n + 1, key: String, properties: [always<number>('P', 'p', (n) => n < 5)] };
const states: number = check(m).stats.states;
// @ts-expect-error the states are a number
const wrong: string = check(m).stats.states;
export { states, wrong };
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] }, files: ['consumer.ts'] }),
    );
    const types = await sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
    expect(types.stdout + types.stderr).toBe('');
    expect(types.code).toBe(0);
  });
});
