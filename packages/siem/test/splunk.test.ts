import { type AuditSink, createAuditLogger, createBatch, memorySink } from '@auditkit/core';
import { splunkHecSink } from '@auditkit/siem';
import { logOrders, pipelineInto } from './helpers';
import { type SplunkReceiver, splunkReceiver } from './receivers';

describe('splunkHecSink', () => {
  let hec: SplunkReceiver;
  beforeEach(async () => {
    hec = await splunkReceiver('hec-token');
  });
  afterEach(() => hec.close());

  const sink = (extra = {}) => splunkHecSink({ url: hec.url, token: 'hec-token', index: 'audit', ...extra });

  it('sends each batch as one authenticated request of HEC events with time, host, source and sourcetype', async () => {
    const { logger, errors } = pipelineInto(sink());
    const ids = logOrders(logger, 12);
    await logger.close();
    expect(errors).toEqual([]);
    expect(hec.events.map((e) => (e.event as { id: string }).id)).toEqual(ids);
    const first = hec.events[0]!;
    expect(first).toMatchObject({
      index: 'audit',
      source: 'auditkit',
      sourcetype: 'auditkit:event',
      host: expect.any(String),
      event: { type: 'order.created', tenant: 'acme', resource: { id: 'ord-0' } },
    });
    expect(first.time).toBeCloseTo(Date.now() / 1000, -2);
    expect(hec.requests[0]!.headers.authorization).toBe('Splunk hec-token');
  });

  it('on "invalid-event-number" keeps what HEC indexed, skips the bad event, sends the rest, and reports it', async () => {
    // A formatter that yields an empty event for one input: HEC answers 400 code 13 for it.
    const s = sink({ format: (e: { type: string }) => (e.type === 'broken' ? {} : e) });
    const seen = memorySink();
    const logger = createAuditLogger({
      service: 'orders',
      flushOnExit: false,
      sinks: [seen],
      onError: () => {},
    });
    logOrders(logger, 2);
    logger.log({ type: 'broken' });
    logOrders(logger, 3);
    await logger.close();
    await expect(s.write(createBatch(seen.events))).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/1 events rejected, event 2: Event field cannot be blank/),
    });
    expect(hec.events).toHaveLength(5);
    expect(hec.requests).toHaveLength(2);
  });

  it('retries while HEC answers 503 "Server is busy" and then delivers', async () => {
    hec.busy(2);
    const { logger } = pipelineInto(sink());
    logOrders(logger, 3);
    await logger.close();
    expect(hec.events).toHaveLength(3);
    expect(logger.stats().sinks[0]).toMatchObject({ delivered: 3, retries: 2 });
  });

  it('treats an invalid token as permanent: no retries, a clear error without the token', async () => {
    const { logger, errors } = pipelineInto(splunkHecSink({ url: hec.url, token: 'stolen-or-wrong' }));
    logOrders(logger, 2);
    await logger.close();
    expect(hec.events).toHaveLength(0);
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 2, retries: 0 });
    expect(errors[0]!.message).toMatch(/answered 403 \(code 4\): Invalid token/);
    expect(errors[0]!.message).not.toMatch(/stolen-or-wrong/);
  });

  it('requires url and token', () => {
    expect(() => splunkHecSink({ url: hec.url, token: '' })).toThrow(/token is required/);
    expect(() => splunkHecSink({ url: '', token: 't' } as never)).toThrow(/url is required/);
  });

  it('counts a collector that is down as failed after the retries, without throwing into the app', async () => {
    await hec.close();
    const s: AuditSink = sink();
    const { logger, errors } = pipelineInto(s, 2);
    expect(() => logOrders(logger, 1)).not.toThrow();
    await logger.close();
    expect(logger.stats().sinks[0]).toMatchObject({ failed: 1, retries: 1 });
    expect(errors.at(-1)!.message).toMatch(/request to .* failed/);
  });
});
