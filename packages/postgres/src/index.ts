export type { PartitionLayout } from './schema';
export { type PostgresStoreOptions, postgresStore } from './store';
