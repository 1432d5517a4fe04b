import type { SinkLane } from '../deliver/sink-lane';
import type { AuditError, AuditEvent, AuditSink } from '../types';
import type { Sealer } from './sealer';

export interface ResumeSources {
  durable: boolean;
  sinks: readonly AuditSink[];
  /** Opening the spools (durable mode reads its newest record). */
  ready: () => Promise<void> | undefined;
  lanes: () => readonly SinkLane[];
  /** Sinks' startup checks: the sinks that cannot write. */
  opened: Promise<Set<AuditSink>>;
  report: (error: AuditError) => void;
}

/** Asks the first sink that can tell for the newest sealed event; a failure starts a new chain. */
export async function resumeChain(sealer: Sealer, from: ResumeSources): Promise<void> {
  if (from.durable) {
    // Sealed events still in a spool are newer than anything a sink holds.
    await from.ready();
    const tail = await spooledTail(from);
    if (tail) return sealer.resumeFrom(tail);
  }
  const sink = from.sinks.find((s) => typeof s.lastSealed === 'function');
  if (!sink) return;
  // A sink that cannot be written was reported already, with its cause; it starts a new chain.
  if ((await from.opened).has(sink)) return;
  try {
    sealer.resumeFrom(await sink.lastSealed!());
  } catch (error) {
    from.report({
      kind: 'sink',
      sink: sink.name,
      cause: error,
      message: `could not read the last sealed event from sink "${sink.name}"; starting a new chain: ${String(error)}`,
    });
  }
}

/** The newest event waiting in a durable spool (all of them hold the same records), if any. */
async function spooledTail(from: ResumeSources): Promise<AuditEvent | undefined> {
  const spool = from.lanes().find((l) => l.spool && l.spool.readable > 0)?.spool;
  if (!spool) return undefined;
  try {
    const record = await spool.lastRecord();
    const lines = record?.toString('utf8').trimEnd().split('\n');
    return lines?.length ? (JSON.parse(lines[lines.length - 1]!) as AuditEvent) : undefined;
  } catch (error) {
    from.report({
      kind: 'spool',
      cause: error,
      message: `could not read the newest spooled event: ${String(error)}`,
    });
    return undefined;
  }
}
