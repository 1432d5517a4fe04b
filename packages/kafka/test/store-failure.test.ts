import { type KafkaBridgeError, kafkaToStore } from '@auditkit/kafka';
import { postgresStore } from '@auditkit/postgres';
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

test('while the store refuses writes nothing is committed; once it accepts, every event is stored once', async () => {
  const topic = await createTopic(broker.brokers, 2);
  const groupId = unique('failing');
  // No migration: the table does not exist yet, so every write fails in PostgreSQL itself.
  const store = postgresStore({ pool: db.pool, schema: db.schema, migrate: false });
  const errors: KafkaBridgeError[] = [];
  const bridge = kafkaToStore({
    brokers: broker.brokers,
    topic,
    groupId,
    store,
    batch: { maxWaitMs: 20 },
    retry: { baseDelayMs: 50, maxDelayMs: 200 },
    onError: (e) => errors.push(e),
  });
  try {
    const logger = kafkaLogger(broker.brokers, topic, 'w-1');
    for (let i = 0; i < 300; i++) logger.log({ type: 'invoice.sent' });
    await logger.close();

    await waitFor(async () => bridge.stats().storeFailures >= 5, 'five failed store writes');
    expect(await committedOffsets(broker.brokers, groupId, topic)).toEqual({});
    expect(bridge.stats().stored).toBe(0);

    await db.store().migrate(); // the store comes back
    await waitFor(async () => (await countRows(db.pool, db.schema)).rows >= 300, '300 rows');
    await waitFor(async () => bridge.stats().commits > 0, 'a commit');
  } finally {
    await bridge.close();
  }
  expect(await countRows(db.pool, db.schema)).toEqual({ rows: 300, ids: 300 });
  expect((await verifyStore(db.pool, db.schema)).ok).toBe(true);
  // One chain, one partition: its committed offset is right after the last record.
  expect(Object.values(await committedOffsets(broker.brokers, groupId, topic))).toEqual([300n]);
  const stats = bridge.stats();
  expect(stats.storeFailures).toBeGreaterThanOrEqual(5);
  expect(stats.received).toBe(300);
  expect(errors.every((e) => e.kind === 'store' && /does not exist/.test(e.message))).toBe(true);
});
