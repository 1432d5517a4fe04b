/**
 * Queries over the file sink's JSON Lines (rotated and gzipped files included), by scanning:
 * the `AuditStore` contract without a database, for an embedded default or a small deployment.
 * Each page reads every file once (memory holds one page); a database store is the answer for
 * large volumes.
 */
import {
  checkEventId,
  checkPageSize,
  compareEvents,
  compileAuditFilter,
  isAfter,
  linesPageOf,
  pageOf,
  type ResolvedQuery,
  resolveAuditQuery,
  resolveStatsQuery,
  statsTally,
} from '../query';
import type {
  AuditEvent,
  AuditIterateQuery,
  AuditLinesPage,
  AuditPage,
  AuditQuery,
  AuditStatsQuery,
  AuditStoreStats,
  ChainHead,
} from '../types';
import { BUCKET_MS } from '../verify/store-support';
import { readAuditLines } from './tail';

/** The audit files a store reads, oldest first. */
export type AuditFiles = () => Promise<string[]>;

/** An event of a file and its line as stored. */
interface StoredLine {
  event: AuditEvent;
  text: string;
}

/** Every event of the store's files with its line, oldest file first; lines that are not events are skipped. */
async function* scanLines(files: AuditFiles): AsyncGenerator<StoredLine> {
  for await (const line of readAuditLines(await files())) {
    let event: AuditEvent;
    try {
      event = JSON.parse(line.text) as AuditEvent;
    } catch {
      continue; // a torn last line after a crash; `auditkit verify` reports it
    }
    if (
      event &&
      typeof event.id === 'string' &&
      typeof event.time === 'string' &&
      !Number.isNaN(Date.parse(event.time))
    )
      yield { event, text: line.text };
  }
}

/** Every event of the store's files, oldest file first. */
async function* scan(files: AuditFiles): AsyncGenerator<AuditEvent> {
  for await (const { event } of scanLines(files)) yield event;
}

/** Sorted, with a batch rewritten after a failed write (the same id twice) kept once. */
function sortUnique(found: StoredLine[], order: AuditQuery['order'] & string): StoredLine[] {
  found.sort((a, b) => compareEvents(a.event, b.event, order));
  return found.filter((e, i) => i === 0 || e.event.id !== found[i - 1]!.event.id);
}

/** The first `limit` matches of `q` after its position, in one pass over the files; memory holds ~4 × limit. */
async function firstMatches(files: AuditFiles, q: ResolvedQuery, limit: number): Promise<StoredLine[]> {
  const matches = compileAuditFilter(q.filter, q.tenant);
  let kept: StoredLine[] = [];
  for await (const found of scanLines(files)) {
    const e = found.event;
    if (!matches(e) || (q.after && !isAfter(e, q.after, q.order))) continue;
    kept.push(found);
    // Only the first `limit` can make the page: trim now and then so memory stays bounded.
    if (kept.length > 4 * limit) kept = sortUnique(kept, q.order).slice(0, limit);
  }
  return sortUnique(kept, q.order).slice(0, limit);
}

export async function queryFiles(files: AuditFiles, query?: AuditQuery): Promise<AuditPage> {
  const q = resolveAuditQuery(query, 'fileSink');
  const found = await firstMatches(files, q, q.limit + 1);
  return pageOf(
    found.map((f) => f.event),
    q,
  );
}

/** `queryFiles` answered with the lines as the files hold them. */
export async function queryLinesOfFiles(files: AuditFiles, query?: AuditQuery): Promise<AuditLinesPage> {
  const q = resolveAuditQuery(query, 'fileSink');
  const found = await firstMatches(files, q, q.limit + 1);
  return linesPageOf(
    found.map((f) => f.text),
    q,
  );
}

/** Events per pass of an export: each pass reads every file, so a pass takes many pages' worth. */
const ITERATE_CHUNK = 10_000;

/**
 * Every match in order for exports, `ITERATE_CHUNK` events per pass over the files (not one page
 * per pass): memory holds one chunk, and a trail of n events is read n / 10,000 times.
 */
export async function* iterateFiles(
  files: AuditFiles,
  options: AuditIterateQuery = {},
): AsyncGenerator<AuditEvent> {
  const { pageSize, ...rest } = options ?? {};
  // A pass here is larger than any page; the page size is only checked.
  checkPageSize(pageSize, 'fileSink');
  const q = resolveAuditQuery({ ...rest, order: rest.order ?? 'asc' }, 'fileSink');
  for (;;) {
    const chunk = await firstMatches(files, q, ITERATE_CHUNK);
    for (const found of chunk) yield found.event;
    if (chunk.length < ITERATE_CHUNK) return;
    const last = chunk.at(-1)!.event;
    q.after = { time: new Date(last.time).toISOString(), id: last.id };
  }
}

export async function getFromFiles(
  files: AuditFiles,
  id: string,
  options: { tenant?: string } = {},
): Promise<AuditEvent | undefined> {
  const { tenant } = checkEventId(id, options, 'fileSink');
  for await (const e of scan(files))
    if (e.id === id) return tenant === undefined || e.tenant === tenant ? e : undefined;
  return undefined;
}

export async function statsOfFiles(files: AuditFiles, query?: AuditStatsQuery): Promise<AuditStoreStats> {
  const q = resolveStatsQuery(query, 'fileSink');
  const matches = compileAuditFilter(q.filter, q.tenant);
  const tally = statsTally();
  const width = BUCKET_MS[q.bucket];
  const seen = new Set<string>();
  for await (const e of scan(files)) {
    // A batch rewritten after a failed write may appear twice in a file: count an id once.
    if (!matches(e) || seen.has(e.id)) continue;
    seen.add(e.id);
    const t = Date.parse(e.time);
    tally.add({
      type: e.type,
      outcome: e.outcome,
      category: e.category,
      actor: e.actor?.id,
      resource: e.resource?.id,
      bucket: t - (((t % width) + width) % width),
    });
  }
  return tally.result();
}

export async function chainHeadsOfFiles(files: AuditFiles): Promise<ChainHead[]> {
  const heads = new Map<string, ChainHead>();
  for await (const e of scan(files)) {
    const i = e.integrity;
    if (!i) continue;
    const head = heads.get(i.chain);
    if (!head || i.seq > head.seq)
      heads.set(i.chain, { chain: i.chain, seq: i.seq, hash: i.hash, eventId: e.id, time: e.time });
  }
  return [...heads.values()];
}

/** The events of one chain in the order written, which is `seq` order: one writer per file set. */
export async function* chainEventsOfFiles(files: AuditFiles, chain: string): AsyncGenerator<AuditEvent> {
  for await (const e of scan(files)) if (e.integrity?.chain === chain) yield e;
}
