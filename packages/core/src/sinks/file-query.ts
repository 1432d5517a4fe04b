/**
 * Queries over the file sink's JSON Lines (rotated and gzipped files included), by scanning:
 * the `AuditStore` contract without a database, for an embedded default or a small deployment.
 * Each call reads every file once; a database store is the answer for large volumes.
 */
import {
  bucketStart,
  decodeCursor,
  encodeCursor,
  eventFilter,
  newestFirst,
  pageLimit,
} from '../store-support';
import type {
  AuditEvent,
  AuditPage,
  AuditQuery,
  AuditStatsQuery,
  AuditStoreStats,
  ChainHead,
} from '../types';
import { listAuditFiles } from './file-rotation';
import { readAuditLines } from './tail';

/** Every event of the sink's files, oldest file first; lines that are not events are skipped. */
async function* scan(path: string): AsyncGenerator<AuditEvent> {
  for await (const line of readAuditLines(await listAuditFiles(path))) {
    let event: AuditEvent;
    try {
      event = JSON.parse(line.text) as AuditEvent;
    } catch {
      continue; // a torn last line after a crash; `auditkit verify` reports it
    }
    if (event && typeof event.id === 'string' && typeof event.time === 'string') yield event;
  }
}

export async function queryFiles(path: string, filter: AuditQuery = {}): Promise<AuditPage> {
  const limit = pageLimit(filter);
  const matches = eventFilter(filter);
  const after = filter.cursor ? decodeCursor(filter.cursor, 'fileSink') : undefined;
  const afterTime = after?.time.toISOString();
  let kept: AuditEvent[] = [];
  for await (const e of scan(path)) {
    if (!matches(e)) continue;
    if (after && !(e.time < afterTime! || (e.time === afterTime && e.id < after.id))) continue;
    kept.push(e);
    // Only the newest limit + 1 can make the page: trim now and then so memory stays bounded.
    if (kept.length > 4 * (limit + 1)) kept = kept.sort(newestFirst).slice(0, limit + 1);
  }
  kept.sort(newestFirst);
  const events = kept.slice(0, limit);
  const last = events.at(-1);
  return kept.length > limit && last ? { events, nextCursor: encodeCursor(last.time, last.id) } : { events };
}

export async function getFromFiles(path: string, id: string): Promise<AuditEvent | undefined> {
  for await (const e of scan(path)) if (e.id === id) return e;
  return undefined;
}

export async function statsOfFiles(path: string, filter: AuditStatsQuery = {}): Promise<AuditStoreStats> {
  const matches = eventFilter(filter);
  const bucket = filter.bucket ?? 'hour';
  const out: AuditStoreStats = { total: 0, byType: {}, byOutcome: {}, byActor: {}, overTime: [] };
  const buckets = new Map<string, number>();
  const seen = new Set<string>();
  for await (const e of scan(path)) {
    // A batch rewritten after a failed write may appear twice in a file: count an id once.
    if (!matches(e) || seen.has(e.id)) continue;
    seen.add(e.id);
    out.total++;
    out.byType[e.type] = (out.byType[e.type] ?? 0) + 1;
    out.byOutcome[e.outcome] = (out.byOutcome[e.outcome] ?? 0) + 1;
    if (e.actor?.id) out.byActor[e.actor.id] = (out.byActor[e.actor.id] ?? 0) + 1;
    const start = bucketStart(e.time, bucket);
    buckets.set(start, (buckets.get(start) ?? 0) + 1);
  }
  out.overTime = [...buckets]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([start, count]) => ({ start, count }));
  return out;
}

export async function chainHeadsOfFiles(path: string): Promise<ChainHead[]> {
  const heads = new Map<string, ChainHead>();
  for await (const e of scan(path)) {
    const i = e.integrity;
    if (!i) continue;
    const head = heads.get(i.chain);
    if (!head || i.seq > head.seq)
      heads.set(i.chain, { chain: i.chain, seq: i.seq, hash: i.hash, eventId: e.id, time: e.time });
  }
  return [...heads.values()];
}
