// A/B of the caller-thread cost of log(): two builds of core, measured alternately in one process
// so machine load (shared cores) hits both alike. Usage: node bench/log-cost-ab.js [label=]<coreA> [label=]<coreB>
// (each the path of a built core's dist/index.js). Writes bench/results/log-cost-ab.json.
// CONTEXT=request logs in a request's own context, as adapters make it (a request id core generated,
// a parsed traceparent), instead of a plain context object. WORKER=1 measures log() with the worker
// option (sealed, signed checkpoints, a fileSink per build in a temporary directory): the caller's
// share is then building the event and writing its canonical text onto the ring.
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { orderUpdate: input } = require('./inputs');
const context = {
  requestId: 'r-1',
  correlationId: 'c-1',
  actor: { type: 'user', id: 'u-alice' },
  tenant: 'acme',
};

/** A request's context as an adapter begins it, recording into `logger`. */
function requestContext(corePath, logger) {
  const { RequestAuditor, beginHttpAudit } = require(`${dirname(corePath)}/adapter.js`);
  const auditor = new RequestAuditor({ logger }, { eventType: 'http.request', name: 'bench' });
  const headers = {
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'user-agent': 'bench',
  };
  return beginHttpAudit(auditor, { method: 'PATCH', url: '/orders/42', headers, ip: '127.0.0.1' });
}

async function slice(core, logger, inputs, ctx = context) {
  const t = performance.now();
  core.runWithContext(ctx, () => {
    for (let i = 0; i < inputs.length; i++) logger.log(inputs[i]);
  });
  const ms = performance.now() - t;
  await logger.flush();
  return ms;
}

async function main() {
  const builds = process.argv.slice(2).map((arg) => {
    const [label, p] = arg.includes('=') ? arg.split('=') : [arg, arg];
    return { path: label, core: require(resolve(p)), corePath: resolve(p), ms: 0 };
  });
  const inputs = Array.from({ length: 1000 }, (_, i) => input(i));
  const worker = process.env.WORKER === '1';
  const dir = worker ? mkdtempSync(join(tmpdir(), 'auditkit-log-cost-ab-')) : undefined;
  for (const [i, b] of builds.entries()) {
    b.logger = b.core.createAuditLogger({
      service: 'ab',
      flushOnExit: false,
      ...(worker
        ? {
            sinks: [b.core.fileSink({ path: join(dir, `build-${i}.jsonl`), maxSize: 0 })],
            integrity: { signingKey: b.core.generateSigningKeys().privateKeyPem },
            worker: true,
          }
        : { sinks: [b.core.memorySink({ maxEvents: 1 })] }),
    });
    if (process.env.CONTEXT === 'request') b.context = requestContext(b.corePath, b.logger);
    for (let w = 0; w < 30; w++) await slice(b.core, b.logger, inputs, b.context);
  }
  const rounds = Number(process.env.ROUNDS ?? 200);
  for (let r = 0; r < rounds; r++)
    for (const b of builds) b.ms += await slice(b.core, b.logger, inputs, b.context);
  const results = [];
  for (const b of builds) {
    await b.logger.close();
    results.push({ build: b.path, microsecondsPerCall: Math.round((b.ms * 1000) / rounds) / 1000 });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  const os = require('node:os');
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model} (shared: figures are noisy)`,
    node: process.version,
    rounds,
    context: process.env.CONTEXT === 'request' ? 'request' : 'plain',
    worker,
    results,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'log-cost-ab.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
main();
