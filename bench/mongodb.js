// @auditkit/mongodb store throughput (events/s per batch size). Against mongo-java-server unless
// MONGODB_URI is set; the stand-in's speed says nothing about MongoDB's.
const { randomUUID } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { MongoClient } = require('mongodb');
const { mongoStore } = require('@auditkit/mongodb');
const { startJavaMongo } = require('../test/infra/mongodb/start.js');

let n = 0;
function event() {
  n++;
  return {
    v: 1,
    id: `0190${String(n).padStart(8, '0')}-${randomUUID().slice(13)}`,
    time: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    type: 'order.updated',
    category: 'data',
    action: 'update',
    outcome: 'success',
    severity: 'info',
    message: 'order status changed by clerk',
    actor: { type: 'user', id: 'u-alice', roles: ['clerk'] },
    tenant: 'acme',
    resource: { type: 'order', id: `ord-${n}` },
    changes: { before: { status: 'open' }, after: { status: 'shipped' } },
    source: { service: 'bench' },
  };
}
const batch = (events) => ({ events, jsonl: () => events.map((e) => `${JSON.stringify(e)}\n`).join('') });

async function measure(store, batchSize, total, replay) {
  const batches = Array.from({ length: total / batchSize }, () =>
    batch(Array.from({ length: batchSize }, event)),
  );
  if (replay) for (const b of batches) await store.write(b);
  const started = process.hrtime.bigint();
  for (const b of batches) await store.write(b);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { batchSize, events: total, replay, seconds, eventsPerSecond: Math.round(total / seconds) };
}

async function main() {
  const server = process.env.MONGODB_URI ? undefined : await startJavaMongo();
  const client = new MongoClient(process.env.MONGODB_URI ?? server.uri);
  await client.connect();
  const database = `auditkit_bench_${randomUUID().slice(0, 8)}`;
  const results = [];
  try {
    const warm = mongoStore({ client, database, collection: 'warmup' });
    await measure(warm, 100, 2000, false);
    for (const [batchSize, total, replay] of [
      [100, 5000, false],
      [1000, 10000, false],
      [1000, 5000, true],
    ]) {
      const store = mongoStore({ client, database, collection: `b${batchSize}${replay ? 'r' : ''}` });
      results.push(await measure(store, batchSize, total, replay));
    }
  } finally {
    await client
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
    await server?.stop();
  }
  const meta = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model} x${os.cpus().length}, ${os.platform()} ${os.release()}`,
    node: process.version,
    driver: require('mongodb/package.json').version,
    server: process.env.MONGODB_URI ? 'MONGODB_URI' : 'mongo-java-server 1.46.0 (stand-in)',
  };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mongodb.json'), `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  const rows = results.map(
    (r) =>
      `| ${r.batchSize} | ${r.events} | ${r.replay ? 'replay (all duplicates)' : 'new'} | ${r.eventsPerSecond} |`,
  );
  const md = [
    '# @auditkit/mongodb store throughput',
    '',
    `${meta.date} · ${meta.machine} · Node ${meta.node} · mongodb driver ${meta.driver} · server: ${meta.server}`,
    '',
    'The stand-in is an in-memory Java server: its speed says nothing about MongoDB.',
    '',
    '| batch size | events | writes | events/s |',
    '| ---: | ---: | --- | ---: |',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'mongodb.md'), md);
  process.stdout.write(md);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
