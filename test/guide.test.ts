/**
 * docs/write-your-own-model.md: every `console` block is a command (`$ npx
 * dialog-race-checker ARGS`), its exact output, and its exit status (`$ echo
 * $?`). Each is run here as a user runs it (the CLI spawned from the
 * repository, where `npx tsx src/cli.ts` is the same command) and must print
 * exactly what the guide shows. The guide's model is examples/refcount.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from './helpers/cli.js';

const guide = readFileSync(join(ROOT, 'docs/write-your-own-model.md'), 'utf8');

interface Example {
  readonly args: string[];
  readonly stdout: string;
  readonly code: number;
}

function examples(text: string): Example[] {
  return [...text.matchAll(/```console\n([\s\S]*?)```/g)].map(([, block]) => {
    const lines = block.split('\n');
    const command = /^\$ npx dialog-race-checker (.*)$/.exec(lines[0]);
    if (command === null) throw new Error(`a console block of the guide does not start with "$ npx dialog-race-checker": ${lines[0]}`);
    const echo = lines.indexOf('$ echo $?');
    if (echo < 0) throw new Error(`the block of "${lines[0]}" has no "$ echo $?"`);
    return { args: command[1].split(/\s+/), stdout: lines.slice(1, echo).join('\n') + '\n', code: Number(lines[echo + 1]) };
  });
}

describe('docs/write-your-own-model.md', () => {
  const all = examples(guide);

  it('has the three runs of the guide: the counterexample, declared, and the fix', () => {
    expect(all.map((e) => e.code)).toEqual([1, 0, 0]);
  });

  it.each(all.map((e) => [e.args.join(' '), e] as const))('%s', async (_name, e) => {
    const t = await spawnCli(e.args);
    expect(t.stderr).toBe('');
    expect(t.stdout).toBe(e.stdout);
    expect(t.code).toBe(e.code);
  });
});
