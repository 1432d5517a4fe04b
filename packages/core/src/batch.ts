import type { AuditEvent, Batch } from './types';

/** A batch whose JSON Lines encoding is computed once, on first use, and shared by every sink. */
export class EventBatch implements Batch {
  #jsonl: string | undefined;

  /** `lines` are the events' JSON when the seal stage already wrote it (canonical, as hashed). */
  constructor(
    readonly events: readonly AuditEvent[],
    lines?: readonly string[],
  ) {
    if (lines) this.#jsonl = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  jsonl(): string {
    if (this.#jsonl === undefined) {
      // One join instead of repeated `+=`: no rope of a thousand pieces to flatten on write.
      const lines = new Array<string>(this.events.length + 1);
      for (let i = 0; i < this.events.length; i++) lines[i] = JSON.stringify(this.events[i]);
      lines[this.events.length] = '';
      this.#jsonl = lines.join('\n');
    }
    return this.#jsonl;
  }
}

/** Wraps events in a batch, for sinks used on their own and for tests. */
export function createBatch(events: readonly AuditEvent[]): Batch {
  return new EventBatch(events);
}
