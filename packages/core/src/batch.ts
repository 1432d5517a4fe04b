import type { AuditEvent, Batch } from './types';

/** A batch whose JSON Lines encoding is computed once, on first use, and shared by every sink. */
export class EventBatch implements Batch {
  #jsonl: string | undefined;

  constructor(readonly events: readonly AuditEvent[]) {}

  jsonl(): string {
    if (this.#jsonl === undefined) {
      let out = '';
      for (const event of this.events) out += `${JSON.stringify(event)}\n`;
      this.#jsonl = out;
    }
    return this.#jsonl;
  }
}

/** Wraps events in a batch, for sinks used on their own and for tests. */
export function createBatch(events: readonly AuditEvent[]): Batch {
  return new EventBatch(events);
}
