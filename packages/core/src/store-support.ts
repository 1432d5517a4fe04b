/** Pieces every store needs the same way: page sizes, opaque cursors, retention cut-offs, buckets. */
import type { AuditQuery, RetentionPolicy } from './types';

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
  const cutoff = (days: number) => new Date(now - days * BUCKET_MS.day);
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
