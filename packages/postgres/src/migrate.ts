/** Creating and upgrading the schema, and storing the retention policy: the owner's work. */
import { type RetentionPolicy, retentionCutoffs } from '@auditkit/core/store';
import type { ClientBase } from 'pg';
import { type PartitionLayout, schemaSql, setRetentionFunction } from './schema';

/** A pool or one client: both can run the migration. */
export type Queryable = Pick<ClientBase, 'query'>;

/** Refuses a table whose layout differs from the option: an existing table is never converted. */
async function checkLayout(
  db: Queryable,
  schema: string,
  table: string,
  layout: PartitionLayout,
): Promise<void> {
  const { rows } = await db.query<{ relkind: string }>(
    `SELECT c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  const kind = rows[0]?.relkind;
  if (kind === undefined) return;
  if (layout === 'monthly' && kind !== 'p')
    throw new Error(
      `postgresStore: ${schema}.${table} exists and is not partitioned; partition: 'monthly' does not convert a table (see the README, "Monthly partitions")`,
    );
  if (layout === 'none' && kind === 'p')
    throw new Error(`postgresStore: ${schema}.${table} is partitioned; pass partition: 'monthly'`);
}

/** A retention policy as the JSON the database function takes; a bad period is a RangeError. */
export function policyJson(policy: RetentionPolicy): string {
  retentionCutoffs(policy); // validates every period
  const { default: days, categories } = policy;
  return JSON.stringify({ categories: categories ?? {}, ...(days === undefined ? {} : { default: days }) });
}

/**
 * Table, indexes, triggers and functions (idempotent); with `retention`, the stored policy is
 * replaced by it. Run by the role that is to own the table.
 */
export async function migrateSchema(
  db: Queryable,
  schema: string,
  table: string,
  layout: PartitionLayout,
  retention?: RetentionPolicy,
): Promise<void> {
  const json = retention === undefined ? undefined : policyJson(retention);
  await checkLayout(db, schema, table, layout);
  await db.query(schemaSql(schema, table, layout));
  if (json !== undefined) await db.query(`SELECT ${setRetentionFunction(schema, table)}($1::jsonb)`, [json]);
}
