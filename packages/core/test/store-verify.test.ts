import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditStore,
  createAuditLogger,
  type FileSink,
  fileSink,
  generateSigningKeys,
  proveStoredEvent,
  verifyFiles,
  verifyInclusionProof,
  verifyStore,
} from '@auditkit/core';

const keys = generateSigningKeys();
let dir: string;
let store: FileSink;
const ids: string[] = [];

/** Two writers, one after the other, into one file store: two chains, the second naming the first. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-store-verify-'));
  store = fileSink({ path: join(dir, 'audit.jsonl') });
  for (const [instance, n] of [
    ['a', 12],
    ['b', 7],
  ] as const) {
    const logger = createAuditLogger({
      service: 'billing',
      instance,
      flushOnExit: false,
      batch: { maxWaitMs: 1, maxEvents: 4 },
      sinks: [fileSink({ path: join(dir, 'audit.jsonl') })],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 5 },
    });
    for (let i = 0; i < n; i++) ids.push(logger.log({ type: 'invoice.paid', details: { instance, i } })!);
    await logger.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verifyStore', () => {
  it('verifies every chain of a store as verifyFiles does', async () => {
    const report = await verifyStore(store, { publicKeys: [keys.publicKeyPem], expectClosed: true });
    const files = await verifyFiles([dir], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    expect(report.ok).toBe(true);
    expect(report.chains).toHaveLength(2);
    expect(report.events).toBe(files.events);
    expect(report.chains.map((c) => c.events).sort()).toEqual(files.chains.map((c) => c.events).sort());
  });

  it('verifies only the chains asked for', async () => {
    const [head] = await store.chainHeads();
    const report = await verifyStore(store, { chains: [head!.chain] });
    expect(report.chains.map((c) => c.chain)).toEqual([head!.chain]);
  });

  it('names the event that was changed after sealing', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'auditkit-store-verify-tampered-'));
    try {
      const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n');
      const at = lines.findIndex((l) => l.includes(ids[3]!));
      lines[at] = lines[at]!.replace('"i":3', '"i":33');
      writeFileSync(join(copy, 'audit.jsonl'), lines.join('\n'));
      const report = await verifyStore(fileSink({ path: join(copy, 'audit.jsonl') }));
      expect(report.ok).toBe(false);
      expect(report.breaks[0]).toMatchObject({ kind: 'modified', eventId: ids[3] });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('refuses a store that cannot read a chain, naming it', async () => {
    const { chainEvents: _omit, ...partial } = store;
    const bare = { ...partial, name: 'bare', chainHeads: () => store.chainHeads() } as AuditStore;
    await expect(verifyStore(bare)).rejects.toThrow(/store "bare" cannot read a chain/);
  });
});

describe('proveStoredEvent', () => {
  it('proves a stored event with a proof checkable by the public key alone', async () => {
    const proof = await proveStoredEvent(store, ids[2]!);
    expect(proof.event.id).toBe(ids[2]);
    expect(verifyInclusionProof(proof, [keys.publicKeyPem])).toEqual({ ok: true });
  });

  it('says why when there is no proof', async () => {
    await expect(proveStoredEvent(store, '0190aaaa-0000-7000-8000-000000000000')).rejects.toThrow(
      /not in the store/,
    );
  });
});
