/**
 * A child process of compareRows (packed-rows.ts): for each row it is sent
 * (`{ id }`, the row's name), replies with the row's mismatches; leaves on
 * `{ done: true }`. An error in a row is that row's mismatch.
 */
import { defaultRows, rowMismatches } from './packed-rows.js';

const rows = defaultRows();
process.on('message', (m: { id?: string; done?: boolean }) => {
  if (m.done) process.exit(0);
  const runs = rows.get(m.id!);
  let mismatches: string[];
  try {
    mismatches = runs === undefined ? [`no default-tier row named ${m.id}`] : rowMismatches(runs);
  } catch (e) {
    // The row's test fails with what was thrown; the other rows still report.
    mismatches = [`threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`];
  }
  process.send!({ id: m.id, mismatches });
});
