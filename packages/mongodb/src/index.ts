import {
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditStatsQuery,
  type AuditStore,
  type AuditStoreStats,
  type Batch,
  BUCKET_MS,
  type ChainHead,
  decodeCursor,
  encodeCursor,
  pageLimit,
  type RetentionPolicy,
  type RetentionResult,
  retentionCutoffs,
} from '@auditkit/core';
import type { Collection, Document, Filter, MongoClient } from 'mongodb';

export interface MongoStoreOptions {
  /** A connected (or lazily connecting) `MongoClient`; the store never closes it. Required. */
  client: MongoClient;
  /** Database name. Default `auditkit`. */
  database?: string;
  /** Collection name. Default `audit_events`. */
  collection?: string;
  /** Days after which MongoDB's TTL monitor deletes any event. Default undefined (keep forever). */
  ttlDays?: number;
  /** Sink name in delivery reports. Default `mongodb`. */
  name?: string;
}

/** Stored shape: the event, its id as `_id` (idempotent replay), and `at` as a BSON date for ranges and TTL. */
type StoredEvent = AuditEvent & { _id: string; at: Date };

const DUPLICATE_KEY = 11000;

export function mongoStore(options: MongoStoreOptions): AuditStore & { ensureIndexes(): Promise<void> } {
  if (!options?.client) throw new TypeError('mongoStore: `client` (a MongoClient) is required');
  const collection = options.client
    .db(options.database ?? 'auditkit')
    .collection<StoredEvent>(options.collection ?? 'audit_events');
  let indexes: Promise<void> | undefined;
  const ensureIndexes = () => {
    indexes ??= createIndexes(collection, options.ttlDays).catch((error) => {
      indexes = undefined; // retried on the next write
      throw error;
    });
    return indexes;
  };

  return {
    name: options.name ?? 'mongodb',
    ensureIndexes,
    async write(batch: Batch) {
      if (batch.events.length === 0) return;
      await ensureIndexes();
      await insertIdempotent(collection, batch.events.map(toStored));
    },
    async query(filter: AuditQuery = {}): Promise<AuditPage> {
      const limit = pageLimit(filter);
      const match = toMatch(filter);
      const after = filter.cursor ? decodeCursor(filter.cursor, 'mongoStore') : undefined;
      const where: Filter<StoredEvent> = after
        ? {
            $and: [match, { $or: [{ at: { $lt: after.time } }, { at: after.time, _id: { $lt: after.id } }] }],
          }
        : match;
      const docs = await collection
        .find(where)
        .sort({ at: -1, _id: -1 })
        .limit(limit + 1)
        .toArray();
      const events = docs.slice(0, limit).map(fromStored);
      const last = docs.length > limit ? docs[limit - 1] : undefined;
      return last ? { events, nextCursor: encodeCursor(last.at.toISOString(), last._id) } : { events };
    },
    async get(id: string) {
      const doc = await collection.findOne({ _id: id });
      return doc ? fromStored(doc) : undefined;
    },
    async stats(filter: AuditStatsQuery = {}): Promise<AuditStoreStats> {
      const width = BUCKET_MS[filter.bucket ?? 'hour'];
      const groups = await collection
        .aggregate<{ _id: { type: string; outcome: string; actor: string | null; at: Date } }>([
          { $match: toMatch(filter) },
          { $project: { _id: 0, type: 1, outcome: 1, 'actor.id': 1, at: 1 } },
        ])
        .toArray();
      const stats: AuditStoreStats = { total: 0, byType: {}, byOutcome: {}, byActor: {}, overTime: [] };
      const buckets = new Map<number, number>();
      for (const doc of groups as unknown as Array<Pick<StoredEvent, 'type' | 'outcome' | 'actor' | 'at'>>) {
        stats.total++;
        stats.byType[doc.type] = (stats.byType[doc.type] ?? 0) + 1;
        stats.byOutcome[doc.outcome] = (stats.byOutcome[doc.outcome] ?? 0) + 1;
        const actor = doc.actor?.id;
        if (actor) stats.byActor[actor] = (stats.byActor[actor] ?? 0) + 1;
        const start = Math.floor(doc.at.getTime() / width) * width;
        buckets.set(start, (buckets.get(start) ?? 0) + 1);
      }
      stats.overTime = [...buckets.entries()]
        .sort(([a], [b]) => a - b)
        .map(([start, count]) => ({ start: new Date(start).toISOString(), count }));
      return stats;
    },
    async applyRetention(policy: RetentionPolicy): Promise<RetentionResult> {
      let deleted = 0;
      for (const { category, before, others } of retentionCutoffs(policy)) {
        const which = category === undefined ? { $nin: others } : category;
        deleted += (
          await collection.deleteMany({ category: which, at: { $lt: before } } as Filter<StoredEvent>)
        ).deletedCount;
      }
      return { deleted };
    },
    async chainHeads(): Promise<ChainHead[]> {
      const heads = await collection
        .aggregate<{ _id: string; doc: StoredEvent }>([
          { $match: { 'integrity.chain': { $exists: true } } },
          { $sort: { 'integrity.chain': 1, 'integrity.seq': -1 } },
          { $group: { _id: '$integrity.chain', doc: { $first: '$$ROOT' } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      return heads.map(({ doc }) => ({
        chain: doc.integrity?.chain as string,
        seq: doc.integrity?.seq as number,
        hash: doc.integrity?.hash as string,
        eventId: doc.id,
        time: doc.time,
      }));
    },
    async lastSealed() {
      const [doc] = await collection
        .find({ 'integrity.seq': { $exists: true } })
        .sort({ at: -1, _id: -1 })
        .limit(1)
        .toArray();
      return doc ? fromStored(doc) : undefined;
    },
    async close() {
      // The client belongs to the caller, who may share it.
    },
  };
}

async function createIndexes(
  collection: Collection<StoredEvent>,
  ttlDays: number | undefined,
): Promise<void> {
  const specs: Array<{ key: Document; name: string; unique?: boolean; sparse?: boolean }> = [
    { key: { at: -1, _id: -1 }, name: 'time' },
    { key: { tenant: 1, at: -1, _id: -1 }, name: 'tenant_time' },
    { key: { type: 1, at: -1 }, name: 'type_time' },
    { key: { category: 1, at: -1 }, name: 'category_time' },
    { key: { 'actor.id': 1, at: -1 }, name: 'actor_time' },
    { key: { 'resource.type': 1, 'resource.id': 1, at: -1 }, name: 'resource_time' },
    { key: { correlationId: 1 }, name: 'correlation', sparse: true },
    {
      key: { 'integrity.chain': 1, 'integrity.seq': 1 },
      name: 'chain_seq',
      unique: true,
      // Sparse, not partial: unsealed events (no integrity) stay out of the unique index on every server.
      sparse: true,
    },
  ];
  await collection.createIndexes(specs);
  if (ttlDays !== undefined) {
    await collection.createIndex(
      { at: 1 },
      { name: 'ttl', expireAfterSeconds: Math.round(ttlDays * 86_400) },
    );
  }
}

/** Unordered insert: duplicate ids (a replayed batch) count as written; any other error fails the batch. */
async function insertIdempotent(collection: Collection<StoredEvent>, docs: StoredEvent[]): Promise<void> {
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (error) {
    const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    const onlyReplays =
      list.length > 0 &&
      !(error as { writeConcernError?: unknown }).writeConcernError &&
      list.every((e: { code?: number; errmsg?: string; err?: { errmsg?: string } }) => isReplayedId(e));
    if (!onlyReplays) throw error;
  }
}

/** A duplicate on `_id` is a replay; a duplicate on `(chain, seq)` with a new id is a real conflict. */
function isReplayedId(e: { code?: number; errmsg?: string; err?: { errmsg?: string } }): boolean {
  const message = e.errmsg ?? e.err?.errmsg ?? '';
  return e.code === DUPLICATE_KEY && /index: _id_ /.test(message);
}

function toStored(event: AuditEvent): StoredEvent {
  const at = new Date(event.time);
  if (Number.isNaN(at.getTime())) throw new TypeError(`mongoStore: event ${event.id} has an invalid time`);
  return { ...event, _id: event.id, at };
}

function fromStored(doc: StoredEvent): AuditEvent {
  const { _id, at, ...event } = doc;
  return event as AuditEvent;
}

function toMatch(filter: Omit<AuditQuery, 'limit' | 'cursor'>): Filter<StoredEvent> {
  const match: Document = {};
  if (filter.tenant !== undefined) match.tenant = filter.tenant;
  if (filter.from !== undefined || filter.to !== undefined) {
    match.at = {};
    if (filter.from !== undefined) match.at.$gte = new Date(filter.from);
    if (filter.to !== undefined) match.at.$lt = new Date(filter.to);
  }
  if (filter.types?.length) match.type = { $in: filter.types };
  if (filter.categories?.length) match.category = { $in: filter.categories };
  if (filter.actions?.length) match.action = { $in: filter.actions };
  if (filter.outcomes?.length) match.outcome = { $in: filter.outcomes };
  if (filter.severities?.length) match.severity = { $in: filter.severities };
  if (filter.actorId !== undefined) match['actor.id'] = filter.actorId;
  if (filter.resourceType !== undefined) match['resource.type'] = filter.resourceType;
  if (filter.resourceId !== undefined) match['resource.id'] = filter.resourceId;
  if (filter.correlationId !== undefined) match.correlationId = filter.correlationId;
  if (filter.text) {
    const pattern = new RegExp(filter.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    match.$or = [
      { message: pattern },
      { type: pattern },
      { 'actor.id': pattern },
      { 'resource.id': pattern },
    ];
  }
  return match as Filter<StoredEvent>;
}
