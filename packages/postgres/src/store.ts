import {
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditStatsQuery,
  type AuditStore,
  type AuditStoreStats,
  type Batch,
  type ChainHead,
  decodeCursor,
  encodeCursor,
  type HealthStatus,
  pageLimit,
  type RetentionPolicy,
  type RetentionResult,
  retentionCutoffs,
} from '@auditkit/core';
import type { Pool } from 'pg';
import { COLUMNS } from './columns';
import { copyInto, copyText } from './copy';
import { migrateSchema, policyJson } from './migrate';
import { monthlyPartitions } from './partitions';
import { trailRisks } from './privileges';
import { ident, type PartitionLayout } from './schema';

export interface PostgresStoreOptions {
  /** A `pg` Pool; the store never ends it. Required. */
  pool: Pool;
  /** Schema of the table. Default `public`. */
  schema?: string;
  /** Table name. Default `audit_events`. */
  table?: string;
  /** Create the schema, table, indexes and append-only triggers on first use. Default true. */
  migrate?: boolean;
  /** Sink name in stats and health. Default `postgres`. */
  name?: string;
  /**
   * `monthly`: the table is partitioned by `time`, one partition per UTC month (named
   * `<table>_YYYY_MM`) plus `<table>_default`; partitions are created ahead and on demand, and
   * retention drops whole months when it can. An existing table is never converted. Default `none`.
   */
  partition?: PartitionLayout;
  /**
   * Write each batch as this many COPYs at once, on as many pooled connections, so one writer
   * keeps several database cores busy. Each part is its own transaction: a write that fails may
   * have stored some parts, and its retry stores the rest (writes are idempotent by id). Parts
   * are never smaller than 100 events. Default 1: a batch is one transaction.
   */
  parallel?: number;
  /**
   * The retention policy stored in `<table>_retention` at migrate, replacing the one there.
   * Retention never deletes an event this stored policy keeps, whatever `applyRetention` is
   * given. Default: the stored policy is left as it is (none at first: nothing is ever deleted).
   */
  retention?: RetentionPolicy;
}

/** What `health()` of the store found. */
export interface PostgresStoreHealth {
  /** `degraded` when the store's role could remove or change events (see `reasons`); `failing` when it could not tell. */
  status: HealthStatus;
  reasons: string[];
}

/** Below this many events a part costs more in round trips than it gains in parallel. */
const MIN_PART = 100;

/** `[start, end)` of at most `parts` contiguous, near-equal parts of `n` items, each at least MIN_PART long. */
function parts(n: number, most: number): Array<[number, number]> {
  const count = Math.max(1, Math.min(most, Math.floor(n / MIN_PART)));
  return Array.from({ length: count }, (_, i) => [
    Math.floor((i * n) / count),
    Math.floor(((i + 1) * n) / count),
  ]);
}

const UNIQUE_VIOLATION = '23505';

/** WHERE clause and parameters for a filter; `$n` numbering starts after `offset` parameters. */
function where(filter: Omit<AuditQuery, 'limit' | 'cursor'>, params: unknown[]): string {
  const clauses: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.tenant !== undefined) add((p) => `tenant = ${p}`, filter.tenant);
  if (filter.from !== undefined) add((p) => `time >= ${p}`, new Date(filter.from));
  if (filter.to !== undefined) add((p) => `time < ${p}`, new Date(filter.to));
  if (filter.types?.length) add((p) => `type = ANY(${p})`, filter.types);
  if (filter.categories?.length) add((p) => `category = ANY(${p})`, filter.categories);
  if (filter.actions?.length) add((p) => `action = ANY(${p})`, filter.actions);
  if (filter.outcomes?.length) add((p) => `outcome = ANY(${p})`, filter.outcomes);
  if (filter.severities?.length) add((p) => `severity = ANY(${p})`, filter.severities);
  if (filter.actorId !== undefined) add((p) => `actor_id = ${p}`, filter.actorId);
  if (filter.resourceType !== undefined) add((p) => `resource_type = ${p}`, filter.resourceType);
  if (filter.resourceId !== undefined) add((p) => `resource_id = ${p}`, filter.resourceId);
  if (filter.correlationId !== undefined) add((p) => `correlation_id = ${p}`, filter.correlationId);
  if (filter.text) {
    const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add(
      (p) =>
        // Case folding follows the database's locale, not the bytewise collation of those columns.
        `(event->>'message' ILIKE ${p} OR type COLLATE "default" ILIKE ${p} OR actor_id COLLATE "default" ILIKE ${p} OR resource_id COLLATE "default" ILIKE ${p})`,
      like,
    );
  }
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

/**
 * A PostgreSQL `AuditStore`: queryable columns plus the whole event as JSONB; batch inserts with
 * JSON Lines and `ON CONFLICT (id) DO NOTHING` (replays never duplicate); UPDATE, DELETE and TRUNCATE
 * refused by triggers, deletion only through the retention function.
 */
export function postgresStore(
  options: PostgresStoreOptions,
): AuditStore & { migrate(): Promise<void>; health(): Promise<PostgresStoreHealth> } {
  if (!options?.pool) throw new TypeError('postgresStore: `pool` (a pg Pool) is required');
  const schema = options.schema ?? 'public';
  const table = options.table ?? 'audit_events';
  const t = `${ident(schema)}.${ident(table)}`;
  const retentionFn = `${ident(schema)}.${ident(`${table}_apply_retention`)}`;
  const pool = options.pool;
  const layout = options.partition ?? 'none';
  if (layout !== 'none' && layout !== 'monthly')
    throw new TypeError(`postgresStore: \`partition\` must be 'none' or 'monthly', not ${String(layout)}`);
  // Partition names add `_YYYY_MM` (8 characters) to the table name, within PostgreSQL's 63.
  if (layout === 'monthly' && table.length > 55)
    throw new TypeError(
      `postgresStore: table name "${table}" is too long for monthly partitions (55 characters at most)`,
    );
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new TypeError(
      `postgresStore: \`parallel\` must be an integer >= 1, not ${String(options.parallel)}`,
    );
  if (options.retention !== undefined) policyJson(options.retention); // a bad period fails here, not at migrate
  const partitions = layout === 'monthly' ? monthlyPartitions(pool, schema, table) : undefined;
  let ready: Promise<void> | undefined;
  const migrate = (): Promise<void> => {
    ready ??= migrateSchema(pool, schema, table, layout, options.retention)
      .then(() => partitions?.ahead())
      .catch((error: unknown) => {
        ready = undefined; // tried again on the next call
        throw error;
      });
    return ready;
  };
  const use = () => (options.migrate === false ? Promise.resolve() : migrate());
  const columns = `${COLUMNS.map((c) => c.name).join(', ')}, event`;
  // The replay path. JSON Lines never hold a raw newline (JSON escapes it), so each line is one event.
  // MATERIALIZED parses each line once; inlined, every column expression would parse it again.
  const insert = `WITH batch AS MATERIALIZED (
      SELECT line, line::jsonb AS e FROM unnest(string_to_array($1::text, E'\\n')) AS line WHERE line <> ''
    )
    INSERT INTO ${t} (${columns})
    SELECT ${COLUMNS.map((c) => c.sql).join(', ')}, line::json FROM batch
    ON CONFLICT (${layout === 'monthly' ? 'id, time' : 'id'}) DO NOTHING`;
  const copy = `COPY ${t} (${columns}) FROM STDIN`;
  // COPY is the fast path; it refuses a part holding an id already stored (a replay), which the
  // INSERT then writes skipping those ids. A different event reusing a (chain, seq) fails both:
  // that is a forged or forked chain (partitioned: one reusing it with the same time; `verify`
  // finds the rest).
  const writePart = async (events: readonly AuditEvent[], lines: string[]): Promise<void> => {
    try {
      await copyInto(pool, copy, copyText(events, lines));
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      await pool.query(insert, [lines.join('\n')]);
    }
  };
  const dropPartitions = `SELECT ${ident(schema)}.${ident(`${table}_drop_partitions`)}($1) AS n`;

  return {
    name: options.name ?? 'postgres',
    migrate,
    async write(batch: Batch) {
      if (batch.events.length === 0) return;
      await use();
      await partitions?.ensure(batch.events);
      const lines = batch.jsonl().split('\n');
      const written = await Promise.allSettled(
        parts(batch.events.length, parallel).map(([start, end]) =>
          writePart(batch.events.slice(start, end), lines.slice(start, end)),
        ),
      );
      // Every part has settled, so a retry never races a COPY still in flight.
      const failed = written.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async query(filter: AuditQuery = {}): Promise<AuditPage> {
      await use();
      const limit = pageLimit(filter);
      const params: unknown[] = [];
      let clause = where(filter, params);
      if (filter.cursor) {
        const after = decodeCursor(filter.cursor, 'postgresStore');
        params.push(after.time, after.id);
        const c = `(time, id) < ($${params.length - 1}, $${params.length})`;
        clause = clause ? `${clause} AND ${c}` : `WHERE ${c}`;
      }
      params.push(limit + 1);
      const { rows } = await pool.query<{ event: AuditEvent }>(
        `SELECT event FROM ${t} ${clause} ORDER BY time DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const events = rows.slice(0, limit).map((r) => r.event);
      const last = events.at(-1);
      return rows.length > limit && last
        ? { events, nextCursor: encodeCursor(last.time, last.id) }
        : { events };
    },
    async get(id: string) {
      await use();
      const { rows } = await pool.query<{ event: AuditEvent }>(`SELECT event FROM ${t} WHERE id = $1`, [id]);
      return rows[0]?.event;
    },
    async stats(filter: AuditStatsQuery = {}): Promise<AuditStoreStats> {
      await use();
      const params: unknown[] = [];
      const clause = where(filter, params);
      const bucket = filter.bucket ?? 'hour';
      const count = async (column: string) => {
        const { rows } = await pool.query<{ k: string | null; n: string }>(
          `SELECT ${column} AS k, count(*) AS n FROM ${t} ${clause} GROUP BY 1`,
          params,
        );
        return Object.fromEntries(rows.filter((r) => r.k !== null).map((r) => [r.k as string, Number(r.n)]));
      };
      const byType = await count('type');
      const byOutcome = await count('outcome');
      const byActor = await count('actor_id');
      const { rows } = await pool.query<{ start: Date; n: string }>(
        `SELECT date_trunc('${bucket}', time AT TIME ZONE 'UTC') AS start, count(*) AS n FROM ${t} ${clause} GROUP BY 1 ORDER BY 1`,
        params,
      );
      const overTime = rows.map((r) => ({
        start: `${r.start.toISOString().slice(0, 19)}.000Z`,
        count: Number(r.n),
      }));
      const total = Object.values(byType).reduce((a, b) => a + b, 0);
      return { total, byType, byOutcome, byActor, overTime };
    },
    // Deletes what both `policy` and the stored policy allow: the database never lets it go further.
    async applyRetention(policy: RetentionPolicy): Promise<RetentionResult> {
      await use();
      let deleted = 0;
      const cutoffs = retentionCutoffs(policy);
      // A whole month before every category's cut-off is dropped at once; that needs a default, or
      // categories the policy does not name would lose events it keeps.
      if (partitions && policy.default !== undefined) {
        const earliest = new Date(Math.min(...cutoffs.map((c) => c.before.getTime())));
        const { rows } = await pool.query<{ n: string }>(dropPartitions, [earliest]);
        deleted += Number(rows[0]!.n);
        partitions.forget();
      }
      for (const { category, before, others } of cutoffs) {
        const { rows } = await pool.query<{ n: string }>(`SELECT ${retentionFn}($1, $2, $3) AS n`, [
          category ?? null,
          category === undefined ? others : null,
          before,
        ]);
        deleted += Number(rows[0]!.n);
      }
      return { deleted };
    },
    async chainHeads(): Promise<ChainHead[]> {
      await use();
      const { rows } = await pool.query<{ chain: string; seq: string; id: string; event: AuditEvent }>(
        `SELECT DISTINCT ON (chain) chain, seq, id, event FROM ${t} WHERE chain IS NOT NULL ORDER BY chain, seq DESC`,
      );
      return rows.map((r) => ({
        chain: r.chain,
        seq: Number(r.seq),
        hash: r.event.integrity!.hash,
        eventId: r.id,
        time: r.event.time,
      }));
    },
    async lastSealed() {
      await use();
      const { rows } = await pool.query<{ event: AuditEvent }>(
        `SELECT event FROM ${t} WHERE chain IS NOT NULL ORDER BY time DESC, seq DESC LIMIT 1`,
      );
      return rows[0]?.event;
    },
    /** Whether the store's role can only insert and read, as an application's should. */
    async health(): Promise<PostgresStoreHealth> {
      try {
        await use();
        const reasons = await trailRisks(pool, schema, table);
        return { status: reasons.length ? 'degraded' : 'ok', reasons };
      } catch (error) {
        return {
          status: 'failing',
          reasons: [
            `cannot check the store's role: ${error instanceof Error ? error.message : String(error)}`,
          ],
        };
      }
    },
    async close() {},
  };
}
