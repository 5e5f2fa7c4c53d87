/**
 * `replay <file...>`: replays hypothesised traces against the dialog model,
 * for the code as written and under the PR's assumed semantics (or one of the
 * two with --code-only / --assumed-only). Exit 0 when every file replayed
 * (whatever the verdicts), 2 when a file is missing or malformed.
 */
import type { Command } from 'commander';
import { ASSUMPTIONS } from '../spec/dialog/state.js';
import { TraceFileError, readTraceFile, replay, type ReplayResult } from './check/replay.js';
import { UsageError } from './check/registry.js';
import { toPlain } from './format/plain.js';
import { renderReplay } from './report/replay.js';

export interface ReplayIo {
  stdout(s: string): void;
}

export function addReplayCommand(program: Command, io: ReplayIo, setExit: (code: number) => void): Command {
  return program
    .command('replay')
    .description('replay hypothesised traces (JSON, see traces/) against the dialog model: as written and under the PR assumptions')
    .argument('<file...>', 'trace files')
    .option('--code-only', 'only the code as written')
    .option('--assumed-only', `only under the PR's assumed semantics (${ASSUMPTIONS.join(', ')})`)
    .option('--json', 'print the replays as JSON')
    .action((files: string[], flags: { codeOnly?: boolean; assumedOnly?: boolean; json?: boolean }) => {
      if (flags.codeOnly && flags.assumedOnly) throw new UsageError('--code-only and --assumed-only exclude each other');
      const results: { file: string; label: string; result: ReplayResult }[] = [];
      for (const file of files) {
        let trace;
        try {
          trace = readTraceFile(file);
        } catch (e) {
          if (e instanceof TraceFileError) throw new UsageError(e.message);
          throw e;
        }
        if (!flags.assumedOnly) results.push({ file, label: 'code as written', result: replay(trace) });
        if (!flags.codeOnly) {
          const assumed = { ...trace, env: { ...trace.env, assume: [...ASSUMPTIONS] } };
          results.push({ file, label: "PR's assumed semantics", result: replay(assumed) });
        }
      }
      if (flags.json) {
        io.stdout(JSON.stringify(toPlain(results.map(({ file, label, result }) => ({ file, semantics: label, ...result }))), null, 2) + '\n');
      } else {
        io.stdout(results.map(({ label, result }) => renderReplay(result, label)).join('\n\n') + '\n');
      }
      setExit(0);
    });
}
