/**
 * `chainEvents` of a store, as verification and proofs read it: one chain in `seq` order across
 * many pages, every chain verifiable and every covered event provable, on every store.
 */
import {
  createAuditLogger,
  generateSigningKeys,
  proveStoredEvent,
  verifyInclusionProof,
  verifyStore,
} from '@auditkit/core';
import type { ContractStore, OpenContractStore } from './suites';

export function describeChainEvents(name: string, open: OpenContractStore, events = 2500): void {
  describe(`${name}: chainEvents, verifyStore and proveStoredEvent`, () => {
    const keys = generateSigningKeys();
    const ctx = {} as ContractStore & { ids: string[] };
    beforeAll(async () => {
      Object.assign(ctx, await open(), { ids: [] });
      for (const [instance, n] of [
        ['a', events],
        ['b', 10],
      ] as const) {
        const logger = createAuditLogger({
          service: 'chain-suite',
          instance,
          flushOnExit: false,
          batch: { maxWaitMs: 1, maxEvents: 500 },
          sinks: [ctx.store],
          integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 100 },
        });
        for (let i = 0; i < n; i++)
          ctx.ids.push(logger.log({ type: 'ledger.entry', tenant: 'acme', details: { i } })!);
        await logger.close();
      }
    }, 120_000);
    afterAll(() => ctx.close?.());

    it('reads one chain in seq order, every event once, across pages', async () => {
      const heads = await ctx.store.chainHeads();
      const longest = heads.sort((a, b) => b.seq - a.seq)[0]!;
      let expected = 0;
      for await (const e of ctx.store.chainEvents!(longest.chain)) {
        expect(e.integrity).toMatchObject({ chain: longest.chain, seq: expected });
        expected++;
      }
      expect(expected).toBe(longest.seq + 1);
    });

    it('verifies every chain with its signatures', async () => {
      const report = await verifyStore(ctx.store, { publicKeys: [keys.publicKeyPem], expectClosed: true });
      expect(report.breaks).toEqual([]);
      expect(report.chains).toHaveLength(2);
      expect(report.chains.every((c) => c.lastCheckpoint?.signatureChecked)).toBe(true);
    });

    it('proves an event deep in the chain with a proof the public key alone checks', async () => {
      const proof = await proveStoredEvent(ctx.store, ctx.ids[Math.floor(events * 0.6)]!);
      expect(verifyInclusionProof(proof, [keys.publicKeyPem])).toEqual({ ok: true });
    });
  });
}
