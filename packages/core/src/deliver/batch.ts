import type { AuditEvent, Batch } from '../types';

/** A batch whose JSON Lines encoding is computed once, on first use, and shared by every sink. */
export class EventBatch implements Batch {
  #jsonl: string | undefined;
  readonly #lines: readonly string[] | undefined;

  /** `lines` are the events' JSON when the seal stage already wrote it (canonical, as hashed). */
  constructor(
    readonly events: readonly AuditEvent[],
    lines?: readonly string[],
  ) {
    this.#lines = lines;
  }

  /** The events' JSON lines, when the seal stage (or a spool) supplied them. */
  get lines(): readonly string[] | undefined {
    return this.#lines;
  }

  jsonl(): string {
    if (this.#jsonl === undefined) {
      // One join instead of repeated `+=`: no rope of a thousand pieces to flatten on write. Done
      // only when a sink asks: memory and store sinks never need the text.
      const lines = this.#lines ? [...this.#lines, ''] : [...this.events.map((e) => JSON.stringify(e)), ''];
      this.#jsonl = lines.length > 1 ? lines.join('\n') : '';
    }
    return this.#jsonl;
  }
}

/**
 * Wraps events in a batch, for sinks used on their own, for transports that hand stored events on
 * (pass their exact JSON `lines`, one per event, so `jsonl()` keeps the hashed bytes) and for tests.
 */
export function createBatch(events: readonly AuditEvent[], lines?: readonly string[]): Batch {
  return new EventBatch(events, lines);
}
