/**
 * A child process of compareRows (packed-rows.ts): for each row it is sent
 * (`{ id }`, the row's name), replies with the row's mismatches; leaves on
 * `{ done: true }`.
 */
import { defaultRows, rowMismatches } from './packed-rows.js';

const rows = defaultRows();
process.on('message', (m: { id?: string; done?: boolean }) => {
  if (m.done) process.exit(0);
  const runs = rows.get(m.id!);
  const mismatches = runs === undefined ? [`no default-tier row named ${m.id}`] : rowMismatches(runs);
  process.send!({ id: m.id, mismatches });
});
