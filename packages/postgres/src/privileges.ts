/**
 * What a role could do to the trail beyond inserting and reading: the ways around append-only
 * that privileges open, as sentences for `health()` and `setupRoles`.
 */
import type { Queryable } from './migrate';

interface RoleRights {
  role: string;
  superuser: boolean;
  ownsTable: boolean;
  ownsSchema: boolean;
  privileges: string[] | null;
  writesPolicy: boolean;
}

const RIGHTS_SQL = `
WITH r AS (SELECT oid, rolname, rolsuper FROM pg_catalog.pg_roles WHERE rolname = coalesce($3, current_user)),
     t AS (SELECT c.oid, c.relowner, n.nspowner FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2),
     parts AS (SELECT oid, relowner FROM t
               UNION ALL SELECT c.oid, c.relowner FROM pg_catalog.pg_inherits i
                 JOIN t ON i.inhparent = t.oid JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid),
     policy AS (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2 || '_retention')
SELECT r.rolname AS role, r.rolsuper AS superuser,
  coalesce((SELECT bool_or(pg_has_role(r.oid, relowner, 'MEMBER')) FROM parts), false) AS "ownsTable",
  coalesce((SELECT pg_has_role(r.oid, nspowner, 'MEMBER') FROM t), false) AS "ownsSchema",
  (SELECT array_agg(DISTINCT p ORDER BY p) FROM parts, unnest(ARRAY['DELETE', 'TRUNCATE', 'UPDATE']) p
    WHERE has_table_privilege(r.oid, parts.oid, p)) AS privileges,
  coalesce((SELECT bool_or(has_table_privilege(r.oid, policy.oid, p)) FROM policy,
    unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p), false) AS "writesPolicy"
FROM r`;

/**
 * Sentences naming each way `role` (default: the session's role) could remove or change stored
 * events or widen retention; empty when it can only insert and read.
 */
export async function trailRisks(
  db: Queryable,
  schema: string,
  table: string,
  role?: string,
): Promise<string[]> {
  const { rows } = await db.query<RoleRights>(RIGHTS_SQL, [schema, table, role ?? null]);
  const r = rows[0];
  if (!r) return [`role "${role}" does not exist`];
  const name = `${schema}.${table}`;
  const fix = 'run the application as a role that can only insert and read (`auditkit postgres setup-roles`)';
  if (r.superuser)
    return [`runs as superuser "${r.role}", which can delete or change any event in ${name}; ${fix}`];
  const risks: string[] = [];
  if (r.ownsTable)
    risks.push(
      `runs as "${r.role}", which owns ${name} (or a partition): it can drop the append-only triggers and the table, and change the retention policy; ${fix}`,
    );
  if (r.ownsSchema)
    risks.push(`runs as "${r.role}", which owns schema ${schema}: it can drop ${name}; ${fix}`);
  if (!r.ownsTable && r.privileges?.length)
    risks.push(
      `role "${r.role}" holds ${r.privileges.join(', ')} on ${name}: the triggers refuse them, but only the grant stands in the way of the next mistake; revoke them`,
    );
  if (!r.ownsTable && r.writesPolicy)
    risks.push(`role "${r.role}" can change the retention policy in ${name}_retention; revoke that`);
  return risks;
}
