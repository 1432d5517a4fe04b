import { mongoStore } from '@auditkit/mongodb';
import { startMongo, type TestMongo } from '../../mongodb/test/server';
import { describeConsoleAttacks } from './attacks';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startMongo();
}, 120_000);
afterAll(() => mongo.stop());

describeConsoleAttacks('MongoDB store', () =>
  mongoStore({ client: mongo.client, database: mongo.database, collection: 'console_attacks' }),
);
