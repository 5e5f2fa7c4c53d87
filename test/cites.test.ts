/**
 * Pinned citations: every C line the model cites is pinned
 * (spec/dialog/citations.json), and `check cites` tells same / moved / changed
 * / not checked on a small hand-made tree, with its exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import { checkPins, citeKey, makePin, modelCitations, parse, patchedText, readPins, sourceOf, type PinFile } from '../src/conform/cites.js';
import { FIX_PATCHES } from '../spec/dialog/variants.js';
import type { SourceLoc } from '../src/engine/model.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => void (stdout += s), stderr: { write: (s: string) => ((stderr += s), true) } };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('the model is held to its pins', () => {
  const cited = modelCitations();
  const pins = readPins();

  it('every C line a model step cites (every scenario, variant and environment) is pinned; run npm run pin-cites after reading a new one', () => {
    const unpinned = [...cited.keys()].filter((k) => !(k in pins.pins));
    expect(unpinned).toEqual([]);
    expect(pins.base).toBe('aad6b856835a53d660215834e3c16c4591cf2375');
  });

  it('the pins are the model citations of today: 286, of which 42 cite a PR commit and 41 a fix', () => {
    expect(Object.keys(pins.pins).length).toBe(286);
    expect([...cited.keys()].sort()).toEqual(Object.keys(pins.pins).sort());
    expect(Object.keys(pins.pins).filter((k) => /@[0-9a-f]+:/.test(k)).length).toBe(42);
    expect(Object.keys(pins.pins).filter((k) => k.includes('@fix-')).length).toBe(41);
  });

  it('a pin holds the cited code: remove_dlg_timer\'s test of a detached entry, and a range by its first and last lines', () => {
    expect(pins.pins['dlg_timer.c:488-515']).toMatchObject({ from: 'aad6b856835a:modules/dialog/dlg_timer.c', unit: 'remove_dlg_timer', offset: 0, text: 'int remove_dlg_timer(struct dlg_tl *tl) … }' });
    expect(pins.pins['dlg_hash.h:319']).toMatchObject({ unit: 'ref_dlg_unsafe', offset: 3, text: '(_dlg)->ref += (_cnt); \\' });
  });
});

// ---------------------------------------------------------------------------
// A hand-made tree.

const ORIGINAL = [
  '/* a hand-made dialog file */', // 1
  'int f1(int a)', // 2
  '{', // 3
  '\tlock_get(l);', // 4
  '\ta++;', // 5
  '\tlock_release(l);', // 6
  '\treturn a;', // 7
  '}', // 8
  '', // 9
  'int f2(int b)', // 10
  '{', // 11
  '\tlock_get(l);', // 12
  '\tb--;', // 13
  '\tlock_release(l);', // 14
  '\treturn b;', // 15
  '}', // 16
  '', // 17
  'int f3(int c)', // 18
  '{', // 19
  '\treturn c * 2;', // 20
  '}', // 21
].join('\n');

/** f2 gained two lines above its unlock; f3's body changed; f1 is untouched. */
const EDITED = ORIGINAL.replace('\tb--;', '\tb--;\n\tb--;\n\tb--;').replace('\treturn c * 2;', '\treturn c * 3;');

const scratch = mkdtempSync(join(tmpdir(), 'cites-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(name: string, text: string, git = false): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'modules/dialog'), { recursive: true });
  writeFileSync(join(dir, 'modules/dialog/dlg_x.c'), text);
  writeFileSync(join(dir, 'modules/dialog/dlg_timer.c'), '/* what makes it a tree */\n');
  if (git) {
    const g = (...a: string[]) => spawnSync('git', ['-C', dir, ...a], { encoding: 'utf8' });
    g('init', '-q');
    g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'empty');
    g('add', '.');
    g('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x');
  }
  return dir;
}

const CITED: SourceLoc[] = [
  { file: 'dlg_x.c', line: 4 }, // f1's lock: same
  { file: 'dlg_x.c', line: 2, endLine: 8 }, // f1 whole: same
  { file: 'dlg_x.c', line: 14 }, // f2's unlock: moved by 2
  { file: 'dlg_x.c', line: 16 }, // f2's closing brace (a line found in every function): moved by 2, not f1's or f3's
  { file: 'dlg_x.c', line: 20 }, // f3's return: changed
];

function pinFile(extra: Record<string, ReturnType<typeof makePin>> = {}): string {
  const parsed = parse(ORIGINAL);
  const pins: PinFile = {
    note: 'test',
    base: 'aad6b856835a53d660215834e3c16c4591cf2375',
    pins: { ...Object.fromEntries(CITED.map((c) => [citeKey(c), makePin(parsed, c, 'test:dlg_x.c')])), ...extra },
  };
  const path = join(scratch, `pins-${Object.keys(extra).length}.json`);
  writeFileSync(path, JSON.stringify(pins));
  return path;
}

describe('check cites on a hand-made tree', () => {
  it('same, moved (the new line), changed (old and new text): exit 1', async () => {
    const r = await cli(['cites', '--opensips', tree('edited', EDITED), '--pins', pinFile()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(1)).toEqual([
      'same         dlg_x.c:2-8  int f1(int a) … }',
      'same         dlg_x.c:4  lock_get(l);',
      'moved        dlg_x.c:14 -> 16  lock_release(l);',
      'moved        dlg_x.c:16 -> 18  }',
      'changed      dlg_x.c:20',
      '               was: return c * 2;',
      '               now: return c * 3; (line 22)',
      'cites: 5 citations: 2 same, 2 moved, 1 changed',
      '',
    ]);
    expect(r.stdout.split('\n')[0]).toMatch(/^cites: OpenSIPS tree .*edited; pins made at aad6b856835a$/);
  });

  it('nothing changed: exit 0', async () => {
    const r = await cli(['cites', '--opensips', tree('original', ORIGINAL), '--pins', pinFile()]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').at(-2)).toBe('cites: 5 citations: 5 same, 0 moved, 0 changed');
  });

  it('a PR-commit citation is checked in a git checkout that has the commit, else not checked with the reason', async () => {
    const repo = tree('git', ORIGINAL, true);
    const head = spawnSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim().slice(0, 8);
    const parent = spawnSync('git', ['-C', repo, 'rev-parse', 'HEAD~1'], { encoding: 'utf8' }).stdout.trim().slice(0, 8);
    const pinAt = makePin(parse(ORIGINAL), { file: `dlg_x.c@${head}`, line: 13 }, `${head}:modules/dialog/dlg_x.c`);
    const missing = makePin(parse(ORIGINAL), { file: `dlg_x.c@${parent}`, line: 13 }, `${parent}:modules/dialog/dlg_x.c`);
    const pins = pinFile({ [`dlg_x.c@${head}:13`]: pinAt, [`dlg_x.c@${parent}:13`]: missing, 'dlg_x.c@0123abcd:13': missing });
    const r = await cli(['cites', '--opensips', repo, '--pins', pins]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`same         dlg_x.c@${head}:13  b--;`);
    expect(lines).toContain(`not checked  dlg_x.c@${parent}:13  (modules/dialog/dlg_x.c not found at ${parent})`);
    expect(lines).toContain('not checked  dlg_x.c@0123abcd:13  (the git checkout has no commit 0123abcd)');
    const r2 = await cli(['cites', '--opensips', tree('plain', ORIGINAL), '--pins', pins]);
    expect(r2.stdout.split('\n')).toContain(`not checked  dlg_x.c@${head}:13  (not a git checkout, so commit ${head} cannot be read)`);
    expect(r2.stdout.split('\n').at(-2)).toBe('cites: 8 citations: 5 same, 0 moved, 0 changed, 3 not checked');
  });

  it('usage errors: exit 2, one line', async () => {
    expect(await cli(['cites'])).toEqual({ code: 2, stdout: '', stderr: "error: required option '--opensips <dir>' not specified\n" });
    expect(await cli(['cites', '--opensips', join(scratch, 'nope')])).toEqual({ code: 2, stdout: '', stderr: `error: --opensips: no such directory '${join(scratch, 'nope')}'\n` });
    expect(await cli(['cites', '--opensips', scratch])).toEqual({ code: 2, stdout: '', stderr: `error: ${scratch} is not an OpenSIPS source tree: modules/dialog/dlg_timer.c not found\n` });
    const t = tree('with-timer', ORIGINAL);
    writeFileSync(join(t, 'modules/dialog/dlg_timer.c'), '');
    const bad = join(scratch, 'bad.json');
    writeFileSync(bad, '{');
    const r = await cli(['cites', '--opensips', t, '--pins', bad]);
    expect([r.code, r.stdout, r.stderr.split('\n').length, r.stderr.startsWith(`error: --pins: cannot read ${bad}: `)]).toEqual([2, '', 2, true]);
  });

  it('the model pins against a tree that lacks most files: changed (not found), exit 1, and the steps to re-read', async () => {
    const r = await cli(['cites', '--opensips', 'test/fixtures/standin-opensips']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('changed      dlg_handlers.c:2020');
    expect(lines).toContain('               now: modules/dialog/dlg_handlers.c not found in the tree');
    expect(lines).toContain('               re-read: W2:W4.H+, W2:W4.result, W:W4.H+, W:W4.result');
    // (The fixes' citations are checked against the tree's files, which are missing too, with the patch applied.)
    expect(lines.at(-2)).toBe('cites: 286 citations: 0 same, 3 moved, 236 changed, 47 not checked');
  });
});

describe('citations of fix variants (fixes/...)', () => {
  it('are pinned from and checked against a file of this project, whatever the tree; a missing one is not checked', () => {
    expect(sourceOf('fixes/fix-a/dlg_hash.c')).toEqual({ kind: 'project', path: 'fixes/fix-a/dlg_hash.c' });
    expect(sourceOf('dlg_hash.c@196b51fa')).toEqual({ kind: 'commit', commit: '196b51fa', path: 'modules/dialog/dlg_hash.c' });
    expect(sourceOf('dlg_hash.c')).toEqual({ kind: 'tree', path: 'modules/dialog/dlg_hash.c' });
    const project = join(scratch, 'project');
    mkdirSync(join(project, 'fixes/fix-a'), { recursive: true });
    writeFileSync(join(project, 'fixes/fix-a/dlg_x.c'), EDITED);
    const loc = { file: 'fixes/fix-a/dlg_x.c', line: 20 };
    const pins: PinFile = { note: '', base: '', pins: { [citeKey(loc)]: makePin(parse(ORIGINAL), loc, 'project:fixes/fix-a/dlg_x.c'), 'fixes/fix-b/dlg_x.c:4': makePin(parse(ORIGINAL), { file: 'x', line: 4 }, 'x') } };
    const r = checkPins(pins, { tree: scratch, project });
    expect(r.map((x) => [x.key, x.status, x.why ?? x.nowText])).toEqual([
      ['fixes/fix-a/dlg_x.c:20', 'changed', 'return c * 3;'],
      ['fixes/fix-b/dlg_x.c:4', 'not checked', 'fixes/fix-b/dlg_x.c is not in this checkout'],
    ]);
  });
});

describe('citations of a fix variant (file@fix-NAME)', () => {
  it('name the file after applying that fix\'s patch alone; checked against the tree with the patch applied there', () => {
    expect(sourceOf('dlg_timer.c@fix-route')).toEqual({ kind: 'fix', fix: 'fix-route', patch: FIX_PATCHES['fix-route'], path: 'modules/dialog/dlg_timer.c' });
    expect(() => sourceOf('dlg_timer.c@fix-nothing')).toThrow(/no fix named fix-nothing/);
    // A project whose fix-drop patch adds a line after line 3 of a small file of the tree.
    const project = join(scratch, 'fixproject');
    const tree = join(scratch, 'fixtree');
    mkdirSync(join(project, 'fixes'), { recursive: true });
    mkdirSync(join(tree, 'modules/dialog'), { recursive: true });
    const base = ['int a;', 'int b;', 'int c;', 'int d;', 'int e;', ''].join('\n');
    writeFileSync(join(tree, 'modules/dialog/dlg_y.c'), base);
    const patch = ['--- a/modules/dialog/dlg_y.c', '+++ b/modules/dialog/dlg_y.c', '@@ -2,3 +2,4 @@', ' int b;', ' int c;', '+int fixed;', ' int d;', ''].join('\n');
    writeFileSync(join(project, FIX_PATCHES['fix-drop']), patch);
    const patched = patchedText(base, 'modules/dialog/dlg_y.c', FIX_PATCHES['fix-drop'], project);
    expect(patched.text!.split('\n')[3]).toBe('int fixed;');
    expect(patchedText('int x;\n', 'modules/dialog/dlg_y.c', FIX_PATCHES['fix-drop'], project).why).toMatch(/does not apply to modules\/dialog\/dlg_y.c/);
    const loc = { file: 'dlg_y.c@fix-drop', line: 4 };
    const pins: PinFile = { note: '', base: '', pins: { [citeKey(loc)]: makePin(parse(patched.text!), loc, 'fix') } };
    expect(checkPins(pins, { tree, project }).map((x) => [x.key, x.status])).toEqual([['dlg_y.c@fix-drop:4', 'same']]);
    // The same citation against a tree whose file has two more lines on top: moved with the patch.
    writeFileSync(join(tree, 'modules/dialog/dlg_y.c'), `int y;\nint z;\n${base}`);
    expect(checkPins(pins, { tree, project }).map((x) => [x.key, x.status, x.now?.line])).toEqual([['dlg_y.c@fix-drop:4', 'moved', 6]]);
  });
});
