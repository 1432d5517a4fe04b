import { randomBytes } from 'node:crypto';
import { type AuditStore, createAuditLogger } from '@auditkit/core';
import { type PartitionLayout, type PostgresStoreOptions, postgresStore } from '@auditkit/postgres';
import { Pool } from 'pg';

/**
 * The PostgreSQL on this machine (127.0.0.1:5432, database `test`; PGHOST, PGUSER, PGDATABASE
 * override), with a schema of its own per test file, dropped afterwards.
 */
export function testDatabase() {
  const pool = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    max: 4,
  });
  const schema = `auditkit_test_${randomBytes(4).toString('hex')}`;
  return {
    pool,
    schema,
    store: (
      table = 'audit_events',
      partition: PartitionLayout = 'none',
      options?: Omit<PostgresStoreOptions, 'pool' | 'schema' | 'table' | 'partition'>,
    ) => postgresStore({ ...options, pool, schema, table, partition }),
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Events through the real pipeline (sealed) into `store`. */
export async function logInto(
  store: AuditStore,
  inputs: Array<Parameters<ReturnType<typeof createAuditLogger>['log']>[0]>,
) {
  const logger = createAuditLogger({
    service: 'billing',
    instance: 'b-1',
    flushOnExit: false,
    sinks: [store],
  });
  const ids = inputs.map((i) => logger.log(i)!);
  await logger.close();
  return { ids, stats: logger.stats() };
}
