/** The MongoDB store's chainEvents: what integrity checks and proofs over the store read. */
import { mongoStore } from '@auditkit/mongodb';
import { describeChainEvents } from '@auditkit/test-utils';
import { startMongo, type TestMongo } from './server';

let mongo: TestMongo | undefined;
afterAll(() => mongo?.stop());

describeChainEvents('mongoStore', async () => {
  mongo ??= await startMongo();
  return {
    store: mongoStore({ client: mongo.client, database: mongo.database, collection: 'chain_events' }),
    close: async () => {},
  };
});
