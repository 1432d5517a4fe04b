// PostgreSQL store throughput: sealed events from the pipeline, written in batches of BATCH.
// Writes bench/results/postgres.{json,md}. Uses 127.0.0.1:5432/test unless PG* variables say otherwise.
const { sealedEvents } = require('./sealed-events');
const { mkdirSync, readdirSync, writeFileSync } = require('node:fs');
const { processCpu } = require('./cpu');
const os = require('node:os');
const { join } = require('node:path');
const { canonicalize, createBatch } = require('@auditkit/core');
const { postgresStore } = require('@auditkit/postgres');
const { Pool } = require('pg');

const TOTAL = Number(process.env.EVENTS ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 1000);
const WRITERS = (process.env.WRITERS ?? '1,2').split(',').map(Number);
const PARALLEL = (process.env.PARALLEL ?? '1,2').split(',').map(Number);
const LAYOUTS = ['none', 'monthly'];
const ROUNDS = Number(process.env.ROUNDS ?? 3);

/** CPU time (ms) of every PostgreSQL process on this machine (backends, WAL writer, checkpointer), by pid. */
function postgresCpu() {
  const ms = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cpu = processCpu(pid);
    if (cpu?.name === 'postgres') ms.set(pid, cpu.ms);
  }
  return ms;
}

/**
 * PostgreSQL CPU time (ms) since `before`, counted per process: one that started meanwhile (an
 * autovacuum worker) counts from zero, one that exited meanwhile is left out (its time is gone
 * from /proc), so the figure is never less than what the processes still running used.
 */
function postgresCpuMsSince(before) {
  let ms = 0;
  for (const [pid, now] of postgresCpu()) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** Writes every batch with `writers` concurrent writers; rate and CPU per event of both sides. */
async function timeWrites(store, batches, writers) {
  const events = batches.reduce((n, b) => n + b.events.length, 0);
  let next = 0;
  const cpu = { node: process.cpuUsage(), postgres: postgresCpu() };
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) await store.write(batches[next++]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const node = process.cpuUsage(cpu.node);
  return {
    eventsPerSecond: Math.round(events / seconds),
    nodeCpuUsPerEvent: +((node.user + node.system) / events).toFixed(1),
    postgresCpuUsPerEvent: +((postgresCpuMsSince(cpu.postgres) * 1000) / events).toFixed(1),
  };
}

async function main() {
  const pool = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    max: Math.max(...WRITERS) * Math.max(...PARALLEL),
  });
  const schemas = [];
  try {
    const all = await sealedEvents(TOTAL);
    // Each batch carries its sealed JSON lines (the canonical JSON that was hashed), as the pipeline's batches do.
    const lines = all.map((e) => canonicalize(e));
    const batches = [];
    for (let i = 0; i < all.length; i += BATCH)
      batches.push(createBatch(all.slice(i, i + BATCH), lines.slice(i, i + BATCH)));
    const runs = [];
    // One writer is one pipeline's sink; two model two producers (or two Kafka partitions' consumers).
    // `parallel` splits each of a writer's batches over that many connections.
    for (const partition of LAYOUTS) {
      for (const writers of WRITERS) {
        for (const parallel of PARALLEL) {
          const rounds = [];
          for (let round = 0; round < ROUNDS; round++) {
            const schema = `auditkit_bench_${process.pid}_${partition}_${writers}_${parallel}_${round}`;
            schemas.push(schema);
            const store = postgresStore({ pool, schema, partition, parallel });
            await store.migrate();
            rounds.push(await timeWrites(store, batches, writers));
            await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          }
          // The median round: one slow or fast round on shared cores does not set the figure.
          rounds.sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
          runs.push({
            partition,
            writers,
            parallel,
            ...rounds[Math.floor(ROUNDS / 2)],
            rounds: rounds.map((r) => r.eventsPerSecond),
          });
        }
      }
    }
    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`,
      node: process.version,
      postgres: (await pool.query('SHOW server_version')).rows[0].server_version,
      events: TOTAL,
      batch: BATCH,
      rounds: ROUNDS,
      runs,
    };
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'postgres.json'), `${JSON.stringify(result, null, 2)}\n`);
    const rows = runs
      .map(
        (r) =>
          `| ${r.partition} | ${r.writers} | ${r.parallel} | ${r.eventsPerSecond.toLocaleString('en-US')} | ${r.rounds.map((n) => n.toLocaleString('en-US')).join(', ')} | ${r.nodeCpuUsPerEvent} | ${r.postgresCpuUsPerEvent} |`,
      )
      .join('\n');
    const md = `# PostgreSQL store\n\nGenerated by \`npm run bench:postgres\` on ${result.date}; ${result.machine}, node ${result.node}, PostgreSQL ${result.postgres} on the same machine.\n\n${TOTAL.toLocaleString('en-US')} sealed events (with their sealed JSON lines, as the pipeline hands them on) written in batches of ${BATCH}, ${ROUNDS} rounds per row, each into a new table; each batch one COPY (a batch holding an already stored id falls back to INSERT ... ON CONFLICT DO NOTHING; none does here); the database and the writers share the machine's cores, so figures are noisy. \`monthly\` is \`partition: 'monthly'\` (all events in the current month's partition); \`parallel\` is the store option that writes each batch as that many COPYs at once, each on its own connection. CPU columns (median round): the writing process, and every PostgreSQL process (backends, WAL writer, checkpointer; one that exited during the round is not counted), per event.\n\n| partition | concurrent writers | \`parallel\` | events/s (median) | all rounds | writer CPU µs/event | PostgreSQL CPU µs/event |\n|---|---:|---:|---:|---:|---:|---:|\n${rows}\n`;
    writeFileSync(join(__dirname, 'results', 'postgres.md'), md);
    console.log(md);
  } finally {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
