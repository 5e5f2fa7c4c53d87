/**
 * check --model-file: what a module may export (a Model, or a function of the
 * parameters returning one; default, only candidate, or --model-export), the
 * parameters, --expect, and every way it is a usage error (exit 2, one line).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcess, spawnCli } from './helpers/cli.js';
import { fileSafe } from '../src/cli-export.js';
import { defaultRegistry } from '../src/check/registry.js';

const F = 'test/fixtures/model-files';

describe('--model-file: the shapes a module may export', () => {
  it('a default export that is a Model: checked as an ad-hoc run, with --expect', async () => {
    const t = await inProcess(['--model-file', `${F}/plain-model.ts`, '--expect', 'violated=BelowThree', '--no-timing']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n').slice(0, 2)).toEqual([
      'run       status     states  transitions  depth  violated    as declared',
      'to-three  violation       4            3      4  BelowThree  yes',
    ]);
  });

  it('without --expect every property must hold: exit 1', async () => {
    const t = await inProcess(['--model-file', `${F}/plain-model.ts`, '--no-timing']);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('to-three: no declared expectation for these parameters; every property is expected to hold\n');
  });

  it('--expect ok declares that every property holds: a violation is then not as declared', async () => {
    const t = await inProcess(['--model-file', `${F}/plain-model.ts`, '--expect', 'ok', '--no-timing']);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('  - BelowThree is violated, expected it to hold\n');
  });

  it('--model-export picks a named factory; -p K=V reaches it (integers as numbers)', async () => {
    const t = await inProcess(['--model-file', `${F}/two-factories.ts`, '--model-export', 'large', '-p', 'max=7', '--expect', 'ok', '--no-timing']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[1]).toBe('large(max=7)  ok           8            7      8  -         yes');
  });

  it('a factory whose name does not show the parameters: the run id adds them', async () => {
    const t = await inProcess(['--model-file', 'examples/refcount.ts', '-p', 'THREADS=1', '--expect', 'ok', '--no-timing']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[1].startsWith('refcount(THREADS=1,atomic=false)  ok ')).toBe(true);
  });

  it('--expect with --model replaces the registered declaration', async () => {
    const t = await inProcess(['--model', 'peterson', '--expect', 'violated=MutualExclusion', '--no-timing']);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('  - MutualExclusion holds, expected it to be violated\n');
  });

  it('with --workers 2 the worker threads load the same module (src/check/load.ts)', async () => {
    const t = await inProcess(['--model-file', 'examples/refcount.ts', '-p', 'THREADS=3', '--expect', 'violated=FreedOnce', '--workers', '2', '--no-timing']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[1]).toBe('refcount(THREADS=3,atomic=false)  violation     322          615     10  FreedOnce  yes');
  });

  it('--list --model-file shows the model and the run, without running it', async () => {
    const t = await inProcess(['--model-file', `${F}/plain-model.ts`, '--list']);
    expect(t).toEqual({
      code: 0,
      stderr: '',
      stdout:
        `model to-three (--model-file ${F}/plain-model.ts):\n` +
        '  property    kind    meaning\n' +
        '  BelowThree  always  the counter stays below 3\n' +
        '  steps: not declared\n\n' +
        'this ad-hoc run: to-three; expected: none declared: every property is expected to hold (declare one with --expect)\n',
    });
  });
});

describe('--model-file: usage errors (exit 2, one line on stderr, nothing on stdout)', () => {
  const cases: [string, string[], string][] = [
    [
      'a module that exports no model',
      ['--model-file', `${F}/not-a-model.ts`],
      `error: --model-file ${F}/not-a-model.ts: exports no model (a default export, or one named export, that is a Model or a function of the parameters returning one); it exports: almost, answer`,
    ],
    ['a file that does not exist', ['--model-file', `${F}/nope.ts`], `error: --model-file ${F}/nope.ts: no such file`],
    ['a directory (was: no such file)', ['--model-file', F], `error: --model-file ${F}: is a directory; give the module's file`],
    ['a module that throws when loaded', ['--model-file', `${F}/throws-on-load.ts`], `error: --model-file ${F}/throws-on-load.ts: cannot load it: Error: top-level bug in the model file`],
    [
      'several candidates and no default',
      ['--model-file', `${F}/two-factories.ts`],
      `error: --model-file ${F}/two-factories.ts: exports several candidates (large, small) and no default; pick one with --model-export NAME`,
    ],
    ['an export that does not exist', ['--model-file', `${F}/two-factories.ts`, '--model-export', 'medium'], `error: --model-file ${F}/two-factories.ts: no export named 'medium'; it exports: large, small`],
    ['a named export that is not a model', ['--model-file', `${F}/not-a-model.ts`, '--model-export', 'almost'], `error: --model-file ${F}/not-a-model.ts: export 'almost' is not a model nor a function returning one (it lacks next, key)`],
    ['parameters for a model that takes none', ['--model-file', `${F}/plain-model.ts`, '-p', 'N=2'], `error: --param: ${F}/plain-model.ts is a model, not a function of parameters; it takes none`],
    ['a parameter the factory never reads (a typo)', ['--model-file', 'examples/refcount.ts', '-p', 'THREAD=3'], 'error: --param THREAD: examples/refcount.ts never reads this parameter; it reads THREADS, atomic'],
    [
      'a boolean written otherwise than true or false',
      ['--model-file', 'examples/refcount.ts', '-p', 'atomic=TRUE'],
      "error: --param atomic=TRUE: a boolean is written true or false (lower case); 'TRUE' would reach the model as a string, which is truthy",
    ],
    ['a factory that rejects its parameters', ['--model-file', 'examples/refcount.ts', '-p', 'THREADS=9'], 'error: examples/refcount.ts threw for the parameters {"THREADS":9}: THREADS must be an integer from 1 to 6, got 9'],
    [
      '--expect naming a property the model lacks',
      ['--model-file', 'examples/refcount.ts', '--expect', 'violated=NoLeak'],
      "error: --expect names property 'NoLeak', which model refcount(THREADS=2,atomic=false) does not have; its properties: NoDoubleFree, FreedOnce",
    ],
    ['--expect malformed', ['--model-file', 'examples/refcount.ts', '--expect', 'violated'], "error: --expect expects 'ok' or 'violated=P1[,P2...]', got 'violated'"],
    [
      '--expect without an ad-hoc run',
      ['--group', 'examples', '--expect', 'ok'],
      'error: --expect declares the outcome of an ad-hoc run; give --model NAME or --model-file FILE too (registered runs are declared in the code and check-manifest.json)',
    ],
    ['--model and --model-file together', ['--model', 'peterson', '--model-file', 'examples/refcount.ts'], 'error: --model and --model-file exclude each other: give one'],
    ['--model-export without --model-file', ['--model-export', 'x'], 'error: --model-export names an export of --model-file; give --model-file FILE too'],
    [
      '--model-file with a selection of registered runs',
      ['--model-file', 'examples/refcount.ts', '--filter', 'model=peterson', '--group', 'examples'],
      'error: --model-file runs one model ad hoc and cannot be combined with --filter, --group (which select registered runs)',
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    expect(await inProcess(args)).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });

  // As a process: the file is loaded through tsx, as users run it (vitest's own transform words it otherwise).
  it.each([
    ['TypeScript: esbuild\'s words, with the file, line and column (was: only "Transform failed with 1 error:")', 'syntax.ts', (f: string) => `TransformError: Transform failed with 1 error: ${f}:4:2: ERROR: Expected "}" but found "actions"`],
    ["JavaScript: Node's words, then where esbuild finds it (Node's own error says not where)", 'syntax.mjs', (f: string) => `SyntaxError: Unexpected identifier 'actions' (${f}:4:2: Expected "}" but found "actions")`],
  ])('a syntax error, on the one line: %s', async (_what, name, error) => {
    const dir = mkdtempSync(join(tmpdir(), 'model-file-syntax-'));
    try {
      const file = join(dir, name);
      writeFileSync(file, 'export default {\n  name: "x",\n  initialStates: () => [0]\n  actions: () => [],\n};\n');
      expect(await spawnCli(['--model-file', file])).toEqual({ code: 2, stdout: '', stderr: `error: --model-file ${file}: cannot load it: ${error(file)}\n` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('as a process: the same one line, no stack trace', async () => {
    const t = await spawnCli(['--model-file', `${F}/not-a-model.ts`]);
    expect(t.code).toBe(2);
    expect(t.stdout).toBe('');
    expect(t.stderr.split('\n').length).toBe(2);
    expect(t.stderr.startsWith(`error: --model-file ${F}/not-a-model.ts: exports no model`)).toBe(true);
  });
});

describe('export file names', () => {
  it("carry no '=' or ',' (nor any character a shell would need quoted), and stay distinct for every registered run", () => {
    const ids = defaultRegistry().runs.map((r) => r.id);
    const names = ids.map(fileSafe);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(new Set(names).size).toBe(ids.length);
    expect(fileSafe('counter-race(NP=2,K=1)')).toBe('counter-race_NP-2_K-1');
  });
});
