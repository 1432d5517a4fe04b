import { ChainVerifier } from '@auditkit/core';
import { HEADER_ID, HEADER_TYPE } from '@auditkit/kafka';
import { murmur2 } from '@platformatic/kafka';
import { createTopic, kafkaLogger, readTopic, sharedBroker } from './helpers';

let broker: Awaited<ReturnType<typeof sharedBroker>>;
beforeAll(async () => {
  broker = await sharedBroker();
}, 60_000);
afterAll(() => broker?.close());

const PARTITIONS = 4;
/** Where a Java producer puts a key: positive murmur2 modulo the partition count. */
const javaPartition = (key: string) => (murmur2(Buffer.from(key)) & 0x7fffffff) % PARTITIONS;

test('events logged through the pipeline reach the topic keyed by chain, one chain per partition, as the sealed lines', async () => {
  const topic = await createTopic(broker.brokers, PARTITIONS);
  const loggers = ['b-1', 'b-2', 'b-3'].map((instance) =>
    kafkaLogger(broker.brokers, topic, instance, { batch: { maxEvents: 50, maxWaitMs: 10 } }),
  );
  const ids = new Set<string>();
  for (let i = 0; i < 150; i++) {
    for (const logger of loggers) ids.add(logger.log({ type: 'payment.processed', details: { i } })!);
  }
  await Promise.all(loggers.map((l) => l.close()));
  const delivered = loggers.map((l) => l.stats().sinks[0]!);
  expect(delivered.map((s) => [s.delivered, s.failed])).toEqual([
    [150, 0],
    [150, 0],
    [150, 0],
  ]);

  const records = await readTopic(broker.brokers, topic, 450);
  expect(records).toHaveLength(450);
  expect(new Set(records.map((r) => r.headers[HEADER_ID]))).toEqual(ids);

  const chains = new Map<string, Set<number>>();
  const byPartition = new Map<number, string[]>();
  for (const r of records) {
    const event = JSON.parse(r.value);
    // The key is the chain; the headers name the event; the value is the line the hash covers.
    expect(r.key).toBe(event.integrity.chain);
    expect(r.headers[HEADER_ID]).toBe(event.id);
    expect(r.headers[HEADER_TYPE]).toBe('payment.processed');
    expect(r.partition).toBe(javaPartition(r.key));
    if (!chains.has(r.key)) chains.set(r.key, new Set());
    chains.get(r.key)!.add(r.partition);
    byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.value]);
  }
  // One chain per logger (`service@instance#run`).
  expect([...chains.keys()].map((c) => c.split('#')[0]).sort()).toEqual([
    'billing@b-1',
    'billing@b-2',
    'billing@b-3',
  ]);
  for (const partitions of chains.values()) expect(partitions.size).toBe(1);

  // Read partition by partition in offset order, every chain verifies from its exact bytes.
  const verifier = new ChainVerifier();
  for (const lines of byPartition.values()) for (const line of lines) verifier.addLine(line);
  const report = verifier.finish();
  expect(report.breaks).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.events).toBe(450);
  expect(report.chains.map((c) => [c.events, c.firstSeq, c.lastSeq])).toEqual([
    [150, 0, 149],
    [150, 0, 149],
    [150, 0, 149],
  ]);
});
