/**
 * Trails sealed under seal version 1 (before the event hash became its Merkle leaf) verify and
 * prove from the store as before, a writer that resumes such a chain goes on under version 2, and
 * a stored event relabelled from one version to the other is found.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AuditEvent,
  createAuditLogger,
  createBatch,
  generateSigningKeys,
  memorySink,
  proveStoredEvent,
  verifyInclusionProof,
  verifyStore,
} from '@auditkit/core';
import { testDatabase } from './helpers';

const db = testDatabase();
afterAll(() => db.drop());

const fixture = join(__dirname, '..', '..', 'core', 'test', 'fixtures', 'seal-v1');
const v1Lines = readFileSync(join(fixture, 'audit.jsonl'), 'utf8').trimEnd().split('\n');
const v1Key = readFileSync(join(fixture, 'signing.pub'), 'utf8');
const keys = generateSigningKeys();
const publicKeys = [v1Key, keys.publicKeyPem];

/** The version 1 trail, as its writer stored it, in a table of its own. */
async function v1Store(table: string) {
  const store = db.store(table);
  await store.write(
    createBatch(
      v1Lines.map((l) => JSON.parse(l) as AuditEvent),
      v1Lines,
    ),
  );
  return store;
}

describe('seal versions in PostgreSQL', () => {
  it('verifies and proves a version 1 trail', async () => {
    const store = await v1Store('v1_only');
    expect(await verifyStore(store, { publicKeys: [v1Key], expectClosed: true })).toMatchObject({
      ok: true,
      events: v1Lines.length,
      breaks: [],
    });
    for (const line of v1Lines.slice(0, -1)) {
      const proof = await proveStoredEvent(store, (JSON.parse(line) as AuditEvent).id);
      expect(proof.event.integrity).not.toHaveProperty('v');
      expect(verifyInclusionProof(proof, [v1Key])).toEqual({ ok: true });
    }
  });

  it('resumes a version 1 chain under version 2; the mixed chain verifies and proves', async () => {
    const store = await v1Store('mixed');
    const copy = memorySink();
    const logger = createAuditLogger({
      service: 'orders',
      instance: 'node-a',
      flushOnExit: false,
      sinks: [store, copy],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 3 },
    });
    for (let i = 0; i < 7; i++)
      logger.log({ type: 'order.shipped', resource: { type: 'order', id: `o-${i}` } });
    await logger.close();
    const chain = (JSON.parse(v1Lines[0]!) as AuditEvent).integrity!.chain;
    expect(copy.events.map((e) => [e.integrity!.chain, e.integrity!.v])).toEqual(
      copy.events.map(() => [chain, 2]),
    );
    expect(copy.events[0]!.integrity!.seq).toBe(v1Lines.length);
    const report = await verifyStore(store, { publicKeys, expectClosed: true });
    expect(report).toMatchObject({ ok: true, events: v1Lines.length + copy.events.length, breaks: [] });
    expect(report.chains).toEqual([expect.objectContaining({ chain, checkpoints: 6 })]);
    for (const id of [(JSON.parse(v1Lines[2]!) as AuditEvent).id, copy.events[0]!.id, copy.events[4]!.id]) {
      expect(verifyInclusionProof(await proveStoredEvent(store, id), publicKeys)).toEqual({ ok: true });
    }
  });

  it('finds a stored version 2 event relabelled as version 1, and a version 1 event as version 2', async () => {
    const copy = memorySink();
    const logger = createAuditLogger({
      service: 'orders',
      instance: 'node-b',
      flushOnExit: false,
      sinks: [copy],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 3 },
    });
    for (let i = 0; i < 5; i++)
      logger.log({ type: 'order.shipped', resource: { type: 'order', id: `o-${i}` } });
    await logger.close();
    const v2 = copy.events.map((e) => structuredClone(e));
    delete v2[1]!.integrity!.v;
    const v1 = v1Lines.map((l) => JSON.parse(l) as AuditEvent);
    v1[1]!.integrity!.v = 2;
    for (const [table, events] of [
      ['relabelled_v2', v2],
      ['relabelled_v1', v1],
    ] as const) {
      const store = db.store(table);
      await store.write(createBatch(events));
      expect((await verifyStore(store, { publicKeys })).breaks).toEqual([
        expect.objectContaining({ kind: 'modified', seq: events[1]!.integrity!.seq }),
      ]);
    }
  });
});
