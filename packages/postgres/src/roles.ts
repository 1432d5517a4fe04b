/**
 * The documented setup: an owner role that owns the trail and migrates it, and an application
 * role that can only insert and read. Idempotent; says what it did.
 */
import type { RetentionPolicy } from '@auditkit/core/store';
import type { Pool, PoolClient } from 'pg';
import { migrateSchema } from './migrate';
import { monthlyPartitions } from './partitions';
import { trailRisks } from './privileges';
import { ident, type PartitionLayout, retentionPolicyTable } from './schema';

export interface SetupRolesOptions {
  /** A connection as a role that may create roles and act as the owner (a superuser, or CREATEROLE and a member of the owner). Required. */
  pool: Pool;
  /** The role that owns the table and its functions; created NOLOGIN when missing. Required. */
  owner: string;
  /** The role the application connects as; created LOGIN (without a password) when missing. Required. */
  app: string;
  /** Schema of the table. Default `public`. */
  schema?: string;
  /** Table name. Default `audit_events`. */
  table?: string;
  /** As the store's `partition` option. Default `none`. */
  partition?: PartitionLayout;
  /** Replaces the stored retention policy. Default: the stored policy is left as it is. */
  retention?: RetentionPolicy;
}

export interface SetupRolesResult {
  /** What was done or found, one sentence each, in order. */
  actions: string[];
  /** What the application role could still do beyond inserting and reading; empty when the setup holds. */
  risks: string[];
}

/** The functions migrate creates, so an earlier owner's can be handed over. */
const FUNCTIONS = [
  'append_only',
  'no_truncate_fn',
  'apply_retention',
  'set_retention',
  'add_partition',
  'drop_partitions',
];

async function roleExists(db: PoolClient, role: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [role]);
  return rows.length > 0;
}

/** Creates `owner` and `app` as needed, hands the trail to `owner`, and grants `app` insert and read only. */
export async function setupRoles(options: SetupRolesOptions): Promise<SetupRolesResult> {
  const schema = options.schema ?? 'public';
  const table = options.table ?? 'audit_events';
  const layout = options.partition ?? 'none';
  const [owner, app, s] = [ident(options.owner), ident(options.app), ident(schema)];
  const t = `${s}.${ident(table)}`;
  if (layout !== 'none' && layout !== 'monthly')
    throw new TypeError(`setupRoles: \`partition\` must be 'none' or 'monthly', not ${String(layout)}`);
  if (options.owner === options.app)
    throw new TypeError('setupRoles: `owner` and `app` must be different roles');
  const actions: string[] = [];
  const db = await options.pool.connect();
  try {
    await db.query('BEGIN');
    if (await roleExists(db, options.owner)) actions.push(`role ${owner} exists`);
    else {
      await db.query(`CREATE ROLE ${owner} NOLOGIN`);
      actions.push(`created role ${owner} (NOLOGIN: it owns the trail; nobody connects as it)`);
    }
    if (await roleExists(db, options.app)) actions.push(`role ${app} exists`);
    else {
      await db.query(`CREATE ROLE ${app} LOGIN`);
      actions.push(`created role ${app} (LOGIN, no password yet: ALTER ROLE ${app} PASSWORD '...')`);
    }
    const { rows: appRole } = await db.query<{ rolsuper: boolean; member: boolean }>(
      `SELECT rolsuper, pg_has_role(oid, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2), 'MEMBER') AS member
         FROM pg_catalog.pg_roles WHERE rolname = $1`,
      [options.app, options.owner],
    );
    if (appRole[0]!.rolsuper)
      throw new Error(`setupRoles: role ${app} is a superuser; the application needs a role of its own`);
    if (appRole[0]!.member) {
      await db.query(`REVOKE ${owner} FROM ${app}`);
      actions.push(`revoked membership of ${app} in ${owner}`);
    }
    await handOver(db, schema, table, options.owner, options.app, actions);
    await db.query(`SET ROLE ${owner}`);
    await migrateSchema(db, schema, table, layout, options.retention);
    if (layout === 'monthly') await monthlyPartitions(db, schema, table).ahead();
    await db.query('RESET ROLE');
    actions.push(
      `migrated ${t} as ${owner}${options.retention ? `; stored retention policy ${JSON.stringify(options.retention)}` : ''}`,
    );
    await grantApp(db, schema, table, layout, options.app, actions);
    const risks = await trailRisks(db, schema, table, options.app);
    await db.query('COMMIT');
    return { actions, risks };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
}

/** The schema and everything migrate made so far belong to `owner`, whoever created them. */
async function handOver(
  db: PoolClient,
  schema: string,
  table: string,
  owner: string,
  app: string,
  actions: string[],
): Promise<void> {
  const s = ident(schema);
  const { rows: ns } = await db.query<{ owner: string; app: boolean; create: boolean }>(
    `SELECT pg_get_userbyid(nspowner) AS owner, pg_has_role($2, nspowner, 'MEMBER') AS app,
            has_schema_privilege($3, oid, 'USAGE') AND has_schema_privilege($3, oid, 'CREATE') AS create
       FROM pg_catalog.pg_namespace WHERE nspname = $1`,
    [schema, app, owner],
  );
  if (!ns[0]) {
    await db.query(`CREATE SCHEMA ${s} AUTHORIZATION ${ident(owner)}`);
    actions.push(`created schema ${s} owned by ${ident(owner)}`);
  } else if (ns[0].owner !== owner && ns[0].app && schema !== 'public') {
    // A schema's owner can drop every table in it.
    await db.query(`ALTER SCHEMA ${s} OWNER TO ${ident(owner)}`);
    actions.push(`schema ${s}: owner was ${ident(ns[0].owner)}, now ${ident(owner)}`);
  } else if (!ns[0].create) {
    await db.query(`GRANT USAGE, CREATE ON SCHEMA ${s} TO ${ident(owner)}`);
    actions.push(`schema ${s} (owned by ${ident(ns[0].owner)}): granted ${ident(owner)} USAGE, CREATE`);
  }
  const { rows: objects } = await db.query<{ kind: string; name: string; owner: string }>(
    `SELECT 'TABLE' AS kind, format('%I.%I', n.nspname, c.relname) AS name, pg_get_userbyid(c.relowner) AS owner
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
        AND (c.relname = $2 OR c.relname = $2 || '_retention' OR c.oid IN (
          SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
           WHERE p.relnamespace = n.oid AND p.relname = $2))
     UNION ALL
     SELECT 'FUNCTION', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
            pg_get_userbyid(p.proowner)
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND p.proname = ANY ($3)
     ORDER BY 1 DESC, 2`,
    [schema, table, FUNCTIONS.map((f) => `${table}_${f}`)],
  );
  for (const o of objects.filter((o) => o.owner !== owner)) {
    await db.query(`ALTER ${o.kind} ${o.name} OWNER TO ${ident(owner)}`);
    actions.push(`${o.name}: owner was ${ident(o.owner)}, now ${ident(owner)}`);
  }
}

/** `app` may use the schema, insert and read, and call the functions it needs; nothing else. */
async function grantApp(
  db: PoolClient,
  schema: string,
  table: string,
  layout: PartitionLayout,
  app: string,
  actions: string[],
): Promise<void> {
  const s = ident(schema);
  const t = `${s}.${ident(table)}`;
  const a = ident(app);
  const fn = (name: string) => `${s}.${ident(`${table}_${name}`)}`;
  const { rows: held } = await db.query<{ name: string; privilege: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, p AS privilege
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
            unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND has_table_privilege($3, c.oid, p)
        AND NOT (c.relname = $2 AND p = 'INSERT')
        AND (c.relname = $2 OR c.relname = $2 || '_retention' OR c.oid IN (
          SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class q ON q.oid = i.inhparent
           WHERE q.relnamespace = n.oid AND q.relname = $2))
      ORDER BY 1, 2`,
    [schema, table, app],
  );
  const byTable = new Map<string, string[]>();
  for (const h of held) byTable.set(h.name, [...(byTable.get(h.name) ?? []), h.privilege]);
  for (const [name, privileges] of byTable) {
    await db.query(`REVOKE ${privileges.join(', ')} ON ${name} FROM ${a}`);
    actions.push(`revoked ${privileges.join(', ')} on ${name} from ${a}`);
  }
  const { rows: create } = await db.query<{ ok: boolean }>(
    `SELECT has_schema_privilege($1, $2, 'CREATE') AS ok`,
    [app, schema],
  );
  if (create[0]!.ok) {
    await db.query(`REVOKE CREATE ON SCHEMA ${s} FROM ${a}`);
    actions.push(`revoked CREATE on schema ${s} from ${a}`);
  }
  const functions = [`${fn('apply_retention')}(text, text[], timestamptz)`];
  if (layout === 'monthly')
    functions.push(`${fn('add_partition')}(int, int)`, `${fn('drop_partitions')}(timestamptz)`);
  await db.query(`GRANT USAGE ON SCHEMA ${s} TO ${a}`);
  await db.query(`GRANT SELECT, INSERT ON ${t} TO ${a}`);
  await db.query(`GRANT SELECT ON ${retentionPolicyTable(schema, table)} TO ${a}`);
  await db.query(`GRANT EXECUTE ON FUNCTION ${functions.join(', ')} TO ${a}`);
  actions.push(
    `${a} may: use schema ${s}; SELECT, INSERT on ${t}; SELECT on the retention policy; EXECUTE ${functions.map((f) => f.replace(/\(.*$/, '')).join(', ')}`,
  );
}
