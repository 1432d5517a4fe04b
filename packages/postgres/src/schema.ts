/** DDL: the events table, its indexes, and the append-only guard with its one way out. */

/** A quoted SQL identifier; names come from options, never from events. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new TypeError(`postgresStore: invalid SQL identifier "${name}"`);
  return `"${name}"`;
}

export function schemaSql(schema: string, table: string): string {
  const s = ident(schema);
  const t = `${s}.${ident(table)}`;
  const guard = ident(`${table}_append_only`);
  const truncateGuard = ident(`${table}_no_truncate_fn`);
  const retention = `${s}.${ident(`${table}_apply_retention`)}`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${t} (
  id text PRIMARY KEY,
  time timestamptz NOT NULL,
  tenant text,
  type text NOT NULL,
  category text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL,
  severity text NOT NULL,
  actor_id text,
  resource_type text,
  resource_id text,
  correlation_id text,
  chain text,
  seq bigint,
  event jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_time`)} ON ${t} (time DESC, id DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_tenant_time`)} ON ${t} (tenant, time DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_type_time`)} ON ${t} (type, time DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_actor_time`)} ON ${t} (actor_id, time DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_resource_time`)} ON ${t} (resource_type, resource_id, time DESC);
CREATE INDEX IF NOT EXISTS ${ident(`${table}_correlation`)} ON ${t} (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ${ident(`${table}_chain_seq`)} ON ${t} (chain, seq) WHERE chain IS NOT NULL;

-- Audit events are append-only: UPDATE and DELETE are refused, except inside the retention function.
CREATE OR REPLACE FUNCTION ${s}.${guard}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('auditkit.retention', true) = 'on' AND TG_OP = 'DELETE' THEN
    RETURN OLD;
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

-- The one way to delete: events of a category (or all categories but the listed ones) older than a time.
CREATE OR REPLACE FUNCTION ${retention}(p_category text, p_except text[], p_before timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  PERFORM set_config('auditkit.retention', 'on', true);
  DELETE FROM ${t}
   WHERE time < p_before
     AND (p_category IS NULL OR category = p_category)
     AND (p_except IS NULL OR category <> ALL (p_except));
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('auditkit.retention', 'off', true);
  RETURN n;
END $$;
`;
}
