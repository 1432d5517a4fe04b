import { mongoStore } from '@auditkit/mongodb';
import { batchOf, makeEvent, startMongo, type TestMongo } from './server';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startMongo();
}, 120_000);
afterAll(() => mongo?.stop());

describe('mongoStore indexes', () => {
  it('creates the (time, id) keyset indexes, a unique (chain, seq) index and a TTL index', async () => {
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
        'tenant_key',
        'tenant_type_key',
        'tenant_outcome_key',
        'actor_key',
        'resource_key',
        'correlation_key',
        'chain_seq',
      ]),
    );
    expect(byName.chain_seq?.unique).toBe(true);
    expect(byName.ttl?.expireAfterSeconds).toBe(90 * 86_400);
  });

  it('drops the first layout’s indexes without _id, which the keyset indexes replace', async () => {
    const collection = mongo.client.db(mongo.database).collection('old_layout');
    await collection.createIndex({ type: 1, at: -1 }, { name: 'type_time' });
    await collection.createIndex({ 'actor.id': 1, at: -1 }, { name: 'actor_time' });
    const store = mongoStore({ client: mongo.client, database: mongo.database, collection: 'old_layout' });
    await store.write(batchOf([makeEvent()]));
    const names = (await collection.indexes()).map((index) => index.name);
    expect(names).not.toContain('type_time');
    expect(names).not.toContain('actor_time');
    expect(names).toContain('tenant_type_key');
  });
});
