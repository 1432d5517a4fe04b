/** The MongoDB store against the shared store contract: paging, tenant walls, the filter language, injection. */
import { mongoStore } from '@auditkit/mongodb';
import {
  describeFilterAgreement,
  describeInjection,
  describePaging,
  describeStoredIds,
  describeStoredLines,
  describeTenantWall,
} from '@auditkit/test-utils';
import { startMongo, type TestMongo } from './server';

let mongo: TestMongo | undefined;
afterAll(() => mongo?.stop());
let n = 0;
const open = async () => {
  mongo ??= await startMongo();
  return {
    store: mongoStore({ client: mongo.client, database: mongo.database, collection: `contract_${n++}` }),
    close: async () => {},
  };
};

describePaging('mongoStore', open, 2000);
describeTenantWall('mongoStore', open);
describeFilterAgreement('mongoStore', open, 60);
describeInjection('mongoStore', open);
describeStoredLines('mongoStore', open);
describeStoredIds('mongoStore', open);
