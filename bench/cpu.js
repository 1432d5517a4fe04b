// CPU time of other processes, read from /proc (Linux); undefined where there is none.
const { readFileSync } = require('node:fs');

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** `{ name, ms }`: a process's name and the CPU time (user + system) it has used so far. */
function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
    };
  } catch {
    return undefined; // gone, or no /proc here
  }
}

/** CPU µs per operation between two `processCpu` readings, or null when either is missing. */
function cpuUsPer(before, after, count) {
  return before && after ? +(((after.ms - before.ms) * 1000) / count).toFixed(1) : null;
}

module.exports = { cpuUsPer, processCpu };
