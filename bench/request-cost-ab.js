// A/B of the CPU per audited request, in one process so the shared machine's load hits every
// variant alike: Fastify (in-process `inject`, no sockets) with auditPlugin and a sealed fileSink,
// for two builds of core and the adapters, and the floor (the plugin's hooks carrying a context,
// no event), measured in turn, slice after slice, in a new random order each slice. Each slice
// ends with the logger's flush, so it pays for its own sealing and writing. With CAPTURE=1 each
// build is measured a second time as `<label>:capture`, its logger leaving out every `http.request`
// event at admission: the capture alone (context, ids, listeners, the event's input), apart from
// the pipeline. Usage:
//   [CAPTURE=1] node bench/request-cost-ab.js [label=]<core package dir> [label=]<core package dir>
// (each a core package directory with dist/, whose tree's packages/fastify is used with it).
// Writes bench/results/request-cost-ab.json.
const { AsyncLocalStorage } = require('node:async_hooks');
const { mkdtempSync, rmSync } = require('node:fs');
const { median, shuffled, writeResults } = require('./figures');
const Module = require('node:module');
const os = require('node:os');
const { join, resolve, sep } = require('node:path');
const Fastify = require('fastify');

const SLICES = Number(process.env.SLICES ?? 60);
const REQUESTS = Number(process.env.REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const CAPTURE = process.env.CAPTURE === '1';

// Each build's adapter loads the core built beside it, whatever this file's own resolution says.
const roots = [];
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveBuild(request, parent, ...rest) {
  if (request.startsWith('@auditkit/core') && parent?.filename) {
    const root = roots.find((r) => parent.filename.startsWith(r + sep));
    if (root) {
      const entry =
        request === '@auditkit/core' ? 'index.js' : `${request.slice('@auditkit/core/'.length)}.js`;
      return join(root, 'packages', 'core', 'dist', entry);
    }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

function route(app) {
  app.get('/orders/:id', async (request) => ({
    id: request.params.id,
    item: 'laptop',
    quantity: 2,
    status: 'open',
  }));
}

/** `captureOnly`: the logger leaves the request's event out at admission, after capture built it. */
async function auditedApp(coreDir, file, captureOnly = false) {
  const root = resolve(coreDir, '..', '..');
  if (!roots.includes(root)) roots.push(root);
  const core = require(join(root, 'packages', 'core', 'dist', 'index.js'));
  const { auditPlugin } = require(join(root, 'packages', 'fastify', 'dist', 'index.js'));
  const logger = core.createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [core.fileSink({ path: file })],
    ...(captureOnly ? { excludeTypes: ['http.request'] } : {}),
  });
  const app = Fastify();
  await app.register(auditPlugin, { logger });
  route(app);
  await app.ready();
  const adapterCore = join(root, 'packages', 'core', 'dist', 'adapter.js');
  if (!require.cache[adapterCore])
    throw new Error(`${coreDir}: its adapter did not load the core built beside it`);
  return { app, flush: () => logger.flush(), close: () => logger.close() };
}

async function floorApp() {
  const als = new AsyncLocalStorage();
  const app = Fastify();
  app.addHook('onRequest', (request, _reply, next) => als.run({ request }, next));
  app.addHook('onError', (_request, _reply, _error, next) => next());
  app.addHook('onResponse', (_request, _reply, next) => next());
  app.addHook('onTimeout', (_request, _reply, next) => next());
  app.addHook('onRequestAbort', (_request, next) => next());
  route(app);
  await app.ready();
  return { app, flush: async () => {}, close: async () => {} };
}

/** `REQUESTS` requests, `CONCURRENCY` at a time; the process's CPU (all threads) in µs. */
async function slice(v) {
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await v.app.inject({ method: 'GET', url: `/orders/${i}` });
        if (res.statusCode !== 200) throw new Error(`${v.label}: status ${res.statusCode}`);
      }
    }),
  );
  await v.flush();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-request-ab-'));
  const variants = [{ label: 'floor', ...(await floorApp()) }];
  for (const [n, arg] of process.argv.slice(2).entries()) {
    const [label, coreDir] = arg.includes('=') ? arg.split('=') : [arg, arg];
    variants.push({ label, ...(await auditedApp(resolve(coreDir), join(dir, `audit-${n}.jsonl`))) });
    if (CAPTURE)
      variants.push({
        label: `${label}:capture`,
        ...(await auditedApp(resolve(coreDir), join(dir, `capture-${n}.jsonl`), true)),
      });
  }
  try {
    for (const v of variants) for (let w = 0; w < 5; w++) await slice(v);
    for (const v of variants) v.us = [];
    // A new order each slice: a fixed one measured two identical builds 12-17 µs apart (whatever
    // runs after the floor inherits its garbage and its warm caches).
    for (let s = 0; s < SLICES; s++)
      for (const v of shuffled(variants)) v.us.push((await slice(v)) / REQUESTS);
  } finally {
    for (const v of variants) {
      await v.app.close();
      await v.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model} (shared: figures are noisy)`,
    node: process.version,
    settings: { slices: SLICES, requestsPerSlice: REQUESTS, concurrency: CONCURRENCY, capture: CAPTURE },
    // Each variant's median over the floor's: what the plugin costs, or its capture alone (`:capture`).
    overFloorMedian: Object.fromEntries(
      variants
        .filter((v) => v.label !== 'floor')
        .map((v) => [v.label, +(median(v.us) - median(variants[0].us)).toFixed(1)]),
    ),
    cpuMicrosecondsPerRequest: Object.fromEntries(
      variants.map((v) => [
        v.label,
        {
          median: +median(v.us).toFixed(1),
          mean: +(v.us.reduce((a, b) => a + b, 0) / v.us.length).toFixed(1),
        },
      ]),
    ),
  };
  writeResults('request-cost-ab', out);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
