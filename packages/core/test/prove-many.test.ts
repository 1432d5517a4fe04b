import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  proveChainEvent,
  proveChainEvents,
  verifyInclusionProof,
} from '@auditkit/core';

describe('proveChainEvents (many proofs from one read of a chain)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-prove-many-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each covered event the proof proveChainEvent gives, and leaves the unsigned tail out', async () => {
    const keys = generateSigningKeys();
    const store = fileSink({ path: join(dir, 'audit.jsonl') });
    const logger = createAuditLogger({
      service: 'prove-many',
      flushOnExit: false,
      sinks: [store],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 5 },
    });
    const ids = Array.from({ length: 23 }, (_, i) => logger.log({ type: 'ledger.entry', details: { i } })!);
    await logger.flush();
    const [head] = await store.chainHeads();
    const proofs = await proveChainEvents(store.chainEvents!(head!.chain), new Set(ids));
    const uncovered: string[] = [];
    for (const id of ids) {
      const one = await proveChainEvent(store.chainEvents!(head!.chain), id).catch(() => undefined);
      if (!one) uncovered.push(id);
      expect(proofs.get(id)).toEqual(one);
      if (one) expect(verifyInclusionProof(proofs.get(id)!, [keys.publicKeyPem])).toEqual({ ok: true });
    }
    expect(uncovered.length).toBeGreaterThan(0);
    expect(proofs.size).toBe(ids.length - uncovered.length);
    await logger.close();
  });
});
