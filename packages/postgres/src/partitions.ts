import type { AuditEvent } from '@auditkit/core/store';
import type { Queryable } from './migrate';
import { ident } from './schema';

/**
 * The UTC month (`YYYY-MM`) an event time falls in, or undefined for a time no monthly partition
 * can hold (the DEFAULT partition takes it). Core writes times as `toISOString()`: slice those.
 */
export function monthOf(time: string): string | undefined {
  let iso = time;
  if (typeof time !== 'string' || time.length !== 24 || time[23] !== 'Z') {
    const ms = Date.parse(time);
    if (Number.isNaN(ms)) return undefined;
    iso = new Date(ms).toISOString();
  }
  const month = iso.slice(0, 7);
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(month) && month >= '0001' ? month : undefined;
}

/**
 * Monthly partitions of one table, created ahead and on demand. The months known to exist are kept
 * in memory, so a batch of a known month costs no query; concurrent creation (other writers, other
 * processes) is settled by the database function, which treats "already exists" as done.
 */
export function monthlyPartitions(pool: Queryable, schema: string, table: string) {
  const add = `SELECT ${ident(schema)}.${ident(`${table}_add_partition`)}($1, $2)`;
  const known = new Map<string, Promise<void>>();
  const create = (month: string, failures: 'throw' | 'fallback'): Promise<void> => {
    let pending = known.get(month);
    if (!pending) {
      pending = pool
        .query(add, [Number(month.slice(0, 4)), Number(month.slice(5, 7))])
        .then(() => undefined)
        .catch((error: unknown) => {
          known.delete(month); // tried again with the next batch of that month
          throw error;
        });
      known.set(month, pending);
    }
    // An insert never waits on a partition it cannot get: the DEFAULT partition takes its events.
    return failures === 'throw' ? pending : pending.catch(() => undefined);
  };
  return {
    /** The current and the next month, at migrate: writes at a month's turn then find theirs. */
    ahead(now = new Date()): Promise<void> {
      const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      const months = [now, next].map((d) => d.toISOString().slice(0, 7));
      return Promise.all(months.map((m) => create(m, 'throw'))).then(() => undefined);
    },
    /** Every month the events fall in has its partition (or falls to the DEFAULT partition). */
    ensure(events: readonly AuditEvent[]): Promise<void> | undefined {
      const missing = new Set<string>();
      for (const e of events) {
        const month = monthOf(e.time);
        if (month !== undefined && !known.has(month)) missing.add(month);
      }
      if (missing.size === 0) return undefined;
      return Promise.all([...missing].map((m) => create(m, 'fallback'))).then(() => undefined);
    },
    /** After partitions were dropped: the next write of each month asks the database again. */
    forget(): void {
      known.clear();
    },
  };
}
