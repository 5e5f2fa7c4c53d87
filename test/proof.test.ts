/**
 * Proof bundles (src/check/proof.ts): `check --proof FILE` writes one,
 * `check --verify FILE` re-runs what it lists and compares. A round trip
 * matches; a tampered count, verdict or trace is a difference (exit 1); a
 * damaged file or a bundle made from other sources is refused (exit 2, one line).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import { PROOF_FORMAT, type ProofBundle } from '../src/check/proof.js';

const dir = mkdtempSync(join(tmpdir(), 'proof-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => void (stdout += s), stderr: { write: (s: string) => ((stderr += s), true) } as never };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const SELECT = ['--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--variant', 'orig', '--variant', 'fixed', '--jobs', '1', '--no-timing'];
const bundleAt = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as ProofBundle;
const rewrite = (from: string, to: string, edit: (b: ProofBundle) => unknown) => writeFileSync(to, JSON.stringify(edit(bundleAt(from))));

describe('proof bundles', async () => {
  const file = join(dir, 'bundle.json');
  const made = await run([...SELECT, '--proof', file]);

  it('--proof writes the tool, the sources, and per run its counts, verdicts and trace hashes', () => {
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`proof bundle of 2 run(s) written to ${file}`);
    const b = bundleAt(file);
    expect(b.format).toBe(PROOF_FORMAT);
    expect(b.tool.name).toBe('dialog-race-checker');
    expect(Object.keys(b.sources)).toEqual(expect.arrayContaining(['check-manifest.json', 'spec/dialog/actors.ts', 'invariants/dialog.ts', 'src/engine/explore.ts']));
    expect(b.runs.map((r) => [r.id, r.states, r.transitions, r.depth, r.status])).toEqual([
      ['dialog/ok-short-lifetime/fast-lock/sc/orig', 77, 125, 23, 'violation'],
      ['dialog/ok-short-lifetime/fast-lock/sc/fixed', 63, 101, 23, 'ok'],
    ]);
    const orig = b.runs[0];
    expect(orig.verdicts.NoUseAfterFree).toBe('violated');
    expect(orig.traces.NoUseAfterFree.steps).toBe(19);
    expect(orig.traces.NoUseAfterFree.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--verify re-runs every listed run: everything matches (exit 0)', async () => {
    const r = await run(['--verify', file, '--jobs', '1']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^2 run\(s\) re-checked: everything matches the bundle \(commit [0-9a-f]{40}(\+changes)?\)\n$/);
  });

  it('a tampered count, verdict or trace is a difference: exit 1, one line each', async () => {
    const tampered = join(dir, 'tampered.json');
    rewrite(file, tampered, (b) => {
      const runs = b.runs.map((r) => ({ ...r }));
      runs[0] = { ...runs[0], states: 76, verdicts: { ...runs[0].verdicts, NoDoubleFree: 'holds' }, traces: { ...runs[0].traces, NoUseAfterFree: { steps: 19, sha256: '0'.repeat(64) } } };
      return { ...b, runs };
    });
    const r = await run(['--verify', tampered, '--jobs', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'differs: dialog/ok-short-lifetime/fast-lock/sc/orig: states 77, the bundle says 76',
      'differs: dialog/ok-short-lifetime/fast-lock/sc/orig: NoDoubleFree violated, the bundle says holds',
      expect.stringMatching(/^differs: dialog\/ok-short-lifetime\/fast-lock\/sc\/orig: NoUseAfterFree's trace is 19 steps \(sha256 [0-9a-f]{12}\), the bundle's 19 steps \(sha256 000000000000\)$/),
      '2 run(s) re-checked: 3 difference(s) from the bundle',
      '',
    ]);
  });

  it('a damaged file, or a bundle from other sources, is refused: exit 2, one line, nothing run', async () => {
    const damaged = join(dir, 'damaged.json');
    writeFileSync(damaged, readFileSync(file, 'utf8').slice(0, 200));
    const a = await run(['--verify', damaged]);
    expect(a).toMatchObject({ code: 2, stdout: '' });
    expect(a.stderr).toMatch(/^error: --verify .*damaged\.json: not a proof bundle \(not JSON: .*\)\n$/);

    const foreign = join(dir, 'foreign.json');
    rewrite(file, foreign, (b) => ({ ...b, tool: { ...b.tool, commit: '0123456789abcdef0123456789abcdef01234567' }, sources: { ...b.sources, 'spec/dialog/actors.ts': 'f'.repeat(64) } }));
    const f = await run(['--verify', foreign]);
    expect(f).toMatchObject({ code: 2, stdout: '' });
    expect(f.stderr).toMatch(/^error: the bundle was made from other sources \(commit 0123456789abcdef0123456789abcdef01234567; this checkout: .*\): 1 file\(s\) differ: spec\/dialog\/actors\.ts; check out that commit to verify it\n$/);

    const other = join(dir, 'other.json');
    rewrite(file, other, (b) => ({ ...b, format: 'something-else/1' }));
    expect((await run(['--verify', other])).stderr).toMatch(/not a proof bundle of this tool \(format is "something-else\/1"/);
    // Options the bundle's runs were not made with (a time limit, say) are refused, not obeyed.
    const timed = join(dir, 'timed.json');
    rewrite(file, timed, (b) => ({ ...b, options: { timeLimitMs: 1 } }));
    const t = await run(['--verify', timed]);
    expect(t).toMatchObject({ code: 2, stdout: '' });
    expect(t.stderr).toBe(
      `error: --verify ${timed}: not a proof bundle of this tool ('options' has "timeLimitMs": 1 (known: maxStates and maxDepth, positive integers; stopOnFirstViolation and textKeys, true))\n`,
    );
    expect((await run(['--verify', file, '--scenario', 'x'])).stderr).toMatch(/^error: --verify re-runs the runs the bundle lists, with its options; it takes no selection \(--scenario\)\n$/);
  });

  it('--proof does not overwrite a file without --force, and writes nothing half', async () => {
    const r = await run([...SELECT, '--proof', file]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`error: --proof ${file}: the file exists; give --force to overwrite it\n`);
    expect((await run([...SELECT, '--proof', join(dir, 'no/such/dir/b.json')])).code).toBe(2);
    expect(existsSync(join(dir, 'no'))).toBe(false);
    expect((await run([...SELECT, '--proof', file, '--force'])).code).toBe(0);
  });

  it('--proof refuses, before any run, a directory (even with --force), a file in a file, and an ad-hoc run; no file is left', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const before = readdirSync(dir).sort();
    const refused = async (args: string[]) => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2);
      return r.stderr;
    };
    expect(await refused([...SELECT, '--proof', folder, '--force'])).toBe(`error: --proof ${folder}: is a directory; give the name of the file to write\n`);
    expect(await refused([...SELECT, '--proof', join(file, 'b.json')])).toBe(`error: --proof ${join(file, 'b.json')}: cannot write in ${file} (${file} is not a directory)\n`);
    expect(await refused(['--model', 'counter-race', '-p', 'NP=2,K=2', '--proof', join(dir, 'adhoc.json')])).toBe(
      'error: --proof: a proof bundle lists registered runs (check --list), which --verify finds again by id on a checkout with the same sources; counter-race(NP=2,K=2) is an ad-hoc run of --model\n',
    );
    // A model file is refused before it is loaded: this one would throw when loaded.
    expect(await refused(['--model-file', 'test/fixtures/model-files/throws-on-load.ts', '--proof', join(dir, 'file.json')])).toBe(
      'error: --proof: a proof bundle lists registered runs (check --list), which --verify finds again by id on a checkout with the same sources; a run of --model-file (test/fixtures/model-files/throws-on-load.ts) is not registered\n',
    );
    expect(await refused([...SELECT, '--proof', ''])).toBe('error: --proof expects the name of the file to write, got an empty one\n');
    expect(await refused([...SELECT, '--proof', `${join(dir, 'newdir')}/`])).toBe(`error: --proof ${join(dir, 'newdir')}/: names a directory; give the name of the file to write\n`);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(folder)).toEqual([]);
  });

  // The boundary of the refusal above (this passed before it too): a registered run given by --model is not ad hoc.
  it('--proof of a registered run given by --model and its parameters: --verify finds it again', async () => {
    const one = join(dir, 'registered.json');
    const made = await run(['--model', 'counter-race', '-p', 'NP=3,K=4', '--no-timing', '--proof', one]);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`proof bundle of 1 run(s) written to ${one} (check --verify ${one} re-checks it)\n`);
    const verified = await run(['--verify', one, '--jobs', '1']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^1 run\(s\) re-checked: everything matches the bundle/);
  });
});
