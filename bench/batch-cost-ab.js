// A/B of the pipeline's cost per event when batches are small, as under HTTP load: there the
// delivery loop takes what one event-loop turn logged (50 connections: ~60 events a batch, 10
// connections: ~17), so every per-batch cost (a write, its promises and timers, a checkpoint's
// share) is paid per handful of events, while bench/request-cost-ab.js (every request of a slice in
// one turn) and bench/pipeline.js see full batches. Each build's logger (sealed, signed checkpoints,
// fileSink) is fed PER_TURN events per event-loop turn, measured in turn with the other builds and
// batch sizes, slice after slice, in a new random order each slice; each slice ends with flush().
// Usage:
//   node bench/batch-cost-ab.js [label=]<core package dir> [label=]<core package dir>
// Env: SLICES (40), EVENTS per slice (2048), PER_TURN (comma list, default 1,4,16,64,512).
// Writes bench/results/batch-cost-ab.json.
const { mkdtempSync, rmSync } = require('node:fs');
const { median, shuffled, writeResults } = require('./figures');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { orderUpdate: input, requestContext: context } = require('./inputs');

const SLICES = Number(process.env.SLICES ?? 40);
const EVENTS = Number(process.env.EVENTS ?? 2048);
const PER_TURN = (process.env.PER_TURN ?? '1,4,16,64,512').split(',').map(Number);

const turn = () => new Promise((r) => setImmediate(r));

function variant(label, core, perTurn, file) {
  const sink = core.fileSink({ path: file });
  // Counts the batches the sink receives, to report their mean size (the bench's own wrapper).
  const write = sink.write.bind(sink);
  const v = { label: `${label}@${perTurn}`, build: label, perTurn, us: [], batches: 0, events: 0 };
  sink.write = (batch, ...rest) => {
    v.batches++;
    v.events += batch.size;
    return write(batch, ...rest);
  };
  v.logger = core.createAuditLogger({ service: 'bench', flushOnExit: false, sinks: [sink] });
  v.core = core;
  return v;
}

/** EVENTS events, `perTurn` per turn of the event loop, then flush(): CPU µs per event (all threads). */
async function slice(v) {
  const before = process.cpuUsage();
  await v.core.runWithContext(context, async () => {
    for (let i = 0; i < EVENTS; ) {
      const end = Math.min(EVENTS, i + v.perTurn);
      for (; i < end; i++) v.logger.log(input(i));
      await turn();
    }
  });
  await v.logger.flush();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / EVENTS;
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-batch-ab-'));
  const builds = process.argv.slice(2).map((arg) => {
    const [label, coreDir] = arg.includes('=') ? arg.split('=') : [arg, arg];
    return { label, core: require(join(resolve(coreDir), 'dist', 'index.js')) };
  });
  if (builds.length === 0) throw new Error('name at least one core package directory');
  const variants = [];
  for (const b of builds)
    for (const k of PER_TURN)
      variants.push(variant(b.label, b.core, k, join(dir, `${b.label}-${k}-${variants.length}.jsonl`)));
  try {
    for (const v of variants) for (let w = 0; w < 3; w++) await slice(v);
    for (const v of variants) {
      v.us = [];
      v.batches = 0;
      v.events = 0;
    }
    for (let s = 0; s < SLICES; s++) for (const v of shuffled(variants)) v.us.push(await slice(v));
  } finally {
    for (const v of variants) await v.logger.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = {};
  for (const k of PER_TURN) {
    const row = {};
    for (const v of variants.filter((x) => x.perTurn === k))
      row[v.build] = {
        cpuMicrosecondsPerEvent: +median(v.us).toFixed(2),
        meanBatch: +(v.events / v.batches).toFixed(1),
      };
    rows[`${k} per turn`] = row;
  }
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model} (shared: figures are noisy)`,
    node: process.version,
    settings: { slices: SLICES, eventsPerSlice: EVENTS, perTurn: PER_TURN },
    // Median CPU µs per event (all threads) for each build, and the mean batch the sink received.
    rows,
  };
  writeResults('batch-cost-ab', out);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
