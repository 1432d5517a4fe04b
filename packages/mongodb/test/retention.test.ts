import { mongoStore } from '@auditkit/mongodb';
import { batchOf, makeEvent, startMongo, type TestMongo } from './server';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startMongo();
}, 120_000);
afterAll(() => mongo?.stop());

describe('mongoStore retention', () => {
  it('deletes per category and by default, keeping younger events', async () => {
    const store = mongoStore({ client: mongo.client, database: mongo.database, collection: 'retention' });
    const old = '2020-01-01T00:00:00.000Z';
    const recent = '2026-01-01T00:00:00.000Z';
    const oldSecurity = makeEvent({ category: 'security', time: old });
    const oldApi = makeEvent({ category: 'api', time: old });
    const oldData = makeEvent({ category: 'data', time: old });
    const newApi = makeEvent({ category: 'api', time: recent });
    await store.write(batchOf([oldSecurity, oldApi, oldData, newApi]));
    const result = await store.applyRetention({
      categories: { security: 7 * 365, api: 90 },
      default: 365,
      now: new Date('2026-02-01T00:00:00.000Z'),
    });
    expect(result).toEqual({ deleted: 2 });
    const left = (await store.query()).events.map((e) => e.id).sort();
    expect(left).toEqual([oldSecurity.id, newApi.id].sort());
  });
});

describe('mongoStore retention()', () => {
  it('reports the TTL index the server holds, or none', async () => {
    const kept = mongoStore({ client: mongo.client, database: mongo.database, collection: 'info_kept' });
    expect(await kept.retention!()).toEqual({ enforcement: expect.stringMatching(/no TTL index/) });
    const expiring = mongoStore({
      client: mongo.client,
      database: mongo.database,
      collection: 'info_ttl',
      ttlDays: 30,
    });
    const event = makeEvent({ time: new Date().toISOString() });
    await expiring.write(batchOf([event]));
    expect(await expiring.retention!()).toEqual({
      maxAgeDays: { default: 30 },
      enforcement: expect.stringMatching(/TTL index deletes/),
      oldest: { id: event.id, time: event.time },
    });
  });
});
