// A primary sink that stops answering (writes never settle) for HANG_S seconds under RATE events/s,
// with a spool and the default retry, breaker and queue settings; then it answers again and the
// spool drains. Runs the core of BEFORE_REF (default main, built into a temporary directory) and of
// this tree, each in its own process, and writes bench/results/hanging-sink.{json,md}.
const { execFileSync, fork } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');

const RATE = Number(process.env.RATE ?? 5000);
const UP_BEFORE_S = Number(process.env.UP_BEFORE_S ?? 5);
const HANG_S = Number(process.env.HANG_S ?? 70);
const UP_AFTER_S = Number(process.env.UP_AFTER_S ?? 5);
const BEFORE_REF = process.env.BEFORE_REF ?? 'main';
const ROOT = join(__dirname, '..');

const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;

/** Builds packages/core as it is at `ref` into a temporary directory; returns its entry point. */
function buildCoreAt(ref) {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-core-'));
  const tar = execFileSync('git', [
    '-C',
    ROOT,
    'archive',
    ref,
    'tsconfig.base.json',
    'packages/core/src',
    'packages/core/tsconfig.json',
  ]);
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'packages/core')], { stdio: 'inherit' });
  return {
    entry: join(dir, 'packages/core/dist/index.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The scenario, in a child process: `core` is the path of the core to load. */
async function scenario(core) {
  const { createAuditLogger } = require(core);
  const spoolDir = mkdtempSync(join(os.tmpdir(), 'auditkit-hang-'));
  let hung = false;
  const received = new Set();
  let duplicates = 0;
  const sink = {
    name: 'store',
    write(batch) {
      if (hung) return new Promise(() => {}); // accepted, never answered
      for (const e of batch.events) {
        if (received.has(e.id)) duplicates++;
        received.add(e.id);
      }
      return Promise.resolve();
    },
    close: async () => {},
  };
  const logger = createAuditLogger({
    service: 'hang-bench',
    flushOnExit: false,
    sinks: [sink],
    spool: { dir: spoolDir },
    onError: () => {},
  });
  const started = Date.now();
  const ids = [];
  let maxQueue = 0;
  let maxHeap = 0;
  let maxHeapHung = 0;
  let firstNotOk;
  let firstFailing;
  let firstSpooled;
  const watch = setInterval(() => {
    const s = logger.stats();
    maxQueue = Math.max(maxQueue, s.queue.events);
    maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
    if (!hung) return;
    maxHeapHung = Math.max(maxHeapHung, process.memoryUsage().heapUsed);
    const t = (Date.now() - started) / 1000 - UP_BEFORE_S;
    const status = logger.health().status;
    if (status !== 'ok' && firstNotOk === undefined) firstNotOk = t;
    if (status === 'failing' && firstFailing === undefined) firstFailing = t;
    if ((s.sinks[0].spool?.events ?? 0) > 0 && firstSpooled === undefined) firstSpooled = t;
  }, 100);
  const tick = 20;
  const perTick = (RATE * tick) / 1000;
  const total = RATE * (UP_BEFORE_S + HANG_S + UP_AFTER_S);
  let next = Date.now();
  while (ids.length < total) {
    const elapsed = (Date.now() - started) / 1000;
    hung = elapsed >= UP_BEFORE_S && elapsed < UP_BEFORE_S + HANG_S;
    for (let i = 0; i < perTick && ids.length < total; i++)
      ids.push(
        logger.log({
          type: 'order.updated',
          resource: { type: 'order', id: `o-${ids.length}` },
          details: { warehouse: 'fra-2', carrier: 'dhl', items: 3 },
        }),
      );
    next += tick;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  const duringHang = logger.stats();
  // Let the spool drain, then close.
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; ) {
    const s = logger.stats();
    if (s.queue.events === 0 && (s.sinks[0].spool?.events ?? 0) === 0 && s.sinks[0].breaker === 'closed')
      break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await logger.close();
  clearInterval(watch);
  rmSync(spoolDir, { recursive: true, force: true });
  const s = logger.stats();
  return {
    logged: ids.length,
    dropped: s.dropped,
    droppedAtEndOfLoad: duringHang.dropped,
    stored: received.size,
    missing: ids.filter((id) => !id || !received.has(id)).length,
    duplicates,
    maxQueue,
    maxHeapMB: mb(maxHeap),
    maxHeapDuringHangMB: mb(maxHeapHung),
    sinkFailed: s.sinks[0].failed,
    spooled: s.sinks[0].spooled,
    notOkAfterS: firstNotOk ?? null,
    failingAfterS: firstFailing ?? null,
    spoolUsedAfterS: firstSpooled ?? null,
  };
}

async function main() {
  if (process.env.HANG_BENCH_CORE) {
    process.send(await scenario(process.env.HANG_BENCH_CORE));
    return;
  }
  const before = buildCoreAt(BEFORE_REF);
  const variants = [
    { name: `before (${BEFORE_REF})`, core: before.entry },
    { name: 'after (this tree)', core: join(ROOT, 'packages/core/dist/index.js') },
  ];
  const rows = [];
  for (const v of variants) {
    const child = fork(__filename, { env: { ...process.env, HANG_BENCH_CORE: v.core } });
    const [result] = await new Promise((resolve, reject) => {
      child.once('message', (m) => resolve([m]));
      child.once('exit', (code) => code !== 0 && reject(new Error(`${v.name} exited with ${code}`)));
    });
    rows.push({ variant: v.name, ...result });
    process.stderr.write(`${v.name}: ${JSON.stringify(result)}\n`);
  }
  before.remove();
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`,
    node: process.version,
    rate: RATE,
    hangSeconds: HANG_S,
    rows,
  };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'hanging-sink.json'), `${JSON.stringify(result, null, 2)}\n`);
  const s = (x) => (x === null ? 'never' : `${x.toFixed(1)} s`);
  const table = rows
    .map(
      (r) =>
        `| ${r.variant} | ${r.logged} | ${r.dropped} | ${r.missing} | ${r.duplicates} | ${r.maxQueue} | ${r.maxHeapDuringHangMB} | ${r.maxHeapMB} | ${s(r.spoolUsedAfterS)} | ${s(r.notOkAfterS)} | ${s(r.failingAfterS)} |`,
    )
    .join('\n');
  const md = `# Hanging primary sink\n\nGenerated by \`npm run bench:hanging-sink\` on ${result.date}; ${result.machine}, node ${result.node} (2 shared cores: figures are noisy).\n\n${RATE.toLocaleString('en-US')} events/s for ${UP_BEFORE_S + HANG_S + UP_AFTER_S} s; the sink accepts writes and never answers them for ${HANG_S} s after ${UP_BEFORE_S} s, then answers again and the spool drains. A spool, default retry (5 attempts, 10 s timeout), breaker and queue (100,000 events, drop).\n\n| core | logged | dropped | missing after the drain | duplicates | max queue | max heap MB during the hang | max heap MB | spool used after | health not ok after | health failing after |\n|---|---|---|---|---|---|---|---|---|---|---|\n${table}\n`;
  writeFileSync(join(__dirname, 'results', 'hanging-sink.md'), md);
  process.stdout.write(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
