// One HTTP bench server measured with autocannon: requests/s, latency and the server's CPU per
// request (user + system time of all its threads, from /proc).
const { fork } = require('node:child_process');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { cpuUsPer, processCpu } = require('./cpu');

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

function cannon(url, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/** Node options and environment that run a bench server against core in `coreDir` (default: this tree's). */
function coreBuild(coreDir) {
  return coreDir
    ? { execArgv: ['-r', join(__dirname, 'core-alias.js')], env: { AUDITKIT_CORE_DIR: coreDir } }
    : { execArgv: [], env: {} };
}

/** Starts `bench/servers/<variant>.js` on `port`, loads it, and measures it. */
async function measureHttp(variant, port, dir, coreDir) {
  const build = coreBuild(coreDir);
  const child = fork(join(__dirname, 'servers', `${variant}.js`), {
    env: { ...process.env, ...build.env, PORT: String(port), LOG_FILE: join(dir, `${variant}-${port}.log`) },
    execArgv: build.execArgv,
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

module.exports = { CONNECTIONS, DURATION, WARMUP, coreBuild, measureHttp };
