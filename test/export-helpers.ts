/** Shared set-up of the export tests: the counterexamples they print and parse. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { peterson } from '../spec/examples/peterson.js';
import { dialogModel } from '../spec/dialog/model.js';
import { stateView } from '../spec/dialog/view.js';
import { dialogConfig, loadManifest } from '../src/check/dialog.js';
import { explorable } from '../src/check/granularity.js';

export const petersonBuggy = () => peterson({ buggy: true });

/** The dialog cell ok-short-lifetime / fast-lock/sc / orig at its default granularity, and its state view. */
export function dialogCell() {
  const m = dialogModel(dialogConfig(loadManifest(), 'ok-short-lifetime', 'fast-lock/sc', 'orig'));
  return { model: explorable(m), project: (s: any) => stateView(m.names, s) };
}

/** Compares with test/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
