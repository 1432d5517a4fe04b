import { kafkaToStore } from '@auditkit/kafka';
import { testDatabase } from '../../postgres/test/helpers';
import {
  committedOffsets,
  countRows,
  createTopic,
  kafkaLogger,
  startOwnBroker,
  type TestBroker,
  unique,
  verifyStore,
  waitFor,
} from './helpers';

let broker: TestBroker;
const db = testDatabase();
beforeAll(async () => {
  broker = await startOwnBroker();
}, 60_000);
afterAll(async () => {
  await broker?.close();
  await db.drop();
});

test('the broker restarted mid-stream: after recovery every event is in the store exactly once', async () => {
  const topic = await createTopic(broker.brokers, 2);
  const groupId = unique('restart');
  const store = db.store();
  await store.migrate();
  const bridge = kafkaToStore({
    brokers: broker.brokers,
    topic,
    groupId,
    store,
    batch: { maxEvents: 100, maxWaitMs: 20 },
    retry: { baseDelayMs: 100, maxDelayMs: 1000 },
    // The member that could not leave the group holds its partitions this long (the broker's minimum).
    sessionTimeoutMs: 6000,
    onError: () => undefined, // the outage is expected; counted in stats
  });
  // Retries enough to ride out the outage (the queue holds what is logged meanwhile).
  const retry = { attempts: 60, baseDelayMs: 100, maxDelayMs: 1000, timeoutMs: 10_000 };
  const loggers = ['s-1', 's-2'].map((instance) =>
    kafkaLogger(broker.brokers, topic, instance, {
      retry,
      batch: { maxEvents: 100, maxWaitMs: 10 },
      onError: () => {},
    }),
  );
  let restarted = false;
  const ids = new Set<string>();
  const producing = (async () => {
    // Steady traffic before, during and for a while after the restart.
    for (let after = 0; after < 40; after += restarted ? 1 : 0) {
      for (let i = 0; i < 20; i++)
        for (const logger of loggers) ids.add(logger.log({ type: 'trade.booked' })!);
      await new Promise((r) => setTimeout(r, 25));
    }
    await Promise.all(loggers.map((l) => l.close()));
  })();
  try {
    await waitFor(
      async () => (await countRows(db.pool, db.schema)).rows >= 400,
      'traffic before the restart',
      30_000,
    );
    // Down until the consumer's session breaks: records it fetched before the stop can keep its
    // stream busy for seconds (only commits fail meanwhile), so a fixed pause may end too soon.
    await broker.stop();
    await waitFor(async () => bridge.stats().reconnects > 0, 'the consumer session to break', 30_000);
    await broker.start();
    restarted = true;
    await producing;
    await waitFor(
      async () => (await countRows(db.pool, db.schema)).rows >= ids.size,
      `${ids.size} rows`,
      60_000,
    );
    await waitFor(
      async () => {
        const offsets = Object.values(await committedOffsets(broker.brokers, groupId, topic));
        return offsets.reduce((n, o) => n + Number(o), 0) >= ids.size;
      },
      'commits',
      30_000,
    );
  } finally {
    await bridge.close();
  }

  const logged = ids.size;
  expect(logged).toBeGreaterThan(2000);
  for (const l of loggers) {
    const s = l.stats();
    // Each logger delivered everything, after retrying through the outage.
    expect([s.dropped, s.sinks[0]!.failed, s.sinks[0]!.delivered]).toEqual([0, 0, s.queued]);
  }
  // The consumer felt the outage: its session broke and it started another.
  const stats = bridge.stats();
  expect(stats.reconnects).toBeGreaterThan(0);

  // Exactly once in the store: as many rows as events logged, each id once, every chain whole.
  expect(await countRows(db.pool, db.schema)).toEqual({ rows: logged, ids: logged });
  const report = await verifyStore(db.pool, db.schema);
  expect(report.breaks).toEqual([]);
  expect(report.chains.map((c) => c.events).reduce((a, b) => a + b, 0)).toBe(logged);
  expect(report.chains.map((c) => c.firstSeq)).toEqual([0, 0]);

  // The topic holds at least every event (a resend whose first try had landed may add a copy);
  // the consumer read it all and committed up to its end.
  const inTopic = Object.values(await committedOffsets(broker.brokers, groupId, topic)).reduce(
    (n, o) => n + Number(o),
    0,
  );
  expect(inTopic).toBeGreaterThanOrEqual(logged);
  expect(stats.received).toBeGreaterThanOrEqual(inTopic);
}, 90_000);
