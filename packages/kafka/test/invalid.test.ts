import {
  DEAD_LETTER_REASON_HEADER,
  DEAD_LETTER_SOURCE_HEADER,
  type KafkaBridgeError,
  kafkaToStore,
} from '@auditkit/kafka';
import { Producer } from '@platformatic/kafka';
import {
  brokerAndDatabase,
  countRows,
  createTopic,
  kafkaLogger,
  readTopic,
  unique,
  verifyStore,
  waitFor,
} from './helpers';

const { broker, db } = brokerAndDatabase();

test('records that are not audit events go to the dead-letter topic, are reported, and never stop the consumer', async () => {
  const topic = await createTopic(broker.brokers, 1);
  const deadLetterTopic = await createTopic(broker.brokers, 1);
  const store = db.store();
  await store.migrate();
  const errors: KafkaBridgeError[] = [];
  const bridge = kafkaToStore({
    brokers: broker.brokers,
    topic,
    groupId: unique('dlq'),
    store,
    deadLetterTopic,
    batch: { maxWaitMs: 20 },
    onError: (e) => errors.push(e),
  });
  try {
    // Good events, then three bad records from some other producer, then good events again.
    const before = kafkaLogger(broker.brokers, topic, 'a-1');
    for (let i = 0; i < 20; i++) before.log({ type: 'user.updated' });
    await before.close();
    const stranger = new Producer({ clientId: 'stranger', bootstrapBrokers: broker.brokers });
    await stranger.send({
      messages: [
        { topic, key: Buffer.from('x'), value: Buffer.from('not json at all') },
        { topic, key: Buffer.from('x'), value: Buffer.from('{"type":"no.id"}') },
        { topic, key: Buffer.from('x'), value: Buffer.from('[1,2,3]') },
      ],
    });
    await stranger.close();
    const after = kafkaLogger(broker.brokers, topic, 'a-2');
    for (let i = 0; i < 20; i++) after.log({ type: 'user.updated' });
    await after.close();

    await waitFor(async () => (await countRows(db.pool, db.schema)).rows >= 40, '40 rows');
    await waitFor(async () => bridge.stats().commits > 0 && bridge.stats().received >= 43, 'all 43 records');
  } finally {
    await bridge.close();
  }

  expect(await countRows(db.pool, db.schema)).toEqual({ rows: 40, ids: 40 });
  expect((await verifyStore(db.pool, db.schema)).ok).toBe(true);
  const stats = bridge.stats();
  expect([stats.received, stats.stored, stats.invalid, stats.deadLettered]).toEqual([43, 40, 3, 3]);

  const invalid = errors.filter((e) => e.kind === 'invalid');
  expect(invalid.map((e) => [e.partition, e.offset])).toEqual([
    [0, 20n],
    [0, 21n],
    [0, 22n],
  ]);
  expect(errors.filter((e) => e.kind !== 'invalid')).toEqual([]);

  // Dead letters keep the record's bytes and say why and where it was.
  const dead = await readTopic(broker.brokers, deadLetterTopic, 3);
  expect(
    dead.map((r) => [r.value, r.headers[DEAD_LETTER_REASON_HEADER], r.headers[DEAD_LETTER_SOURCE_HEADER]]),
  ).toEqual([
    ['not json at all', 'value is not JSON', `${topic}/0@20`],
    ['{"type":"no.id"}', 'value is not an audit event (no id)', `${topic}/0@21`],
    ['[1,2,3]', 'value is not an audit event (no id)', `${topic}/0@22`],
  ]);
});
