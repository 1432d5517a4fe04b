// NestJS variants side by side, measured alternately ROUNDS times (BENCH_SECONDS each): bare Nest;
// the floors (a global interceptor carrying a context, and a middleware carrying it); AuditModule
// from this tree and, with BASE_BENCH_DIR=<a baseline checkout's bench/>, from the baseline.
// Server CPU per request from bench/http-measure.js. Writes bench/results/nest.{json,md}.
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { runOn, writeResults } = require('./figures');
const { measureHttp } = require('./http-measure');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const base = process.env.BASE_BENCH_DIR && resolve(process.env.BASE_BENCH_DIR);

const VARIANTS = [
  ['nest-bare', 'bare Nest'],
  ['nest-floor', 'floor: global interceptor + context'],
  ['nest-floor-middleware', 'floor: middleware + context'],
  ['nest-auditkit', 'AuditModule'],
  ...(base ? [['nest-auditkit', 'AuditModule (baseline)', base]] : []),
];

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-nest-'));
  const runs = Object.fromEntries(VARIANTS.map(([, label]) => [label, []]));
  let port = 21000 + Math.floor(Math.random() * 900) * 10;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [variant, label, benchDir] of VARIANTS) {
        const measure = benchDir ? require(join(benchDir, 'http-measure.js')).measureHttp : measureHttp;
        const m = await measure(variant, port++, dir);
        runs[label].push(m);
        console.error(
          `round ${round + 1} ${label}: ${Math.round(m.requestsPerSecond)} req/s, ${m.serverCpuUsPerRequest} µs CPU/request`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const range = (xs) => `${Math.min(...xs)}–${Math.max(...xs)}`;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const bare = median(runs['bare Nest'].map((m) => m.serverCpuUsPerRequest));
  const rows = Object.entries(runs).map(([label, ms]) => {
    const cpu = ms.map((m) => m.serverCpuUsPerRequest);
    return `| ${label} | ${range(ms.map((m) => Math.round(m.requestsPerSecond)))} | ${range(cpu)} | ${(median(cpu) - bare).toFixed(1)} |`;
  });
  const result = { ...runOn(), load: os.loadavg(), rounds: ROUNDS, runs };
  const markdown = `# NestJS 11 (Express platform), ${ROUNDS} interleaved rounds

${result.date}, ${result.machine}, Node ${result.node}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}

| variant | req/s | server CPU µs per request | median CPU over bare Nest, µs |
|---|---|---|---|
${rows.join('\n')}
`;
  writeResults('nest', result, markdown);
  process.stdout.write(markdown);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
