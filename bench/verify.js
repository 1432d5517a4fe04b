// `verifyFiles` events/s: this tree's build and a baseline build of core, each on one thread and on
// several, measured alternately (A B C D A B C D …) in fresh processes. Each build verifies the
// trail it writes itself (a baseline may not read a newer seal version), and this build also the
// baseline's, which older trails are. A trail: EVENTS events (default 300,000) of bench/inputs.js's
// order update, sealed with signed checkpoints into a fileSink that rotates every FILE_MB (default
// 64) MiB.
// Usage: BASE_CORE_DIR=/path/to/base/packages/core node bench/verify.js
// (BENCH_ROUNDS, default 3; THREADS, default os.availableParallelism()).
// Writes bench/results/verify.{json,md}.
const { execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { runOn, writeResults } = require('./figures');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS = Number(process.env.EVENTS ?? 300_000);
const FILE_MB = Number(process.env.FILE_MB ?? 64);
const THREADS = Number(process.env.THREADS ?? os.availableParallelism());
const THIS_CORE = resolve(__dirname, '../packages/core');

/** Child mode: writes the trail into `dir` with the build at `coreDir`, printing the public key. */
async function writeTrail(dir, coreDir) {
  const core = require(join(coreDir, 'dist', 'index.js'));
  const { requestContext, orderUpdate } = require('./inputs');
  const keys = core.generateSigningKeys();
  const logger = core.createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [core.fileSink({ path: join(dir, 'audit.jsonl'), maxSize: FILE_MB * 1024 * 1024 })],
    queue: { maxEvents: 50_000 },
    integrity: { signingKey: keys.privateKeyPem },
  });
  await core.runWithContext(requestContext, async () => {
    for (let i = 0; i < EVENTS; ) {
      const end = Math.min(EVENTS, i + 2000);
      for (; i < end; i++) logger.log(orderUpdate(i));
      await new Promise((r) => setImmediate(r));
      if (logger.stats().queue.events > 40_000) await logger.flush();
    }
  });
  await logger.close();
  process.stdout.write(JSON.stringify({ publicKey: keys.publicKeyPem }));
}

/** Child mode: verifies `dir` with the build at `coreDir`, printing the figures. */
async function measure(coreDir, dir, publicKey, threads) {
  const { verifyFiles } = require(join(coreDir, 'dist', 'index.js'));
  const options = { publicKeys: [publicKey], expectClosed: true };
  if (threads !== undefined) options.threads = threads;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await verifyFiles([dir], options);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  if (!report.ok)
    throw new Error(`verify found breaks in untouched data: ${JSON.stringify(report.breaks[0])}`);
  process.stdout.write(
    JSON.stringify({
      events: report.events,
      eventsPerSecond: Math.round(report.events / seconds),
      cpuMicrosecondsPerEvent: +((used.user + used.system) / report.events).toFixed(2),
    }),
  );
}

function child(args) {
  return JSON.parse(execFileSync(process.execPath, [__filename, ...args], { encoding: 'utf8' }));
}

async function main() {
  const base = process.env.BASE_CORE_DIR && resolve(process.env.BASE_CORE_DIR);
  if (!base)
    throw new Error('BASE_CORE_DIR must name the baseline core package directory (with dist/ built)');
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-verify-'));
  try {
    const trails = {};
    for (const [name, coreDir] of [
      ['baseline', base],
      ['this', THIS_CORE],
    ]) {
      const at = join(dir, name);
      mkdirSync(at);
      trails[name] = { dir: at, ...child(['--write', at, coreDir]) };
    }
    const variants = {
      'baseline, threads 1': [base, '1', trails.baseline],
      [`baseline, threads ${THREADS}`]: [base, String(THREADS), trails.baseline],
      'threads 1': [THIS_CORE, '1', trails.this],
      [`threads ${THREADS}`]: [THIS_CORE, String(THREADS), trails.this],
      "threads 1, the baseline's trail": [THIS_CORE, '1', trails.baseline],
    };
    const runs = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, [coreDir, threads, trail]] of Object.entries(variants)) {
        const m = child(['--measure', coreDir, trail.dir, trail.publicKey, threads]);
        runs[name].push(m);
        console.error(
          `round ${round + 1} ${name}: ${m.eventsPerSecond} events/s, ${m.cpuMicrosecondsPerEvent} µs CPU/event`,
        );
      }
    }
    const range = (xs) => `${Math.min(...xs)}–${Math.max(...xs)}`;
    const rows = Object.entries(runs).map(
      ([name, ms]) =>
        `| ${name} | ${range(ms.map((m) => m.eventsPerSecond))} | ${range(ms.map((m) => m.cpuMicrosecondsPerEvent))} |`,
    );
    const result = { ...runOn(), load: os.loadavg(), events: EVENTS, fileMiB: FILE_MB, rounds: ROUNDS, runs };
    const markdown = `# verifyFiles, events/s (${EVENTS} events, ${FILE_MB} MiB files, ${ROUNDS} interleaved rounds)

${result.date}, ${result.machine}, Node ${result.node}, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}

| build | events/s | CPU µs per event (all threads) |
|---|---|---|
${rows.join('\n')}
`;
    writeResults('verify', result, markdown);
    process.stdout.write(markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
const run =
  mode === '--write'
    ? () => writeTrail(rest[0], rest[1])
    : mode === '--measure'
      ? () => measure(rest[0], rest[1], rest[2], rest[3] === '' ? undefined : Number(rest[3]))
      : main;
run().catch((error) => {
  console.error(error);
  process.exit(1);
});
