/**
 * The files the commands write (--proof, explore's --out, the exports): a
 * target is checked before anything runs, so that a name that cannot be
 * written is one line and exit 2, not an error after the run; and a file is
 * written whole or not at all, through a temporary file beside it that is
 * removed when the write or the rename fails.
 */
import { accessSync, constants, existsSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './check/registry.js';

/**
 * The absolute path of the file `flag` names, refused (UsageError) when it is
 * empty or ends in a path separator, when it is a directory, when it exists
 * and `force` is not given, or when its directory is missing, is not a
 * directory or is not writable. (An existing link is replaced by the file, as
 * `mv` would: its target is left as it is.)
 */
export function writableTarget(flag: string, file: string, force: boolean, what = 'file'): string {
  if (file === '') throw new UsageError(`${flag} expects the name of the ${what} to write, got an empty one`);
  if (file.endsWith('/') || file.endsWith(sep)) throw new UsageError(`${flag} ${file}: names a directory; give the name of the ${what} to write`);
  const target = resolve(file);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new UsageError(`${flag} ${file}: is a directory; give the name of the ${what} to write`);
    if (!force) throw new UsageError(`${flag} ${file}: the file exists; give --force to overwrite it`);
  }
  const dir = dirname(target);
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot write in ${dir} (${(e as Error).message})`);
  }
  return target;
}

/** Writes `text` to `file` whole or not at all: to a temporary name beside it, then renamed (the temporary file removed if either fails). */
export function writeAtomically(file: string | URL, text: string): void {
  const target = typeof file === 'string' ? file : fileURLToPath(file);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    throw e;
  }
}
