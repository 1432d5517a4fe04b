import { kafkaToStore } from '@auditkit/kafka';
import {
  brokerAndDatabase,
  countRows,
  createTopic,
  kafkaLogger,
  unique,
  verifyStore,
  waitFor,
} from './helpers';

const { broker, db } = brokerAndDatabase();

test('many instances -> Kafka -> a consumer group -> PostgreSQL: every event stored once, every chain verifies', async () => {
  const topic = await createTopic(broker.brokers, 3);
  const store = db.store();
  await store.migrate();
  const groupId = unique('store');
  // Two bridge instances of one group share the partitions, as a scaled-out deployment would.
  const bridges = [1, 2].map(() =>
    kafkaToStore({
      brokers: broker.brokers,
      topic,
      groupId,
      store,
      batch: { maxEvents: 200, maxWaitMs: 20 },
    }),
  );
  try {
    const loggers = ['api-1', 'api-2', 'api-3', 'api-4'].map((instance) =>
      kafkaLogger(broker.brokers, topic, instance),
    );
    for (let i = 0; i < 500; i++)
      for (const logger of loggers) logger.log({ type: 'order.created', details: { i } });
    await Promise.all(loggers.map((l) => l.close()));
    expect(loggers.map((l) => l.stats().sinks[0]!.delivered)).toEqual([500, 500, 500, 500]);
    await waitFor(async () => (await countRows(db.pool, db.schema)).rows >= 2000, '2000 rows');
  } finally {
    await Promise.all(bridges.map((b) => b.close()));
  }

  expect(await countRows(db.pool, db.schema)).toEqual({ rows: 2000, ids: 2000 });
  const report = await verifyStore(db.pool, db.schema);
  expect(report.breaks).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.chains.map((c) => [c.events, c.firstSeq, c.lastSeq])).toEqual(
    Array.from({ length: 4 }, () => [500, 0, 499]),
  );
  const stats = bridges.map((b) => b.stats());
  // Every record was read and stored (a partition moving to the other instance mid-batch may be
  // read again from its last commit: the store keeps one copy), nothing failed.
  expect(stats.reduce((n, s) => n + s.received, 0)).toBeGreaterThanOrEqual(2000);
  expect(stats.reduce((n, s) => n + s.stored, 0)).toBeGreaterThanOrEqual(2000);
  expect(stats.reduce((n, s) => n + s.commits, 0)).toBeGreaterThan(0);
  for (const s of stats) expect([s.invalid, s.storeFailures]).toEqual([0, 0]);
});
