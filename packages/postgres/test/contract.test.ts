/** The PostgreSQL store against the shared store contract: paging, tenant walls, the filter language, injection. */
import {
  describeFilterAgreement,
  describeInjection,
  describePaging,
  describeStoredIds,
  describeStoredLines,
  describeTenantWall,
} from '@auditkit/test-utils';
import { testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());
let n = 0;
const open = async () => ({ store: db.store(`contract_${n++}`), close: async () => {} });

describePaging('postgresStore', open);
describeTenantWall('postgresStore', open);
describeFilterAgreement('postgresStore', open, 100);
describeInjection('postgresStore', open);
describeStoredLines('postgresStore', open);
describeStoredIds('postgresStore', open);
