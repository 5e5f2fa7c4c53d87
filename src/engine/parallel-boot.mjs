// The entry of a worker thread of parallel.ts: worker threads do not inherit tsx's
// module hooks, so register them here, then load the TypeScript worker.
// (Both of its hooks, as `npx tsx` does: a model module of the user's may be CommonJS.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
await import(workerData.entry);
