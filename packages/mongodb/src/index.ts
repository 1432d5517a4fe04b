import {
  type AuditEvent,
  type AuditIterateQuery,
  type AuditPage,
  type AuditQuery,
  type AuditRetentionInfo,
  type AuditStatsQuery,
  type AuditStore,
  type AuditStoreStats,
  type Batch,
  BUCKET_MS,
  type ChainHead,
  chainEventsByPages,
  checkEventId,
  eventsAround,
  iterateByPages,
  oldestEvent,
  pageOf,
  type RetentionPolicy,
  type RetentionResult,
  resolveAuditQuery,
  resolveStatsQuery,
  retentionCutoffs,
  statsTally,
} from '@auditkit/core/store';
import type { Collection, Document, Filter, MongoClient } from 'mongodb';
import { matchDocument } from './filter-match';

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

  const store: AuditStore & { ensureIndexes(): Promise<void> } = {
    name: options.name ?? 'mongodb',
    ensureIndexes,
    async write(batch: Batch) {
      if (batch.events.length === 0) return;
      await ensureIndexes();
      await insertIdempotent(collection, batch.events.map(toStored));
    },
    async query(query?: AuditQuery): Promise<AuditPage> {
      const q = resolveAuditQuery(query, 'mongoStore');
      const direction = q.order === 'asc' ? 1 : -1;
      const docs = await collection
        .find(matchDocument(q) as Filter<StoredEvent>)
        .sort({ at: direction, _id: direction })
        .limit(q.limit + 1)
        .toArray();
      return pageOf(docs.map(fromStored), q);
    },
    iterate(query?: AuditIterateQuery) {
      return iterateByPages((q) => store.query(q), query, 'mongoStore');
    },
    async get(id: string, options?: { tenant?: string }) {
      const { tenant } = checkEventId(id, options, 'mongoStore');
      const doc = await collection.findOne(
        (tenant === undefined
          ? { _id: { $eq: id } }
          : { _id: { $eq: id }, tenant: { $eq: tenant } }) as Filter<StoredEvent>,
      );
      return doc ? fromStored(doc) : undefined;
    },
    around(id, query) {
      return eventsAround(store, id, query, 'mongoStore');
    },
    async stats(query?: AuditStatsQuery): Promise<AuditStoreStats> {
      const q = resolveStatsQuery(query, 'mongoStore');
      const width = BUCKET_MS[q.bucket];
      // Grouped in the database: one row per (type, outcome, category, actor, bucket) and one per
      // resource, never per event.
      const resourceGroups = collection
        .aggregate<{ _id: string | null; n: number }>([
          { $match: matchDocument(q) },
          { $group: { _id: '$resource.id', n: { $sum: 1 } } },
        ])
        .toArray();
      const eventGroups = collection
        .aggregate<{
          _id: { type: string; outcome: string; category: string; actor?: string; bucket: number };
          n: number;
        }>([
          { $match: matchDocument(q) },
          {
            $group: {
              _id: {
                type: '$type',
                outcome: '$outcome',
                category: '$category',
                actor: '$actor.id',
                bucket: {
                  $subtract: [
                    { $subtract: ['$at', new Date(0)] },
                    { $mod: [{ $subtract: ['$at', new Date(0)] }, width] },
                  ],
                },
              },
              n: { $sum: 1 },
            },
          },
        ])
        .toArray();
      const [groups, resources] = await Promise.all([eventGroups, resourceGroups]);
      const tally = statsTally();
      for (const { _id: g, n } of groups) tally.add({ ...g, bucket: Number(g.bucket) }, n);
      for (const { _id: resource, n } of resources) tally.add({ resource }, n);
      return tally.result();
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
    async retention(options?: { tenant?: string }): Promise<AuditRetentionInfo> {
      const [days, oldest] = await Promise.all([ttlDaysOf(collection), oldestEvent(store, options?.tenant)]);
      return {
        ...(days === undefined ? {} : { maxAgeDays: { default: days } }),
        enforcement:
          days === undefined
            ? 'no TTL index: events are kept until applyRetention deletes them'
            : "MongoDB's TTL index deletes events older than this, about once a minute",
        ...(oldest ? { oldest } : {}),
      };
    },
    chainEvents(chain: string) {
      return chainEventsByPages(
        chain,
        async (after, limit) => {
          await ensureIndexes();
          const docs = await collection
            .find({
              'integrity.chain': { $eq: chain },
              'integrity.seq': { $gt: after },
            } as Filter<StoredEvent>)
            .sort({ 'integrity.seq': 1 })
            .limit(limit)
            .toArray();
          return docs.map(fromStored);
        },
        'mongoStore',
      );
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
  return store;
}

async function createIndexes(
  collection: Collection<StoredEvent>,
  ttlDays: number | undefined,
): Promise<void> {
  // Every query index ends in (at, _id), the keyset a page reads on from: one index range per page
  // at any depth. The same filters as the PostgreSQL store's indexes serve (see its schema).
  const specs: Array<{ key: Document; name: string; unique?: boolean; sparse?: boolean }> = [
    { key: { at: -1, _id: -1 }, name: 'time' },
    { key: { tenant: 1, at: -1, _id: -1 }, name: 'tenant_key' },
    { key: { tenant: 1, type: 1, at: -1, _id: -1 }, name: 'tenant_type_key' },
    { key: { tenant: 1, outcome: 1, at: -1, _id: -1 }, name: 'tenant_outcome_key' },
    { key: { 'actor.id': 1, at: -1, _id: -1 }, name: 'actor_key' },
    { key: { 'resource.type': 1, 'resource.id': 1, at: -1, _id: -1 }, name: 'resource_key' },
    { key: { correlationId: 1, at: -1, _id: -1 }, name: 'correlation_key', sparse: true },
    {
      key: { 'integrity.chain': 1, 'integrity.seq': 1 },
      name: 'chain_seq',
      unique: true,
      // Sparse, not partial: unsealed events (no integrity) stay out of the unique index on every server.
      sparse: true,
    },
  ];
  await collection.createIndexes(specs);
  // The first layout's indexes, which those above replace.
  const existing = new Set((await collection.indexes()).map((index) => index.name));
  for (const old of [
    'tenant_time',
    'type_time',
    'category_time',
    'actor_time',
    'resource_time',
    'correlation',
  ])
    if (existing.has(old)) await collection.dropIndex(old);
  if (ttlDays !== undefined) {
    await collection.createIndex(
      { at: 1 },
      { name: 'ttl', expireAfterSeconds: Math.round(ttlDays * 86_400) },
    );
  }
}

/** Days of the TTL index on `at`, as the server holds it (whoever created it); undefined without one. */
async function ttlDaysOf(collection: Collection<StoredEvent>): Promise<number | undefined> {
  let indexes: Document[];
  try {
    indexes = await collection.indexes();
  } catch (error) {
    if ((error as { codeName?: string }).codeName === 'NamespaceNotFound') return undefined; // nothing written yet
    throw error;
  }
  const ttl = indexes.find((i) => typeof i.expireAfterSeconds === 'number' && i.key?.at !== undefined);
  return ttl ? (ttl.expireAfterSeconds as number) / 86_400 : undefined;
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
