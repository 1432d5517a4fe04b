// A/B of the caller-thread cost of log(): two builds of core, measured alternately in one process
// so machine load (shared cores) hits both alike. Usage: node bench/log-cost-ab.js [label=]<coreA> [label=]<coreB>
// (each the path of a built core's dist/index.js). Writes bench/results/log-cost-ab.json.
const { performance } = require('node:perf_hooks');
const { orderUpdate: input } = require('./inputs');
const context = {
  requestId: 'r-1',
  correlationId: 'c-1',
  actor: { type: 'user', id: 'u-alice' },
  tenant: 'acme',
};

async function slice(core, logger, inputs) {
  const t = performance.now();
  core.runWithContext(context, () => {
    for (let i = 0; i < inputs.length; i++) logger.log(inputs[i]);
  });
  const ms = performance.now() - t;
  await logger.flush();
  return ms;
}

async function main() {
  const builds = process.argv.slice(2).map((arg) => {
    const [label, p] = arg.includes('=') ? arg.split('=') : [arg, arg];
    return { path: label, core: require(require('node:path').resolve(p)), ms: 0 };
  });
  const inputs = Array.from({ length: 1000 }, (_, i) => input(i));
  for (const b of builds) {
    b.logger = b.core.createAuditLogger({
      service: 'ab',
      flushOnExit: false,
      sinks: [b.core.memorySink({ maxEvents: 1 })],
    });
    for (let w = 0; w < 30; w++) await slice(b.core, b.logger, inputs);
  }
  const rounds = Number(process.env.ROUNDS ?? 200);
  for (let r = 0; r < rounds; r++) for (const b of builds) b.ms += await slice(b.core, b.logger, inputs);
  const results = [];
  for (const b of builds) {
    await b.logger.close();
    results.push({ build: b.path, microsecondsPerCall: Math.round((b.ms * 1000) / rounds) / 1000 });
  }
  const os = require('node:os');
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model} (shared: figures are noisy)`,
    node: process.version,
    rounds,
    results,
  };
  const { mkdirSync, writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'log-cost-ab.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
main();
