/** The commit of an OpenSIPS tree, for reports. */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** The tree's commit when the directory is the top of a git checkout (a directory inside another repository, such as a fixture of this one, is not). */
export function treeCommit(dir: string): string | undefined {
  const top = spawnSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  if (top.status !== 0 || realpathSync(top.stdout.trim()) !== realpathSync(dir)) return undefined;
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
