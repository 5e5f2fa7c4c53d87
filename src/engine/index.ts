/** The engine's public surface. Specs import only `model.ts`; tools import from here. */
export * from './model.js';
export * from './errors.js';
export * from './outcome.js';
export { check, errorOutcome, validateModel, defaultMemoryLimit, overMemory, CoverageCounter, type CheckOptions } from './explore.js';
export { rebuildTrace } from './trace.js';
export { KeyedSpace, PackedSpace, WideSpace, spaceFor, type Space, type TraceStore } from './store.js';
export { ChunkedFloat64, ChunkedInt32, PackedTable, StringTable, WideTable, WordStore, hashPacked, hashString, hashWords, MAX_PACKED } from './table.js';
export { mergeSections, type MergedAction, type MergeOptions } from './fuse.js';
export { checkParallel, ParallelError, type ModelRef } from './parallel.js';
export { ModelError, MutatedInputError, type ModelPart } from './guard.js';
