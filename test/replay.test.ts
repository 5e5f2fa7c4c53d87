/**
 * Trace replay: the PR's narratives TR-1..TR-6 (traces/) against the code as
 * written and under the PR's assumed semantics, with pinned verdicts; malformed
 * trace files; the replay command's exit codes; docs/pr-replays.md freshness.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceFileError, matchesStep, parseTraceFile, readTraceFile, replay } from '../src/check/replay.js';
import { main, type Io } from '../src/cli.js';
import { replaysMarkdown, TRACES_DIR } from '../src/report/replay.js';
import { ASSUMPTIONS } from '../spec/dialog/state.js';

const run = (name: string, assumed: boolean) => {
  const t = readTraceFile(`${TRACES_DIR}${name}.json`);
  const r = replay(assumed ? { ...t, env: { ...t.env, assume: [...ASSUMPTIONS] } } : t);
  return {
    verdict: r.failure ? `#${r.failure.index} ${r.failure.actor}:${r.failure.step} ${r.failure.kind}` : 'possible',
    violations: r.violations.map((v) => v.property),
    reason: r.failure?.reason,
  };
};

describe('the PR narratives, replayed', () => {
  it('TR-1: as written, W10 cannot return 0 (the tl was detached); assumed, W12 does not reach bogus ref', () => {
    const code = run('TR-1', false);
    expect(code.verdict).toBe('#8 W:W10 cannot-return');
    expect(code.reason).toMatch(/returns 1, not 0: remove_dlg_timer returns 1 when prev == NULL && timeout == 0/);
    expect(code.violations).toEqual(['NoByeAfterDelete']);
    const assumed = run('TR-1', true);
    expect(assumed.verdict).toBe('#9 W:W12 no-violation');
    expect(assumed.violations).toEqual(['NoByeAfterDelete', 'RefMatchesHolders']);
  });

  it("TR-2, TR-3, TR-4: the claimed counts leave out the BYE worker's own reference (W1)", () => {
    for (const name of ['TR-2', 'TR-3', 'TR-4']) {
      for (const assumed of [false, true]) {
        const r = run(name, assumed);
        expect(r.verdict).toBe('#0 W:W4 ref-differs');
        expect(r.reason).toBe('after W4 ref is 4 (held by: hash, base, timer, W.ctx), not the claimed 3');
      }
    }
  });

  it("TR-5: the code allows the sequence but no use after free follows; under the PR's own assumption W4's removal returns 0", () => {
    expect(run('TR-5', false).verdict).toBe('#12 B1:B1 no-violation');
    expect(run('TR-5', true).verdict).toBe('#4 W:W4 cannot-return');
  });

  it('TR-6: as written the dialog is freed only at W14 (no use after free); with the assumption it is possible', () => {
    expect(run('TR-6', false).verdict).toBe('#14 W:W14 no-violation');
    const assumed = run('TR-6', true);
    expect(assumed.verdict).toBe('possible');
    expect(assumed.violations).toContain('NoUseAfterFree');
  });
});

describe('step names', () => {
  it('a narrative step names its model steps, not others with a longer number', () => {
    expect(matchesStep('W10w', 'W10')).toBe(true);
    expect(matchesStep('T1r', 'T1')).toBe(true);
    expect(matchesStep('T6N', 'T6')).toBe(true);
    expect(matchesStep("T2'", 'T2')).toBe(true);
    expect(matchesStep('W10w', 'W1')).toBe(false);
    expect(matchesStep('W13', 'W1')).toBe(false);
  });
});

describe('malformed trace files', () => {
  const good = JSON.parse(readFileSync(`${TRACES_DIR}TR-1.json`, 'utf8'));
  const bad = (t: unknown, msg: RegExp) => {
    expect(() => parseTraceFile(typeof t === 'string' ? t : JSON.stringify(t), 'f.json')).toThrow(TraceFileError);
    expect(() => parseTraceFile(typeof t === 'string' ? t : JSON.stringify(t), 'f.json')).toThrow(msg);
  };
  it('names the offending entry', () => {
    bad('{', /f.json: not JSON/);
    bad({ ...good, scenario: 'nope' }, /unknown scenario 'nope'/);
    bad({ ...good, variant: 'v9' }, /unknown variant 'v9'/);
    bad({ ...good, env: { ...good.env, lock: 'spin' } }, /env.lock must be one of/);
    bad({ ...good, steps: [] }, /'steps' must be a non-empty list/);
    bad({ ...good, steps: [{ actor: 'Z', step: 'W1' }] }, /steps\[0\]: unknown actor 'Z'; this scenario has: W, T, B1, B2, I/);
    bad({ ...good, steps: [{ actor: 'W', step: 'W4', reads: 'GONE' }] }, /steps\[0\]: 'reads' must be a state name/);
    bad({ ...good, steps: [{ actor: 'W', step: 'W4', returns: 'zero' }] }, /steps\[0\]: 'returns' must be an integer/);
    bad({ ...good, steps: [{ actor: 'W', step: 'W4', wibble: 1 }] }, /steps\[0\]: unknown field 'wibble'/);
    bad({ ...good, steps: [{ actor: 'W', step: 'W4', violates: 'Nope' }] }, /steps\[0\]: 'violates' must name a property/);
  });

  it('the replay command: exit 0 with the verdicts, exit 2 with one line for a missing or malformed file', async () => {
    const cli = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const io: Io = {
        stdout: (s) => void (stdout += s),
        stderr: { write: (s: string) => ((stderr += s), true) },
      };
      return { code: await main(args, io), stdout, stderr };
    };
    const ok = await cli(['replay', `${TRACES_DIR}TR-4.json`, '--code-only']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('verdict: NOT POSSIBLE at #0 (W W4): ref-differs');
    const missing = await cli(['replay', 'no-such-file.json']);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^error: no-such-file.json: ENOENT[^\n]*\n$/) });
    const both = await cli(['replay', `${TRACES_DIR}TR-4.json`, '--code-only', '--assumed-only']);
    expect(both).toEqual({ code: 2, stdout: '', stderr: 'error: --code-only and --assumed-only exclude each other\n' });
  });
});

describe('docs/pr-replays.md', () => {
  it('shows the replays as they are (regenerate with npx tsx scripts/replays-doc.ts)', () => {
    expect(readFileSync(new URL('../docs/pr-replays.md', import.meta.url), 'utf8')).toBe(replaysMarkdown());
  });
});
