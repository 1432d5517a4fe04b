// Where a sealed event's cost goes, step by step, for two builds of core measured alternately in
// one process (CPU time of the process, so other work on a shared machine matters less than to
// wall-clock rates): serializing, the event hash, the Merkle leaf and nodes, a whole seal with
// signed checkpoints, the batch's JSON Lines and bytes, the write, and verifyFiles.
// Usage: BASE_CORE_DIR=<baseline core package dir with dist/> node --expose-gc bench/seal-parts.js
// Writes bench/results/seal-parts.{json,md}.
const { createPrivateKey } = require('node:crypto');
const { closeSync, mkdtempSync, openSync, rmSync, writeSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { runOn, writeResults } = require('./figures');
const { heapAllocated } = require('./heap-allocated');
const { requestContext: context, orderUpdate: input } = require('./inputs');

const REPEATS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 1000;
const BATCHES = Number(process.env.BATCHES ?? 30);
function load(label, dir) {
  const dist = join(dir, 'dist');
  return {
    label,
    core: require(join(dist, 'index.js')),
    Sealer: require(join(dist, 'seal', 'sealer.js')).Sealer,
    sealedLine: require(join(dist, 'seal', 'sealer.js')).sealedLine,
    EventBatch: require(join(dist, 'deliver', 'batch.js')).EventBatch,
  };
}

/** CPU µs (all threads) per item of `fn()`, which handles `items` items; from a collected heap when run with --expose-gc. */
function cpuPer(items, fn) {
  global.gc?.();
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / items;
}

/** Enriched, unsealed events, as the seal stage receives them. */
async function events(core, n) {
  const sink = core.memorySink();
  const logger = core.createAuditLogger({
    service: 'bench',
    flushOnExit: false,
    sinks: [sink],
    integrity: false,
    queue: { maxEvents: n + 1, maxBytes: 2 ** 31 },
  });
  core.runWithContext(context, () => {
    for (let i = 0; i < n; i++) logger.log(input(i));
  });
  await logger.close();
  return sink.events;
}

const copies = (list) => list.map((e) => ({ ...e }));

/** What fileSink writes of a batch: its shared bytes where the build has them. */
const batchBytes = (batch) => (batch.bytes ? batch.bytes() : Buffer.from(batch.jsonl(), 'utf8'));

async function main() {
  const base = process.env.BASE_CORE_DIR;
  if (!base)
    throw new Error('BASE_CORE_DIR must name the baseline core package directory (with dist/ built)');
  const builds = [load('before', resolve(base)), load('after', join(__dirname, '..', 'packages', 'core'))];
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-seal-parts-'));
  const keys = builds[1].core.generateSigningKeys();
  const key = createPrivateKey(keys.privateKeyPem);
  const source = { service: 'bench', instance: 'a' };
  const evs = await events(builds[1].core, BATCH * BATCHES);
  const rows = {};
  const add = (row, label, value) => {
    rows[row] ??= { before: [], after: [] };
    rows[row][label].push(+value.toFixed(2));
  };
  try {
    for (let round = 0; round < REPEATS + 1; round++) {
      // Which build goes first alternates: the second one meets the first one's garbage.
      for (const b of round % 2 ? [...builds].reverse() : builds) {
        const keep = round > 0; // the first round warms up
        const record = (row, value) => keep && add(row, b.label, value);
        const batches = [];
        for (let i = 0; i < BATCHES; i++) batches.push(copies(evs.slice(i * BATCH, (i + 1) * BATCH)));
        record(
          'JSON.stringify (reference, not canonical)',
          cpuPer(evs.length, () => evs.map((e) => JSON.stringify(e))),
        );
        record(
          'canonicalJson (sorted-key canonical JSON)',
          cpuPer(evs.length, () => evs.map((e) => b.core.canonicalJson(e))),
        );
        record(
          'sealedLine: canonical JSON + event hash',
          cpuPer(evs.length, () => evs.map((e, i) => b.sealedLine(e, 'bench@a#1', i, null))),
        );
        const frontier = new b.core.merkle.MerkleFrontier();
        const hashes = evs.map((e, i) => b.sealedLine(e, 'bench@a#1', i, null).hash);
        record(
          'Merkle leaf + amortized node hashes',
          cpuPer(hashes.length, () => {
            // Each build's leaf of its own seal: a build before seal version 2 takes the hash
            // alone and hashes it into a version 1 leaf, as its sealer does.
            for (const h of hashes)
              if (frontier.appendEventHash) frontier.appendEventHash(h, 2);
              else frontier.append(b.core.merkle.leafHashOfHex(h));
          }),
        );
        const sealer = new b.Sealer({ source, every: 1000, intervalMs: 0, key, file: undefined });
        let sealed = [];
        record(
          'Sealer.seal per event (all of the above, signed checkpoint every 1000)',
          cpuPer(evs.length, () => {
            sealed = batches.map((batch) => sealer.seal(batch));
          }),
        );
        let buffers = [];
        record(
          'batch JSON Lines bytes, as fileSink takes them (bytes(), or Buffer.from(jsonl()))',
          cpuPer(evs.length, () => {
            buffers = sealed.map((s) => batchBytes(new b.EventBatch(s.events, s.lines)));
          }),
        );
        const path = join(dir, `${b.label}-${round}.jsonl`);
        const fd = openSync(path, 'a');
        record(
          'write(2) of the batch, per event',
          cpuPer(evs.length, () => {
            for (const buf of buffers) writeSync(fd, buf);
          }),
        );
        closeSync(fd);
        const again = batches.map(copies);
        const sealer2 = new b.Sealer({ source, every: 1000, intervalMs: 0, key, file: undefined });
        record(
          'JS heap allocated by Sealer.seal + the batch bytes fileSink writes, bytes per event',
          (await heapAllocated(() => {
            for (const batch of again) {
              const s = sealer2.seal(batch);
              batchBytes(new b.EventBatch(s.events, s.lines));
            }
          })) / evs.length,
        );
        const started = process.cpuUsage();
        const wall = process.hrtime.bigint();
        const report = await b.core.verifyFiles([path], { publicKeys: [keys.publicKeyPem] });
        const seconds = Number(process.hrtime.bigint() - wall) / 1e9;
        const used = process.cpuUsage(started);
        if (!report.ok) throw new Error(`verify: ${JSON.stringify(report.breaks[0])}`);
        record('verifyFiles, CPU µs per event', (used.user + used.system) / report.events);
        record('verifyFiles, events/s (wall clock)', report.events / seconds);
        console.error(`round ${round} ${b.label} done`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { ...runOn(), settings: { repeats: REPEATS, batch: BATCH, events: evs.length }, rows };
  writeResults('seal-parts', result, markdown(result));
  console.log(markdown(result));
}

function markdown(r) {
  const range = (v) => `${Math.min(...v)}–${Math.max(...v)}`;
  const lines = Object.entries(r.rows).map(
    ([row, v]) => `| ${row} | ${range(v.before)} | ${range(v.after)} |`,
  );
  return `# Where a sealed event's cost goes: before and after, one run

Generated by \`node --expose-gc bench/seal-parts.js\` on ${r.date}; ${r.machine}, node ${r.node}. ${r.settings.events.toLocaleString('en-US')} enriched events of the pipeline bench, in batches of ${r.settings.batch}; the two builds of core alternate in one process (which goes first alternates too; the heap is collected before each step), ${r.settings.repeats} rounds after a warm-up round; ranges are over the rounds. µs are CPU time of the process (all threads, GC included) per event. The machine's 2 cores are shared with other work.

| step (µs per event unless said) | before | after |
|---|---|---|
${lines.join('\n')}
`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
