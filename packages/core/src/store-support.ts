/** Pieces every store needs the same way: page sizes, opaque cursors, retention cut-offs, buckets. */
import type { AuditEvent, AuditQuery, RetentionPolicy } from './types';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Width of `stats().overTime` buckets, in ms. */
export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The page size a query asks for, clamped to 1..1000 (default 100). */
export function pageLimit(filter: Pick<AuditQuery, 'limit'>): number {
  return Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
}

/** An opaque cursor for "older than this event" in newest-first order. */
export function encodeCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

export function decodeCursor(cursor: string, store: string): { time: Date; id: string } {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const at = new Date(String(time));
    if (typeof id === 'string' && !Number.isNaN(at.getTime())) return { time: at, id };
  } catch {
    // falls through to the clear error below
  }
  throw new TypeError(`${store}: invalid cursor`);
}

/** Retention as `[category | undefined, cutoff]` pairs; `undefined` stands for every other category. */
export function retentionCutoffs(
  policy: RetentionPolicy,
): Array<{ category: string | undefined; before: Date; others: string[] }> {
  const now = (policy.now ?? new Date()).getTime();
  const named = Object.entries(policy.categories ?? {});
  const cutoff = (days: number) => {
    const before = new Date(now - days * BUCKET_MS.day);
    if (typeof days !== 'number' || days < 0 || Number.isNaN(before.getTime()))
      throw new RangeError(`retention: a period must be a number of days ≥ 0, got ${String(days)}`);
    return before;
  };
  const out: Array<{ category: string | undefined; before: Date; others: string[] }> = named.map(
    ([category, days]) => ({
      category,
      before: cutoff(days),
      others: [],
    }),
  );
  if (policy.default !== undefined) {
    out.push({ category: undefined, before: cutoff(policy.default), others: named.map(([c]) => c) });
  }
  return out;
}

/** A filter as a predicate over events, for stores that scan (the file sink): same meaning as the SQL ones. */
export function eventFilter(filter: Omit<AuditQuery, 'limit' | 'cursor'>): (event: AuditEvent) => boolean {
  const from = filter.from === undefined ? undefined : new Date(filter.from).getTime();
  const to = filter.to === undefined ? undefined : new Date(filter.to).getTime();
  const anyOf = (values: readonly string[] | undefined) =>
    values && values.length > 0 ? new Set<string>(values) : undefined;
  const types = anyOf(filter.types);
  const categories = anyOf(filter.categories);
  const actions = anyOf(filter.actions);
  const outcomes = anyOf(filter.outcomes);
  const severities = anyOf(filter.severities);
  const text = filter.text ? filter.text.toLowerCase() : undefined;
  const has = (value: string | undefined) => value?.toLowerCase().includes(text!) === true;
  return (e) => {
    if (filter.tenant !== undefined && e.tenant !== filter.tenant) return false;
    if (from !== undefined || to !== undefined) {
      const t = Date.parse(e.time);
      if (from !== undefined && !(t >= from)) return false;
      if (to !== undefined && !(t < to)) return false;
    }
    if (types && !types.has(e.type)) return false;
    if (categories && !categories.has(e.category)) return false;
    if (actions && !actions.has(e.action)) return false;
    if (outcomes && !outcomes.has(e.outcome)) return false;
    if (severities && !severities.has(e.severity)) return false;
    if (filter.actorId !== undefined && e.actor?.id !== filter.actorId) return false;
    if (filter.resourceType !== undefined && e.resource?.type !== filter.resourceType) return false;
    if (filter.resourceId !== undefined && e.resource?.id !== filter.resourceId) return false;
    if (filter.correlationId !== undefined && e.correlationId !== filter.correlationId) return false;
    if (text && !(has(e.message) || has(e.type) || has(e.actor?.id) || has(e.resource?.id))) return false;
    return true;
  };
}

/** Newest first, as every store pages: by time, then id. */
export function newestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.time !== b.time) return a.time < b.time ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Start (ISO) of the bucket `time` falls in. */
export function bucketStart(time: string, bucket: keyof typeof BUCKET_MS): string {
  const ms = BUCKET_MS[bucket];
  return new Date(Math.floor(Date.parse(time) / ms) * ms).toISOString();
}
