/**
 * A job process of the root-cause sweep (rootcause.ts, searchAll): runs each
 * search it is sent in this process and answers with the cell as plain data
 * (JSON: absent fields stay absent).
 */
import { exitWhenOrphaned } from './pool.js';
import { runSearch, type SearchRequest } from './rootcause.js';

// A search runs without yielding to the event loop: a dead parent is seen at its progress ticks.
const stopIfOrphaned = exitWhenOrphaned();

process.on('message', (m: { id?: string; request?: SearchRequest; done?: boolean }) => {
  if (m.done) {
    process.disconnect();
    return;
  }
  process.send!({ id: m.id, cell: runSearch(m.request!, stopIfOrphaned) });
});
