import { kafkaToStore } from '@auditkit/kafka';
import {
  brokerAndDatabase,
  committedOffsets,
  countRows,
  createTopic,
  kafkaLogger,
  unique,
  verifyStore,
  waitFor,
} from './helpers';

const { broker, db } = brokerAndDatabase();

test('a consumer stopped mid-stream and started again resumes where it committed: no loss, no record read twice', async () => {
  const topic = await createTopic(broker.brokers, 2);
  const groupId = unique('resume');
  const store = db.store();
  await store.migrate();
  const bridgeOptions = {
    brokers: broker.brokers,
    topic,
    groupId,
    store,
    batch: { maxEvents: 50, maxWaitMs: 20 },
  };
  const loggers = ['r-1', 'r-2'].map((instance) => kafkaLogger(broker.brokers, topic, instance));
  const TOTAL = 3000;
  // The loggers keep producing in the background while the first consumer stops.
  const producing = (async () => {
    for (let i = 0; i < TOTAL / 2; i++) {
      for (const logger of loggers) logger.log({ type: 'stock.moved', details: { i } });
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(loggers.map((l) => l.close()));
  })();

  const first = kafkaToStore(bridgeOptions);
  try {
    await waitFor(async () => first.stats().stored >= 600, 'the first consumer to store 600 events');
  } finally {
    await first.close();
  }
  const stoppedAt = await countRows(db.pool, db.schema);
  const a = first.stats();
  // Stopped mid-stream: it stored part of the stream, and committed exactly what it stored.
  expect(stoppedAt.rows).toBe(a.stored);
  expect(a.stored).toBeLessThan(TOTAL);
  const committed = Object.values(await committedOffsets(broker.brokers, groupId, topic));
  expect(committed.reduce((n, o) => n + Number(o), 0)).toBe(a.stored);

  const second = kafkaToStore(bridgeOptions);
  try {
    await producing;
    expect(loggers.map((l) => l.stats().sinks[0]!.delivered)).toEqual([TOTAL / 2, TOTAL / 2]);
    await waitFor(async () => (await countRows(db.pool, db.schema)).rows >= TOTAL, `${TOTAL} rows`);
  } finally {
    await second.close();
  }
  const b = second.stats();
  expect(await countRows(db.pool, db.schema)).toEqual({ rows: TOTAL, ids: TOTAL });
  // Every record was read exactly once across the two consumers.
  expect([a.received + b.received, a.stored + b.stored]).toEqual([TOTAL, TOTAL]);
  expect([a.duplicates, b.duplicates, a.storeFailures, b.storeFailures]).toEqual([0, 0, 0, 0]);
  const report = await verifyStore(db.pool, db.schema);
  expect(report.ok).toBe(true);
  expect(report.chains.map((c) => [c.events, c.lastSeq])).toEqual([
    [TOTAL / 2, TOTAL / 2 - 1],
    [TOTAL / 2, TOTAL / 2 - 1],
  ]);
});
