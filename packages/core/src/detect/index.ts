export { compileFilter, type EventPredicate } from './filter';
export {
  type MemoryDetectionStore,
  type MemoryDetectionStoreOptions,
  memoryDetectionStore,
} from './memory-store';
export * from './rules';
export { ANOMALY_TYPE } from './rules/support';
export type * from './types';
export { SAMPLE_LIMIT } from './types';
