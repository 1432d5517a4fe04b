import { mongoStore } from '@auditkit/mongodb';
import { batchOf, makeEvent, startMongo, type TestMongo } from './server';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startMongo();
}, 120_000);
afterAll(() => mongo?.stop());

describe('mongoStore writes', () => {
  it('replaying a batch (whole or overlapping) never duplicates an event', async () => {
    const store = mongoStore({ client: mongo.client, database: mongo.database, collection: 'replay' });
    const events = [makeEvent(), makeEvent(), makeEvent()];
    await store.write(batchOf(events));
    await store.write(batchOf(events));
    const extra = makeEvent();
    await store.write(batchOf([events[1] as never, extra]));
    const count = await mongo.client.db(mongo.database).collection('replay').countDocuments();
    expect(count).toBe(4);
    expect((await store.get(extra.id))?.id).toBe(extra.id);
  });

  it('a non-duplicate error fails the batch so the core retries it', async () => {
    const store = mongoStore({ client: mongo.client, database: mongo.database, collection: 'conflict' });
    const sealed = makeEvent({ integrity: { chain: 'c1', seq: 1, prev: null, hash: 'h1' } });
    await store.write(batchOf([sealed]));
    // A different event claiming the same chain position is a real conflict, not a replay.
    const forged = makeEvent({ integrity: { chain: 'c1', seq: 1, prev: null, hash: 'h2' } });
    await expect(store.write(batchOf([forged]))).rejects.toThrow();
    await expect(store.get(forged.id)).resolves.toBeUndefined();
  });

  it('a write against an unreachable server rejects', async () => {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient('mongodb://127.0.0.1:1/?directConnection=true', {
      serverSelectionTimeoutMS: 300,
    });
    const store = mongoStore({ client, database: 'x' });
    await expect(store.write(batchOf([makeEvent()]))).rejects.toThrow();
    await client.close();
  });

  it('rejects missing client and invalid event times with clear errors', async () => {
    expect(() => mongoStore(undefined as never)).toThrow(/client/);
    const store = mongoStore({ client: mongo.client, database: mongo.database, collection: 'bad' });
    await expect(store.write(batchOf([makeEvent({ time: 'not a time' })]))).rejects.toThrow(/invalid time/);
  });
});
