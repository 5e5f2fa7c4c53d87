/**
 * Pins the text of every C line the dialog model cites, into
 * spec/dialog/citations.json (see src/conform/cites.ts for what a pin holds).
 * Run it when a model step cites a new line (test/cites.test.ts fails until the
 * line is pinned), after reading that line: the pin records what the step was
 * written against.
 *
 *   npx tsx scripts/pin-cites.ts --opensips REPO [--opensips REPO2 ...] [--dry-run]
 *
 * REPO: git repositories (checkouts or bare clones) that together hold OpenSIPS
 * commit aad6b856835a (plain file names) and the PR commits that file names
 * like dlg_hash.c@196b51fa carry (NormB/opensips). Citations of fixes/... are
 * pinned from this project's own files; those of a fix variant (dlg_hash.c@fix-NAME)
 * from the file at aad6b856835a with that fix's patch (fixes/NN-*.patch) applied. A citation whose file or commit cannot
 * be read is one line on stderr, exit 2, and nothing is written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_COMMIT, PINS_PATH, PROJECT_ROOT, compareKeys, gitShow, makePin, modelCitations, parse, patchedText, sourceOf, type Parsed, type Pin, type PinFile } from '../src/conform/cites.js';
import { writeAtomically } from '../src/cli-files.js';

const repos = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--opensips' ? [a] : []));
const dryRun = process.argv.includes('--dry-run');
if (repos.length === 0) {
  process.stderr.write('error: give at least one --opensips REPO (a git repository holding aad6b856835a)\n');
  process.exit(2);
}

const files = new Map<string, Parsed>();
function fileText(file: string): { parsed: Parsed; from: string } {
  const s = sourceOf(file);
  if (s.kind === 'project') {
    const p = join(PROJECT_ROOT, s.path);
    if (!existsSync(p)) throw new Error(`${file}: not in this checkout`);
    const from = `project:${s.path}`;
    if (!files.has(from)) files.set(from, parse(readFileSync(p, 'utf8')));
    return { parsed: files.get(from)!, from };
  }
  const commit = s.kind === 'commit' ? s.commit : BASE_COMMIT;
  const from = s.kind === 'fix' ? `${BASE_COMMIT.slice(0, 12)}+${s.patch}:${s.path}` : `${commit.slice(0, 12)}:${s.path}`;
  if (!files.has(from)) {
    const why: string[] = [];
    for (const repo of repos) {
      const g = gitShow(repo, commit, s.path);
      if (g.text !== undefined) {
        if (s.kind === 'fix') {
          const p = patchedText(g.text, s.path, s.patch);
          if (p.text === undefined) throw new Error(`${file}: ${p.why}`);
          files.set(from, parse(p.text));
        } else files.set(from, parse(g.text));
        break;
      }
      why.push(`${repo}: ${g.why}`);
    }
    if (!files.has(from)) throw new Error(`${file}: ${why.join('; ')}`);
  }
  return { parsed: files.get(from)!, from };
}

const cites = modelCitations();
const pins: Record<string, Pin> = {};
try {
  for (const key of [...cites.keys()].sort(compareKeys)) {
    const { loc } = cites.get(key)!;
    const { parsed, from } = fileText(loc.file);
    pins[key] = makePin(parsed, loc, from);
  }
} catch (e) {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
const out: PinFile = {
  note: 'Made by scripts/pin-cites.ts: the text each C citation of the model stood for when pinned. Checked by npm run check -- cites --opensips DIR.',
  base: BASE_COMMIT,
  pins,
};
const text = JSON.stringify(out, null, 1) + '\n';
if (dryRun) process.stdout.write(text);
else writeAtomically(PINS_PATH, text);
process.stderr.write(`${Object.keys(pins).length} citations pinned${dryRun ? ' (dry run)' : ` in ${PINS_PATH.slice(PROJECT_ROOT.length)}`}\n`);
