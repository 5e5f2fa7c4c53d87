/**
 * The answer that opens `check`'s report (src/report/answer.ts): pinned as a
 * whole transcript for a slice of the real matrix, and line by line on small
 * made-up matrices for what the slice cannot show (a variant that adds a
 * violation, a matrix without roles, runs that did not finish). Also the last
 * lines: traces only when asked for, and a summary that does not read "no
 * violation" when runs are declared to find violations.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/check/run.js';
import { answerCell, renderAnswer, where } from '../src/report/answer.js';
import { summaryLine } from '../src/report/check-report.js';
import { inProcess } from './helpers/cli.js';

const SLICE = ['--scenario', 'bye-vs-timeout-B', '--scenario', 'ok-short-lifetime', '--scenario', 'bye-vs-timeout', '--env', 'fast-lock/sc', '--env', 'posix-sem/sc/eintr1'];
const VARIANTS = ['orig', 'v2', 'v3', 'fix-eintr', 'fix-ref-first', 'fixed'].flatMap((v) => ['--variant', v]);

/** A matrix cell as the report reads it. */
function cell(scenario: string, env: string, variant: string, violated: string[] | 'incomplete', role?: string): RunResult {
  const tags: Record<string, string> = { group: 'dialog', scenario, env, variant, eintr: env.includes('eintr') ? '1' : '0', assume: 'none' };
  if (role !== undefined) tags.role = role;
  return {
    run: { id: `${scenario}/${env}/${variant}`, tags },
    outcome: {
      status: violated === 'incomplete' ? 'incomplete' : violated.length > 0 ? 'violation' : 'ok',
      stats: { complete: violated !== 'incomplete', states: 1, transitions: 0, depth: 1 },
      violations: violated === 'incomplete' ? [] : violated.map((name) => ({ name, kind: 'always' })),
    },
    differences: [],
  } as unknown as RunResult;
}

describe("the answer that opens check's report", () => {
  it('a slice of the dialog matrix: the whole report, byte for byte', async () => {
    const t = await inProcess([...SLICE, ...VARIANTS, '--no-timing', '--jobs', '1']);
    expect(t.code).toBe(0);
    expect(t.stdout).toBe(readFileSync(new URL('./golden/check-answer.txt', import.meta.url), 'utf8'));
  });

  it('names a variant that adds a violation, and what fixes together leave', () => {
    const lines = renderAnswer([
      cell('s1', 'e', 'orig', ['NoUseAfterFree'], 'code'),
      cell('s2', 'e', 'orig', [], 'code'),
      cell('s1', 'e', 'v9', [], 'pr'),
      cell('s2', 'e', 'v9', ['NoDoubleFree', 'DbDeleteOnce'], 'pr'),
      cell('s1', 'e', 'all', ['NoUseAfterFree'], 'fixes'),
      cell('s2', 'e', 'all', [], 'fixes'),
    ].map(answerCell));
    expect(lines).toEqual([
      'The answer, from 2 rows (scenario x environment) x 3 code variants, every run exhaustive:',
      '  orig, the code as written, violates properties in 1 of 2 rows:',
      "    #3835 (the crash's line, '_unref_dlg: bogus ref -2 with cnt 1'): in no row",
      '    uaf, 1 row: s1 (e)',
      '  the PR, against orig:',
      '    v9: clears uaf in s1 (e); adds dfree db2 in s2 (e)',
      '  the fixes, against orig:',
      '    all: no verdict differs in any of the 2 rows',
    ]);
  });

  it('without roles the first variant is the baseline; runs that did not finish decide nothing', () => {
    const lines = renderAnswer([
      cell('s1', 'x/eintr1', 'a', ['RefNonNegative', 'NoCrash3835']),
      cell('s1', 'e2', 'a', []),
      cell('s1', 'x/eintr1', 'b', 'incomplete'),
      cell('s1', 'e2', 'b', ['RefNonNegative']),
    ].map(answerCell));
    expect(lines).toEqual([
      'The answer, from 2 rows (scenario x environment) x 2 code variants (1 run did not finish and decide nothing here):',
      '  a, the code as written, violates properties in 1 of 2 rows:',
      "    #3835 (the crash's line, '_unref_dlg: bogus ref -2 with cnt 1'), 1 row: s1 (only x/eintr1)",
      '    ref<0, 1 row: s1 (only x/eintr1)',
      '  the other variants, against a:',
      '    b: adds ref<0 in s1 (only e2)',
      '  environments:',
      "    x/eintr1: a lock_get's sem_wait may return EINTR (once), which the code does not retry",
    ]);
  });

  it('where: a scenario violated in every environment it ran in is named alone', () => {
    const envs = new Map([
      ['s', ['e1', 'e2']],
      ['t', ['e1', 'e2']],
      ['u', ['e1']],
    ]);
    expect(where([{ scenario: 's', env: 'e1' }, { scenario: 's', env: 'e2' }, { scenario: 't', env: 'e2' }, { scenario: 'u', env: 'e1' }], envs)).toBe('s; t (only e2); u (e1)');
  });

  it('the last line: as declared is not "no violation"', () => {
    expect(summaryLine([cell('s', 'e', 'a', [])])).toBe('1 run, all as declared: every property holds in it');
    expect(summaryLine([cell('s', 'e', 'a', []), cell('s', 'e', 'b', [])])).toBe('2 runs, all as declared: every property holds in every run');
    expect(summaryLine([cell('s', 'e', 'a', ['X']), cell('s', 'e', 'b', [])])).toBe('2 runs, all as declared: 1 finds the violations declared for it, 1 holds every property');
    expect(summaryLine([cell('s', 'e', 'a', ['X'])])).toBe('1 run, all as declared: 1 finds the violations declared for it');
  });

  it('traces are printed with --traces; without it one line says how to see them', async () => {
    const without = await inProcess(['--group', 'examples', '--no-timing', '--jobs', '1']);
    expect(without.stdout).not.toContain('shortest trace,');
    expect(without.stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'the shortest traces of these 4 violations are not printed: add --traces to print them, or --swimlanes to draw them as lanes',
      '',
      '6 runs, all as declared: 4 find the violations declared for them, 2 hold every property',
    ]);
    const one = await inProcess(['--filter', 'id=peterson-buggy', '--no-timing', '--jobs', '1']);
    expect(one.stdout).toContain('  shortest trace, 8 steps, 2 actor switches (the fewest among 8 distinct shortest traces):');
  });
});
