import { createAuditLogger } from '@auditkit/core';
import { kafkaSink } from '@auditkit/kafka';
import { createTopic, sharedBroker } from './helpers';

let broker: Awaited<ReturnType<typeof sharedBroker>>;
beforeAll(async () => {
  broker = await sharedBroker();
});

test('a record the broker will never take fails the batch at once, without retries; the next batch goes through', async () => {
  // This topic takes record batches of at most 2000 bytes.
  const topic = await createTopic(broker.brokers, 1, { 'max.message.bytes': '2000' });
  const errors: Array<{ kind: string; message: string }> = [];
  const logger = createAuditLogger({
    service: 'billing',
    instance: 'e-1',
    flushOnExit: false,
    sinks: [kafkaSink({ brokers: broker.brokers, topic, compression: 'none' })],
    batch: { maxEvents: 1, maxWaitMs: 1 },
    retry: { attempts: 5, baseDelayMs: 50, maxDelayMs: 100 },
    onError: (e) => errors.push(e),
  });
  logger.log({ type: 'report.exported', details: { blob: 'x'.repeat(4000) } });
  await logger.flush();
  logger.log({ type: 'report.exported', details: { small: true } });
  await logger.close();

  const sink = logger.stats().sinks[0]!;
  // 1 event failed with no retry (permanent), 1 delivered after it.
  expect([sink.failed, sink.retries, sink.delivered]).toEqual([1, 0, 1]);
  expect(errors.map((e) => e.kind)).toEqual(['sink']);
  expect(errors[0]!.message).toMatch(/MESSAGE_TOO_LARGE/);
});
