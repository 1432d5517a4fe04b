// What the PostgreSQL-backed benchmarks share when they measure and report: a percentile, the
// machine a run was on, and the results files they write.
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');

/** The p-th percentile of ascending `sorted` (nearest rank, clamped to the last value). */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** When and where a run happened, the first fields of every results file. */
function runOn() {
  return {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`,
    node: process.version,
  };
}

/** The version of the PostgreSQL server `pool` is connected to. */
async function postgresVersion(pool) {
  const { rows } = await pool.query('SHOW server_version');
  return rows[0].server_version;
}

/** Writes bench/results/<name>.json (the figures) and, when given, bench/results/<name>.md. */
function writeResults(name, result, markdown) {
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  if (markdown !== undefined) writeFileSync(join(__dirname, 'results', `${name}.md`), markdown);
}

/** A copy of `items` in random order (Fisher-Yates), so no variant always runs after the same other one. */
function shuffled(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The middle value of `xs` (the upper one of an even count). */
function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

module.exports = { median, percentile, postgresVersion, runOn, shuffled, writeResults };
