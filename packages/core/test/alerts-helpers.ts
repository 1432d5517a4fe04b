import type { AlertChannel, AlertNotification, AuditEvent, MemorySink } from '../src';

/**
 * A channel that keeps what it is given: the router is what is under test, and this is the
 * simplest real destination (as memorySink is for the pipeline).
 */
export function collectingChannel(name = 'collect'): AlertChannel & { received: AlertNotification[] } {
  const received: AlertNotification[] = [];
  return {
    name,
    received,
    async send(n) {
      received.push(n);
    },
  };
}

/** `alert.*` events in a sink, optionally of one type. */
export function alertEvents(sink: MemorySink, type?: string): AuditEvent[] {
  return sink.events.filter((e) => (type ? e.type === type : e.type.startsWith('alert.')));
}
