import type { AuditEvent, AuditSink, Batch } from '../types';

export interface MemorySinkOptions {
  /** Sink name in stats and health. Default `memory`. */
  name?: string;
  /** Keep at most this many events, oldest dropped first. Default unlimited. */
  maxEvents?: number;
}

/** An inspectable sink for tests and development. */
export interface MemorySink extends AuditSink {
  /** Every event received, in delivery order. */
  readonly events: AuditEvent[];
  /** Number of `write` calls received. */
  readonly batches: number;
  /** Forgets the recorded events. */
  clear(): void;
}

export function memorySink(options: MemorySinkOptions = {}): MemorySink {
  const max = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const events: AuditEvent[] = [];
  let batches = 0;
  const append = (batch: Batch): void => {
    batches++;
    for (const event of batch.events) events.push(event);
    if (events.length > max) events.splice(0, events.length - max);
  };
  return {
    name: options.name ?? 'memory',
    events,
    get batches() {
      return batches;
    },
    write: append,
    writeSync: append,
    clear: () => {
      events.length = 0;
    },
    close: async () => {},
  };
}
