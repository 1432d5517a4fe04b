// The audit console over a PostgreSQL store, as `auditkit serve --store postgres://…` runs it; for
// bench/console.js, which talks to it over HTTP and WebSocket and asks it for its RSS over IPC.
// PG_PARALLEL (the store's `parallel`, default 1), PG_WRITES_IN_FLIGHT (its `writesInFlight`, default
// 2; a checkout without the option writes one at a time) and LOGGER_BATCH (events per batch, default
// 1000) try other settings; AUDITKIT_ROOT runs another checkout's packages (a baseline); PG_APP names its
// connections (application_name).
const { createRequire } = require('node:module');
const { join } = require('node:path');

// AUDITKIT_ROOT: the packages of another (built) checkout, for a baseline run by the same script.
const load = process.env.AUDITKIT_ROOT
  ? createRequire(join(process.env.AUDITKIT_ROOT, 'package.json'))
  : require;
const { createAuditLogger, generateSigningKeys } = load('@auditkit/core');
const { postgresStore } = load('@auditkit/postgres');
const { createAuditServer } = load('@auditkit/server');
const { Pool } = load('pg');

async function main() {
  const pool = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    max: 24,
    // The bench finds this server's backends by it, to count their CPU.
    application_name: process.env.PG_APP,
  });
  const store = postgresStore({
    pool,
    schema: process.env.SCHEMA,
    parallel: Number(process.env.PG_PARALLEL ?? 1),
    writesInFlight: Number(process.env.PG_WRITES_IN_FLIGHT ?? 2),
  });
  await store.migrate();
  const keys = generateSigningKeys();
  const logger = createAuditLogger({
    service: 'auditkit-console',
    flushOnExit: false,
    sinks: [store],
    batch: { maxEvents: Number(process.env.LOGGER_BATCH ?? 1000), maxWaitMs: 10 },
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 10_000 },
  });
  const server = await createAuditServer({
    store,
    logger,
    keys: process.env.KEYS,
    signingKey: keys.privateKeyPem,
    rateLimit: false,
    stream: { maxConnections: 5000, heartbeatMs: 0 },
  });
  const url = await server.listen({ port: 0 });
  process.on('message', (m) => {
    if (m === 'rss')
      process.send({ rss: process.memoryUsage().rss, cpu: process.cpuUsage(), stream: server.streamStats() });
  });
  process.on('SIGTERM', async () => {
    await server.close();
    await logger.close();
    await pool.end();
    process.exit(0);
  });
  process.send({ url });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
