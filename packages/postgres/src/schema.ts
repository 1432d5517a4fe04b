/** DDL: the events table, its indexes, and the append-only guard with its one way out. */

/** How the events table is laid out: one table, or one partition per calendar month (UTC). */
export type PartitionLayout = 'none' | 'monthly';

/** A quoted SQL identifier; names come from options, never from events. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new TypeError(`postgresStore: invalid SQL identifier "${name}"`);
  return `"${name}"`;
}

/**
 * Indexed text columns compare bytewise: their values are identifiers, and a byte comparison costs
 * a fraction of a locale's, on every index insert (a fifth of the database's CPU per event in a COPY).
 */
const KEY_TEXT = 'text COLLATE "C"';

/**
 * The predicate of the outcome index, word for word: a query holding it is one the planner can
 * prove that index serves, whatever its bind parameters.
 */
export const UNSUCCESSFUL = "outcome <> 'success'";

/** The table holding the stored retention policy. */
export function retentionPolicyTable(schema: string, table: string): string {
  return `${ident(schema)}.${ident(`${table}_retention`)}`;
}

/** The function that replaces the stored retention policy (its owner only). */
export function setRetentionFunction(schema: string, table: string): string {
  return `${ident(schema)}.${ident(`${table}_set_retention`)}`;
}

export function schemaSql(schema: string, table: string, layout: PartitionLayout = 'none'): string {
  const s = ident(schema);
  const t = `${s}.${ident(table)}`;
  const guard = ident(`${table}_append_only`);
  const truncateGuard = ident(`${table}_no_truncate_fn`);
  const retention = `${s}.${ident(`${table}_apply_retention`)}`;
  const policy = retentionPolicyTable(schema, table);
  const setPolicy = setRetentionFunction(schema, table);
  const monthly = layout === 'monthly';
  // A unique index of a partitioned table must hold the partition key: `time` joins both.
  const key = monthly ? 'PRIMARY KEY (id, time)' : 'PRIMARY KEY (id)';
  const chainSeq = monthly ? '(chain, seq, time)' : '(chain, seq)';
  // One migration at a time per table: concurrent trigger DDL on one table can deadlock.
  return `
SELECT pg_advisory_xact_lock(hashtext('auditkit.migrate.${schema}.${table}'));
-- Only when missing: CREATE SCHEMA IF NOT EXISTS asks for CREATE on the database even then.
DO $$ BEGIN
  IF to_regnamespace('${s}') IS NULL THEN CREATE SCHEMA ${s}; END IF;
END $$;
CREATE TABLE IF NOT EXISTS ${t} (
  id ${KEY_TEXT} NOT NULL,
  time timestamptz NOT NULL,
  tenant ${KEY_TEXT},
  type ${KEY_TEXT} NOT NULL,
  category text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL,
  severity text NOT NULL,
  actor_id ${KEY_TEXT},
  resource_type ${KEY_TEXT},
  resource_id ${KEY_TEXT},
  correlation_id ${KEY_TEXT},
  chain ${KEY_TEXT},
  seq bigint,
  -- The sealed line byte for byte, as hashed; json, not jsonb: a quarter cheaper to write (no binary
  -- form to build), and the queryable fields have columns of their own.
  event json NOT NULL,
  ${key}
)${monthly ? ' PARTITION BY RANGE (time)' : ''};
-- Every query pages by the (time, id) keyset, so each index ends in (time, id): a page is an index
-- range read from the cursor on, whatever the depth. Which filter each serves (EXPLAIN-checked in
-- the README): no filter and time ranges -> _time; a tenant -> _tenant_key; a tenant and a type or a
-- type prefix (type:auth.*) -> _tenant_type_key; a tenant and an outcome other than success ->
-- _unsuccessful_key; an actor -> _actor_key; a resource -> _resource_key; a correlation id
-- -> _correlation_key. Actor, resource and correlation ids are selective on their own, so those lead
-- without the tenant. Most events succeed: their outcome is no filter worth an index entry (a
-- tenant's index finds them at once), so the outcome index holds only the others, and a query for
-- those says "outcome <> 'success'" in its text, which lets even a generic plan use it.
CREATE INDEX IF NOT EXISTS ${ident(`${table}_time`)} ON ${t} (time DESC, id DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_tenant_key`)} ON ${t} (tenant, time DESC, id DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_tenant_type_key`)} ON ${t} (tenant, type, time DESC, id DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_unsuccessful_key`)} ON ${t} (tenant, outcome, time DESC, id DESC) WHERE ${UNSUCCESSFUL};
CREATE INDEX IF NOT EXISTS ${ident(`${table}_actor_key`)} ON ${t} (actor_id, time DESC, id DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_resource_key`)} ON ${t} (resource_type, resource_id, time DESC, id DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_correlation_key`)} ON ${t} (correlation_id, time DESC, id DESC) WHERE correlation_id IS NOT NULL;
-- The first layout's indexes, without id, which the ones above replace.
DROP INDEX IF EXISTS ${s}.${ident(`${table}_tenant_time`)};
DROP INDEX IF EXISTS ${s}.${ident(`${table}_type_time`)};
DROP INDEX IF EXISTS ${s}.${ident(`${table}_actor_time`)};
DROP INDEX IF EXISTS ${s}.${ident(`${table}_resource_time`)};
DROP INDEX IF EXISTS ${s}.${ident(`${table}_correlation`)};
-- The outcome index of every event, which the one above (of the unsuccessful events) replaces.
DROP INDEX IF EXISTS ${s}.${ident(`${table}_tenant_outcome_key`)};
CREATE UNIQUE INDEX IF NOT EXISTS ${ident(`${table}_chain_seq`)} ON ${t} ${chainSeq} WHERE chain IS NOT NULL;
-- An actor or a resource belongs to one tenant, which the planner cannot know: taking a tenant and
-- an actor as independent, it expects a handful of rows and ANDs the tenant's whole index into a
-- bitmap (0.4 s at 1M events) instead of reading the actor's index in order.
CREATE STATISTICS IF NOT EXISTS ${s}.${ident(`${table}_tenant_dependencies`)} (dependencies)
  ON tenant, actor_id, resource_type, resource_id FROM ${t};

-- The retention policy: days to keep events per category, and (category NULL) for every other
-- category. Only its owner changes it; retention never deletes an event it still keeps, whoever
-- asks and whatever they pass.
CREATE TABLE IF NOT EXISTS ${policy} (
  category text UNIQUE,
  days numeric NOT NULL CHECK (days >= 0)
);
CREATE UNIQUE INDEX IF NOT EXISTS ${ident(`${table}_retention_default`)} ON ${policy} ((category IS NULL)) WHERE category IS NULL;

-- Replaces the policy with '{"default": 365, "categories": {"security": 2555}}'; as its caller, so
-- only a role that may write the policy table (its owner) can.
CREATE OR REPLACE FUNCTION ${setPolicy}(p_policy jsonb) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  DELETE FROM ${policy};
  INSERT INTO ${policy} (category, days)
    SELECT key, value::text::numeric FROM jsonb_each(coalesce(p_policy->'categories', '{}'::jsonb))
    UNION ALL
    SELECT NULL, (p_policy->>'default')::numeric WHERE p_policy ? 'default';
$$;

-- Audit events are append-only: UPDATE and DELETE are refused, except inside the retention function,
-- and there only for events the stored policy no longer keeps. That function runs as the table's
-- owner (SECURITY DEFINER); a session of another role that sets auditkit.retention itself is
-- still refused, whatever privileges it was granted, and the owner's own session cannot delete
-- an event the policy keeps either.
-- On a partitioned table this row trigger is cloned to every partition, present and future.
-- Runs per deleted row, so kept cheap: no SET clause (it would switch search_path for every row)
-- and no function call for the policy lookup. Names are qualified; inside the retention function
-- search_path is fixed, so its operators are pg_catalog's too.
CREATE OR REPLACE FUNCTION ${s}.${guard}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keep numeric;
BEGIN
  IF TG_OP = 'DELETE' AND pg_catalog.current_setting('auditkit.retention', true) = 'on'
     AND current_user = (SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class WHERE oid = TG_RELID) THEN
    SELECT days INTO keep FROM ${policy} WHERE category = OLD.category;
    IF NOT FOUND THEN
      SELECT days INTO keep FROM ${policy} WHERE category IS NULL;
    END IF;
    IF OLD.time < pg_catalog.now() - keep * interval '86400 seconds' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS ${guard} ON ${t};
CREATE TRIGGER ${guard} BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${s}.${guard}();
CREATE OR REPLACE FUNCTION ${s}.${truncateGuard}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused on %', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS ${ident(`${table}_no_truncate`)} ON ${t};
CREATE TRIGGER ${ident(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${truncateGuard}();

-- The one way to delete: events of a category (or all categories but the listed ones) older than a
-- time, and older than the stored policy keeps them. The arguments only narrow what the policy
-- allows: NULL or 'infinity' delete exactly what it allows, never more.
CREATE OR REPLACE FUNCTION ${retention}(p_category text, p_except text[], p_before timestamptz)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE n bigint; total bigint := 0; rule record; named text[];
BEGIN
  SELECT coalesce(array_agg(category) FILTER (WHERE category IS NOT NULL), '{}') INTO named FROM ${policy};
  PERFORM set_config('auditkit.retention', 'on', true);
  FOR rule IN SELECT category, now() - days * interval '86400 seconds' AS before FROM ${policy} LOOP
    DELETE FROM ${t}
     WHERE time < least(p_before, rule.before)
       AND (category = rule.category OR (rule.category IS NULL AND category <> ALL (named)))
       AND (p_category IS NULL OR category = p_category)
       AND (p_except IS NULL OR category <> ALL (p_except));
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  PERFORM set_config('auditkit.retention', 'off', true);
  RETURN total;
END $$;
-- Functions are executable by PUBLIC unless told otherwise: only roles granted EXECUTE may call these.
REVOKE ALL ON FUNCTION ${retention}(text, text[], timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION ${setPolicy}(jsonb) FROM PUBLIC;
${monthly ? partitionSql(schema, table) : ''}`;
}

/**
 * The monthly layout's DDL: a DEFAULT partition (an insert never fails for want of a partition),
 * the TRUNCATE guard on every partition (statement triggers are not cloned to partitions), and the
 * functions that add a month and drop whole months. Both functions run as their owner, so the
 * application role needs EXECUTE on them, not ownership of the table.
 */
function partitionSql(schema: string, table: string): string {
  const s = ident(schema);
  const t = `${s}.${ident(table)}`;
  const policy = retentionPolicyTable(schema, table);
  const addPartition = `${s}.${ident(`${table}_add_partition`)}`;
  const dropPartitions = `${s}.${ident(`${table}_drop_partitions`)}`;
  const truncateTrigger = `format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${ident(`${table}_no_truncate_fn`)}()', '${table}_no_truncate', `;
  const partitions = `SELECT c.oid::regclass AS rel, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${t}'::regclass`;
  return `
CREATE TABLE IF NOT EXISTS ${s}.${ident(`${table}_default`)} PARTITION OF ${t} DEFAULT;
DO $$
DECLARE part record;
BEGIN
  FOR part IN ${partitions} AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = '${table}_no_truncate')
  LOOP
    EXECUTE ${truncateTrigger}part.rel);
  END LOOP;
END $$;

-- Adds the partition of one month (UTC). True when it exists afterwards; false when the DEFAULT
-- partition already holds events of that month (they stay there, and so do later ones).
CREATE OR REPLACE FUNCTION ${addPartition}(p_year int, p_month int)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  part_name text := format('%s_%s_%s', '${table}', lpad(p_year::text, 4, '0'), lpad(p_month::text, 2, '0'));
  rel text := format('%I.%I', '${schema}', part_name);
  lo timestamptz := make_timestamptz(p_year, p_month, 1, 0, 0, 0, 'UTC');
BEGIN
  IF to_regclass(rel) IS NOT NULL THEN
    RETURN true;
  END IF;
  BEGIN
    EXECUTE format('CREATE TABLE %s PARTITION OF ${t} FOR VALUES FROM (%L) TO (%L)',
      rel, lo, make_timestamptz(p_year + p_month / 12, p_month % 12 + 1, 1, 0, 0, 0, 'UTC'));
    EXECUTE ${truncateTrigger}rel);
  EXCEPTION
    -- Another writer created it at the same moment (its trigger came in the same transaction).
    WHEN duplicate_table OR unique_violation THEN RETURN true;
    WHEN check_violation THEN RETURN false;
  END;
  RETURN true;
END $$;

-- Detaches and drops every monthly partition that ends at or before p_before and before every
-- cut-off of the stored policy (then each of its rows was due); returns the events they held.
-- Without a stored default a category the policy does not name is kept forever: nothing goes whole.
CREATE OR REPLACE FUNCTION ${dropPartitions}(p_before timestamptz)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE part record; n bigint; total bigint := 0; due timestamptz;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${policy} WHERE category IS NULL) THEN
    RETURN 0;
  END IF;
  SELECT least(p_before, min(now() - days * interval '86400 seconds')) INTO due FROM ${policy};
  FOR part IN SELECT rel, substring(bound from 'TO \\(''([^'']+)''\\)')::timestamptz AS upper
      FROM (${partitions}) p
  LOOP
    CONTINUE WHEN part.upper IS NULL OR part.upper > due;
    EXECUTE format('SELECT count(*) FROM %s', part.rel) INTO n;
    EXECUTE format('ALTER TABLE ${t} DETACH PARTITION %s', part.rel);
    EXECUTE format('DROP TABLE %s', part.rel);
    total := total + n;
  END LOOP;
  RETURN total;
END $$;
REVOKE ALL ON FUNCTION ${addPartition}(int, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION ${dropPartitions}(timestamptz) FROM PUBLIC;
`;
}
