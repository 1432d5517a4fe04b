/** The file sink against the shared store contract: paging, tenant walls, the filter language, injection. */
import { join } from 'node:path';
import {
  describeFilterAgreement,
  describeInjection,
  describePaging,
  describeStoredIds,
  describeStoredLines,
  describeTenantWall,
} from '@auditkit/test-utils';
import { fileSink } from '../src';
import { tempDir } from './sink-helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());
let n = 0;
const open = async () => {
  const store = fileSink({ path: join(tmp.dir, `contract-${n++}`, 'audit.jsonl') });
  return { store, close: () => store.close() };
};

describePaging('fileSink', open, 2000);
describeTenantWall('fileSink', open);
describeFilterAgreement('fileSink', open, 100);
describeInjection('fileSink', open);
describeStoredLines('fileSink', open);
describeStoredIds('fileSink', open);
