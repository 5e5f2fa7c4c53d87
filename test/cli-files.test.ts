/**
 * src/cli-files.ts: a file is written whole or not at all (a failed write
 * leaves neither a temporary file nor a changed target), by path or by file
 * URL as the docs scripts give it; a target that cannot be written is refused
 * with one line naming the flag.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writableTarget, writeAtomically } from '../src/cli-files.js';
import { UsageError } from '../src/check/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAtomically', () => {
  it('writes by path and by file URL, replacing what was there, and leaves no temporary file', () => {
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'old');
    writeAtomically(file, 'by path');
    expect(readFileSync(file, 'utf8')).toBe('by path');
    writeAtomically(pathToFileURL(file), 'by URL');
    expect(readFileSync(file, 'utf8')).toBe('by URL');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('a rename that fails (the target is a directory) throws and removes its temporary file', () => {
    const sub = join(dir, 'sub');
    mkdirSync(join(sub, 'target'), { recursive: true });
    expect(() => writeAtomically(join(sub, 'target'), 'text')).toThrow(/EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    expect(readdirSync(sub)).toEqual(['target']);
  });
});

describe('writableTarget', () => {
  const refused = (file: string, force = false): string => {
    try {
      writableTarget('--out', file, force);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error(`accepted ${file}`);
  };

  it('accepts a new file in a writable folder, and an existing one with force', () => {
    expect(writableTarget('--out', join(dir, 'new.txt'), false)).toBe(join(dir, 'new.txt'));
    writeFileSync(join(dir, 'there.txt'), 'x');
    expect(writableTarget('--out', join(dir, 'there.txt'), true)).toBe(join(dir, 'there.txt'));
  });

  it('refuses, with one line naming the flag: an empty name, a name ending in a separator, a directory, an existing file without force, a missing folder', () => {
    expect(refused('')).toBe('--out expects the name of the file to write, got an empty one');
    expect(refused(`${dir}/`)).toBe(`--out ${dir}/: names a directory; give the name of the file to write`);
    expect(refused(dir, true)).toBe(`--out ${dir}: is a directory; give the name of the file to write`);
    expect(refused(join(dir, 'there.txt'))).toBe(`--out ${join(dir, 'there.txt')}: the file exists; give --force to overwrite it`);
    expect(refused(join(dir, 'no', 'b.txt'))).toMatch(/^--out .*no\/b\.txt: cannot write in .*\/no \(ENOENT/);
  });

});
