/**
 * A job process of the root-cause sweep (rootcause.ts, searchAll): runs each
 * search it is sent in this process and answers with the cell as plain data
 * (JSON: absent fields stay absent).
 */
import { runSearch, type SearchRequest } from './rootcause.js';

/**
 * The sweep's process that forked this one. A search runs without yielding to the event loop, so a parent
 * that died is seen only at a progress tick (every second): a job left alone stops then instead of searching on.
 */
const parent = process.ppid;
const stopIfOrphaned = (): void => {
  if (process.ppid !== parent) process.exit(1);
};

process.on('message', (m: { id?: string; request?: SearchRequest; done?: boolean }) => {
  if (m.done) {
    process.disconnect();
    return;
  }
  process.send!({ id: m.id, cell: runSearch(m.request!, stopIfOrphaned) });
});
