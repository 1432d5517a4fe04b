/** Pieces every store needs the same way: retention cut-offs and time buckets (queries: ./query). */
import type { AuditRetentionInfo, AuditStore, RetentionPolicy } from '../types';

/** Width of `stats().overTime` buckets, in ms. */
export const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

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

/** Start (ISO) of the bucket `time` falls in. */
export function bucketStart(time: string, bucket: keyof typeof BUCKET_MS): string {
  const ms = BUCKET_MS[bucket];
  return new Date(Math.floor(Date.parse(time) / ms) * ms).toISOString();
}

/** The oldest event a store holds inside a tenant wall, read as the first page of an ascending query. */
export async function oldestEvent(
  store: Pick<AuditStore, 'query'>,
  tenant?: string,
): Promise<AuditRetentionInfo['oldest']> {
  const [first] = (await store.query({ order: 'asc', limit: 1, ...(tenant === undefined ? {} : { tenant }) }))
    .events;
  return first ? { id: first.id, time: first.time } : undefined;
}
