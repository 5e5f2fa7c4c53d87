/**
 * The root-cause search for issue #3835's crash line: exact outcomes on small
 * scenarios in every environment of the manifest, what the line needs, and
 * the rootcause command's usage errors.
 */
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../src/check/dialog.js';
import { featuresOf, needs, sweep } from '../src/check/rootcause.js';
import { renderRootCause } from '../src/report/rootcause.js';
import { traceLines } from '../src/format/text.js';
import { main } from '../src/cli.js';

const environments = loadManifest().environments;

describe("searching for 'bogus ref -2 with cnt 1'", () => {
  const cells = sweep({ scenarios: ['bye-vs-timeout', 'ok-short-lifetime'], environments, variant: 'orig' });
  const at = (s: string, e: string) => cells.find((c) => c.scenario === s && c.env === e)!;

  it('finds it in bye-vs-timeout only with an interrupted acquire of H, after 60 steps', () => {
    expect(cells.map((c) => `${c.scenario} ${c.env} ${c.status} ${c.status === 'found' ? c.trace!.length - 1 : c.states}`)).toEqual([
      'bye-vs-timeout fast-lock/sc none 204',
      'bye-vs-timeout fast-lock/relaxed none 222',
      'bye-vs-timeout posix-sem/sc none 204',
      'bye-vs-timeout posix-sem/sc/eintr1 found 60',
      'bye-vs-timeout fast-lock/sc/pr-assumed none 226',
      'bye-vs-timeout posix-sem/sc/eintr2 found 60',
      'ok-short-lifetime fast-lock/sc none 77',
      'ok-short-lifetime fast-lock/relaxed none 86',
      'ok-short-lifetime posix-sem/sc none 77',
      'ok-short-lifetime posix-sem/sc/eintr1 none 3264',
      'ok-short-lifetime fast-lock/sc/pr-assumed none 77',
      'ok-short-lifetime posix-sem/sc/eintr2 none 3264',
    ]);
    const found = at('bye-vs-timeout', 'posix-sem/sc/eintr1');
    expect(found.printed).toBe("W:W14.chk printed 'bogus ref -2 with cnt 1'");
    // The interrupted acquire is in the trace, and the two decrements that meet below zero.
    const lines = traceLines(found.trace!).slice(1).map((l) => `${l.actor}:${l.step}`);
    expect(lines).toContain('T:T6N.H+[EINTR: returned without the lock]');
    expect(lines.slice(-3)).toEqual(['T:T7w.unref.ref-R[ref=0]', 'T:T7w.unref.ref-W', 'W:W14.chk[ref=-2]']);
  });

  it('says what the line needs: the feature every finding environment has and no exhaustive one has', () => {
    expect(needs(cells.filter((c) => c.scenario === 'bye-vs-timeout'), environments)).toEqual(['an interrupted lock acquire (EINTR)']);
    expect(needs(cells.filter((c) => c.scenario === 'ok-short-lifetime'), environments)).toEqual([]);
    expect(featuresOf(environments['posix-sem/sc/eintr1'])).toEqual(['posix-sem lock', 'an interrupted lock acquire (EINTR)']);
    const text = renderRootCause(cells, environments);
    expect(text).toContain('needs an interrupted lock acquire (EINTR)');
    expect(text).toContain("'bogus ref -2 with cnt 1' is reached in 2 of 12 searches, all of them in environments with posix-sem lock and an interrupted lock acquire (EINTR).");
  });

  it('reports a bounded search as unknown, not as none', () => {
    const [c] = sweep({ scenarios: ['bye-vs-timeout'], environments: { e: environments['posix-sem/sc/eintr1'] }, variant: 'orig', maxStates: 100 });
    expect(c.status).toBe('unknown');
  });
});

describe('npm run check -- rootcause: usage errors', () => {
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await main(args, { stdout: (t) => void (out += t), stderr: { write: (t: string) => void (err += t) } as never });
    return { code, out, err };
  };
  it.each([
    [['rootcause', '--scenario', 'nope'], /^error: unknown scenario 'nope'; expected one of: bye-vs-timeout-B, /],
    [['rootcause', '--env', 'x/y'], /^error: unknown environment 'x\/y'; expected one of: fast-lock\/sc, /],
    [['rootcause', '--variant', 'v9'], /^error: unknown variant 'v9'; expected one of: orig, /],
    [['rootcause', '--time-limit', 'soon'], /^error: --time-limit expects a positive number of seconds, got 'soon'\n$/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await run(args);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(message);
    expect(r.err.split('\n').length).toBe(2);
  });
  it('prints the report and exits 0', async () => {
    const r = await run(['rootcause', '--scenario', 'pr-bye-first', '--env', 'fast-lock/sc']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('pr-bye-first  none (15 states, exhaustive)  never reached');
  });
});
