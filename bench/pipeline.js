// Pipeline throughput (events/s into a sink) and the cost of one log() call on the caller's thread.
// AUDITKIT_CORE=<path to another build's dist> measures that build instead (bench/admit.js uses it
// for before/after figures); the sampling and dedup variants run only on builds that have them.
// The `worker` option is compared with the caller-thread pipeline and pino in WORKER_ROUNDS
// interleaved rounds (default 3; BENCH_WORKER=0 leaves it out, BENCH_ONLY=worker runs it alone).
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const {
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  memorySink,
  runWithContext,
  verifyFiles,
  DEFAULTS,
} = require(process.env.AUDITKIT_CORE || '@auditkit/core');
const { heapAllocated } = require('./heap-allocated');
const { requestContext: context, orderUpdate: input } = require('./inputs');

/**
 * Sampling rules as a service would write them; the bench events (order.updated, PATCH) match the
 * third rule, after two that do not: `keep` is that rule's rate.
 */
function rules(keep) {
  return {
    rules: [
      { match: { route: ['/health', '/ready'] }, rate: 0 },
      { match: { type: 'cache.*', category: 'system' }, rate: 0.1 },
      { match: { type: 'order.*', method: ['PATCH', 'PUT'] }, rate: keep },
    ],
  };
}

/**
 * CPU time of the calling thread alone (µs), from /proc/thread-self/stat (Linux, 10 ms ticks):
 * with the worker option, what the request thread pays; process.cpuUsage() counts every thread.
 */
function threadCpu() {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return Number.NaN;
  }
}

/** `input(i)` repeated: `distinct` different events in turn, so dedup collapses all but those. */
const repeating = (distinct) => (i) => input(i % distinct);

async function throughput(name, sink, total, integrity, extra = {}, make = input) {
  const logger = createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [sink],
    queue: { maxEvents: 50_000 },
    integrity,
    ...extra,
  });
  let i = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const callerCpu = threadCpu();
  // Produce in slices and let delivery run between them, as a server would.
  await runWithContext(context, async () => {
    while (i < total) {
      const end = Math.min(total, i + 2000);
      for (; i < end; i++) logger.log(make(i));
      await new Promise((r) => setImmediate(r));
      if (logger.stats().queue.events > 40_000) await logger.flush();
    }
  });
  await logger.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const s = logger.stats();
  // Every logged event is delivered, sampled out or deduplicated (a summary is delivered for its
  // window's first repeat, which is therefore not counted as deduplicated).
  const accounted = s.sinks[0].delivered + (s.sampledOut ?? 0) + (s.deduplicated ?? 0);
  if (s.dropped !== 0 || accounted < total) throw new Error(`${name}: lost events ${JSON.stringify(s)}`);
  return {
    name,
    events: total,
    delivered: s.sinks[0].delivered,
    seconds,
    eventsPerSecond: Math.round(total / seconds),
    // CPU of the whole process (all threads) per event: steadier than events/s on a shared machine.
    cpuMicrosecondsPerEvent: +((used.user + used.system) / total).toFixed(2),
    callerCpuMicrosecondsPerEvent: +((threadCpu() - callerCpu) / total).toFixed(2),
  };
}

/**
 * pino writing the same inputs to a file (asynchronous destination, as the HTTP benches use), the
 * request context as the child logger's bindings: what a fast logger pays for the same events.
 */
async function pinoThroughput(path, total) {
  const pino = require('pino');
  const dest = pino.destination({ dest: path, sync: false });
  await new Promise((resolve) => dest.once('ready', resolve));
  const log = pino(dest).child(context);
  let i = 0;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const callerCpu = threadCpu();
  while (i < total) {
    const end = Math.min(total, i + 2000);
    for (; i < end; i++) log.info(input(i));
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((resolve, reject) => dest.flush((error) => (error ? reject(error) : resolve())));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  dest.end();
  return {
    name: 'pino to a file',
    events: total,
    seconds,
    eventsPerSecond: Math.round(total / seconds),
    cpuMicrosecondsPerEvent: +((used.user + used.system) / total).toFixed(2),
    callerCpuMicrosecondsPerEvent: +((threadCpu() - callerCpu) / total).toFixed(2),
  };
}

/**
 * Time spent inside log() only, in steady state: slices of 1,000 calls, delivery running between
 * them as it would in a server, so the queue (and the GC) stay at their normal size.
 */
async function logCost(total, extra = {}, name = 'log() on the caller thread') {
  const logger = createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [memorySink({ maxEvents: 1 })],
    ...extra,
  });
  const warmupSlices = 50;
  let ns = 0n;
  for (let slice = 0; slice < warmupSlices + total / 1000; slice++) {
    // Built before the clock starts: only log() is measured. Distinct across slices, so dedup
    // (when on) never sees a repeat here.
    const inputs = Array.from({ length: 1000 }, (_, i) => input(slice * 1000 + i));
    const started = process.hrtime.bigint();
    runWithContext(context, () => {
      for (let i = 0; i < 1000; i++) logger.log(inputs[i]);
    });
    if (slice >= warmupSlices) ns += process.hrtime.bigint() - started;
    await logger.flush();
  }
  await logger.close();
  return {
    name,
    calls: total,
    microsecondsPerCall: Math.round(Number(ns) / total) / 1000,
  };
}

/**
 * Allocation per event: of one log() call on the caller (inputs made beforehand), and of the whole
 * way into a sealed fileSink (inputs made on the way, their own allocation measured apart).
 */
async function allocation(path, signingKey, total) {
  const logger = createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [memorySink({ maxEvents: 1 })],
  });
  let logBytes = 0;
  for (let slice = 0; slice < 20 + total / 1000; slice++) {
    const inputs = Array.from({ length: 1000 }, (_, i) => input(slice * 1000 + i));
    const bytes = await heapAllocated(() =>
      runWithContext(context, () => {
        for (let i = 0; i < 1000; i++) logger.log(inputs[i]);
      }),
    );
    if (slice >= 20) logBytes += bytes;
    await logger.flush();
  }
  await logger.close();
  const inputBytes = await heapAllocated(() => {
    for (let i = 0; i < total; i++) input(i);
  });
  let sealedBytes = 0;
  await throughput('allocation warm-up', fileSink({ path: `${path}.warm`, maxSize: 0 }), 20_000, {
    signingKey,
  });
  sealedBytes = await heapAllocated(() =>
    throughput('allocation', fileSink({ path, maxSize: 0 }), total, { signingKey }),
  );
  return {
    logCallBytes: Math.round(logBytes / total),
    sealedFileBytesPerEvent: Math.round((sealedBytes - inputBytes) / total),
    inputBytes: Math.round(inputBytes / total),
  };
}

/**
 * Sealing and writing on a worker thread (the `worker` option) beside the same pipeline on the
 * caller's thread and pino to a file, interleaved in rounds (pino, in-thread, worker, ...), so the
 * ratios come from one machine state. Each worker trail is verified.
 */
async function workerComparison(dir, keys, total, rounds) {
  const sealed = { signingKey: keys.privateKeyPem };
  const out = { rounds: [] };
  for (let round = 0; round < rounds; round++) {
    const pinoFile = await pinoThroughput(join(dir, `pino-${round}.log`), total);
    const inThread = await throughput(
      'fileSink, caller thread',
      fileSink({ path: join(dir, `thread-${round}.jsonl`), maxSize: 0 }),
      total,
      sealed,
    );
    const workerPath = join(dir, `worker-${round}.jsonl`);
    const worker = await throughput(
      'fileSink, worker thread',
      fileSink({ path: workerPath, maxSize: 0 }),
      total,
      sealed,
      {
        worker: true,
      },
    );
    const verified = await verifyFiles([workerPath], { publicKeys: [keys.publicKeyPem], expectClosed: true });
    if (!verified.ok) throw new Error(`worker trail does not verify: ${JSON.stringify(verified.breaks[0])}`);
    out.rounds.push({
      pinoEventsPerSecond: pinoFile.eventsPerSecond,
      inThreadEventsPerSecond: inThread.eventsPerSecond,
      workerEventsPerSecond: worker.eventsPerSecond,
      inThreadVsPino: +(inThread.eventsPerSecond / pinoFile.eventsPerSecond).toFixed(2),
      workerVsPino: +(worker.eventsPerSecond / pinoFile.eventsPerSecond).toFixed(2),
      cpuMicrosecondsPerEvent: {
        pino: pinoFile.cpuMicrosecondsPerEvent,
        inThread: inThread.cpuMicrosecondsPerEvent,
        worker: worker.cpuMicrosecondsPerEvent,
      },
      callerThreadCpuMicrosecondsPerEvent: {
        pino: pinoFile.callerCpuMicrosecondsPerEvent,
        inThread: inThread.callerCpuMicrosecondsPerEvent,
        worker: worker.callerCpuMicrosecondsPerEvent,
      },
    });
    out.logCostInThread = await logCost(50_000, {}, 'log(), caller thread (memorySink)');
    out.logCostWorker = await logCost(
      50_000,
      { sinks: [fileSink({ path: join(dir, `log-cost-${round}.jsonl`), maxSize: 0 })], worker: true },
      'log(), worker option (fileSink)',
    );
  }
  return out;
}

/** `verifyFiles` over the sealed file: hashes, links, checkpoint roots and signatures. */
async function verifyRate(path, publicKey) {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const report = await verifyFiles([path], { publicKeys: [publicKey], expectClosed: true });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  if (!report.ok)
    throw new Error(`verify found breaks in untouched data: ${JSON.stringify(report.breaks[0])}`);
  return {
    events: report.events,
    seconds,
    eventsPerSecond: Math.round(report.events / seconds),
    cpuMicrosecondsPerEvent: +((used.user + used.system) / report.events).toFixed(2),
  };
}

async function eventSize() {
  const sink = memorySink();
  const logger = createAuditLogger({ service: 'bench', flushOnExit: false, sinks: [sink] });
  runWithContext(context, () => logger.log(input(1)));
  await logger.close();
  return JSON.stringify(sink.events[0]).length;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'auditkit-bench-'));
  try {
    const total = Number(process.env.EVENTS ?? 300_000);
    await throughput('warmup', memorySink({ maxEvents: 1 }), 50_000);
    const keys = generateSigningKeys();
    const sealed = { signingKey: keys.privateKeyPem };
    const sealedPath = join(dir, 'sealed.jsonl');
    // BENCH_ONLY=worker: the worker-thread comparison alone.
    if (process.env.BENCH_ONLY === 'worker') {
      process.stdout.write(
        JSON.stringify({
          worker: await workerComparison(dir, keys, total, Number(process.env.WORKER_ROUNDS ?? 3)),
        }),
      );
      return;
    }
    const results = {
      eventBytes: await eventSize(),
      memory: await throughput('memorySink', memorySink({ maxEvents: 1 }), total, sealed),
      file: await throughput('fileSink', fileSink({ path: sealedPath, maxSize: 0 }), total, sealed),
      pinoFile: await pinoThroughput(join(dir, 'pino.log'), total),
      fileUnsealed: await throughput(
        'fileSink, sealing off',
        fileSink({ path: join(dir, 'plain.jsonl'), maxSize: 0 }),
        total,
        false,
      ),
      verify: await verifyRate(sealedPath, keys.publicKeyPem),
      logCost: await logCost(100_000),
      allocation: await allocation(join(dir, 'allocation.jsonl'), keys.privateKeyPem, 50_000),
    };
    // BENCH_WORKER=0 leaves the worker-thread comparison out; builds without the option skip it.
    if (DEFAULTS.worker && process.env.BENCH_WORKER !== '0')
      results.worker = await workerComparison(dir, keys, total, Number(process.env.WORKER_ROUNDS ?? 3));
    // BENCH_ADMIT=0 leaves the sampling and dedup variants out (bench/seal-cost.js does).
    if (DEFAULTS.dedup && process.env.BENCH_ADMIT !== '0') {
      const memory = (name, extra, make) =>
        throughput(name, memorySink({ maxEvents: 1 }), total, sealed, extra, make);
      results.admit = {
        rulesKeepAll: await memory('sampling rules, matched rule keeps all', { sample: rules(1) }),
        rulesKeepTenth: await memory('sampling rules, matched rule keeps 10%', { sample: rules(0.1) }),
        dedupUnique: await memory('dedup on, every event distinct', { dedup: true }),
        dedupRepeated: await memory(
          'dedup on, 100 distinct events repeated',
          { dedup: true },
          repeating(100),
        ),
        logCostRules: await logCost(100_000, { sample: rules(1) }, 'log(), sampling rules (keep all)'),
        logCostDedup: await logCost(100_000, { dedup: true }, 'log(), dedup on (distinct events)'),
      };
    }
    process.stdout.write(JSON.stringify(results));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
