/**
 * Checks the patches under fixes/ against OpenSIPS trees that you provide
 * (nothing of OpenSIPS is part of this project):
 *
 *   npx tsx scripts/check-fixes.ts --tree DIR [--tree DIR2 ...] [--compile] [--posix-sem]
 *
 * DIR is an OpenSIPS work tree, e.g. `git -C CLONE archive aad6b856835a | tar -x -C DIR`.
 * For each tree:
 * - `git apply --check` of every patch alone;
 * - each patch set applied in order to a scratch copy of the tree: `fixed`
 *   (FIX_SETS.fixed: the patches of the `fixed` variant) and `alternatives`
 *   (01b, 02..06, 07a: the other designs, so that every patch is applied and
 *   compiled together with the others at least once);
 * - with --compile, `make modules modules=modules/dialog` in each scratch copy
 *   (and, with --posix-sem, once more for `fixed` with DEFS+= -DUSE_POSIX_SEM in
 *   Makefile.conf, which compiles lock_ops.h's USE_POSIX_SEM branch); the
 *   compiler's warnings on modules/dialog files are counted.
 * One line per check on stdout; exit 0 if all pass, 1 if one fails, 2 on bad
 * input (one line on stderr). Scratch copies go to a temporary directory that
 * is removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, appendFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { FIX_PATCHES, FIX_SETS, type FixName } from '../spec/dialog/variants.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const SETS: Readonly<Record<string, readonly FixName[]>> = {
  fixed: FIX_SETS.fixed,
  alternatives: ['fix-ref-locked', 'fix-route', 'fix-repl-del', 'fix-drop', 'fix-eintr', 'fix-bye', 'fix-db-winner'],
};

function usage(msg: string): never {
  process.stderr.write(`check-fixes: ${msg}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const trees: string[] = [];
let compile = false;
let posixSem = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--tree') {
    const d = args[++i];
    if (d === undefined) usage('--tree needs a directory');
    trees.push(resolve(d));
  } else if (a === '--compile') compile = true;
  else if (a === '--posix-sem') posixSem = true;
  else usage(`unknown argument '${a}' (usage: --tree DIR [--tree DIR ...] [--compile] [--posix-sem])`);
}
if (trees.length === 0) usage('give at least one --tree DIR (an OpenSIPS work tree)');
if (posixSem && !compile) usage('--posix-sem only makes sense with --compile');
for (const t of trees) {
  if (!existsSync(t) || !statSync(t).isDirectory()) usage(`${t}: not a directory`);
  if (!existsSync(join(t, 'modules/dialog/dlg_hash.c')) || !existsSync(join(t, 'lock_ops.h'))) usage(`${t}: not an OpenSIPS tree (no modules/dialog/dlg_hash.c or lock_ops.h)`);
}
const patches = readdirSync(join(ROOT, 'fixes')).filter((f) => f.endsWith('.patch')).sort();
for (const f of Object.values(FIX_PATCHES)) if (!patches.includes(basename(f))) usage(`${f} is missing`);

let failed = 0;
const report = (tree: string, what: string, ok: boolean, detail = '') => {
  if (!ok) failed++;
  process.stdout.write(`${basename(tree)}  ${what}  ${ok ? 'ok' : 'FAILED'}${detail ? `  ${detail}` : ''}\n`);
};
const run = (cmd: string, argv: string[], cwd: string) => spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });

const scratch = mkdtempSync(join(tmpdir(), 'check-fixes-'));
try {
  for (const tree of trees) {
    for (const p of patches) {
      const r = run('git', ['apply', '--check', join(ROOT, 'fixes', p)], tree);
      report(tree, `apply --check ${p}`, r.status === 0, r.status === 0 ? '' : r.stderr.trim().split('\n')[0]);
    }
    for (const [set, fixes] of Object.entries(SETS)) {
      const copy = join(scratch, `${basename(tree)}-${set}`);
      cpSync(tree, copy, { recursive: true });
      let applied = true;
      for (const f of fixes) {
        const r = run('git', ['apply', join(ROOT, FIX_PATCHES[f])], copy);
        if (r.status !== 0) {
          report(tree, `apply set ${set}: ${basename(FIX_PATCHES[f])}`, false, r.stderr.trim().split('\n')[0]);
          applied = false;
          break;
        }
      }
      if (applied) report(tree, `apply set ${set} (${fixes.join(' ')})`, true);
      if (!compile || !applied) continue;
      const builds = set === 'fixed' && posixSem ? ['default', 'posix-sem'] : ['default'];
      for (const b of builds) {
        if (b === 'posix-sem') {
          run('make', ['-s', 'clean'], copy);
          const conf = join(copy, 'Makefile.conf');
          if (!existsSync(conf)) copyFileSync(join(copy, 'Makefile.conf.template'), conf);
          appendFileSync(conf, '\nDEFS+= -DUSE_POSIX_SEM\n');
        }
        const r = run('make', ['modules', 'modules=modules/dialog'], copy);
        const out = `${r.stdout}\n${r.stderr}`;
        const warnings = out.split('\n').filter((l) => /modules\/dialog\/.*warning:|^dlg_\w+\.c:\d+:\d+: warning:|^dialog\.c:\d+:\d+: warning:/.test(l)).length;
        const built = r.status === 0 && existsSync(join(copy, 'modules/dialog/dialog.so'));
        report(tree, `compile set ${set} (${b} lock)`, built, `${warnings} warning(s) in modules/dialog${built ? '' : `; ${out.trim().split('\n').slice(-3).join(' | ')}`}`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`${failed === 0 ? 'all checks passed' : `${failed} check(s) failed`}\n`);
process.exit(failed === 0 ? 0 : 1);
