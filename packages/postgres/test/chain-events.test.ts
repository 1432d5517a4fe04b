/** The PostgreSQL store's chainEvents: what integrity checks and proofs over the store read. */
import { describeChainEvents } from '@auditkit/test-utils';
import { testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

describeChainEvents('postgresStore', async () => ({
  store: db.store('chain_events'),
  close: async () => {},
}));
