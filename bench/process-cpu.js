// Where the CPU of a measured stretch went, per process: a server (its own count over IPC), the
// PostgreSQL backends of its pool (found by application_name), PostgreSQL's background processes
// (WAL writer, checkpointer, background writer), the load generator (this process), and the whole
// machine from /proc/stat, so what is left is other work or idle. Linux only; null where /proc is missing.
const { readFileSync } = require('node:fs');
const os = require('node:os');
const { processCpu } = require('./cpu');

const BACKGROUND = [
  'walwriter',
  'checkpointer',
  'background writer',
  'autovacuum launcher',
  'autovacuum worker',
];

/** Busy and idle CPU time of the whole machine so far, in ms (all cores). */
function machineCpu() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + fields[4]; // idle + iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busyMs: (total - idle) * 10, idleMs: idle * 10 };
  } catch {
    return undefined;
  }
}

/** PostgreSQL processes by role: `app` (backends whose application_name is `app`) and `background`. */
async function postgresPids(pool, app) {
  const { rows } = await pool.query('SELECT pid, backend_type, application_name FROM pg_stat_activity');
  return {
    app: rows.filter((r) => r.application_name === app).map((r) => r.pid),
    background: rows.filter((r) => BACKGROUND.includes(r.backend_type)).map((r) => r.pid),
  };
}

/** CPU ms per pid of `pids`. */
function cpuOf(pids) {
  const ms = new Map();
  for (const pid of pids) {
    const cpu = processCpu(pid);
    if (cpu) ms.set(pid, cpu.ms);
  }
  return ms;
}

/** WAL written so far (pg_stat_wal, PostgreSQL 14+): records, full-page images, bytes. */
async function walStats(pool) {
  try {
    const { rows } = await pool.query('SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal');
    return {
      records: Number(rows[0].wal_records),
      fpi: Number(rows[0].wal_fpi),
      bytes: Number(rows[0].wal_bytes),
    };
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring; `stop(events)` returns CPU µs per event for each part plus the machine's idle
 * share. `serverCpu()` resolves the server's `process.cpuUsage()`.
 */
async function startCpuBreakdown({ pool, app, serverCpu }) {
  const pids0 = await postgresPids(pool, app);
  const app0 = cpuOf(pids0.app);
  const background0 = cpuOf(pids0.background);
  const server0 = await serverCpu();
  const own0 = process.cpuUsage();
  const machine0 = machineCpu();
  const wal0 = await walStats(pool);
  const started = process.hrtime.bigint();
  return async function stop(events) {
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const machine1 = machineCpu();
    const own = process.cpuUsage(own0);
    const server1 = await serverCpu();
    const pids1 = await postgresPids(pool, app);
    // A backend that connected meanwhile counts from zero; one that left is not counted.
    const since = (before, pids) => {
      let ms = 0;
      for (const [pid, now] of cpuOf(pids)) ms += now - (before.get(pid) ?? 0);
      return ms;
    };
    const wal1 = await walStats(pool);
    const per = (ms) => +((ms * 1000) / events).toFixed(1);
    const serverMs = (server1.user - server0.user + server1.system - server0.system) / 1000;
    const figures = {
      serverUs: per(serverMs),
      postgresBackendsUs: per(since(app0, pids1.app)),
      postgresBackgroundUs: per(since(background0, pids1.background)),
      loadGeneratorUs: per((own.user + own.system) / 1000),
      wallUs: per(wallMs),
      // The server's share of one core: what is left of it, it spent waiting.
      serverBusy: +(serverMs / wallMs).toFixed(2),
    };
    if (machine0 && machine1) {
      const busy = machine1.busyMs - machine0.busyMs;
      const idle = machine1.idleMs - machine0.idleMs;
      figures.machineBusyUs = per(busy);
      figures.machineIdle = +(idle / (busy + idle)).toFixed(2);
      figures.cores = os.cpus().length;
    }
    if (wal0 && wal1) {
      figures.walBytesPerEvent = Math.round((wal1.bytes - wal0.bytes) / events);
      figures.walFpiPer1000 = +(((wal1.fpi - wal0.fpi) * 1000) / events).toFixed(1);
    }
    return figures;
  };
}

/** One line for the console: the per-event CPU parts. */
function describeCpu(f) {
  const machine =
    f.machineBusyUs === undefined
      ? ''
      : `; machine ${f.machineBusyUs} µs busy of ${+(f.wallUs * f.cores).toFixed(1)}, idle ${Math.round(f.machineIdle * 100)}%`;
  const wal =
    f.walBytesPerEvent === undefined
      ? ''
      : `; WAL ${f.walBytesPerEvent} B/event, ${f.walFpiPer1000} FPI/1000`;
  return `CPU µs/event: server ${f.serverUs} (busy ${Math.round(f.serverBusy * 100)}% of a core), postgres backends ${f.postgresBackendsUs}, postgres background ${f.postgresBackgroundUs}, load generator ${f.loadGeneratorUs}; wall ${f.wallUs}${machine}${wal}`;
}

module.exports = { describeCpu, startCpuBreakdown };
