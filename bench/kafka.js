// Kafka producer throughput: events through the whole pipeline (enrich, seal, batch) into the
// kafka sink (idempotent, acks all) at a few batch sizes and compressions, against a single-node
// broker on this machine (test/infra/kafka). Writes bench/results/kafka.{json,md}.
const { sealedEvents } = require('./sealed-events');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { createAuditLogger, createBatch } = require('@auditkit/core');
const { kafkaSink } = require('@auditkit/kafka');
const { Admin } = require('@platformatic/kafka');
const { kafkaVersion, startKafka } = require('../test/infra/kafka/start.js');

const TOTAL = Number(process.env.EVENTS ?? 200_000);
const SINK_RUNS = [
  { batch: 1000, compression: 'lz4' },
  { batch: 5000, compression: 'lz4' },
  { batch: 5000, compression: 'none' },
];
const RUNS = [
  { batch: 500, compression: 'lz4' },
  { batch: 1000, compression: 'lz4' },
  { batch: 5000, compression: 'lz4' },
  { batch: 1000, compression: 'none' },
  { batch: 1000, compression: 'snappy' },
  { batch: 1000, compression: 'gzip' },
];

function clientVersion() {
  const path = join(__dirname, '../node_modules/@platformatic/kafka/package.json');
  return JSON.parse(readFileSync(path, 'utf8')).version;
}

async function createTopic(brokers, topic) {
  const admin = new Admin({ clientId: 'bench', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
  await admin.close();
}

/** Logs `n` events as fast as the loop goes; resolves when every one is acknowledged by the broker. */
async function run(brokers, { batch, compression }, n) {
  const topic = `bench-${batch}-${compression}-${n}`;
  await createTopic(brokers, topic);
  const logger = createAuditLogger({
    service: 'bench',
    instance: `i-${batch}-${compression}`,
    flushOnExit: false,
    sinks: [kafkaSink({ brokers, topic, compression })],
    queue: { maxEvents: n + 1, maxBytes: 2 ** 31 },
    batch: { maxEvents: batch, maxWaitMs: 5 },
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    logger.log({
      type: 'order.updated',
      actor: { type: 'user', id: `u-${i % 100}` },
      tenant: `t-${i % 10}`,
      resource: { type: 'order', id: `ord-${i}` },
      details: { warehouse: 'fra-2', items: i % 7 },
    });
    // Yield now and then, as a server would between requests, so batches go out meanwhile.
    if (i % 5000 === 4999) await new Promise(setImmediate);
  }
  await logger.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sink = logger.stats().sinks[0];
  if (sink.delivered !== n || sink.failed !== 0) throw new Error(`delivered ${sink.delivered} of ${n}`);
  return Math.round(n / seconds);
}

/** The sink alone: pre-sealed batches written one after another, as the pipeline calls it. */
async function runSink(brokers, { batch, compression }, events) {
  const topic = `bench-sink-${batch}-${compression}`;
  await createTopic(brokers, topic);
  const sink = kafkaSink({ brokers, topic, compression });
  const batches = [];
  for (let i = 0; i < events.length; i += batch) batches.push(createBatch(events.slice(i, i + batch)));
  const started = process.hrtime.bigint();
  for (const b of batches) await sink.write(b);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await sink.close();
  return Math.round(events.length / seconds);
}

async function main() {
  const broker = await startKafka({ quickStart: false });
  try {
    await run(broker.brokers, RUNS[1], 20_000); // warm-up: JIT on both sides, connections
    const results = [];
    for (const r of RUNS) {
      const eventsPerSecond = await run(broker.brokers, r, TOTAL);
      results.push({ ...r, eventsPerSecond });
      console.log(`batch ${r.batch}, ${r.compression}: ${eventsPerSecond} events/s`);
    }
    const events = await sealedEvents(TOTAL);
    const sinkResults = [];
    for (const r of SINK_RUNS) {
      const eventsPerSecond = await runSink(broker.brokers, r, events);
      sinkResults.push({ ...r, eventsPerSecond });
      console.log(`sink alone, batch ${r.batch}, ${r.compression}: ${eventsPerSecond} events/s`);
    }
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`,
      node: process.version,
      kafka: kafkaVersion(),
      client: `@platformatic/kafka ${clientVersion()}`,
      events: TOTAL,
      results,
      sinkAlone: sinkResults,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'kafka.json'), `${JSON.stringify(result, null, 2)}\n`);
    const rows = results
      .map((r) => `| ${r.batch} | ${r.compression} | ${r.eventsPerSecond.toLocaleString('en-US')} |`)
      .join('\n');
    const sinkRows = sinkResults
      .map((r) => `| ${r.batch} | ${r.compression} | ${r.eventsPerSecond.toLocaleString('en-US')} |`)
      .join('\n');
    const md = `# Kafka producer\n\nGenerated by \`npm run bench:kafka\` on ${result.date}; ${result.machine}, node ${result.node}, ${result.client}, Apache Kafka ${result.kafka} (one KRaft node on the same machine, 4 partitions).\n\n${TOTAL.toLocaleString('en-US')} events per run through the whole pipeline (enrich, seal with the hash chain, batch) into \`kafkaSink\` (idempotent producer, \`acks: all\`), timed from the first \`log()\` until \`close()\` resolved with every event acknowledged. The 2 cores are shared with other work (load average about 5 during this run), so figures swing by up to a factor of two between runs.\n\n| batch (events) | compression | events/s |\n| --- | --- | --- |\n${rows}\n\nThe producer alone: the same events sealed beforehand, batches written to \`kafkaSink\` one after another (one write in flight, as the pipeline calls a sink).\n\n| batch (events) | compression | events/s |\n| --- | --- | --- |\n${sinkRows}\n`;
    writeFileSync(join(__dirname, 'results', 'kafka.md'), md);
    console.log(md);
  } finally {
    await broker.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
