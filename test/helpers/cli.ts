/** Running the CLI in tests: in process through `main`, or spawned as a user runs it. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../../src/cli.js';
import type { Registry } from '../../src/check/registry.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Transcript {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** In process, through the same `main` (same bytes on stdout, same exit code). */
export async function inProcess(args: string[], registry?: Registry): Promise<Transcript> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
  };
  const code = await main(args, io, registry);
  return { code, stdout, stderr };
}

/** Spawns the CLI as `npx tsx src/cli.ts ARGS` from the repository, with stderr not a terminal. */
export function spawnCli(args: readonly string[], options: { cwd?: string } = {}): Promise<Transcript> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `${ROOT}src/cli.ts`, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
