/**
 * A progress line on stderr for long runs, fed by the engine's `onProgress`
 * callback. On a terminal the line is rewritten in place and erased when the
 * run ends; elsewhere (when forced with --progress) each report is its own line.
 * Progress never goes to stdout, so it cannot disturb the deterministic report.
 */
import type { Progress } from '../engine/index.js';

export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressPrinter {
  /** Pass as `CheckOptions.onProgress`. */
  readonly onProgress: ((p: Progress) => void) | undefined;
  /** Ends the current run's line (erases it on a terminal). */
  done(): void;
}

/** Whether to show progress: as asked (--progress / --no-progress), else only on a terminal. */
export const progressWanted = (asked: boolean | undefined, sink: ProgressSink): boolean => asked ?? sink.isTTY === true;

const group = (n: number): string => Math.round(n).toLocaleString('en-US');

export function formatProgress(label: string, p: Progress): string {
  return (
    `${label}: ${group(p.states)} states, depth ${p.depth}, queue ${group(p.queue)}, ` +
    `${group(p.statesPerSecond)} states/s, ${(p.elapsedMs / 1000).toFixed(1)} s`
  );
}

export function progressPrinter(label: string, sink: ProgressSink, enabled: boolean): ProgressPrinter {
  if (!enabled) return { onProgress: undefined, done: () => {} };
  const tty = sink.isTTY === true;
  let shown = false;
  return {
    onProgress: (p) => {
      const line = formatProgress(label, p);
      if (tty) sink.write(`\r${line}\x1b[K`);
      else sink.write(`${line}\n`);
      shown = true;
    },
    done: () => {
      if (tty && shown) sink.write('\r\x1b[K');
      shown = false;
    },
  };
}
