// Kafka producer throughput: events through the whole pipeline (enrich, seal, batch) into the
// kafka sink (idempotent, acks all) at a few batch sizes and compressions, against a single-node
// broker on this machine (test/infra/kafka). Writes bench/results/kafka.{json,md}.
const { orderEvent } = require('./inputs');
const { sealedEvents } = require('./sealed-events');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { createAuditLogger, createBatch, memorySink } = require('@auditkit/core');
const { kafkaSink } = require('@auditkit/kafka');
const { Admin } = require('@platformatic/kafka');
const { kafkaVersion, startKafka } = require('../test/infra/kafka/start.js');

const TOTAL = Number(process.env.EVENTS ?? 200_000);
const SINK_RUNS = [
  { batch: 1000, compression: 'lz4' },
  { batch: 5000, compression: 'lz4' },
  { batch: 1000, compression: 'snappy' },
  { batch: 1000, compression: 'none' },
];
const RUNS = [
  { batch: 500, compression: 'lz4' },
  { batch: 1000, compression: 'lz4' },
  { batch: 5000, compression: 'lz4' },
  { batch: 1000, compression: 'none' },
  { batch: 1000, compression: 'snappy' },
  { batch: 1000, compression: 'gzip' },
  { batch: 1000, compression: 'lz4', memory: true },
];

function clientVersion() {
  const path = join(__dirname, '../node_modules/@platformatic/kafka/package.json');
  return JSON.parse(readFileSync(path, 'utf8')).version;
}

/** CPU seconds a process used so far (user + system, from /proc; 0 where there is no /proc). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Runs `work`; returns its rate and the share of one core the broker and this process used meanwhile. */
async function measure(brokerPid, n, work) {
  const broker0 = cpuSeconds(brokerPid);
  const own0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const own = process.cpuUsage(own0);
  return {
    eventsPerSecond: Math.round(n / seconds),
    brokerCpu: Math.round(((cpuSeconds(brokerPid) - broker0) / seconds) * 100),
    producerCpu: Math.round(((own.user + own.system) / 1e6 / seconds) * 100),
  };
}

async function createTopic(brokers, topic) {
  const admin = new Admin({ clientId: 'bench', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
  await admin.close();
}

/** Logs `n` events as fast as the loop goes; resolves when every one is acknowledged by the broker. */
async function run(broker, { batch, compression, memory }, n) {
  const { brokers } = broker;
  const topic = `bench-${batch}-${compression}-${n}`;
  if (!memory) await createTopic(brokers, topic);
  const logger = createAuditLogger({
    service: 'bench',
    instance: `i-${batch}-${compression}`,
    flushOnExit: false,
    sinks: [memory ? memorySink() : kafkaSink({ brokers, topic, compression })],
    queue: { maxEvents: n + 1, maxBytes: 2 ** 31 },
    batch: { maxEvents: batch, maxWaitMs: 5 },
  });
  const result = await measure(broker.pid, n, async () => {
    for (let i = 0; i < n; i++) {
      logger.log(orderEvent(i));
      // Yield now and then, as a server would between requests, so batches go out meanwhile.
      if (i % 5000 === 4999) await new Promise(setImmediate);
    }
    await logger.close();
  });
  const sink = logger.stats().sinks[0];
  if (sink.delivered !== n || sink.failed !== 0) throw new Error(`delivered ${sink.delivered} of ${n}`);
  return result;
}

/**
 * The sink alone: pre-sealed batches, carrying their sealed lines as the pipeline's do, written one
 * after another as the pipeline calls a sink. The first batch (connection, producer id) is not timed.
 */
async function runSink(broker, { batch, compression }, events, lines) {
  const topic = `bench-sink-${batch}-${compression}`;
  await createTopic(broker.brokers, topic);
  const sink = kafkaSink({ brokers: broker.brokers, topic, compression });
  const batches = [];
  for (let i = 0; i < events.length; i += batch)
    batches.push(createBatch(events.slice(i, i + batch), lines.slice(i, i + batch)));
  await sink.write(batches[0]);
  const rest = batches.slice(1);
  const result = await measure(broker.pid, events.length - batch, async () => {
    for (const b of rest) await sink.write(b);
  });
  await sink.close();
  return result;
}

async function main() {
  const broker = await startKafka({ quickStart: false });
  try {
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    await run(broker, RUNS[1], 20_000); // warm-up: JIT on both sides, connections
    const results = [];
    for (const r of RUNS) {
      const measured = await run(broker, r, TOTAL);
      results.push({ ...r, ...measured });
      console.log(`batch ${r.batch}, ${r.compression}: ${JSON.stringify(measured)}`);
    }
    const events = await sealedEvents(TOTAL);
    // The stored JSON lines, as the seal stage hands them on (these events are stored as parsed).
    const lines = events.map((e) => JSON.stringify(e));
    const eventBytes = Math.round(lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0) / lines.length);
    const sinkResults = [];
    for (const r of SINK_RUNS) {
      const measured = await runSink(broker, r, events, lines);
      sinkResults.push({ ...r, ...measured });
      console.log(`sink alone, batch ${r.batch}, ${r.compression}: ${JSON.stringify(measured)}`);
    }
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`,
      node: process.version,
      kafka: kafkaVersion(),
      client: `@platformatic/kafka ${clientVersion()}`,
      loadAverage: load,
      events: TOTAL,
      eventBytes,
      results,
      sinkAlone: sinkResults,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'kafka.json'), `${JSON.stringify(result, null, 2)}\n`);
    const row = (r) =>
      `| ${r.batch} | ${r.memory ? 'none (`memorySink`)' : r.compression} | ${r.eventsPerSecond.toLocaleString('en-US')} | ${r.producerCpu}% | ${r.brokerCpu}% |`;
    const rows = results.map(row).join('\n');
    const sinkRows = sinkResults.map(row).join('\n');
    const head =
      '| batch (events) | compression | events/s | producer CPU | broker CPU |\n| --- | --- | --- | --- | --- |';
    const md = `# Kafka producer\n\nGenerated by \`npm run bench:kafka\` on ${result.date}; ${result.machine}, node ${result.node}, ${result.client}, Apache Kafka ${result.kafka} (one KRaft node on the same machine, 4 partitions, default broker settings). Events of about ${eventBytes} bytes (the stored JSON line), ${TOTAL.toLocaleString('en-US')} per run; load average ${result.loadAverage} when the runs started: the 2 cores are shared with other work, so figures swing by up to a factor of two between runs. CPU columns: share of one core used by this process (producer) and by the broker's JVM during the run.\n\nThrough the whole pipeline (enrich, seal with the hash chain, batch) into \`kafkaSink\` (idempotent producer, \`acks: all\`), timed from the first \`log()\` until \`close()\` resolved with every event acknowledged. The \`memorySink\` row is the same pipeline with no Kafka at all: the ceiling the pipeline sets on this machine.\n\n${head}\n${rows}\n\nThe producer alone: the same events sealed beforehand, batches (with their sealed lines, as the pipeline hands them on) written to \`kafkaSink\` one after another (one write in flight, as the pipeline calls a sink).\n\n${head}\n${sinkRows}\n`;
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
