// NestJS variants side by side, measured alternately ROUNDS times (BENCH_SECONDS each), in a shuffled
// order each round: bare Nest; the floors (a global interceptor carrying a context; a middleware
// carrying it; a middleware doing what AuditModule's capture does without an event); AuditModule on a
// plain route and on a route with @AuditAction; the Express adapter's auditMiddleware ahead of the same
// app (the same core capture: AuditModule minus it is what the Nest adapter adds); and, with
// BASE_BENCH_DIR=<a baseline checkout's bench/>, AuditModule from the baseline. Server CPU per request
// from bench/http-measure.js, each variant's median over bare Nest and over its floor.
// Writes bench/results/nest.{json,md}.
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { median, runOn, shuffled, writeResults } = require('./figures');
const { measureHttp } = require('./http-measure');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const base = process.env.BASE_BENCH_DIR && resolve(process.env.BASE_BENCH_DIR);

const INTERCEPTOR_FLOOR = 'floor: global interceptor + context';
const CAPTURE_FLOOR = "floor: the capture's work without an event";
/** [server in servers/, label, the floor it is compared with, bench dir of a baseline]. */
const VARIANTS = [
  ['nest-bare', 'bare Nest'],
  ['nest-floor', INTERCEPTOR_FLOOR],
  ['nest-floor-middleware', 'floor: middleware + context'],
  ['nest-floor-capture', CAPTURE_FLOOR],
  ['nest-express-middleware', 'Express auditMiddleware ahead of Nest', CAPTURE_FLOOR],
  ['nest-auditkit', 'AuditModule', CAPTURE_FLOOR],
  ['nest-auditkit-action', 'AuditModule, route with @AuditAction', INTERCEPTOR_FLOOR],
  ...(base ? [['nest-auditkit', 'AuditModule (baseline)', CAPTURE_FLOOR, base]] : []),
  // A baseline without this variant's server is left out.
  ...(base && existsSync(join(base, 'servers', 'nest-auditkit-action.js'))
    ? [['nest-auditkit-action', 'AuditModule, route with @AuditAction (baseline)', INTERCEPTOR_FLOOR, base]]
    : []),
];

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-nest-'));
  const runs = Object.fromEntries(VARIANTS.map(([, label]) => [label, []]));
  let port = 21000 + Math.floor(Math.random() * 900) * 10;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [variant, label, , benchDir] of shuffled(VARIANTS)) {
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
  const cpuOf = (label) => runs[label].map((m) => m.serverCpuUsPerRequest);
  const bare = median(cpuOf('bare Nest'));
  const rows = VARIANTS.map(([, label, floor]) => {
    const cpu = cpuOf(label);
    const overFloor = floor ? `${(median(cpu) - median(cpuOf(floor))).toFixed(1)} (${floor.slice(7)})` : '';
    return `| ${label} | ${range(runs[label].map((m) => Math.round(m.requestsPerSecond)))} | ${range(cpu)} | ${(median(cpu) - bare).toFixed(1)} | ${overFloor} |`;
  });
  const result = { ...runOn(), load: os.loadavg(), rounds: ROUNDS, runs };
  const markdown = `# NestJS 11 (Express platform), ${ROUNDS} interleaved rounds

${result.date}, ${result.machine}, Node ${result.node}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}

| variant | req/s | server CPU µs per request | median CPU over bare Nest, µs | median CPU over its floor, µs |
|---|---|---|---|---|
${rows.join('\n')}
`;
  writeResults('nest', result, markdown);
  process.stdout.write(markdown);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
