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

/**
 * Progress of several runs (or one) as they are explored, in this process or
 * in job processes (--jobs): each progress report of a run, and a line when a
 * run completes (`[k/N] id: status, states`). On a terminal one line is
 * rewritten in place (and erased at the end); elsewhere each report is a line.
 */
export interface RunsProgress {
  progress(label: string, p: Progress): void;
  finished(label: string, text: string): void;
  /** Erases the live line on a terminal. */
  done(): void;
}

export function runsProgress(sink: ProgressSink, enabled: boolean, total: number): RunsProgress {
  if (!enabled) return { progress: () => {}, finished: () => {}, done: () => {} };
  const tty = sink.isTTY === true;
  let finished = 0;
  let shown = false;
  const show = (line: string) => {
    if (tty) {
      sink.write(`\r${line}\x1b[K`);
      shown = true;
    } else sink.write(`${line}\n`);
  };
  return {
    progress: (label, p) => show(formatProgress(label, p)),
    finished: (label, text) => {
      finished += 1;
      show(`[${finished}/${total}] ${label}: ${text}`);
    },
    done: () => {
      if (tty && shown) sink.write('\r\x1b[K');
      shown = false;
    },
  };
}
