import type { HealthStatus, SinkStats } from '../types';

/**
 * A write unanswered this long is slow: the logger is degraded (before the timeout makes it fail),
 * and with a spool the next batches go there instead of waiting in memory.
 */
export const SLOW_WRITE_MS = 1000;

/** What the sinks' counters say about health: failing sinks and spools, hung writes, backlogs. */
export function sinkHealth(
  sinks: readonly SinkStats[],
  attempts: number,
): { status: HealthStatus; reasons: string[] } {
  const reasons: string[] = [];
  let status: HealthStatus = 'ok';
  for (const sink of sinks) {
    if (sink.consecutiveFailures >= attempts) {
      status = 'failing';
      reasons.push(`sink "${sink.name}" is failing: ${sink.lastError ?? 'unknown error'}`);
    } else if (sink.breaker === 'open') {
      status = 'failing';
      reasons.push(`circuit for sink "${sink.name}" is open: ${sink.lastError ?? 'unknown error'}`);
    } else if (sink.consecutiveFailures > 0) {
      reasons.push(`sink "${sink.name}" is retrying: ${sink.lastError ?? 'unknown error'}`);
    }
    if ((sink.writingMs ?? 0) >= SLOW_WRITE_MS)
      reasons.push(`sink "${sink.name}" has not answered a write for ${sink.writingMs} ms`);
    const spool = sink.spool;
    if (spool) {
      if (spool.refused > 0) {
        status = 'failing';
        reasons.push(`spool of sink "${sink.name}" is full: ${spool.refused} events refused`);
      }
      if (spool.corrupt + spool.torn > 0)
        reasons.push(
          `spool of sink "${sink.name}": ${spool.corrupt} corrupt and ${spool.torn} torn records quarantined`,
        );
      if (spool.events > 0) reasons.push(`${spool.events} events spooled for sink "${sink.name}"`);
    }
  }
  if (status === 'ok' && reasons.length > 0) status = 'degraded';
  return { status, reasons };
}
