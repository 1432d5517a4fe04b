// Store queries at depth: EVENTS (default 1,000,000) events in PostgreSQL, 20 concurrent callers
// calling the store directly, first page and a page deep in the set for each filter kind; p50/p99
// per case and the index PostgreSQL uses (EXPLAIN). Writes bench/results/query.{json,md}.
// Uses 127.0.0.1:5432/test unless PG* variables say otherwise; the schema is dropped afterwards.
const { cursorAfter, resolveAuditQuery } = require('@auditkit/core');
const { postgresStore } = require('@auditkit/postgres');
const { Pool } = require('pg');
const { percentile, postgresVersion, runOn, writeResults } = require('./figures');

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const CALLERS = Number(process.env.CALLERS ?? 20);
const CALLS = Number(process.env.CALLS ?? 500);
const LIMIT = Number(process.env.LIMIT ?? 50);
const TENANTS = 10;
const DAYS = 30;
const START = Date.UTC(2026, 9, 1);
const schema = `auditkit_bench_query_${process.pid}`;

/** The filter kinds of the console's search, each inside tenant t-3 as a server forces it. */
const CASES = [
  { name: 'tenant only', filter: '' },
  { name: 'actor', filter: 'actor:u-3-42' },
  { name: 'resource', filter: 'resource.type:report resource.id:r-3-77' },
  { name: 'type', filter: 'type:auth.login' },
  { name: 'type prefix', filter: 'type:auth.*' },
  { name: 'outcome', filter: 'outcome:failure' },
  { name: 'time range (7 days)', filter: 'since:2026-10-10 until:2026-10-17' },
  { name: 'negation', filter: '-outcome:success' },
];

/** Generated in the database: a million JSON events through the client would measure the client. */
function seedSql(t) {
  return `
INSERT INTO ${t} (id, time, tenant, type, category, action, outcome, severity, actor_id, resource_type, resource_id, correlation_id, chain, seq, event)
SELECT id, time, tenant, type, category, 'update', outcome, 'info', actor, rtype, rid, corr, 'bench', i,
       json_build_object('v', 1, 'id', id, 'time', to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'type', type, 'category', category, 'action', 'update', 'outcome', outcome, 'severity', 'info',
         'tenant', tenant, 'actor', json_build_object('type', 'user', 'id', actor),
         'resource', json_build_object('type', rtype, 'id', rid), 'correlationId', corr,
         'source', json_build_object('service', 'bench'), 'message', 'event ' || i)
FROM (
  SELECT i,
    lpad(to_hex(i), 12, '0') || '-7000-8000-' || substr(md5(i::text), 1, 12) AS id,
    to_timestamp(${START / 1000} + (i::float8 / ${EVENTS}) * ${DAYS * 86400}) AS time,
    't-' || (i % ${TENANTS}) AS tenant,
    (ARRAY['auth.login','auth.logout','auth.mfa','data.read','data.update','data.export','admin.user','admin.role',
           'billing.charge','billing.refund','api.call','api.error','security.alert','security.scan','system.start',
           'system.stop','report.run','report.export','user.invite','user.remove'])[1 + (i / ${TENANTS}) % 20] AS type,
    (ARRAY['authentication','data','admin','business','security'])[1 + (i / 7) % 5] AS category,
    CASE WHEN i % 50 < 4 THEN 'failure' WHEN i % 50 = 4 THEN 'unknown' ELSE 'success' END AS outcome,
    'u-' || (i % ${TENANTS}) || '-' || ((i / ${TENANTS}) % 500) AS actor,
    (ARRAY['invoice','user','report','project','key'])[1 + ((i / ${TENANTS}) % 400) % 5] AS rtype,
    'r-' || (i % ${TENANTS}) || '-' || ((i / ${TENANTS}) % 400) AS rid,
    'c-' || (i / 4) AS corr
  FROM generate_series(1, ${EVENTS}) AS i
) g`;
}

/** CALLERS callers, CALLS calls in all, each a `store.query`; latencies in ms. */
async function measure(store, query) {
  const latencies = [];
  let left = CALLS;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (left-- > 0) {
        const t0 = process.hrtime.bigint();
        const page = await store.query(query);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (page.events.length === 0) throw new Error(`empty page for ${JSON.stringify(query.filter)}`);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2) };
}

/** The indexes the plan reads, from EXPLAIN of the SQL the store sends. */
async function indexesUsed(pool, sql) {
  const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${sql.text}`, sql.values);
  const names = new Set();
  const walk = (node) => {
    if (node['Index Name']) names.add(`${node['Node Type']} ${node['Index Name']}`);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(rows[0]['QUERY PLAN'][0].Plan);
  return [...names].join(', ') || 'Seq Scan';
}

async function main() {
  const pool = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    max: CALLERS,
  });
  const store = postgresStore({ pool, schema });
  // The same store on a pool that records the last SELECT, for EXPLAIN.
  let last;
  const recorder = Object.create(pool);
  recorder.query = (config, values) => {
    // The store sends a page as { text, values }, other statements as (text, values).
    last =
      typeof config === 'string' ? { text: config, values } : { text: config.text, values: config.values };
    return pool.query(config, values);
  };
  const explained = postgresStore({ pool: recorder, schema, migrate: false });
  try {
    await store.migrate();
    const t = `"${schema}"."audit_events"`;
    const seeded = Date.now();
    await pool.query(seedSql(t));
    await pool.query(`VACUUM ANALYZE ${t}`);
    const seedSeconds = (Date.now() - seeded) / 1000;
    console.error(`seeded ${EVENTS} events in ${seedSeconds.toFixed(1)} s`);
    const rows = [];
    for (const c of CASES) {
      for (const depth of ['first', 'deep']) {
        const query = { tenant: 't-3', filter: c.filter, limit: LIMIT };
        if (depth === 'deep') {
          // The cursor of the match 80% of the way through, as if those pages had been read.
          const { total } = await store.stats({ tenant: query.tenant, filter: c.filter });
          let n = 0;
          for await (const e of store.iterate({ tenant: query.tenant, filter: c.filter, order: 'desc' })) {
            if (++n < total * 0.8) continue;
            query.cursor = cursorAfter(e, resolveAuditQuery(query, 'bench'));
            break;
          }
        }
        // Warm: every caller's connection open and the plan's pages cached before timing.
        await Promise.all(Array.from({ length: CALLERS }, () => store.query(query)));
        const figures = await measure(store, query);
        await explained.query(query);
        const index = await indexesUsed(pool, last);
        rows.push({ filter: c.name, text: c.filter, page: depth, ...figures, index });
        console.error(
          `${c.name.padEnd(20)} ${depth.padEnd(5)} p50 ${figures.p50} ms  p99 ${figures.p99} ms  ${index}`,
        );
      }
    }
    // The export read path: every event of the tenant through iterate(), oldest first, 1,000 a page.
    const exportStarted = process.hrtime.bigint();
    const rss = [];
    let exported = 0;
    for await (const _ of store.iterate({ tenant: 't-3' })) {
      if (++exported % 10_000 === 0) rss.push(process.memoryUsage().rss);
    }
    const exportSeconds = Number(process.hrtime.bigint() - exportStarted) / 1e9;
    const iterate = {
      events: exported,
      eventsPerSecond: Math.round(exported / exportSeconds),
      rssMiB: [Math.min(...rss), Math.max(...rss)].map((b) => Math.round(b / 2 ** 20)),
    };
    console.error(
      `iterate: ${exported} events at ${iterate.eventsPerSecond}/s, rss ${iterate.rssMiB.join('..')} MiB`,
    );
    const postgres = await postgresVersion(pool);
    const result = {
      ...runOn(),
      postgres,
      events: EVENTS,
      callers: CALLERS,
      calls: CALLS,
      limit: LIMIT,
      seedSeconds,
      rows,
      iterate,
    };
    const table = rows
      .map(
        (r) => `| ${r.filter} | \`${r.text || '(none)'}\` | ${r.page} | ${r.p50} | ${r.p99} | ${r.index} |`,
      )
      .join('\n');
    writeResults(
      'query',
      result,
      `# Store queries at depth (PostgreSQL)\n\nGenerated by \`npm run bench:query\` on ${result.date}; ${result.machine}, node ${result.node}, PostgreSQL ${result.postgres} on the same machine (shared with other work, so figures are noisy).\n\n${EVENTS.toLocaleString('en-US')} events over ${DAYS} days in ${TENANTS} tenants; every query inside tenant \`t-3\` (as a server forces it), ${LIMIT} events per page, ${CALLERS} concurrent callers calling \`store.query()\` directly, ${CALLS} calls per row. "deep" starts from the cursor of the match 80% of the way through the filter's matches. Index: what EXPLAIN shows for the store's SQL.\n\n| filter | filter text | page | p50 ms | p99 ms | index |\n|---|---|---|---:|---:|---|\n${table}\n\nExport read path: \`store.iterate({ tenant: 't-3' })\` read ${iterate.events.toLocaleString('en-US')} events oldest first at ${iterate.eventsPerSecond.toLocaleString('en-US')} events/s (1,000 per page); the process's RSS stayed within ${iterate.rssMiB[0]}..${iterate.rssMiB[1]} MiB.\n`,
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
