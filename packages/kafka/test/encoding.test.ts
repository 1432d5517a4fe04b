import { type AuditEvent, createBatch } from '@auditkit/core';
import { HEADER_ID, HEADER_TYPE, kafkaSink } from '@auditkit/kafka';
import { murmur2 } from '@platformatic/kafka';
import { createTopic, readTopic, sharedBroker } from './helpers';

let broker: Awaited<ReturnType<typeof sharedBroker>>;
beforeAll(async () => {
  broker = await sharedBroker();
});
afterAll(() => broker?.close());

const PARTITIONS = 3;
const javaPartition = (key: string) => (murmur2(Buffer.from(key)) & 0x7fffffff) % PARTITIONS;

test('several keys, types and non-ASCII ids in batches split into many requests arrive in order, each record as its event', async () => {
  const topic = await createTopic(broker.brokers, PARTITIONS);
  // Small requests: every batch goes out in several, in order.
  const sink = kafkaSink({ brokers: broker.brokers, topic, maxRequestBytes: 2000, key: (e) => e.tenant! });
  const events: AuditEvent[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 120; i++) {
    const event = {
      v: 1,
      // Every third id is not ASCII: its bytes are longer than its characters.
      id: i % 3 === 0 ? `évènement-${i}` : `event-${i}`,
      time: new Date(1_700_000_000_000 + i).toISOString(),
      type: ['order.created', 'order.paid', 'commande.expédiée'][i % 3]!,
      tenant: `t-${i % 5}`,
      details: { i, note: 'ü'.repeat(i % 7) },
    } as unknown as AuditEvent;
    events.push(event);
    lines.push(JSON.stringify(event));
  }
  for (let i = 0; i < events.length; i += 40)
    await sink.write(createBatch(events.slice(i, i + 40), lines.slice(i, i + 40)));
  await sink.close();

  const records = await readTopic(broker.brokers, topic, events.length);
  expect(records).toHaveLength(events.length);
  const byId = new Map(events.map((e, i) => [e.id, { event: e, line: lines[i]!, index: i }]));
  const lastIndex = new Map<string, number>();
  for (const r of records.sort((a, b) => Number(a.offset - b.offset))) {
    const sent = byId.get(r.headers[HEADER_ID]!)!;
    expect(r.value).toBe(sent.line);
    expect(r.headers[HEADER_TYPE]).toBe(sent.event.type);
    expect(r.key).toBe(sent.event.tenant);
    expect(r.partition).toBe(javaPartition(r.key));
    // Within one key, offsets follow the order the events were written in.
    expect(sent.index).toBeGreaterThan(lastIndex.get(r.key) ?? -1);
    lastIndex.set(r.key, sent.index);
  }
  expect(new Set(records.map((r) => r.headers[HEADER_ID])).size).toBe(events.length);
});
