// A primary PostgreSQL store down for 60 s at 5,000 events/s: memory over time and final counts.
// The store is reached through a TCP proxy that is cut and restored (the shared server keeps
// running). Writes bench/results/outage.{json,md}. Takes about 90 s.
const { randomBytes } = require('node:crypto');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');
const { createAuditLogger } = require('@auditkit/core');
const { postgresStore } = require('@auditkit/postgres');
const { Pool } = require('pg');

const RATE = Number(process.env.RATE ?? 5000);
const UP_BEFORE_S = Number(process.env.UP_BEFORE_S ?? 10);
const DOWN_S = Number(process.env.DOWN_S ?? 60);
const UP_AFTER_S = Number(process.env.UP_AFTER_S ?? 10);
const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

function proxy() {
  const sockets = new Set();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(PG.port, PG.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {}).on('close', () => sockets.delete(s));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        cut() {
          down = true;
          for (const s of sockets) s.destroy();
        },
        restore() {
          down = false;
        },
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;

async function main() {
  const p = await proxy();
  const schema = `auditkit_outage_${randomBytes(4).toString('hex')}`;
  const pool = new Pool({ ...PG, port: p.port, max: 2, connectionTimeoutMillis: 1000 });
  pool.on('error', () => {});
  const direct = new Pool({ ...PG, max: 1 });
  const spoolDir = mkdtempSync(join(os.tmpdir(), 'auditkit-outage-'));
  const store = postgresStore({ pool, schema });
  await store.migrate();
  const errors = {};
  const logger = createAuditLogger({
    service: 'outage-bench',
    flushOnExit: false,
    sinks: [store],
    spool: { dir: spoolDir },
    retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500, timeoutMs: 2000 },
    onError: (e) => {
      errors[e.kind] = (errors[e.kind] ?? 0) + 1;
    },
  });
  const samples = [];
  const started = Date.now();
  const sample = (phase) => {
    const m = process.memoryUsage();
    const s = logger.stats();
    samples.push({
      t: Math.round((Date.now() - started) / 1000),
      phase,
      rssMB: mb(m.rss),
      heapMB: mb(m.heapUsed),
      queue: s.queue.events,
      spooledEvents: s.sinks[0].spool.events,
      spoolMB: mb(s.sinks[0].spool.bytes),
      breaker: s.sinks[0].breaker,
    });
  };
  let logged = 0;
  const total = RATE * (UP_BEFORE_S + DOWN_S + UP_AFTER_S);
  let phase = 'up';
  const tick = 20; // ms
  const perTick = (RATE * tick) / 1000;
  let next = Date.now();
  let lastSample = 0;
  while (logged < total) {
    const elapsed = (Date.now() - started) / 1000;
    if (phase === 'up' && elapsed >= UP_BEFORE_S) {
      phase = 'down';
      p.cut();
    } else if (phase === 'down' && elapsed >= UP_BEFORE_S + DOWN_S) {
      phase = 'recovered';
      p.restore();
    }
    for (let i = 0; i < perTick && logged < total; i++, logged++) {
      logger.log({
        type: 'order.updated',
        resource: { type: 'order', id: `o-${logged}` },
        details: { warehouse: 'fra-2', carrier: 'dhl', items: 3 },
      });
    }
    if (elapsed - lastSample >= 5) {
      lastSample = elapsed;
      sample(phase);
    }
    next += tick;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  // Let the spool drain, then close.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const s = logger.stats();
    if (s.queue.events === 0 && s.sinks[0].spool.records === 0 && s.sinks[0].breaker === 'closed') break;
    await new Promise((r) => setTimeout(r, 250));
    if (Date.now() - started - lastSample * 1000 >= 5000) {
      lastSample = (Date.now() - started) / 1000;
      sample('draining');
    }
  }
  await logger.close();
  sample('closed');
  const drainedAfterS = Math.round((Date.now() - started) / 1000 - (UP_BEFORE_S + DOWN_S + UP_AFTER_S));
  const { rows } = await direct.query(
    `SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM "${schema}".audit_events`,
  );
  await direct.query(`DROP SCHEMA "${schema}" CASCADE`);
  await Promise.all([pool.end(), direct.end(), p.close()]);
  rmSync(spoolDir, { recursive: true, force: true });
  const s = logger.stats();
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`,
    node: process.version,
    rate: RATE,
    downSeconds: DOWN_S,
    logged,
    stored: rows[0].n,
    distinctStored: rows[0].d,
    dropped: s.dropped,
    failed: s.sinks[0].failed,
    spooled: s.sinks[0].spooled,
    replayed: s.sinks[0].replayed,
    drainedAfterSeconds: drainedAfterS,
    errors,
    samples,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'outage.json'), `${JSON.stringify(result, null, 2)}\n`);
  const table = samples
    .map(
      (x) =>
        `| ${x.t} | ${x.phase} | ${x.rssMB} | ${x.heapMB} | ${x.queue} | ${x.spooledEvents} | ${x.spoolMB} | ${x.breaker} |`,
    )
    .join('\n');
  const md = `# Primary store outage\n\nGenerated by \`npm run bench:outage\` on ${result.date}; ${result.machine}, node ${result.node}, PostgreSQL on the same machine behind a TCP proxy (2 shared cores: figures are noisy).\n\n${RATE.toLocaleString('en-US')} events/s; the store cut off for ${DOWN_S} s after ${UP_BEFORE_S} s, then back for ${UP_AFTER_S} s of load and the drain.\n\nLogged ${logged}, stored ${result.stored} (${result.distinctStored} distinct ids), dropped ${result.dropped}, failed ${result.failed}, spooled ${result.spooled}, replayed ${result.replayed}; spool drained ${drainedAfterS} s after the load ended.\n\n| s | phase | RSS MB | heap MB | queue | spooled events | spool MB | breaker |\n|---|---|---|---|---|---|---|---|\n${table}\n`;
  writeFileSync(join(__dirname, 'results', 'outage.md'), md);
  process.stdout.write(md);
  if (result.stored !== logged || result.distinctStored !== logged) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
