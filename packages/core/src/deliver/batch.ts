import type { AuditEvent, Batch } from '../types';

/**
 * A batch whose JSON Lines encoding is computed once, on first use, and shared by every sink. Events
 * sealed from their text (on the worker thread) have only their line: a sink that reads `events`
 * gets them parsed from it then, and a sink that writes lines never pays for it.
 */
export class EventBatch implements Batch {
  #jsonl: string | undefined;
  #events: Array<AuditEvent | undefined> | readonly AuditEvent[];
  /** Whether `#events` may have holes, i.e. events to read back from their lines. */
  #holes: boolean;
  readonly #lines: readonly string[] | undefined;

  /**
   * `lines` are the events' JSON when the seal stage already wrote it (canonical, as hashed); an
   * undefined event is read from its line when asked for.
   */
  constructor(events: readonly (AuditEvent | undefined)[], lines?: readonly string[]) {
    this.#events = events as Array<AuditEvent | undefined>;
    this.#holes = lines !== undefined;
    this.#lines = lines;
  }

  /** How many events the batch holds. */
  get size(): number {
    return this.#events.length;
  }

  get events(): readonly AuditEvent[] {
    if (this.#holes) {
      this.#holes = false;
      const events = this.#events as Array<AuditEvent | undefined>;
      for (let i = 0; i < events.length; i++) {
        if (events[i] !== undefined) continue;
        // Copied before the first fill: the sealed array may be shared with another batch.
        if (events === this.#events) this.#events = events.slice();
        (this.#events as AuditEvent[])[i] = JSON.parse(this.#lines![i]!) as AuditEvent;
      }
    }
    return this.#events as readonly AuditEvent[];
  }

  /** The events' JSON lines, when the seal stage (or a spool) supplied them. */
  get lines(): readonly string[] | undefined {
    return this.#lines;
  }

  /** This batch followed by `other`; both must have lines or neither. */
  concat(other: EventBatch): EventBatch {
    const events = [...this.#events, ...other.#events];
    return new EventBatch(
      events,
      this.#lines && other.#lines ? [...this.#lines, ...other.#lines] : undefined,
    );
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
