/**
 * `cites --opensips DIR [--pins FILE]`: checks every pinned citation of the
 * dialog model (spec/dialog/citations.json) against an OpenSIPS tree: same,
 * moved (with the new line), changed (old and new text, and the steps to
 * re-read) or not checked (with the reason), then a summary. Citations the
 * model makes that have no pin are reported as unpinned. Exit 0 when nothing
 * changed, 1 when a citation changed or is unpinned, 2 on a usage error.
 * With --pins FILE, only the pins of FILE are checked (no model citations).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from './check/registry.js';
import { dialogDir, ConformError } from './conform/build.js';
import { checkPins, modelCitations, readPins, renderCites, PINS_PATH, type CiteResult, type PinFile } from './conform/cites.js';
import { treeCommit } from './conform/tree.js';

export interface CitesIo {
  stdout(s: string): void;
}

export function addCitesCommand(program: Command, io: CitesIo, setExit: (code: number) => void): Command {
  return program
    .command('cites')
    .description("check the model's pinned C citations against an OpenSIPS tree: same, moved, changed")
    .requiredOption('--opensips <dir>', 'an OpenSIPS source tree (the directory that holds modules/dialog)')
    .option('--pins <file>', 'check the pins of this file instead of the model\'s (default spec/dialog/citations.json)')
    .action((flags: { opensips: string; pins?: string }) => {
      if (!existsSync(flags.opensips)) throw new UsageError(`--opensips: no such directory '${flags.opensips}'`);
      try {
        dialogDir(flags.opensips);
      } catch (e) {
        if (e instanceof ConformError) throw new UsageError(e.message);
        throw e;
      }
      const path = flags.pins ?? PINS_PATH;
      let pins: PinFile;
      try {
        pins = readPins(path);
        if (typeof pins.pins !== 'object' || pins.pins === null) throw new Error('no "pins" object');
      } catch (e) {
        throw new UsageError(`--pins: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const results: CiteResult[] = checkPins(pins, { tree: flags.opensips });
      const cited = flags.pins === undefined ? modelCitations() : undefined;
      if (cited) {
        for (const key of [...cited.keys()].sort()) if (!(key in pins.pins)) results.push({ key, status: 'unpinned' });
      }
      const commit = treeCommit(flags.opensips);
      io.stdout(`cites: OpenSIPS tree ${flags.opensips}${commit ? ` (git ${commit})` : ''}; pins made at ${pins.base.slice(0, 12)}\n`);
      io.stdout(renderCites(results, cited && new Map([...cited].map(([k, v]) => [k, v.steps]))));
      setExit(results.some((r) => r.status === 'changed' || r.status === 'unpinned') ? 1 : 0);
    });
}
