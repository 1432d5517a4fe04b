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

/** The PostgreSQL on this machine as `user` (default: PGUSER or postgres). */
export function connect(user = process.env.PGUSER ?? 'postgres', max = 2): Pool {
  return new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user,
    database: process.env.PGDATABASE ?? 'test',
    max,
  });
}

/**
 * Roles with random names (roles are cluster-wide), dropped by `drop()` with everything they own;
 * `as(role)` is a pool connected as one of them (they get LOGIN when created here).
 */
export function testRoles(...stems: string[]) {
  const suffix = randomBytes(4).toString('hex');
  const names = stems.map((s) => `auditkit_${s}_${suffix}`);
  const pools: Pool[] = [];
  return {
    names,
    as(role: string): Pool {
      const pool = connect(role);
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      const admin = connect();
      for (const role of names) {
        const { rows } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        if (rows.length === 0) continue;
        await admin.query(`DROP OWNED BY "${role}" CASCADE`);
        await admin.query(`DROP ROLE "${role}"`);
      }
      await admin.end();
    },
  };
}
