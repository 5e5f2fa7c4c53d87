// The entry of a worker thread of parallel.ts: worker threads do not inherit tsx's
// module hooks, so register them here, then load the TypeScript worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
