/** The engine's public surface. Specs import only `model.ts`; tools import from here. */
export * from './model.js';
export * from './errors.js';
export * from './outcome.js';
export { check, errorOutcome, validateModel, type CheckOptions } from './explore.js';
export { rebuildTrace } from './trace.js';
export { StateStore } from './store.js';
export { mergeSections, type MergedAction } from './fuse.js';
