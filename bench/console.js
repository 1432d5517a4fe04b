// The audit console under load, over PostgreSQL, server in its own process: batch ingest (events/s
// sealed into the store), GET /api/events p50/p99 with CALLERS concurrent clients per filter, first
// page and deep, export rows/s (CSV and NDJSON) with the server's RSS sampled through the export,
// and live-stream fan-out: SUBSCRIBERS filtered subscribers while events are ingested at RATE/s,
// ingest-to-delivery p99, plus one stalled subscriber that must be dropped without slowing anyone.
// BASELINE=<another checkout, built> also runs that checkout's server, on a table of its own (schema
// `<schema>_base`: a baseline that migrates other indexes must not change this one's table), and
// measures the two interleaved (ingest, search and stream), ROUNDS times each, so before and after
// share one run (CURRENT_NODE_FLAGS, e.g. '--max-semi-space-size=64', gives this checkout's server
// Node flags of its own: with BASELINE set to this same checkout it measures the flag alone).
// Ingest reports where the CPU went per event: the server, its PostgreSQL backends, PostgreSQL's
// background processes, the load generator, and the machine's idle share.
// Writes bench/results/console.{json,md}. Uses 127.0.0.1:5432/test unless PG* variables say otherwise.
const { fork } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { newEventId } = require('@auditkit/core');
const { createApiKey } = require('@auditkit/server');
const { Pool } = require('pg');
const { percentile, postgresVersion, runOn, writeResults } = require('./figures');
const { describeCpu, startCpuBreakdown } = require('./process-cpu');
const { openSubscribers } = require('./stream-subscribers');

const EVENTS = Number(process.env.EVENTS ?? 200_000);
const BATCH = Number(process.env.BATCH ?? 1000);
const INGEST_CONCURRENCY = Number(process.env.INGEST_CONCURRENCY ?? 4);
const CALLERS = Number(process.env.CALLERS ?? 20);
const SEARCH_SECONDS = Number(process.env.SEARCH_SECONDS ?? 5);
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.RATE ?? 10_000);
const STREAM_SECONDS = Number(process.env.STREAM_SECONDS ?? 10);
const TENANTS = 100;
/** A built checkout whose console is measured beside this one's, interleaved. */
const BASELINE = process.env.BASELINE;
/** Times each search case and the stream are measured per server. */
const ROUNDS = Number(process.env.ROUNDS ?? (BASELINE ? 3 : 1));
/** Which parts to run (comma-separated): ingest, search, export, stream. Default all. */
const PHASES = new Set((process.env.PHASES ?? 'ingest,search,export,stream').split(','));
/** An existing schema to reuse (kept afterwards; its events are not ingested again): a 1M-event table seeded once. */
const KEEP_SCHEMA = process.env.BENCH_SCHEMA;
const schema = KEEP_SCHEMA ?? `auditkit_bench_console_${process.pid}`;
const TYPES = ['auth.login', 'auth.logout', 'data.read', 'data.update', 'billing.charge', 'admin.role'];

function event(i, extra = {}) {
  return {
    v: 1,
    id: newEventId(),
    time: new Date().toISOString(),
    type: TYPES[i % TYPES.length],
    category: 'data',
    action: 'update',
    outcome: i % 25 === 0 ? 'failure' : 'success',
    severity: 'info',
    actor: { type: 'user', id: `u-${i % 5000}` },
    tenant: `t-${i % TENANTS}`,
    resource: { type: 'invoice', id: `inv-${i % 20000}` },
    source: { service: 'bench-ingest' },
    message: `event ${i}`,
    ...extra,
  };
}

/** Posts `body`: events, or their JSON text. */
async function post(url, key, body) {
  const r = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
  return r.json();
}

/**
 * The bodies posting events `from` to `to` (their fields, not their ids, repeat between servers),
 * made before the clock starts: the load generator shares the cores with the server it measures,
 * and a client elsewhere would not.
 */
function ingestBodies(from, to) {
  const bodies = [];
  for (let start = from; start < to; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(start + BATCH, to); i++) batch.push(event(i));
    bodies.push(JSON.stringify(batch));
  }
  return bodies;
}

/** Posts `bodies`, INGEST_CONCURRENCY at a time. */
async function ingest(url, key, bodies) {
  let next = 0;
  let accepted = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: INGEST_CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const reply = await post(url, key, bodies[next++]);
        accepted += reply.accepted;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { events: accepted, seconds: +seconds.toFixed(2), eventsPerSecond: Math.round(accepted / seconds) };
}

/**
 * EVENTS into each server's table, in ROUNDS parts taken in turn (A B, B A, A B …: neither always
 * writes into the smaller table), each part with its per-process CPU breakdown.
 */
async function ingestAll(servers, key, pool) {
  const rows = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const from = Math.floor(((round - 1) * EVENTS) / ROUNDS);
    const to = Math.floor((round * EVENTS) / ROUNDS);
    for (const server of round % 2 ? servers : [...servers].reverse()) {
      const bodies = ingestBodies(from, to);
      const stop = await startCpuBreakdown({
        pool,
        app: server.app,
        serverCpu: async () => (await askRss(server.child)).cpu,
      });
      const r = await ingest(server.url, key, bodies);
      const cpu = await stop(r.events);
      rows.push({ server: server.label, round, ...r, cpu });
      console.error(
        `ingest ${server.label.padEnd(8)} #${round}: ${r.events} events in ${r.seconds} s = ${r.eventsPerSecond} events/s; ${describeCpu(cpu)}`,
      );
    }
  }
  return rows;
}

/** One server's ingest over all rounds: events/s over the whole, CPU parts averaged per event. */
function ingestTotal(rows, label) {
  const own = rows.filter((r) => r.server === label);
  const events = own.reduce((a, r) => a + r.events, 0);
  const seconds = own.reduce((a, r) => a + r.seconds, 0);
  const cpu = {};
  for (const field of Object.keys(own[0].cpu))
    cpu[field] = +(own.reduce((a, r) => a + r.cpu[field] * r.events, 0) / events).toFixed(2);
  return { events, seconds: +seconds.toFixed(2), eventsPerSecond: Math.round(events / seconds), cpu };
}

function cannon(url, key, path) {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: url + path,
        connections: CALLERS,
        duration: SEARCH_SECONDS,
        headers: { authorization: `Bearer ${key}` },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

// Values that tenant t-3 holds (event i has tenant t-(i % 100), actor u-(i % 5000), resource
// inv-(i % 20000), type TYPES[i % 6], failure when i % 25 is 0): every case pages through matches.
const SEARCH_CASES = () => [
  ['tenant only', ''],
  ['actor', 'actor:u-3'],
  ['resource', 'resource.type:invoice resource.id:inv-3'],
  ['type', 'type:data.update'],
  ['outcome', 'outcome:success'],
  ['time range', `since:${new Date(Date.now() - 3_600_000).toISOString()}`],
];

/** The request of each search case, first page and deep (80% of the matches walked by cursor). */
async function searchPaths(url, key) {
  const paths = [];
  for (const [name, filter] of SEARCH_CASES()) {
    for (const depth of ['first', 'deep']) {
      let path = `/api/events?limit=50&q=${encodeURIComponent(filter)}`;
      if (depth === 'deep') {
        // Walk 80% of the way through the matches by cursor, as a user paging down would.
        const total = (
          await (
            await fetch(`${url}/api/stats?q=${encodeURIComponent(filter)}`, {
              headers: { authorization: `Bearer ${key}` },
            })
          ).json()
        ).total;
        let cursor;
        let seen = 0;
        while (seen < total * 0.8) {
          const page = await (
            await fetch(
              `${url}/api/events?limit=1000&q=${encodeURIComponent(filter)}${cursor ? `&cursor=${cursor}` : ''}`,
              { headers: { authorization: `Bearer ${key}` } },
            )
          ).json();
          seen += page.events.length;
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        if (cursor) path += `&cursor=${cursor}`;
      }
      paths.push({ filter: name, text: filter, page: depth, path });
    }
  }
  return paths;
}

/** Each case on each server in turn, ROUNDS times: the servers see the same machine load. */
async function search(servers, key) {
  // Each server pages through its own table, so each finds its own deep cursors.
  const paths = await Promise.all(servers.map((server) => searchPaths(server.url, key)));
  const rows = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (let n = 0; n < paths[0].length; n++) {
      for (const [k, server] of servers.entries()) {
        const c = paths[k][n];
        const before = (await askRss(server.child)).cpu;
        const r = await cannon(server.url, key, c.path);
        const cpu = cpuMicros(before, (await askRss(server.child)).cpu);
        rows.push({
          server: server.label,
          round,
          filter: c.filter,
          text: c.text,
          page: c.page,
          requestsPerSecond: Math.round(r.requests.average),
          p50: r.latency.p50,
          p99: r.latency.p99,
          // Server CPU per answered request: what contention on a shared machine changes least.
          cpuMicrosPerRequest: Math.round(cpu / Math.max(1, r.requests.total)),
          errors: r.errors + r.non2xx,
        });
        console.error(
          `search ${server.label.padEnd(8)} #${round} ${c.filter.padEnd(12)} ${c.page.padEnd(5)} p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ${Math.round(r.requests.average)} req/s  ${rows.at(-1).cpuMicrosPerRequest} µs CPU/req`,
        );
      }
    }
  }
  return rows;
}

/** User + system CPU between two `process.cpuUsage()` readings, in µs. */
function cpuMicros(a, b) {
  return b.user - a.user + (b.system - a.system);
}

function askRss(child) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send('rss');
  });
}

async function exportRun(url, key, child, format) {
  const before = (await askRss(child)).rss;
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await askRss(child)).rss);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const started = process.hrtime.bigint();
  const r = await fetch(`${url}/api/export?format=${format}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  let bytes = 0;
  let rows = 0;
  for await (const chunk of r.body) {
    bytes += chunk.length;
    // indexOf, not a loop over bytes: the client shares the cores with the server it measures.
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  sampling = false;
  await sampler;
  const manifest = await (
    await fetch(`${url}${r.headers.get('x-auditkit-manifest')}`, {
      headers: { authorization: `Bearer ${key}` },
    })
  ).json();
  return {
    format,
    events: manifest.count,
    bytes,
    seconds: +seconds.toFixed(2),
    rowsPerSecond: Math.round(manifest.count / seconds),
    rssBeforeMiB: +(before / 2 ** 20).toFixed(0),
    rssPeakMiB: +(peak / 2 ** 20).toFixed(0),
    lines: rows,
  };
}

async function fanOut(url, readKey, writeKey, child) {
  const { open, stalled, latencies } = await openSubscribers(url, readKey, {
    subscribers: SUBSCRIBERS,
    tenants: TENANTS,
    types: TYPES,
  });
  const { rss: rssBefore, cpu: cpuBefore } = await askRss(child);
  const perTick = Math.max(1, Math.round(RATE / 10));
  let sent = 0;
  const inflight = new Set();
  const started = Date.now();
  let i = 0;
  while (Date.now() - started < STREAM_SECONDS * 1000) {
    const tick = Date.now();
    const batch = [];
    for (let k = 0; k < perTick; k++, i++)
      batch.push(event(i, { details: { sentAt: Date.now(), pad: 'x'.repeat(200) } }));
    // Posted without waiting for the reply (up to 8 in flight), so the offered rate holds.
    const request = post(url, writeKey, batch).then(() => inflight.delete(request));
    inflight.add(request);
    if (inflight.size >= 8) await Promise.race(inflight);
    sent += batch.length;
    const wait = 100 - (Date.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inflight);
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const after = await askRss(child);
  for (const s of open) s.terminate();
  stalled.terminate();
  latencies.sort((a, b) => a - b);
  return {
    subscribers: SUBSCRIBERS,
    targetRate: RATE,
    ingestedPerSecond: Math.round(sent / seconds),
    deliveries: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1),
    droppedSlow: after.stream.droppedSlow,
    // Server CPU (ingest, seal, store write and fan-out) per 1000 events posted.
    cpuMsPer1000Events: Math.round(cpuMicros(cpuBefore, after.cpu) / sent),
    rssBeforeMiB: +(rssBefore / 2 ** 20).toFixed(0),
    rssAfterMiB: +(after.rss / 2 ** 20).toFixed(0),
  };
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-bench-console-'));
  const keysFile = join(dir, 'keys.json');
  const write = (await createApiKey(keysFile, { tenant: '*', scopes: ['write'] })).key;
  const read = (await createApiKey(keysFile, { tenant: '*', scopes: ['read', 'export'] })).key;
  const tenantRead = (await createApiKey(keysFile, { tenant: 't-3', scopes: ['read'] })).key;
  const pool = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
  });
  const servers = [];
  try {
    servers.push(await startServer('current', keysFile, schema));
    if (BASELINE) servers.push(await startServer('baseline', keysFile, `${schema}_base`, BASELINE));
    const { url, child } = servers[0];
    const stored = Number(
      (await pool.query(`SELECT count(*) AS n FROM "${schema}"."audit_events"`)).rows[0].n,
    );
    const reused = KEEP_SCHEMA && stored >= EVENTS;
    const ingestRounds = reused ? [] : await ingestAll(servers, write, pool);
    const ingested = reused
      ? { events: 0, seconds: 0, eventsPerSecond: 0, reused: stored }
      : ingestTotal(ingestRounds, 'current');
    console.error(
      ingested.reused
        ? `ingest: reused ${stored} events in ${schema}`
        : `ingest: ${ingested.events} events in ${ingested.seconds} s = ${ingested.eventsPerSecond} events/s`,
    );
    for (const server of servers) await pool.query(`VACUUM ANALYZE "${server.schema}"."audit_events"`);
    const searches = PHASES.has('search') ? await search(servers, tenantRead) : [];
    const exports = [];
    for (const format of PHASES.has('export') ? ['csv', 'ndjson'] : []) {
      const e = await exportRun(url, read, child, format);
      exports.push(e);
      console.error(
        `export ${format}: ${e.events} events in ${e.seconds} s = ${e.rowsPerSecond} rows/s; RSS ${e.rssBeforeMiB} → peak ${e.rssPeakMiB} MiB`,
      );
    }
    const streams = [];
    for (let round = 1; round <= (PHASES.has('stream') ? ROUNDS : 0); round++) {
      for (const server of servers) {
        const s = { server: server.label, round, ...(await fanOut(server.url, read, write, server.child)) };
        streams.push(s);
        console.error(
          `stream ${server.label} #${round}: ${s.subscribers} subscribers at ${s.ingestedPerSecond} events/s: p50 ${s.p50} ms, p99 ${s.p99} ms, ${s.deliveries} deliveries, ${s.droppedSlow} dropped slow; ${s.cpuMsPer1000Events} ms CPU / 1000 events; RSS ${s.rssBeforeMiB} → ${s.rssAfterMiB} MiB`,
        );
      }
    }
    const postgres = await postgresVersion(pool);
    if (PHASES.size < 4) return; // a partial run prints its figures and leaves the results file alone
    const result = {
      ...runOn(),
      postgres,
      events: EVENTS,
      baseline: BASELINE ?? null,
      rounds: ROUNDS,
      ingest: ingested,
      ingestRounds,
      ...(BASELINE && !reused ? { ingestBaseline: ingestTotal(ingestRounds, 'baseline') } : {}),
      search: searches,
      exports,
      stream: streams,
    };
    writeResults('console', result, markdown(result, servers));
  } finally {
    for (const { child } of servers) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (!KEEP_SCHEMA)
      for (const name of [schema, `${schema}_base`])
        await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A console server on `schema`, of this checkout or (`root`) of the baseline's packages. */
async function startServer(label, keysFile, schema, root) {
  const app = `auditkit-bench-${label}-${process.pid}`;
  const child = fork(join(__dirname, 'servers', 'console.js'), {
    execArgv: [
      ...(process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : []),
      // Node flags for this checkout's server only: BASELINE=<this checkout> then measures a flag alone.
      ...(label === 'current' && process.env.CURRENT_NODE_FLAGS
        ? process.env.CURRENT_NODE_FLAGS.split(' ')
        : []),
    ],
    env: {
      ...process.env,
      SCHEMA: schema,
      KEYS: keysFile,
      PG_APP: app,
      ...(root ? { AUDITKIT_ROOT: root } : {}),
    },
  });
  const { url } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${label} console exited with ${code}`)));
  });
  return { label, url, child, schema, app };
}

/** `a–b` over the rounds (one value when they agree). */
function range(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/** One row per server: its ingest over all rounds, CPU per event by process. */
function ingestCpuTable(result) {
  const totals = [
    ['current', result.ingest],
    ...(result.ingestBaseline ? [['baseline', result.ingestBaseline]] : []),
  ];
  return totals
    .map(([label, t]) => {
      const c = t.cpu;
      return `| ${label} | ${t.eventsPerSecond} | ${c.wallUs} | ${c.serverUs} (${Math.round(c.serverBusy * 100)}%) | ${c.postgresBackendsUs} | ${c.postgresBackgroundUs} | ${c.loadGeneratorUs} | ${c.machineBusyUs ?? '–'} (${c.machineIdle === undefined ? '–' : `${Math.round(c.machineIdle * 100)}%`}) | ${c.walBytesPerEvent ?? '–'} | ${c.walFpiPer1000 ?? '–'} |`;
    })
    .join('\n');
}

function markdown(result, servers) {
  const { ingest: ingested, exports } = result;
  const labels = servers.map((s) => s.label);
  const cell = (rows, field) =>
    labels.map((label) => range(rows.filter((r) => r.server === label).map((r) => r[field]))).join(' / ');
  const cases = [...new Set(result.search.map((r) => `${r.filter}\u0000${r.page}`))];
  const searchTable = cases
    .map((key) => {
      const rows = result.search.filter((r) => `${r.filter}\u0000${r.page}` === key);
      const { filter, text, page } = rows[0];
      return `| ${filter} | \`${text || '(none)'}\` | ${page} | ${cell(rows, 'p50')} | ${cell(rows, 'p99')} | ${cell(rows, 'requestsPerSecond')} | ${cell(rows, 'cpuMicrosPerRequest')} |`;
    })
    .join('\n');
  const exportTable = exports
    .map(
      (e) =>
        `| ${e.format} | ${e.events} | ${e.seconds} | ${e.rowsPerSecond} | ${e.rssBeforeMiB} | ${e.rssPeakMiB} |`,
    )
    .join('\n');
  const streamTable = result.stream
    .map(
      (s) =>
        `| ${s.server} | ${s.round} | ${s.ingestedPerSecond} | ${s.deliveries} | ${s.p50} | ${s.p99} | ${s.max} | ${s.droppedSlow} | ${s.cpuMsPer1000Events} | ${s.rssBeforeMiB} → ${s.rssAfterMiB} |`,
    )
    .join('\n');
  const ingestText = ingested.reused
    ? `${ingested.reused} events already in the table (seeded by an earlier run through \`POST /api/events\`).`
    : `${ingested.events} events posted to \`POST /api/events\` in batches of ${BATCH} by ${INGEST_CONCURRENCY} clients, each schema-validated, deduplicated and sealed by the server's logger into PostgreSQL before the reply (logger batches of ${process.env.LOGGER_BATCH ?? 1000} events, store \`parallel\` ${process.env.PG_PARALLEL ?? 1}, \`writesInFlight\` ${process.env.PG_WRITES_IN_FLIGHT ?? 2} where the checkout has it): **${ingested.eventsPerSecond} events/s**.

Where the time went, per event (CPU from /proc and the server's own count; the machine has ${os.cpus().length} cores, so the CPU capacity per event is ${os.cpus().length} × wall):

| server | events/s | wall µs | server CPU µs (share of a core) | PostgreSQL backends µs | PostgreSQL background µs | load generator µs | whole machine busy µs (idle) | WAL bytes | full-page images / 1000 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${ingestCpuTable(result)}`;
  const compared = BASELINE
    ? ` Each figure is the range over ${ROUNDS} rounds, as \`${labels.join(' / ')}\`: this checkout's server and the baseline's (\`BASELINE\`, built from main), each on its own table of the same events, measured in turn (ingest in parts, A B then B A; search case by case).`
    : '';
  return `# Audit console under load (PostgreSQL)

Generated by \`npm run bench:console\` on ${result.date}; ${result.machine}, node ${result.node}, PostgreSQL ${result.postgres}; ${EVENTS} events; server(s), PostgreSQL and load generator share the machine (and other work), so figures are noisy.${compared}

## Batch ingest

${ingestText}

## Search (\`GET /api/events\`, 50 per page, tenant key t-3, ${CALLERS} concurrent clients, ${SEARCH_SECONDS} s each)

| filter | text | page | p50 ms | p99 ms | req/s | server CPU µs/request |
|---|---|---|---:|---:|---:|---:|
${searchTable}

## Export (\`GET /api/export\`, every event, streamed, manifest signed; current server)

| format | events | s | rows/s | server RSS before MiB | peak MiB |
|---|---:|---:|---:|---:|---:|
${exportTable}

## Live stream fan-out

${SUBSCRIBERS} subscribers (each filtered on one tenant and one type) plus one stalled subscriber that stops reading, while events are posted at ${RATE}/s for ${STREAM_SECONDS} s; latency is from the client's send to delivery (ingest, seal, store write and fan-out).

| server | round | ingested events/s | deliveries | p50 ms | p99 ms | max ms | slow dropped (server total) | server CPU ms / 1000 events | server RSS MiB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---|
${streamTable}
`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
