import {
  type AuditEvent,
  type AuditIterateQuery,
  type AuditLinesPage,
  type AuditPage,
  type AuditQuery,
  type AuditRetentionInfo,
  type AuditStatsQuery,
  type AuditStore,
  type AuditStoreStats,
  type Batch,
  type ChainHead,
  chainEventsByPages,
  checkEventId,
  eventsAround,
  type HealthStatus,
  iterateByPages,
  linesPageOf,
  oldestEvent,
  pageOf,
  type ResolvedQuery,
  type RetentionPolicy,
  type RetentionResult,
  resolveAuditQuery,
  resolveStatsQuery,
  retentionCutoffs,
  statsTally,
  type WriteOrder,
} from '@auditkit/core/store';
import type { Pool, PoolClient } from 'pg';
import { COLUMNS } from './columns';
import { copyOn, copyText, withClient } from './copy';
import { orderSql, whereSql } from './filter-sql';
import { commitInOrder } from './in-order';
import { migrateSchema, policyJson } from './migrate';
import { monthlyPartitions } from './partitions';
import { trailRisks } from './privileges';
import { ident, type PartitionLayout, retentionPolicyTable } from './schema';

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
   * have stored some parts, and its retry stores the rest (writes are idempotent by id); a crash
   * between two parts' commits leaves a gap until the batch is written again. Parts are never
   * smaller than 100 events. Default 1: a batch is one transaction.
   */
  parallel?: number;
  /**
   * Batches written at once, committed in order: while one is written the next is copied in on
   * another pooled connection inside its own transaction, which commits only after the one ahead
   * did and rolls back when that one failed (the logger then retries both, in order). A crash
   * leaves the stored chain cut short, never with a gap. The pool needs `writesInFlight` ×
   * `parallel` connections to spare. 1: one write at a time, each COPY its own transaction.
   * Default 2.
   */
  writesInFlight?: number;
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
  const writesInFlight = options.writesInFlight ?? 2;
  if (!Number.isInteger(writesInFlight) || writesInFlight < 1)
    throw new TypeError(
      `postgresStore: \`writesInFlight\` must be an integer >= 1, not ${String(options.writesInFlight)}`,
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
  /**
   * One COPY of a part on `client`; when some of its events are stored already, the INSERT that
   * skips their ids. In a transaction the failed COPY aborted it: it is begun again first.
   */
  const copyOrInsert = async (
    client: PoolClient,
    text: string,
    lines: string[],
    inTransaction: boolean,
  ): Promise<void> => {
    try {
      await copyOn(client, copy, text);
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      if (inTransaction) await client.query('ROLLBACK; BEGIN');
      await client.query(insert, [lines.join('\n')]);
    }
  };
  const writePart = async (
    events: readonly AuditEvent[],
    lines: string[],
    order: WriteOrder | undefined,
    copiedAhead: Promise<void>,
    copiedPart: () => void,
  ): Promise<void> => {
    const text = copyText(events, lines);
    if (order === undefined) return withClient(pool, (client) => copyOrInsert(client, text, lines, false));
    await commitInOrder(pool, order, async (client) => {
      // Rows go in one batch at a time (two at once contend for the same index pages); what
      // overlaps is the commit ahead, waiting for its WAL flush, and this batch's rows going in.
      await copiedAhead;
      try {
        await copyOrInsert(client, text, lines, true);
      } finally {
        copiedPart();
      }
    });
  };
  /** One page (plus one row, to know whether more follow) of `q`, selecting `what`. */
  const pageSql = (what: string, q: ResolvedQuery): { text: string; values: unknown[] } => {
    const values: unknown[] = [];
    const where = whereSql(q, values);
    values.push(q.limit + 1);
    return { text: `SELECT ${what} FROM ${t} ${where} ${orderSql(q)} LIMIT $${values.length}`, values };
  };
  /** The newest write's rows going in: the next write's COPY starts after them. */
  let copied: Promise<void> = Promise.resolve();
  /** The newest write's preparation (migrate, partitions): the next write's starts after it. */
  let prepared: Promise<unknown> = Promise.resolve();
  const dropPartitions = `SELECT ${ident(schema)}.${ident(`${table}_drop_partitions`)}($1) AS n`;

  const store: AuditStore & { migrate(): Promise<void>; health(): Promise<PostgresStoreHealth> } = {
    name: options.name ?? 'postgres',
    writesInFlight,
    migrate,
    async write(batch: Batch, order?: WriteOrder) {
      if (batch.events.length === 0) return;
      // Writes get ready (and then ask the pool for connections) in the order they were made: a
      // write behind another, holding a connection while it waits for that one to commit, must
      // not take the connection the one ahead still needs to create its month's partition.
      const ready = prepared.then(async () => {
        await use();
        await partitions?.ensure(batch.events);
      });
      prepared = ready.catch(() => undefined);
      const copiedAhead = copied;
      let copiedAll!: () => void;
      copied = new Promise<void>((resolve) => {
        copiedAll = resolve;
      });
      try {
        await ready;
        // The sealed lines as they are; joined and split again only for a batch made without them.
        const lines = batch.lines ?? batch.jsonl().split('\n');
        const ranges = parts(batch.events.length, parallel);
        // Its rows are in (or failed) once each part's COPY is done, before its commit.
        let copying = ranges.length;
        const copiedPart = () => {
          if (--copying === 0) copiedAll();
        };
        const settled = await Promise.allSettled(
          ranges.map(([start, end]) =>
            writePart(
              batch.events.slice(start, end),
              lines.slice(start, end),
              order,
              copiedAhead,
              copiedPart,
            ),
          ),
        );
        // Every part has settled, so a retry never races a COPY still in flight.
        const failed = settled.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        copiedAll();
      }
    },
    async query(query?: AuditQuery): Promise<AuditPage> {
      const q = resolveAuditQuery(query, 'postgresStore');
      await use();
      const { rows } = await pool.query<{ event: AuditEvent }>(pageSql('event', q));
      return pageOf(
        rows.map((r) => r.event),
        q,
      );
    },
    // The `event` column is json, which keeps the sealed line byte for byte: read as text, no
    // parsing here and none to redo when a server writes it out.
    async queryLines(query?: AuditQuery): Promise<AuditLinesPage> {
      const q = resolveAuditQuery(query, 'postgresStore');
      await use();
      const { rows } = await pool.query<{ line: string }>(pageSql('event::text AS line', q));
      return linesPageOf(
        rows.map((r) => r.line),
        q,
      );
    },
    // One statement for a whole ingest batch; the primary key answers it without reading an event.
    async storedIds(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      await use();
      const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ${t} WHERE id = ANY($1::text[])`, [
        ids,
      ]);
      return new Set(rows.map((r) => r.id));
    },
    iterate(query?: AuditIterateQuery) {
      return iterateByPages((q) => store.query(q), query, 'postgresStore');
    },
    async get(id: string, options?: { tenant?: string }) {
      const { tenant } = checkEventId(id, options, 'postgresStore');
      await use();
      const { rows } = await pool.query<{ event: AuditEvent }>(
        `SELECT event FROM ${t} WHERE id = $1${tenant === undefined ? '' : ' AND tenant = $2'}`,
        tenant === undefined ? [id] : [id, tenant],
      );
      return rows[0]?.event;
    },
    around(id, query) {
      return eventsAround(store, id, query, 'postgresStore');
    },
    async stats(query?: AuditStatsQuery): Promise<AuditStoreStats> {
      const q = resolveStatsQuery(query, 'postgresStore');
      await use();
      const params: unknown[] = [];
      const where = whereSql(q, params);
      const [groups, actors, resources, buckets] = await Promise.all([
        pool.query<{ type: string; outcome: string; category: string; n: string }>(
          `SELECT type, outcome, category, count(*) AS n FROM ${t} ${where} GROUP BY 1, 2, 3`,
          params,
        ),
        pool.query<{ actor: string | null; n: string }>(
          `SELECT actor_id AS actor, count(*) AS n FROM ${t} ${where} GROUP BY 1`,
          params,
        ),
        pool.query<{ resource: string | null; n: string }>(
          `SELECT resource_id AS resource, count(*) AS n FROM ${t} ${where} GROUP BY 1`,
          params,
        ),
        pool.query<{ start: Date; outcome: string; n: string }>(
          `SELECT date_trunc('${q.bucket}', time, 'UTC') AS start, outcome, count(*) AS n FROM ${t} ${where} GROUP BY 1, 2`,
          params,
        ),
      ]);
      const tally = statsTally();
      for (const r of groups.rows) tally.add(r, Number(r.n));
      for (const r of actors.rows) tally.add({ actor: r.actor }, Number(r.n));
      for (const r of resources.rows) tally.add({ resource: r.resource }, Number(r.n));
      for (const r of buckets.rows) tally.addToBucket(r.start.getTime(), r.outcome, Number(r.n));
      return tally.result();
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
    // The stored policy is what the database enforces: events it keeps cannot be deleted by anyone.
    async retention(options?: { tenant?: string }): Promise<AuditRetentionInfo> {
      await use();
      const [{ rows }, oldest] = await Promise.all([
        pool.query<{ category: string | null; days: string }>(
          `SELECT category, days FROM ${retentionPolicyTable(schema, table)}`,
        ),
        oldestEvent(store, options?.tenant),
      ]);
      const maxAgeDays: { default?: number; categories?: Record<string, number> } = {};
      const categories = rows.filter((r) => r.category !== null);
      const fallback = rows.find((r) => r.category === null);
      if (fallback) maxAgeDays.default = Number(fallback.days);
      if (categories.length > 0)
        maxAgeDays.categories = Object.fromEntries(categories.map((r) => [r.category, Number(r.days)]));
      return {
        ...(rows.length > 0 ? { maxAgeDays } : {}),
        enforcement:
          rows.length > 0
            ? `kept at least this long by the database; older events are deleted when retention runs${partitions ? ', whole months at a time' : ''}`
            : 'no stored policy: the database keeps every event',
        ...(oldest ? { oldest } : {}),
      };
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
    chainEvents(chain: string) {
      return chainEventsByPages(
        chain,
        async (after, limit) => {
          await use();
          const { rows } = await pool.query<{ event: AuditEvent }>(
            `SELECT event FROM ${t} WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${limit}`,
            [chain, after],
          );
          return rows.map((r) => r.event);
        },
        'postgresStore',
      );
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
  return store;
}
