import { SealedLines } from '../seal/sealed-lines';
import type { AuditEvent, Batch } from '../types';

/**
 * A batch whose JSON Lines encoding is computed once, on first use, and shared by every sink. A
 * sealed batch holds its lines as the bytes the seal stage wrote: files and spools write those,
 * and the lines become strings only for a sink or listener that reads them. Events sealed from
 * their text (on the worker thread) have only their line: a sink that reads `events` gets them
 * parsed from it then, and a sink that writes lines never pays for it.
 */
export class EventBatch implements Batch {
  #jsonl: string | undefined;
  #bytes: Buffer | undefined;
  #events: Array<AuditEvent | undefined> | readonly AuditEvent[];
  /** Whether `#events` may have holes, i.e. events to read back from their lines. */
  #holes: boolean;
  #lines: readonly string[] | undefined;
  readonly #sealed: SealedLines | undefined;

  /**
   * `lines` are the events' JSON when the seal stage already wrote it (canonical, as hashed), as
   * strings or as the sealed bytes; an undefined event is read from its line when asked for.
   */
  constructor(events: readonly (AuditEvent | undefined)[], lines?: readonly string[] | SealedLines) {
    this.#events = events as Array<AuditEvent | undefined>;
    this.#holes = lines !== undefined;
    if (lines instanceof SealedLines) this.#sealed = lines;
    else this.#lines = lines;
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
        (this.#events as AuditEvent[])[i] = JSON.parse(this.#line(i)) as AuditEvent;
      }
    }
    return this.#events as readonly AuditEvent[];
  }

  #line(i: number): string {
    return this.#lines ? this.#lines[i]! : this.#sealed!.line(i);
  }

  /** The events' JSON lines, when the seal stage (or a spool) supplied them. */
  get lines(): readonly string[] | undefined {
    if (this.#lines === undefined && this.#sealed) this.#lines = this.#sealed.strings();
    return this.#lines;
  }

  /** This batch followed by `other`; both must have lines or neither. */
  concat(other: EventBatch): EventBatch {
    const events = [...this.#events, ...other.#events];
    if (this.#sealed && other.#sealed) {
      const lines = new SealedLines(this.#sealed.byteLength + other.#sealed.byteLength);
      lines.appendLines(this.#sealed);
      lines.appendLines(other.#sealed);
      return new EventBatch(events, lines);
    }
    const mine = this.lines;
    const theirs = other.lines;
    return new EventBatch(events, mine && theirs ? [...mine, ...theirs] : undefined);
  }

  jsonl(): string {
    if (this.#jsonl === undefined) {
      if (this.#sealed) this.#jsonl = this.#sealed.bytes().toString('utf8');
      else {
        // One join instead of repeated `+=`: no rope of a thousand pieces to flatten on write. Done
        // only when a sink asks: memory and store sinks never need the text.
        const lines = this.#lines ? [...this.#lines, ''] : [...this.events.map((e) => JSON.stringify(e)), ''];
        this.#jsonl = lines.length > 1 ? lines.join('\n') : '';
      }
    }
    return this.#jsonl;
  }

  /** The JSON Lines as UTF-8, made once and shared: sinks and spools must not change them. */
  bytes(): Buffer {
    this.#bytes ??= this.#sealed ? this.#sealed.bytes() : Buffer.from(this.jsonl(), 'utf8');
    return this.#bytes;
  }
}

/** The JSON Lines of any batch as UTF-8: its shared bytes when it has them. */
export const batchBytes = (batch: Batch): Buffer =>
  batch.bytes ? batch.bytes() : Buffer.from(batch.jsonl(), 'utf8');

/**
 * Wraps events in a batch, for sinks used on their own, for transports that hand stored events on
 * (pass their exact JSON `lines`, one per event, so `jsonl()` keeps the hashed bytes) and for tests.
 */
export function createBatch(events: readonly AuditEvent[], lines?: readonly string[]): Batch {
  return new EventBatch(events, lines);
}
