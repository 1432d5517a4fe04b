/** The time buckets of a chart: the server's (only those holding events) laid on every bucket of the range. */
import type { Stats } from './api';

export const BUCKET: Record<string, 'minute' | 'hour' | 'day'> = {
  '15m': 'minute',
  '1h': 'minute',
  '24h': 'hour',
  '7d': 'hour',
  '30d': 'day',
  all: 'day',
};
const BUCKET_S = { minute: 60, hour: 3600, day: 86400 };
const RANGE_S: Record<string, number> = {
  '15m': 900,
  '1h': 3600,
  '24h': 86400,
  '7d': 7 * 86400,
  '30d': 30 * 86400,
};

/** Columns for uPlot: bucket starts (s), events, failures, failure rate (% or null where empty). */
export function fillBuckets(stats: Pick<Stats, 'overTime'>, range: string, now = Date.now()) {
  const width = BUCKET_S[BUCKET[range] ?? 'hour'];
  const held = new Map(stats.overTime.map((b) => [Math.floor(Date.parse(b.start) / 1000), b]));
  const starts = [...held.keys()];
  const end = Math.max(Math.floor(now / 1000 / width) * width, ...starts);
  const span = RANGE_S[range];
  const start = Math.min(span ? Math.floor((now / 1000 - span) / width) * width : end, ...starts);
  const t: number[] = [];
  const total: number[] = [];
  const failed: number[] = [];
  const rate: Array<number | null> = [];
  for (let at = start; at <= end; at += width) {
    const b = held.get(at);
    const n = b?.count ?? 0;
    const f = b?.byOutcome.failure ?? 0;
    t.push(at);
    total.push(n);
    failed.push(f);
    rate.push(n ? (100 * f) / n : null);
  }
  return [t, total, failed, rate];
}
