import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  CHECKPOINT_TYPE,
  type CheckpointDetails,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  verifyFiles,
} from '@auditkit/core';

// close() seals a final checkpoint unless the newest sealed event already is one. An event that
// only looks like one (a caller's details naming `checkpoint.final`) must not spare it.

const keys = generateSigningKeys();
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'auditkit-final-details-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('close() seals a final checkpoint after an event whose details name checkpoint.final', async () => {
  const path = join(root, 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'billing',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 0 },
  });
  logger.log({ type: 'invoice.paid', details: { amount: 1 } });
  logger.log({ type: 'import.done', details: { checkpoint: { final: true } } });
  await logger.close();
  const events = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent);
  expect(events.map((e) => e.type)).toEqual(['invoice.paid', 'import.done', CHECKPOINT_TYPE]);
  const last = events.at(-1)!;
  expect(last.type).toBe(CHECKPOINT_TYPE);
  expect((last.details as unknown as CheckpointDetails).checkpoint).toMatchObject({ final: true, size: 2 });
  const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
  expect(report.breaks).toEqual([]);
  expect(report.ok).toBe(true);
});
