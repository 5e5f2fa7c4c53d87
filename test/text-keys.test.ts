/**
 * States identified by their text (`textKeys`, `check --text-keys`): the
 * engine ignores the model's codec and in-place successors and keys every
 * state by `key`, generating successors with `actions` and `next` on state
 * objects. It is the reference the packed states are checked against, so the
 * engine then never calls the codec: a codec that merges two states past the engine's
 * self-check of the first transitions loses states when packed and none when
 * keyed by text. What it does not check is the model's own code, which runs
 * the same either way (the dialog model's steps copy states with its codec's
 * `copy`).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dialogRuns, loadManifest } from '../src/check/dialog.js';
import type { Registry } from '../src/check/registry.js';
import { execute, forgetExplorations } from '../src/check/run.js';
import { check, checkParallel, keyedByText, type Model } from '../src/engine/index.js';
import { LossyCounter, STEP, type Counter } from './fixtures/model-files/lossy-counter.js';
import { inProcess } from './helpers/cli.js';

const LOSSY = 'test/fixtures/model-files/lossy-counter.ts';

describe('states identified by their text', () => {
  it('ignores the codec: a merging codec loses states when packed, none when keyed by text', () => {
    const model = new LossyCounter();
    const packed = check(model);
    expect(model.codecCalls).toBeGreaterThan(900);
    expect(packed.status).toBe('ok');
    expect(packed.stats).toMatchObject({ states: 901, transitions: 901, depth: 901, complete: true }); // 900 -> 901 packs as 900: a loop
    const keyed = new LossyCounter();
    const text = check(keyed, { textKeys: true });
    expect(keyed.codecCalls).toBe(0);
    expect(text.status).toBe('ok');
    expect(text.stats).toMatchObject({ states: 1000, transitions: 999, depth: 1000, complete: true });
  });

  it('keyedByText keeps a class model\'s methods and drops only its codec and successors', () => {
    const m = keyedByText(new LossyCounter());
    expect(m.codec).toBeUndefined();
    expect(m.successors).toBeUndefined();
    expect(m.next({ x: 4 }, STEP)).toEqual({ x: 5 }); // `this.stride`, read on the class's own object
    expect(m.key({ x: 4 })).toBe('x=4');
    // The engine's text path calls `key` on the model too, also for a class model with no codec
    // (a `key` called without its object would find no `this.show`: an error outcome).
    const uncoded = new LossyCounter();
    Object.defineProperty(uncoded, 'codec', { value: undefined });
    const run = check(uncoded);
    expect(run.status).toBe('ok');
    expect(run.stats.states).toBe(1000);
    const plain: Model<Counter> = { name: 'plain', properties: [], initialStates: () => [{ x: 0 }], actions: () => [], next: (s) => s, key: (s) => String(s.x) };
    expect(keyedByText(plain)).toBe(plain);
  });

  it('is one thread only: several workers give an error outcome, not a packed run', async () => {
    const o = await checkParallel(new LossyCounter(), { module: 'unused', exportName: 'unused', args: [] }, 2, { textKeys: true });
    expect(o.status).toBe('error');
    expect(o.error?.code).toBe('parallel');
    expect(o.error?.message).toContain('textKeys cannot be used with several workers');
  });

  it('a text-keyed run never takes the outcome of a packed one (nor the reverse)', () => {
    forgetExplorations();
    const [orig, fixRoute] = dialogRuns(loadManifest()).filter((r) => r.id === 'dialog/drop-after-sync/fast-lock/sc/orig' || r.id === 'dialog/drop-after-sync/fast-lock/sc/fix-route');
    expect(execute(orig).sameAs).toBeUndefined();
    // fix-route shares orig's exploration when both are packed (test/same-as.test.ts), not across keys.
    const text = execute(fixRoute, { textKeys: true });
    expect(text.sameAs).toBeUndefined();
    expect(text.differences).toEqual([]);
    expect(execute(orig, { textKeys: true }).sameAs).toBe('dialog/drop-after-sync/fast-lock/sc/fix-route');
    forgetExplorations();
  });
});

describe('check --text-keys', () => {
  it('reaches the engine: a model file with the merging codec counts 901 states packed, 1000 keyed by text', async () => {
    const states = async (...more: string[]) => {
      const t = await inProcess(['check', '--model-file', LOSSY, '--json', '--no-timing', ...more]);
      expect(t.code).toBe(0);
      return JSON.parse(t.stdout).runs[0].stats.states;
    };
    expect(await states()).toBe(901);
    expect(await states('--text-keys')).toBe(1000);
  });

  it('--verify --text-keys re-runs keyed by text: a bundle of the packed count differs from it', async () => {
    const registry: Registry = { models: [], runs: [{ id: 'lossy', tags: { group: 't' }, build: () => new LossyCounter(), expect: { violated: [] } }] };
    const bundle = join(tmpdir(), `lossy-${process.pid}.json`);
    expect((await inProcess(['check', '--proof', bundle, '--force', '--no-timing'], registry)).code).toBe(0);
    expect(await inProcess(['check', '--verify', bundle], registry)).toMatchObject({ code: 0 });
    const text = await inProcess(['check', '--verify', bundle, '--text-keys'], registry);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('differs: lossy: states');
    expect(text.stdout).toContain('1 run(s) re-checked:');
    rmSync(bundle);
  });

  it('refuses --workers above 1 in one line, exit 2', async () => {
    const t = await inProcess(['check', '--scenario', 'bye-vs-timeout', '--text-keys', '--workers', '2']);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe('error: --text-keys cannot be combined with --workers above 1 (worker threads exchange packed states); use --workers 1\n');
    expect(t.stdout).toBe('');
  });

  it('re-checks a proof bundle keyed by text: the same counts, verdicts and traces', { timeout: 120_000 }, async () => {
    const bundle = join(tmpdir(), `text-keys-${process.pid}.json`);
    const made = await inProcess(['check', '--scenario', 'bye-vs-timeout-B', '--env', 'fast-lock/relaxed', '--proof', bundle, '--force', '--no-progress', '--no-timing', '--jobs', '1']);
    expect(made.code).toBe(0);
    const same = await inProcess(['check', '--verify', bundle, '--text-keys', '--jobs', '1']);
    expect(same.stdout).toMatch(/^17 run\(s\) re-checked: everything matches the bundle/);
    expect(same.code).toBe(0);
    // A bundle whose pinned trace is not the text-keyed run's is reported, not matched.
    const b = JSON.parse(readFileSync(bundle, 'utf8'));
    const run = b.runs.find((r: { traces: object }) => Object.keys(r.traces).length > 0);
    Object.values(run.traces as Record<string, { sha256: string }>)[0].sha256 = '0'.repeat(64);
    writeFileSync(bundle, JSON.stringify(b));
    const differs = await inProcess(['check', '--verify', bundle, '--text-keys', '--jobs', '1']);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain('1 difference(s) from the bundle');
    rmSync(bundle);
  });
});
