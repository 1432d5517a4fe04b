import { mongoStore } from '@auditkit/mongodb';
import { batchOf, makeEvent, startMongo, type TestMongo } from './server';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startMongo();
}, 120_000);
afterAll(() => mongo?.stop());

describe('mongoStore indexes', () => {
  it('creates the query indexes, a unique (chain, seq) index and a TTL index', async () => {
    const store = mongoStore({
      client: mongo.client,
      database: mongo.database,
      collection: 'idx',
      ttlDays: 90,
    });
    await store.write(batchOf([makeEvent()]));
    const indexes = await mongo.client.db(mongo.database).collection('idx').indexes();
    const byName = Object.fromEntries(indexes.map((index) => [index.name, index]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining([
        '_id_',
        'time',
        'tenant_time',
        'type_time',
        'actor_time',
        'resource_time',
        'chain_seq',
      ]),
    );
    expect(byName.chain_seq?.unique).toBe(true);
    expect(byName.ttl?.expireAfterSeconds).toBe(90 * 86_400);
  });
});
