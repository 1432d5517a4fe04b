// Before/after the cost work on the sealed event, in one run: two builds of core and the framework
// adapters (BASE_CORE_DIR, a core package directory with dist/ built from the baseline, whose tree's
// adapters are swapped in with it; and this tree's), measured alternately,
// ROUNDS times. Server CPU per request or call (all threads) for Express, Fastify and gRPC, each with
// its floor (hooks + context, no event; independent of core, so measured once per round); pipeline
// events/s into a sealed fileSink beside pino writing the same events to a file; verifyFiles; log().
// Usage: BASE_CORE_DIR=/path/to/base/packages/core node bench/seal-cost.js (AFTER_CORE_DIR: another
// build than this tree's, e.g. a copy taken before further edits).
// Writes bench/results/seal-cost.{json,md}.
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { runOn, writeResults } = require('./figures');
const { measureGrpc } = require('./grpc');
const { DURATION, measureHttp, WARMUP } = require('./http-measure');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS = Number(process.env.EVENTS ?? 100_000);
const base = process.env.BASE_CORE_DIR && resolve(process.env.BASE_CORE_DIR);
if (!base && process.argv[2] !== '--render')
  throw new Error('BASE_CORE_DIR must name the baseline core package directory (with dist/ built)');
const BUILDS = { before: base, after: process.env.AFTER_CORE_DIR && resolve(process.env.AFTER_CORE_DIR) };

/** Each measured row: its label, how to measure it, and whether it depends on the build of core. */
const ROWS = [
  { row: 'Express floor', http: 'express-floor' },
  { row: 'Express + auditMiddleware', http: 'auditkit', core: true },
  { row: 'Fastify floor', http: 'fastify-floor' },
  { row: 'Fastify + auditPlugin', http: 'fastify-auditkit', core: true },
  { row: 'gRPC floor', grpc: 'floor' },
  { row: 'gRPC + auditServerInterceptor', grpc: '1', core: true },
];

function pipeline(coreDir) {
  // One round of the worker-option comparison per pipeline run (builds without the option skip it).
  const env = { ...process.env, EVENTS: String(EVENTS), BENCH_ADMIT: '0', WORKER_ROUNDS: '1' };
  if (coreDir) env.AUDITKIT_CORE = join(coreDir, 'dist', 'index.js');
  return JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'pipeline.js')], { encoding: 'utf8', env }),
  );
}

const range = (values) => {
  const v = values.filter((x) => typeof x === 'number');
  return v.length === 0 ? 'n/a' : `${Math.min(...v)}–${Math.max(...v)}`;
};

/** Other benches on the machine pick ports at random too: a port taken meanwhile costs a retry on the next. */
async function measureOnFreePort(measure, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure();
    } catch (error) {
      if (attempt >= attempts) throw error;
      console.error(`retrying on another port: ${error.message.split('\n')[0]}`);
    }
  }
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-seal-cost-'));
  const server = {};
  const pipelines = { before: [], after: [] };
  // Other benches on a shared machine take fixed ports: start somewhere random above them.
  let port = 44000 + Math.floor(Math.random() * 800) * 10;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of ROWS) {
        for (const [build, coreDir] of r.core ? Object.entries(BUILDS) : [['both', undefined]]) {
          const key = r.core ? `${r.row} (${build})` : r.row;
          const m = await measureOnFreePort(() =>
            r.http ? measureHttp(r.http, port++, dir, coreDir) : measureGrpc(r.grpc, port++, dir, coreDir),
          );
          const cpu = m.serverCpuUsPerRequest ?? m.serverCpuUsPerCall;
          const rate = Math.round(m.requestsPerSecond ?? m.callsPerSecond);
          console.error(`round ${round + 1} ${key}: ${rate}/s, ${cpu} µs server CPU`);
          if (!server[key]) server[key] = [];
          server[key].push({ perSecond: rate, serverCpuUs: cpu });
        }
      }
      for (const [build, coreDir] of Object.entries(BUILDS)) {
        const p = pipeline(coreDir);
        console.error(
          `round ${round + 1} pipeline ${build}: fileSink ${p.file.eventsPerSecond}/s, pino ${p.pinoFile.eventsPerSecond}/s, verify ${p.verify.eventsPerSecond}/s, log() ${p.logCost.microsecondsPerCall} µs`,
        );
        pipelines[build].push(p);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    ...runOn(),
    settings: { rounds: ROUNDS, seconds: DURATION, warmupSeconds: WARMUP, pipelineEvents: EVENTS },
    server,
    pipeline: pipelines,
  };
  writeResults('seal-cost', result, markdown(result));
  console.log(markdown(result));
}

function markdown(r) {
  const rows = Object.entries(r.server)
    .map(
      ([k, runs]) =>
        `| ${k} | ${range(runs.map((x) => x.perSecond))} | ${range(runs.map((x) => x.serverCpuUs))} | ${runs.map((x) => x.serverCpuUs).join(', ')} |`,
    )
    .join('\n');
  const p = (build, pick) => range(r.pipeline[build].map(pick));
  const prow = (what, pick) => `| ${what} | ${p('before', pick)} | ${p('after', pick)} |`;
  return `# Cost of a sealed event: before and after, one run

Generated by \`node bench/seal-cost.js\` on ${r.date}; ${r.machine}, node ${r.node}. ${r.settings.rounds} rounds, each measuring every row in turn (the builds alternate within a round); ranges are over the rounds. HTTP: autocannon, 50 connections, ${r.settings.warmupSeconds} s warm-up, ${r.settings.seconds} s measured; gRPC: 50 calls in flight. Server CPU: the server process's user + system time (all threads) per request or call. The machine's 2 cores are shared with other work: compare rows of the same run only.

| variant | requests or calls/s | server CPU µs/request | per round |
|---|---|---|---|
${rows}

## Pipeline (${r.settings.pipelineEvents.toLocaleString('en-US')} events of ${r.pipeline.after[0]?.eventBytes} bytes, sealed, signed checkpoints)

| what | before | after |
|---|---|---|
${prow('createAuditLogger + fileSink, events/s', (x) => x.file.eventsPerSecond)}
${prow('pino to a file (same inputs), events/s', (x) => x.pinoFile.eventsPerSecond)}
${prow('fileSink ÷ pino', (x) => +(x.file.eventsPerSecond / x.pinoFile.eventsPerSecond).toFixed(2))}
${prow('memorySink, events/s', (x) => x.memory.eventsPerSecond)}
${prow('fileSink, sealing off, events/s', (x) => x.fileUnsealed.eventsPerSecond)}
${prow('createAuditLogger + fileSink, CPU µs per event (all threads)', (x) => x.file.cpuMicrosecondsPerEvent)}
${prow('pino to a file, CPU µs per event (all threads)', (x) => x.pinoFile.cpuMicrosecondsPerEvent)}
${prow('verifyFiles, events/s', (x) => x.verify.eventsPerSecond)}
${prow('verifyFiles, CPU µs per event', (x) => x.verify.cpuMicrosecondsPerEvent)}
${prow('log() on the caller, µs', (x) => x.logCost.microsecondsPerCall)}
${prow('worker option + fileSink, events/s', (x) => x.worker?.rounds[0].workerEventsPerSecond)}
${prow('worker option ÷ pino (pino measured beside it)', (x) => x.worker?.rounds[0].workerVsPino)}
${prow('caller-thread CPU µs per event, pipeline on the caller', (x) => x.worker?.rounds[0].callerThreadCpuMicrosecondsPerEvent.inThread)}
${prow('caller-thread CPU µs per event, worker option', (x) => x.worker?.rounds[0].callerThreadCpuMicrosecondsPerEvent.worker)}
${prow('log() with the worker option, µs', (x) => x.worker?.logCostWorker.microsecondsPerCall)}
${prow('JS heap allocated per log() call, bytes', (x) => x.allocation?.logCallBytes)}
${prow('JS heap allocated per event, log() to sealed fileSink, bytes', (x) => x.allocation?.sealedFileBytesPerEvent)}
`;
}

if (process.argv[2] === '--render') {
  // Rewrites the markdown from bench/results/seal-cost.json.
  const result = require('./results/seal-cost.json');
  writeResults('seal-cost', result, markdown(result));
} else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
