// The dashboard in Chromium over EVENTS (default 100,000) events in PostgreSQL: the bundle's
// gzipped size, time to the first screen and to the first results on localhost, frame times while
// scrolling the whole result (rAF deltas), the time to fill the end after a jump there, and the
// period report's PDF over the same trail (REPORT_EVENTS, default EVENTS, may be set larger).
// With BASELINE_UI=<a dist/ui built from another commit>, that dashboard is measured too, against
// the same console and trail, the two interleaved RUNS times (default 3): before and after, side by side.
// Writes bench/results/dashboard.{json,md}. Needs /usr/bin/chromium (apt-get install chromium).
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const { join } = require('node:path');
const { createAuditLogger, memorySink } = require('@auditkit/core');
const { postgresStore } = require('@auditkit/postgres');
const { createApiKey, createAuditServer } = require('@auditkit/server');
const { Pool } = require('pg');
const { percentile, runOn, writeResults } = require('./figures');
const { chromium } = require('playwright-core');
// The flags this machine's closed network needs; the browser tests launch with the same list.
const CHROMIUM_ARGS = require('./chromium-args.json');

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const REPORT_EVENTS = Number(process.env.REPORT_EVENTS ?? EVENTS);
const SCROLL_MS = Number(process.env.SCROLL_MS ?? 10_000);
const SCROLL_PX = Number(process.env.SCROLL_PX ?? 1500);
const START = Date.UTC(2026, 10, 1);
const BASELINE_UI = process.env.BASELINE_UI;
const RUNS = Number(process.env.RUNS ?? (BASELINE_UI ? 3 : 1));

/**
 * Serves a dashboard bundle from `dir` at /ui/ and passes every other request to the console, so
 * another build of the page runs against the same API (same origin, as the console serves it).
 */
async function baselineProxy(dir, consoleUrl) {
  const target = new URL(consoleUrl);
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const proxy = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/ui/')) {
      const file = join(dir, path.slice(4) || 'index.html');
      if (!existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[file.slice(file.lastIndexOf('.'))] ?? 'text/plain' });
      return res.end(readFileSync(file));
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${proxy.address().port}`, close: () => proxy.close() };
}

/** One session in a fresh page: first screen, sign-in to results, a fling through the list, a jump to the end. */
async function measure(browser, url, key) {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  try {
    const t0 = Date.now();
    await page.goto(`${url}/ui/#/search?range=all`);
    await page.getByLabel('API key').waitFor();
    const firstScreenMs = Date.now() - t0;
    const t1 = Date.now();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.vrow .c-type').first().waitFor();
    const firstResultsMs = Date.now() - t1;
    await page.getByText(/^[\d,]+ events/).waitFor();
    const shown = await page.locator('.count').textContent();

    // Scroll as a person flinging the list: SCROLL_PX per frame, frame deltas from requestAnimationFrame.
    const scroll = await page.evaluate(
      ({ ms, px }) =>
        new Promise((resolve) => {
          const list = document.querySelector('.vlist');
          const deltas = [];
          let last = performance.now();
          const end = last + ms;
          const step = (now) => {
            deltas.push(now - last);
            last = now;
            list.scrollTop += px;
            if (now < end && list.scrollTop + list.clientHeight < list.scrollHeight)
              requestAnimationFrame(step);
            else resolve({ deltas, rowsPassed: Math.floor(list.scrollTop / 32) });
          };
          requestAnimationFrame(step);
        }),
      { ms: SCROLL_MS, px: SCROLL_PX },
    );
    const frames = scroll.deltas.slice(1).sort((a, b) => a - b);
    // Jump to the end (the scrollbar dragged down), then wait until the last rows show events.
    const t2 = Date.now();
    await page.evaluate(() => {
      const list = document.querySelector('.vlist');
      list.scrollTop = list.scrollHeight;
    });
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('.vrow')];
        return rows.length > 0 && rows.every((r) => !r.textContent.includes('Loading'));
      },
      null,
      { timeout: 600_000, polling: 100 },
    );
    const fillEndMs = Date.now() - t2;
    return {
      firstScreenMs,
      firstResultsMs,
      shown,
      scroll: {
        pxPerFrame: SCROLL_PX,
        frames: frames.length,
        rowsPassed: scroll.rowsPassed,
        p50: +percentile(frames, 50).toFixed(1),
        p95: +percentile(frames, 95).toFixed(1),
        p99: +percentile(frames, 99).toFixed(1),
        max: +frames.at(-1).toFixed(1),
        over50ms: frames.filter((d) => d > 50).length,
      },
      fillEndMs,
    };
  } finally {
    await page.close();
  }
}

/** `a–b` over the runs (or the one figure). */
function range(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function variantRows(name, runs) {
  const s = runs.map((r) => r.scroll);
  return [
    `| ${name}: first screen | ${range(runs.map((r) => r.firstScreenMs))} ms |`,
    `| ${name}: sign-in to the first results | ${range(runs.map((r) => r.firstResultsMs))} ms |`,
    `| ${name}: scrolling, frame p50 / p95 / p99 / max | ${range(s.map((x) => x.p50))} / ${range(s.map((x) => x.p95))} / ${range(s.map((x) => x.p99))} / ${range(s.map((x) => x.max))} ms |`,
    `| ${name}: frames over 50 ms | ${runs.map((r) => `${r.scroll.over50ms} of ${r.scroll.frames}`).join(', ')} |`,
    `| ${name}: rows passed while scrolling | ${range(s.map((x) => x.rowsPassed))} |`,
    `| ${name}: jump to the end, until the last rows are loaded | ${range(runs.map((r) => r.fillEndMs))} ms |`,
  ];
}

/** Generated in the database (as bench/query.js does): one tenant, one chain, a month of events. */
function seedSql(t, from, n) {
  return `
INSERT INTO ${t} (id, time, tenant, type, category, action, outcome, severity, actor_id, resource_type, resource_id, correlation_id, chain, seq, event)
SELECT id, time, 'acme', type, category, 'update', outcome, 'info', actor, 'order', rid, 'c-' || (i / 4), 'bench', i,
       json_build_object('v', 1, 'id', id, 'time', to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'type', type, 'category', category, 'action', 'update', 'outcome', outcome, 'severity', 'info',
         'tenant', 'acme', 'actor', json_build_object('type', 'user', 'id', actor, 'roles', CASE WHEN i % 97 = 0 THEN json_build_array('admin') ELSE json_build_array('clerk') END),
         'resource', json_build_object('type', 'order', 'id', rid), 'correlationId', 'c-' || (i / 4),
         'source', json_build_object('service', 'bench'), 'message', 'event ' || i)
FROM (
  SELECT i,
    lpad(to_hex(i), 12, '0') || '-7000-8000-' || substr(md5(i::text), 1, 12) AS id,
    to_timestamp(${START / 1000} + (i::float8 / ${REPORT_EVENTS}) * ${28 * 86400}) AS time,
    (ARRAY['auth.login','order.read','order.update','order.export','admin.role','api.call','security.alert','keys.rotated'])[1 + i % 8] AS type,
    (ARRAY['authentication','data','data','data','admin','api','security','admin'])[1 + i % 8] AS category,
    CASE WHEN i % 50 < 3 THEN 'failure' ELSE 'success' END AS outcome,
    'u-' || (i % 700) AS actor,
    'o-' || (i % 5000) AS rid
  FROM generate_series(${from}, ${n}) AS i
) g`;
}

async function main() {
  const pool = new Pool({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    max: 10,
  });
  const schema = `auditkit_bench_dashboard_${process.pid}`;
  const store = postgresStore({ pool, schema });
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-bench-dashboard-'));
  const keysPath = join(dir, 'keys.json');
  let browser;
  let server;
  let baseline;
  const logger = createAuditLogger({
    service: 'bench-console',
    flushOnExit: false,
    sinks: [memorySink({ max: 1000 })],
    integrity: false,
  });
  try {
    await store.migrate();
    const t = `"${schema}"."audit_events"`;
    const seeded = Date.now();
    await pool.query(seedSql(t, 1, EVENTS));
    await pool.query(`VACUUM ANALYZE ${t}`);
    console.error(`seeded ${EVENTS} events in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
    const { key } = await createApiKey(keysPath, { tenant: '*', scopes: ['read', 'export'] });
    server = await createAuditServer({ store, logger, keys: keysPath, rateLimit: false });
    const url = await server.listen({ port: 0 });
    const gzipBytes = JSON.parse(
      readFileSync(join(__dirname, '..', 'packages', 'server', 'dist', 'ui', 'size.json'), 'utf8'),
    ).gzipBytes;

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    if (BASELINE_UI) baseline = await baselineProxy(BASELINE_UI, url);
    const variants = { current: [] };
    if (baseline) variants.baseline = [];
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, baseline first in odd runs and second in even ones, so drift in the machine's load hits both.
      const order = baseline
        ? run % 2 === 0
          ? ['baseline', 'current']
          : ['current', 'baseline']
        : ['current'];
      for (const name of order) {
        const figures = await measure(browser, name === 'baseline' ? baseline.url : url, key);
        console.error(
          `${name} run ${run + 1}: ${JSON.stringify(figures.scroll)} fillEnd ${figures.fillEndMs} ms`,
        );
        variants[name].push(figures);
      }
    }

    if (REPORT_EVENTS > EVENTS) {
      const more = Date.now();
      await pool.query(seedSql(t, EVENTS + 1, REPORT_EVENTS));
      await pool.query(`VACUUM ANALYZE ${t}`);
      console.error(`seeded up to ${REPORT_EVENTS} events in ${((Date.now() - more) / 1000).toFixed(1)} s`);
    }
    const t3 = Date.now();
    const pdf = await fetch(`${url}/api/reports/period?from=2026-11-01&to=2026-12-01&format=pdf`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const pdfBytes = (await pdf.arrayBuffer()).byteLength;
    const reportPdfMs = Date.now() - t3;
    if (pdf.status !== 200) throw new Error(`report: ${pdf.status}`);

    const result = {
      ...runOn(),
      chromium: browser.version(),
      events: EVENTS,
      bundleGzipKB: +(gzipBytes / 1024).toFixed(1),
      scrollMs: SCROLL_MS,
      pxPerFrame: SCROLL_PX,
      runs: RUNS,
      ...(BASELINE_UI ? { baselineUi: BASELINE_UI } : {}),
      variants,
      report: { events: REPORT_EVENTS, pdfMs: reportPdfMs, pdfBytes },
    };
    console.error(JSON.stringify(result, null, 2));
    const rows = Object.entries(variants).flatMap(([name, runs]) => variantRows(name, runs));
    writeResults(
      'dashboard',
      result,
      `# The dashboard in Chromium\n\nGenerated by \`npm run bench:dashboard\` on ${result.date}; ${result.machine}, node ${result.node}, Chromium ${result.chromium} (headless, software rendering), PostgreSQL on the same machine (shared with other work, so figures are noisy). ${EVENTS.toLocaleString('en-US')} events; scrolling at ${SCROLL_PX} px per frame for ${SCROLL_MS / 1000} s; ${RUNS} run${RUNS === 1 ? '' : 's'} per variant${BASELINE_UI ? ', interleaved; `baseline` is the dashboard built from BASELINE_UI, against the same console and trail' : ''} (ranges over the runs).\n\n| measure | figure |\n|---|---:|\n| bundle (JS + CSS + HTML, gzipped) | ${result.bundleGzipKB} KB |\n${rows.join('\n')}\n| period report PDF over ${REPORT_EVENTS.toLocaleString('en-US')} events | ${reportPdfMs} ms (${(pdfBytes / 1024).toFixed(0)} KB) |\n`,
    );
  } finally {
    await browser?.close();
    baseline?.close();
    await server?.close();
    await logger.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
