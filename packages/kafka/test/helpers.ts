import { randomBytes } from 'node:crypto';
import { type AuditEvent, type AuditLoggerOptions, ChainVerifier, createAuditLogger } from '@auditkit/core';
import { kafkaSink } from '@auditkit/kafka';
import { Admin, Consumer, MessagesStreamModes } from '@platformatic/kafka';
import type { Pool } from 'pg';
import { testDatabase } from '../../postgres/test/helpers';

// Plain JS so the benchmark can start the same broker.
const { startKafka } = require('../../../test/infra/kafka/start.js') as {
  startKafka(options?: { partitions?: number; quickStart?: boolean }): Promise<TestBroker>;
};

export interface TestBroker {
  brokers: string[];
  /** Clean shutdown (SIGTERM); `start()` runs it again on the same ports and log dir. */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The broker the kafka test files share (started by global-setup.js, or AUDITKIT_TEST_KAFKA_BROKERS);
 * `close()` leaves it running for the other files.
 */
export async function sharedBroker(): Promise<Pick<TestBroker, 'brokers' | 'close'>> {
  const brokers = process.env.AUDITKIT_TEST_KAFKA_BROKERS?.split(',');
  if (!brokers?.length) throw new Error('no test broker: run through jest (global-setup.js starts one)');
  return { brokers, close: async () => undefined };
}

/**
 * The shared broker and a PostgreSQL schema of the test file's own, dropped after the file: the
 * setup every bridge test starts from.
 */
export function brokerAndDatabase() {
  const brokers = process.env.AUDITKIT_TEST_KAFKA_BROKERS?.split(',');
  if (!brokers?.length) throw new Error('no test broker: run through jest (global-setup.js starts one)');
  const db = testDatabase();
  afterAll(() => db.drop());
  return { broker: { brokers }, db };
}

/** A single-node KRaft broker of this test file's own (fetched by Maven on first use), to stop and restart. */
export function startOwnBroker(): Promise<TestBroker> {
  return startKafka();
}

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Creates a topic; `configs` are topic settings such as `max.message.bytes`. */
export async function createTopic(
  brokers: string[],
  partitions: number,
  configs: Record<string, string> = {},
): Promise<string> {
  const topic = unique('audit');
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: brokers });
  try {
    await admin.createTopics({
      topics: [topic],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
  } finally {
    await admin.close();
  }
  return topic;
}

export interface TopicRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: bigint;
}

/** Reads a topic from the start until `count` records arrived (fails after `timeoutMs`). */
export async function readTopic(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<TopicRecord[]> {
  const consumer = new Consumer({
    clientId: 'test-reader',
    groupId: unique('reader'),
    bootstrapBrokers: brokers,
    maxWaitTime: 200,
  });
  const records: TopicRecord[] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${count} records from ${topic}`)),
        timeoutMs,
      );
      stream.on('data', (m) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of m.headers) headers[k.toString()] = v.toString();
        records.push({
          key: m.key?.toString() ?? '',
          value: m.value?.toString() ?? '',
          headers,
          partition: m.partition,
          offset: m.offset,
        });
        if (records.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
      stream.once('error', reject);
    });
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return records;
}

/** A logger of service `billing` whose only sink is Kafka. */
export function kafkaLogger(
  brokers: string[],
  topic: string,
  instance: string,
  extra: Partial<AuditLoggerOptions> = {},
) {
  return createAuditLogger({
    service: 'billing',
    instance,
    flushOnExit: false,
    sinks: [kafkaSink({ brokers, topic })],
    ...extra,
  });
}

export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Rows in the store table, and distinct ids among them. */
export async function countRows(pool: Pool, schema: string): Promise<{ rows: number; ids: number }> {
  const r = await pool.query(
    `SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids FROM "${schema}".audit_events`,
  );
  return r.rows[0] as { rows: number; ids: number };
}

/** Verifies every chain in the store, in sequence order. */
export async function verifyStore(pool: Pool, schema: string) {
  const r = await pool.query(`SELECT event FROM "${schema}".audit_events ORDER BY chain, seq`);
  const verifier = new ChainVerifier();
  for (const row of r.rows as Array<{ event: AuditEvent }>) verifier.addEvent(row.event);
  return verifier.finish();
}

/** The group's committed offset per partition of `topic` (absent: nothing committed). */
export async function committedOffsets(brokers: string[], groupId: string, topic: string) {
  const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: brokers });
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    const offsets: Record<number, bigint> = {};
    for (const t of group?.topics ?? [])
      if (t.name === topic)
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) offsets[p.partitionIndex] = p.committedOffset;
    return offsets;
  } finally {
    await admin.close();
  }
}
