import type { AuditEvent } from '@auditkit/core';
import { mongoStore } from '@auditkit/mongodb';
import { batchOf, makeEvent, startMongo, type TestMongo } from './server';

let mongo: TestMongo;
let store: ReturnType<typeof mongoStore>;
let events: AuditEvent[];
beforeAll(async () => {
  mongo = await startMongo();
  store = mongoStore({ client: mongo.client, database: mongo.database, collection: 'query' });
  events = [
    makeEvent({
      tenant: 't1',
      type: 'auth.login',
      category: 'security',
      outcome: 'failure',
      message: 'Bad password',
    }),
    makeEvent({ tenant: 't1', resource: { type: 'invoice', id: 'inv-7' }, correlationId: 'req-1' }),
    makeEvent({ tenant: 't2', actor: { type: 'user', id: 'bob' } }),
    makeEvent({
      tenant: 't1',
      severity: 'warning',
      integrity: { chain: 'a', seq: 1, prev: null, hash: 'h1' },
    }),
    makeEvent({ tenant: 't1', integrity: { chain: 'a', seq: 2, prev: 'h1', hash: 'h2' } }),
    makeEvent({ tenant: 't1', integrity: { chain: 'b', seq: 1, prev: null, hash: 'hb' } }),
  ];
  await store.write(batchOf(events));
}, 120_000);
afterAll(() => mongo?.stop());

const ids = (list: AuditEvent[]) => list.map((e) => e.id);

describe('mongoStore queries', () => {
  it('returns newest first and pages with a cursor', async () => {
    const first = await store.query({ limit: 4 });
    expect(ids(first.events)).toEqual(ids(events.slice(2).reverse()));
    const second = await store.query({ limit: 4, cursor: first.nextCursor });
    expect(ids(second.events)).toEqual(ids(events.slice(0, 2).reverse()));
    expect(second.nextCursor).toBeUndefined();
    await expect(store.query({ cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('filters by tenant, time, type, outcome, actor, resource, correlation and text', async () => {
    const e = events as [AuditEvent, AuditEvent, AuditEvent, AuditEvent, AuditEvent, AuditEvent];
    expect(ids((await store.query({ tenant: 't2' })).events)).toEqual([e[2].id]);
    expect(ids((await store.query({ from: e[1].time, to: e[3].time })).events)).toEqual([e[2].id, e[1].id]);
    expect(ids((await store.query({ types: ['auth.login'] })).events)).toEqual([e[0].id]);
    expect(ids((await store.query({ categories: ['security'], outcomes: ['failure'] })).events)).toEqual([
      e[0].id,
    ]);
    expect(ids((await store.query({ severities: ['warning'] })).events)).toEqual([e[3].id]);
    expect(ids((await store.query({ actorId: 'bob' })).events)).toEqual([e[2].id]);
    expect(ids((await store.query({ resourceType: 'invoice', resourceId: 'inv-7' })).events)).toEqual([
      e[1].id,
    ]);
    expect(ids((await store.query({ correlationId: 'req-1' })).events)).toEqual([e[1].id]);
    expect(ids((await store.query({ text: 'bad PASS' })).events)).toEqual([e[0].id]);
    expect(await store.get(e[1].id)).toEqual(e[1]);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('counts by type, outcome, actor, resource and time bucket', async () => {
    const stats = await store.stats({ tenant: 't1', bucket: 'day' });
    expect(stats.total).toBe(5);
    expect(stats.byType).toEqual({ 'auth.login': 1, 'data.update': 4 });
    expect(stats.byOutcome).toEqual({ failure: 1, success: 4 });
    expect(stats.byActor).toEqual({ alice: 5 });
    expect(stats.byResource).toMatchObject({ 'inv-7': 1 });
    expect(stats.overTime).toEqual([
      { start: '2026-01-01T00:00:00.000Z', count: 5, byOutcome: { failure: 1, success: 4 } },
    ]);
  });

  it('reports the last sealed event of each chain', async () => {
    const heads = await store.chainHeads();
    expect(heads).toEqual([
      { chain: 'a', seq: 2, hash: 'h2', eventId: events[4]?.id, time: events[4]?.time },
      { chain: 'b', seq: 1, hash: 'hb', eventId: events[5]?.id, time: events[5]?.time },
    ]);
  });
});
