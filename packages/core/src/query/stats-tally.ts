/** Adds up counts into `AuditStoreStats`, from events or from a database's grouped rows. */
import type { AuditStoreStats } from '../types';

export interface StatsGroup {
  type?: string | null;
  outcome?: string | null;
  category?: string | null;
  actor?: string | null;
  resource?: string | null;
  /** Start of the time bucket, ms since the epoch; absent for rows that only count. */
  bucket?: number;
}

export interface StatsTally {
  /** Counts `n` events of one group; an absent or null key is not counted under that heading. */
  add(group: StatsGroup, n?: number): void;
  /** Counts `n` events in one time bucket only (for databases that group buckets apart). */
  addToBucket(bucket: number, outcome: string, n: number): void;
  result(): AuditStoreStats;
}

/** `total` counts the events of the groups added with a type (every event has one). */
export function statsTally(): StatsTally {
  const out: AuditStoreStats = {
    total: 0,
    byType: {},
    byOutcome: {},
    byCategory: {},
    byActor: {},
    byResource: {},
    overTime: [],
  };
  const buckets = new Map<number, { count: number; byOutcome: Record<string, number> }>();
  const inc = (to: Record<string, number>, key: string | null | undefined, n: number) => {
    if (typeof key === 'string') to[key] = (to[key] ?? 0) + n;
  };
  return {
    add(g, n = 1) {
      if (typeof g.type === 'string') out.total += n;
      inc(out.byType, g.type, n);
      inc(out.byOutcome, g.outcome, n);
      inc(out.byCategory, g.category, n);
      inc(out.byActor, g.actor, n);
      inc(out.byResource, g.resource, n);
      if (g.bucket !== undefined) this.addToBucket(g.bucket, g.outcome ?? 'unknown', n);
    },
    addToBucket(start, outcome, n) {
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = { count: 0, byOutcome: {} };
        buckets.set(start, bucket);
      }
      bucket.count += n;
      inc(bucket.byOutcome, outcome, n);
    },
    result() {
      out.overTime = [...buckets]
        .sort(([a], [b]) => a - b)
        .map(([start, b]) => ({
          start: new Date(start).toISOString(),
          count: b.count,
          byOutcome: b.byOutcome,
        }));
      return out;
    },
  };
}
