export { type SetupRolesOptions, type SetupRolesResult, setupRoles } from './roles';
export type { PartitionLayout } from './schema';
export { type PostgresStoreHealth, type PostgresStoreOptions, postgresStore } from './store';
