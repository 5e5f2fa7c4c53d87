/**
 * `rootcause`: searches the dialog model for shortest traces that end in the
 * crash line of OpenSIPS issue #3835 ('_unref_dlg: bogus ref -2 with cnt 1'), across the
 * scenarios and the environments of check-manifest.json, and says which
 * environment features the line needs. Exit 0 when every search finished or
 * hit its bound (the report says which: the sweep's findings are not a
 * declaration to compare with, so no search makes it exit 1), 2 on a usage
 * error.
 */
import type { Command } from 'commander';
import { SCENARIOS } from '../spec/dialog/scenarios.js';
import { VARIANT_NAMES, type VariantName } from '../spec/dialog/variants.js';
import { loadManifest } from './check/dialog.js';
import { UsageError } from './check/registry.js';
import { collect, jobProcesses, positiveInt, positiveSeconds, WORKERS_PER_CORE } from './cli-args.js';
import { searchAll, sweepRequests } from './check/rootcause.js';
import { toPlain } from './format/plain.js';
import { renderRootCause, SIGNATURE } from './report/rootcause.js';

export interface RootCauseIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

interface Flags {
  scenario?: string[];
  env?: string[];
  variant?: string;
  timeLimit?: string;
  maxStates?: string;
  jobs?: string;
  json?: boolean;
  markdown?: boolean;
}


export function addRootCauseCommand(program: Command, io: RootCauseIo, setExit: (code: number) => void): Command {
  return program
    .command('rootcause')
    .description(`search every scenario and environment for shortest traces ending in issue #3835's '${SIGNATURE}', or in any 'bogus ref'`)
    .option('--scenario <name>', 'only this scenario (repeatable)', collect)
    .option('--env <name>', 'only this environment of check-manifest.json (repeatable)', collect)
    .option('--variant <name>', 'the code variant (default: orig)')
    .option('--time-limit <seconds>', 'stop each search after this long (default: 60)')
    .option('--max-states <n>', 'stop each search after this many states')
    .option('--jobs <n>', `run the searches in n processes (default: 2 on a machine with 2 or more cores; at most ${WORKERS_PER_CORE} per core), each with its share of the memory bound`)
    .option('--json', 'print the searches as JSON')
    .option('--markdown', 'print the report as Markdown (as in docs/root-cause.md)')
    .action(async (flags: Flags) => {
      const manifest = loadManifest();
      const known = SCENARIOS.map((s) => s.name);
      for (const s of flags.scenario ?? []) if (!known.includes(s)) throw new UsageError(`unknown scenario '${s}'; expected one of: ${known.join(', ')}`);
      const envNames = Object.keys(manifest.environments);
      for (const e of flags.env ?? []) if (!envNames.includes(e)) throw new UsageError(`unknown environment '${e}'; expected one of: ${envNames.join(', ')}`);
      const variant = (flags.variant ?? 'orig') as VariantName;
      if (!VARIANT_NAMES.includes(variant)) throw new UsageError(`unknown variant '${flags.variant}'; expected one of: ${VARIANT_NAMES.join(', ')}`);
      if (flags.json && flags.markdown) throw new UsageError('--json and --markdown are two forms of the report; give one');
      const timeLimit = positiveSeconds('--time-limit', flags.timeLimit) ?? 60;
      const maxStates = positiveInt('--max-states', flags.maxStates);
      const environments = Object.fromEntries(Object.entries(manifest.environments).filter(([n]) => flags.env === undefined || flags.env.includes(n)));
      const jobs = jobProcesses(flags.jobs);
      const requests = sweepRequests({ scenarios: flags.scenario ?? known, environments, variant, timeLimitMs: timeLimit * 1000, ...(maxStates !== undefined ? { maxStates } : {}) });
      const cells = await searchAll(requests, { jobs, onCell: (c) => io.stderr(`${c.scenario} ${c.env}: ${c.status} (${c.states} states)\n`) });
      if (flags.json) io.stdout(JSON.stringify(toPlain(cells), null, 2) + '\n');
      else io.stdout(renderRootCause(cells, environments, flags.markdown === true));
      setExit(0);
    });
}
