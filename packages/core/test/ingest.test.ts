import {
  type AuditEvent,
  CHECKPOINT_TYPE,
  ChainVerifier,
  canonicalize,
  generateSigningKeys,
  ingestEvent,
  memorySink,
  newEventId,
} from '@auditkit/core';
import { testLogger } from './helpers';

/** An event as a service in another language would send it. */
function foreignEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    v: 1,
    id: newEventId(),
    time: '2026-11-03T10:00:00.123Z',
    type: 'payment.refund',
    category: 'business',
    action: 'execute',
    outcome: 'success',
    severity: 'notice',
    actor: { type: 'user', id: 'u-7' },
    tenant: 'acme',
    source: { service: 'billing-go', version: '3.1.0', instance: 'pod-4' },
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    details: { amount: 12, password: 'hunter2' },
    ...overrides,
  } as AuditEvent;
}

describe('ingestEvent', () => {
  it('keeps id, time, source and trace ids, redacts, and seals into the logger chain', async () => {
    const { logger, sink } = testLogger();
    const event = foreignEvent();
    expect(ingestEvent(logger, event)).toBe(event.id);
    await logger.flush();
    const [stored] = sink.events;
    expect(stored).toMatchObject({
      id: event.id,
      time: event.time,
      type: 'payment.refund',
      severity: 'notice',
      tenant: 'acme',
      source: { service: 'billing-go', version: '3.1.0', instance: 'pod-4' },
      traceId: event.traceId,
      spanId: event.spanId,
      details: { amount: 12, password: '[REDACTED]' },
    });
    expect(stored!.integrity).toMatchObject({ chain: logger.stats().integrity!.chain, seq: 0 });
    await logger.close();
  });

  it('ignores a seal and protection the sender made up', async () => {
    const { logger, sink } = testLogger();
    const forged = foreignEvent({
      integrity: { chain: 'elsewhere#1', seq: 41, prev: 'aa', hash: 'bb' },
      protected: { kid: 'k', alg: 'A256GCM', fields: ['details'] },
    });
    ingestEvent(logger, forged);
    await logger.flush();
    expect(sink.events[0]!.integrity).toMatchObject({ chain: logger.stats().integrity!.chain, seq: 0 });
    expect(sink.events[0]!.protected).toBeUndefined();
    await logger.close();
  });

  it('verifies when checkpoints follow events of other services (they repeat the last source)', async () => {
    const keys = generateSigningKeys();
    const sink = memorySink();
    const { logger } = testLogger({
      sinks: [sink],
      integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 2 },
    });
    ingestEvent(logger, foreignEvent());
    logger.log({ type: 'console.search' });
    ingestEvent(logger, foreignEvent({ source: { service: 'ledger-rs' } }));
    ingestEvent(logger, foreignEvent({ source: { service: 'ledger-rs' } }));
    await logger.close();
    const types = sink.events.map((e) => e.type);
    expect(types.filter((t) => t === CHECKPOINT_TYPE).length).toBeGreaterThanOrEqual(2);
    const verifier = new ChainVerifier({ publicKeys: [keys.publicKeyPem] });
    for (const e of sink.events) verifier.addLine(canonicalize(e));
    const report = verifier.finish();
    expect(report.breaks).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('refuses a logger that is not a pipeline', () => {
    const stub = { log: () => undefined } as unknown as Parameters<typeof ingestEvent>[0];
    expect(() => ingestEvent(stub, foreignEvent())).toThrow(/createAuditLogger/);
  });
});
