// Benchmarks: HTTP overhead (autocannon against bare Express, + pino-http, + auditkit; Fastify; Nest) and the
// pipeline. Writes bench/results/latest.{json,md} with machine, date and versions.
const { fork, execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { cpuUsPer, processCpu } = require('./cpu');

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const VARIANTS = [
  'bare',
  'pino-http',
  'auditkit',
  'fastify-bare',
  'fastify-logger',
  'fastify-floor',
  'fastify-auditkit',
  'fastify-auditkit-unsealed',
  'nest-bare',
  'nest-floor',
  'nest-auditkit',
];

function cannon(url, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function measure(variant, port, dir) {
  const child = fork(join(__dirname, 'servers', `${variant}.js`), {
    env: { ...process.env, PORT: String(port), LOG_FILE: join(dir, `${variant}.log`) },
    stdio: 'inherit',
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}/orders/42`;
  await cannon(url, WARMUP);
  const before = processCpu(child.pid);
  const r = await cannon(url, DURATION);
  const after = processCpu(child.pid);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  if (r.errors || r.non2xx) throw new Error(`${variant}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
  return {
    requestsPerSecond: r.requests.average,
    p99Ms: r.latency.p99,
    p50Ms: r.latency.p50,
    // The server's own CPU per request: what the variant costs, apart from the load generator's share of the cores.
    serverCpuUsPerRequest: cpuUsPer(before, after, r.requests.total),
  };
}

function version(pkg) {
  return require(`${pkg}/package.json`).version;
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-bench-'));
  const http = {};
  try {
    // Rounds alternate the variants so drift on a shared machine hits each of them alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, variant] of VARIANTS.entries()) {
        const result = await measure(variant, 41000 + round * 10 + i, dir);
        console.log(
          `round ${round + 1} ${variant}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms`,
        );
        if (!http[variant]) http[variant] = [];
        http[variant].push(result);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const best = Object.fromEntries(
    Object.entries(http).map(([k, runs]) => [
      k,
      runs.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a)),
    ]),
  );
  console.log('pipeline...');
  const pipeline = JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'pipeline.js')], { encoding: 'utf8' }),
  );
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
    },
    versions: {
      node: process.version,
      express: version('express'),
      fastify: version('fastify'),
      'pino-http': version('pino-http'),
      pino: version('pino'),
      autocannon: version('autocannon'),
      '@nestjs/core': version('@nestjs/core'),
      '@auditkit/core': version('@auditkit/core'),
    },
    settings: { durationSeconds: DURATION, warmupSeconds: WARMUP, connections: CONNECTIONS, rounds: ROUNDS },
    http: best,
    ratios: {
      auditkitVsBare: best.auditkit.requestsPerSecond / best.bare.requestsPerSecond,
      auditkitVsPinoHttp: best.auditkit.requestsPerSecond / best['pino-http'].requestsPerSecond,
      fastifyAuditkitVsBare:
        best['fastify-auditkit'].requestsPerSecond / best['fastify-bare'].requestsPerSecond,
      fastifyFloorVsBare: best['fastify-floor'].requestsPerSecond / best['fastify-bare'].requestsPerSecond,
      fastifyAuditkitVsLogger:
        best['fastify-auditkit'].requestsPerSecond / best['fastify-logger'].requestsPerSecond,
      fastifyUnsealedVsLogger:
        best['fastify-auditkit-unsealed'].requestsPerSecond / best['fastify-logger'].requestsPerSecond,
      nestAuditkitVsBare: best['nest-auditkit'].requestsPerSecond / best['nest-bare'].requestsPerSecond,
      nestFloorVsBare: best['nest-floor'].requestsPerSecond / best['nest-bare'].requestsPerSecond,
    },
    pipeline,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(__dirname, 'results', 'latest.md'), markdown(results));
  console.log(markdown(results));
}

function markdown(r) {
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const rowsOf = (variants) =>
    variants
      .map(
        (v) =>
          `| ${v} | ${Math.round(r.http[v].requestsPerSecond)} | ${r.http[v].p50Ms} | ${r.http[v].p99Ms} | ${r.http[v].serverCpuUsPerRequest} |`,
      )
      .join('\n');
  const rows = rowsOf(['bare', 'pino-http', 'auditkit']);
  const p = r.pipeline;
  return `# Benchmark results

Generated by \`npm run bench\` on ${r.date}.
Machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memoryGiB} GiB, ${r.machine.platform}.
Versions: ${Object.entries(r.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
autocannon: ${r.settings.connections} connections, ${r.settings.warmupSeconds} s warm-up, ${r.settings.durationSeconds} s measured, best of ${r.settings.rounds} alternating rounds; server and load generator share the machine; server CPU is the server process's user + system time per request in the round shown.

## HTTP overhead (Express, GET /orders/:id, JSON response)

| variant | requests/s | p50 ms | p99 ms | server CPU µs/request |
|---|---|---|---|---|
${rows}

auditkit keeps ${pct(r.ratios.auditkitVsBare)} of bare Express's requests/s and runs at ${pct(r.ratios.auditkitVsPinoHttp)} of Express + pino-http.

## HTTP overhead (Fastify 5, same route)

| variant | requests/s | p50 ms | p99 ms | server CPU µs/request |
|---|---|---|---|---|
${rowsOf(['fastify-bare', 'fastify-logger', 'fastify-floor', 'fastify-auditkit', 'fastify-auditkit-unsealed'])}

auditPlugin keeps ${pct(r.ratios.fastifyAuditkitVsBare)} of bare Fastify's requests/s and runs at ${pct(r.ratios.fastifyAuditkitVsLogger)} of Fastify with its built-in logger writing to a file.
\`fastify-auditkit-unsealed\` is the plugin with \`integrity: false\` (no hash chain, no checkpoints): ${pct(r.ratios.fastifyUnsealedVsLogger)} of the logger.
\`fastify-floor\` registers the same five hooks with no audit work, only one \`AsyncLocalStorage.run\` per request (the context \`audit.log()\` inherits): it alone keeps ${pct(r.ratios.fastifyFloorVsBare)} of bare, the ceiling for any plugin that carries a request context on Node ${r.versions.node}.

## HTTP overhead (Nest 11 on Express, same route)

| variant | requests/s | p50 ms | p99 ms | server CPU µs/request |
|---|---|---|---|---|
${rowsOf(['nest-bare', 'nest-floor', 'nest-auditkit'])}

AuditModule (interceptor) keeps ${pct(r.ratios.nestAuditkitVsBare)} of bare Nest's requests/s.
\`nest-floor\` is a global interceptor doing no audit work, only running the handler inside one \`AsyncLocalStorage\` context: it alone keeps ${pct(r.ratios.nestFloorVsBare)} of bare Nest (Nest's interceptor chain and RxJS, plus the context).

## Pipeline (events of ${p.eventBytes} bytes)

| what | result |
|---|---|
| into memorySink (sealed, signed checkpoints) | ${p.memory.eventsPerSecond.toLocaleString('en-US')} events/s |
| into fileSink (sealed, signed checkpoints) | ${p.file.eventsPerSecond.toLocaleString('en-US')} events/s |
| into fileSink, sealing off | ${p.fileUnsealed.eventsPerSecond.toLocaleString('en-US')} events/s |
| sealing's share of fileSink throughput | ${pct(1 - p.file.eventsPerSecond / p.fileUnsealed.eventsPerSecond)} |
| \`verifyFiles\` over the sealed file (${p.verify.events.toLocaleString('en-US')} events) | ${p.verify.eventsPerSecond.toLocaleString('en-US')} events/s |
| one \`log()\` call on the caller's thread | ${p.logCost.microsecondsPerCall} µs |
`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
