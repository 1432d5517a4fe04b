// The crash window: a child Express server is sent requests until N responses came back, then
// killed with SIGKILL; the events of acknowledged requests missing from its audit file are
// counted at the kill and after a restart (which replays a durable spool), with duplicates.
// Variants: auditkit default, durable, durable holding the response, pino-http to a file.
// Writes bench/results/crash-window.{json,md}. AUDITKIT_CORE=<core build> measures that build.
const { fork } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const { join } = require('node:path');

const ACKED = Number(process.env.ACKED ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const VARIANTS = (process.env.VARIANTS ?? 'default,durable,hold,pino-http').split(',');
const SERVER = join(__dirname, 'servers', 'crash-app.js');

function start(variant, dir, recover) {
  return fork(SERVER, {
    env: {
      ...process.env,
      VARIANT: variant,
      LOG_FILE: join(dir, 'audit.jsonl'),
      SPOOL_DIR: join(dir, 'spool'),
      ...(recover ? { RECOVER: '1' } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends requests (each with its own request id) until `ACKED` answered 200, then SIGKILLs `child`. */
async function loadAndKill(child, port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const acked = [];
  let next = 0;
  let killed = false;
  const exited = new Promise((r) => child.once('exit', r));
  const one = () =>
    new Promise((resolve) => {
      const id = `crash-${next++}`;
      const req = http.get(
        { agent, host: '127.0.0.1', port, path: `/orders/${id}`, headers: { 'x-request-id': id } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200 && !killed) {
              acked.push(id);
              if (acked.length >= ACKED) {
                killed = true;
                child.kill('SIGKILL');
              }
            }
            resolve();
          });
          res.on('error', resolve);
        },
      );
      req.on('error', resolve);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (!killed) await one();
    }),
  );
  await exited;
  agent.destroy();
  return acked;
}

/** Request ids in the file, with how often each appears (a torn last line is skipped). */
function idsIn(file) {
  const counts = new Map();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    let id;
    try {
      const o = JSON.parse(line);
      id = o.request?.id ?? o.req?.id;
    } catch {
      continue;
    }
    if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const missing = (acked, counts) => acked.filter((id) => !counts.has(id)).length;

async function round(variant) {
  const dir = mkdtempSync(join(os.tmpdir(), 'auditkit-crash-'));
  try {
    const child = start(variant, dir, false);
    const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
    const acked = await loadAndKill(child, port);
    const file = join(dir, 'audit.jsonl');
    const atKill = missing(acked, idsIn(file));
    if (variant !== 'pino-http') {
      const again = start(variant, dir, true);
      await new Promise((r) => again.once('exit', r));
    }
    const after = idsIn(file);
    return {
      acked: acked.length,
      missingAtKill: atKill,
      missingAfterRestart: missing(acked, after),
      duplicated: [...after.values()].filter((n) => n > 1).length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const results = {};
  for (const v of VARIANTS) results[v] = [];
  // Rounds interleave the variants, so a busy moment of the shared machine hits them alike.
  for (let r = 0; r < ROUNDS; r++) for (const v of VARIANTS) results[v].push(await round(v));
  const summary = {};
  for (const v of VARIANTS) {
    const span = (key) => {
      const xs = results[v].map((x) => x[key]);
      return [Math.min(...xs), Math.max(...xs)];
    };
    summary[v] = {
      missingAtKill: span('missingAtKill'),
      missingAfterRestart: span('missingAfterRestart'),
      duplicated: span('duplicated'),
    };
  }
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
    core: process.env.AUDITKIT_CORE ?? '@auditkit/core (this tree)',
    acked: ACKED,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    summary,
    results,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (process.env.AUDITKIT_CORE) return; // another build's figures are printed, not recorded
  const dirOut = join(__dirname, 'results');
  mkdirSync(dirOut, { recursive: true });
  writeFileSync(join(dirOut, 'crash-window.json'), `${JSON.stringify(out, null, 2)}\n`);
  const names = {
    default: 'auditkit, default',
    durable: 'auditkit, `durable: true`',
    hold: 'auditkit, durable + `holdResponse`',
    'pino-http': 'pino-http, async file destination',
  };
  const range = ([a, b]) => (a === b ? `${a}` : `${a}–${b}`);
  const rows = VARIANTS.map(
    (v) =>
      `| ${names[v] ?? v} | ${range(summary[v].missingAtKill)} | ${range(summary[v].missingAfterRestart)} | ${range(summary[v].duplicated)} |`,
  );
  writeFileSync(
    join(dirOut, 'crash-window.md'),
    `# Crash window

Generated by \`npm run bench:crash\` on ${out.date}; ${out.machine.cpus} × ${out.machine.model}, node ${out.node} (shared machine: figures are noisy).

An Express server (the bench route, one audit variant) is sent requests by ${CONCURRENCY} keep-alive
connections until ${ACKED} responses came back, then killed with SIGKILL. Counted: acknowledged
requests whose event is not in the audit file at the kill, and after a restart (auditkit reopens
the same logger, which replays a durable spool into the file), and ids found twice. ${ROUNDS} rounds, min–max.

| variant | missing at the kill | missing after restart | duplicated ids |
|---|---|---|---|
${rows.join('\n')}
`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
