import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  CHAIN_STARTED_TYPE,
  CHECKPOINT_TYPE,
  type CheckpointDetails,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  verifyFiles,
} from '@auditkit/core';

// A caller's event that looks like the sealing pipeline's own must not be taken for it: close()
// seals a final checkpoint unless the newest sealed event already is one, whatever a caller's
// details name; and verifiers read `audit.*` events as the pipeline's own, so a caller's event never
// takes such a type.

const keys = generateSigningKeys();
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'auditkit-caller-checkpoints-'));
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

it('records a caller event of a reserved type under custom.<type>, counted as repaired, and the trail verifies', async () => {
  const path = join(root, 'reserved.jsonl');
  const logger = createAuditLogger({
    service: 'billing',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 2 },
  });
  logger.log({ type: 'invoice.paid' });
  // Shaped like a real checkpoint, with a final flag and a made-up root.
  logger.log({
    type: CHECKPOINT_TYPE,
    details: { checkpoint: { size: 1, root: 'ab'.repeat(32), final: true } },
  });
  logger.log({ type: CHAIN_STARTED_TYPE, details: { previous: { chain: 'forged', lastSeq: 9 } } });
  logger.log({ type: `audit.${'x'.repeat(300)}` });
  await logger.close();
  const events = readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent);
  expect(events.map((e) => e.type.slice(0, 30))).toEqual([
    'invoice.paid',
    `custom.${CHECKPOINT_TYPE}`,
    CHECKPOINT_TYPE,
    `custom.${CHAIN_STARTED_TYPE}`,
    `custom.audit.${'x'.repeat(17)}`,
    CHECKPOINT_TYPE,
    CHECKPOINT_TYPE, // close()'s final one
  ]);
  expect(events[4]!.type).toHaveLength(200);
  expect(logger.stats().repaired).toBe(3);
  const report = await verifyFiles([path], { publicKeys: [keys.publicKeyPem], expectClosed: true });
  expect(report.breaks).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.chains[0]!.follows).toBeUndefined();
});
