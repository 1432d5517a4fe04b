// The live stream's fan-out alone, without HTTP ingest and PostgreSQL: a console over a file store
// whose own logger records RATE events/s (as if sealed from ingest), SUBSCRIBERS filtered
// subscribers plus one stalled one in this process, the server in a child process. Reports
// delivered events/s, send-to-delivery p50/p99 and the server's CPU per 1000 events, so the
// fan-out's share of the console's stream figures (bench/console.js) can be told apart.
// BARE=1 runs the same load again without subscribers after each measurement; the difference in
// CPU per 1000 events is the fan-out's own. BASELINE=<built checkout> measures that checkout's server in turn, ROUNDS times each.
// PROFILE=<dir> writes each server's CPU profile there (node --cpu-prof). FILTERS=actor gives each
// subscriber one actor in any tenant instead of one tenant and one type. FLUSH_MS sets stream.flushMs.
// Writes bench/results/stream-fanout.{json,md} (stream-fanout-actor.* with FILTERS=actor).
const { fork } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { createRequire } = require('node:module');
const os = require('node:os');
const { join } = require('node:path');
const { percentile, runOn, writeResults } = require('./figures');
const { openSubscribers } = require('./stream-subscribers');

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.RATE ?? 10_000);
const SECONDS = Number(process.env.STREAM_SECONDS ?? 10);
const BASELINE = process.env.BASELINE;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PROFILE = process.env.PROFILE;
const FILTERS = process.env.FILTERS ?? 'tenant-type';
/** The servers' `stream.flushMs` (a server that does not know the option ignores it); default theirs. */
const FLUSH_MS = process.env.FLUSH_MS === undefined ? undefined : Number(process.env.FLUSH_MS);
/** BARE=1: after each measurement, the same load with no subscriber, to tell the fan-out's CPU apart. */
const BARE = process.env.BARE === '1';
const TENANTS = 100;
const TYPES = ['auth.login', 'auth.logout', 'data.read', 'data.update', 'billing.charge', 'admin.role'];

/** The server side: a console whose logger records events at RATE/s when told to. */
async function serve() {
  const load = process.env.AUDITKIT_ROOT
    ? createRequire(join(process.env.AUDITKIT_ROOT, 'package.json'))
    : require;
  const { createAuditLogger, fileStore } = load('@auditkit/core');
  const { createAuditServer } = load('@auditkit/server');
  const store = fileStore(process.env.DIR);
  const logger = createAuditLogger({
    service: 'bench-fanout',
    flushOnExit: false,
    sinks: [store],
    batch: { maxEvents: 1000, maxWaitMs: 10 },
  });
  const server = await createAuditServer({
    store,
    logger,
    keys: process.env.KEYS,
    rateLimit: false,
    stream: {
      maxConnections: SUBSCRIBERS + 10,
      heartbeatMs: 0,
      ...(FLUSH_MS !== undefined && { flushMs: FLUSH_MS }),
    },
  });
  const url = await server.listen({ port: 0 });
  process.on('message', async (m) => {
    if (m === 'exit') process.exit(0); // a clean exit, so a --cpu-prof profile is written
    if (m !== 'go' && m !== 'bare') return;
    const cpu = process.cpuUsage();
    const started = Date.now();
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampling = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }, 100);
    let i = 0;
    // 100 ticks a second, each logging its share, as ingest hands sealed events on.
    while (Date.now() - started < SECONDS * 1000) {
      const tick = Date.now();
      const due = Math.round(((tick - started + 10) / 1000) * RATE);
      for (; i < due; i++)
        logger.log({
          type: TYPES[i % TYPES.length],
          tenant: `t-${i % TENANTS}`,
          actor: { id: `u-${i % 5000}` },
          resource: { type: 'invoice', id: `inv-${i % 20000}` },
          message: `event ${i}`,
          details: { sentAt: Date.now(), pad: 'x'.repeat(200) },
        });
      await new Promise((r) => setTimeout(r, Math.max(0, 10 - (Date.now() - tick))));
    }
    await logger.flush();
    await new Promise((r) => setTimeout(r, 1000));
    const used = process.cpuUsage(cpu);
    clearInterval(sampling);
    process.send({
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      rssPeakMiB: Math.round(rssPeak / 2 ** 20),
      logged: i,
      seconds: (Date.now() - started - 1000) / 1000,
      cpuMicros: used.user + used.system,
      droppedSlow: server.streamStats().droppedSlow,
    });
  });
  process.send({ url });
}

/** One measurement of the server from `root` (undefined: this checkout). */
async function measure(label, root, dir, keysFile, key) {
  const child = fork(__filename, [], {
    env: {
      ...process.env,
      ROLE: 'server',
      DIR: join(dir, label),
      KEYS: keysFile,
      ...(root ? { AUDITKIT_ROOT: root } : {}),
    },
    execArgv: PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, `--cpu-prof-name=${label}.cpuprofile`]
      : [],
  });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  const { open, stalled, latencies, received } = await openSubscribers(url, key, {
    subscribers: SUBSCRIBERS,
    tenants: TENANTS,
    types: TYPES,
    filters: FILTERS,
  });
  const done = new Promise((resolve) => child.once('message', resolve));
  const greetings = received.messages; // the subscribed messages
  child.send('go');
  const r = await done;
  for (const s of open) s.terminate();
  stalled.terminate();
  // The same load again with nobody subscribed (publishing is then a no-op): what the logger costs
  // alone, so the difference is the fan-out's own CPU.
  let bare;
  if (BARE) {
    await new Promise((r) => setTimeout(r, 1000));
    const bareDone = new Promise((resolve) => child.once('message', resolve));
    child.send('bare');
    bare = await bareDone;
  }
  if (PROFILE) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('exit');
    await exited;
  } else child.kill('SIGKILL');
  latencies.sort((a, b) => a - b);
  return {
    server: label,
    subscribers: SUBSCRIBERS,
    targetRate: RATE,
    eventsPerSecond: Math.round(r.logged / r.seconds),
    deliveries: latencies.length,
    messagesPer1000Events: Math.round(((received.messages - greetings) / r.logged) * 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1),
    droppedSlow: r.droppedSlow,
    cpuMsPer1000Events: Math.round(r.cpuMicros / r.logged),
    ...(bare && {
      bareCpuMsPer1000Events: Math.round(bare.cpuMicros / bare.logged),
      fanOutCpuMsPer1000Events: Math.round(r.cpuMicros / r.logged - bare.cpuMicros / bare.logged),
    }),
    rssBeforeMiB: r.rssBeforeMiB,
    rssPeakMiB: r.rssPeakMiB,
  };
}

async function main() {
  const { createApiKey } = require('@auditkit/server');
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-bench-fanout-'));
  const keysFile = join(dir, 'keys.json');
  const key = (await createApiKey(keysFile, { tenant: '*', scopes: ['read'] })).key;
  const rows = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const servers = [['current'], ...(BASELINE ? [['baseline', BASELINE]] : [])];
      // Each order in turn, so neither server always runs on the machine the other just warmed.
      if (round % 2 === 0) servers.reverse();
      for (const [label, root] of servers) {
        const r = { round, ...(await measure(`${label}-${round}`, root, dir, keysFile, key)), server: label };
        rows.push(r);
        console.error(
          `${label} #${round}: ${r.eventsPerSecond} events/s to ${r.subscribers} subscribers: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.deliveries} deliveries in ${r.messagesPer1000Events} messages / 1000 events, ${r.droppedSlow} slow dropped, ${r.cpuMsPer1000Events} ms CPU / 1000 events${r.fanOutCpuMsPer1000Events === undefined ? '' : ` (${r.bareCpuMsPer1000Events} without subscribers: fan-out ${r.fanOutCpuMsPer1000Events})`}, RSS ${r.rssBeforeMiB} → peak ${r.rssPeakMiB} MiB`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { ...runOn(), baseline: BASELINE ?? null, flushMs: FLUSH_MS ?? null, rows };
  const table = rows
    .map(
      (r) =>
        `| ${r.server} | ${r.round} | ${r.eventsPerSecond} | ${r.deliveries} | ${r.messagesPer1000Events} | ${r.p50} | ${r.p99} | ${r.max} | ${r.droppedSlow} | ${r.cpuMsPer1000Events} | ${r.fanOutCpuMsPer1000Events ?? '–'} | ${r.rssBeforeMiB} → ${r.rssPeakMiB} |`,
    )
    .join('\n');
  writeResults(
    FILTERS === 'actor' ? 'stream-fanout-actor' : 'stream-fanout',
    result,
    `# Live-stream fan-out alone (no HTTP ingest, no PostgreSQL)\n\nGenerated by \`node bench/stream-fanout.js\` on ${result.date}; ${result.machine}, node ${result.node}; the machine is shared with other work, so figures are noisy. A console over a file store whose own logger records ${RATE} events/s for ${SECONDS} s; ${SUBSCRIBERS} subscribers (each filtered on ${FILTERS === 'actor' ? 'one actor, in any tenant' : 'one tenant and one type'}) and one stalled subscriber in the load process, the server in its own${FLUSH_MS === undefined ? '' : `, \`stream.flushMs\` ${FLUSH_MS} on every server`}. Latency: from the event's creation in the server to its arrival at a subscriber. Messages: event messages the subscribers received (the server's socket writes) per 1000 events logged.${BARE ? ' Fan-out CPU: the server CPU per 1000 events minus that of the same load run again in the same process with nobody subscribed.' : ''}${BASELINE ? ' `current` is this checkout, `baseline` the checkout in `BASELINE` (main), measured in turn, each order in turn (odd rounds current first).' : ''}\n\n| server | round | events/s | deliveries | messages / 1000 events | p50 ms | p99 ms | max ms | slow dropped | server CPU ms / 1000 events | of which fan-out | server RSS MiB (start → peak) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n${table}\n`,
  );
}

if (process.env.ROLE === 'server') serve();
else
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
