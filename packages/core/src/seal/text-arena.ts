/**
 * Events queued as their canonical text: the caller's thread writes each event's record into a
 * shared chunk of memory and the queue holds a view of it, which the seal stage seals from as it
 * is. An event waiting as objects is ~3 KB of small objects that outlive the young generation
 * whenever the queue holds them for a few milliseconds, and the garbage collector then copies and
 * marks every one; a view of its bytes is one small object. The record is what the `worker` option
 * puts on its ring, so the trail is the same line for line.
 */
import type { AuditEvent } from '../types';
import { EventBytes, eventRecordIn } from './sealer';

const CHUNK_BYTES = 256 * 1024;
/** The record's worst case against the event's size estimate: the writer reserves 3 bytes a character. */
const worstCase = (estimate: number): number => 3 * estimate + 1024;

export class TextArena {
  #chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  #at = 0;

  /**
   * `event` as its record, or undefined when it goes as an object: a value only the generic
   * serializer decides on, another shape, or larger than a chunk (`estimate`: its size estimate).
   */
  textOf(event: AuditEvent, estimate: number): EventBytes | undefined {
    const room = worstCase(estimate);
    if (room > CHUNK_BYTES) return undefined;
    if (this.#at + room > CHUNK_BYTES) {
      // Views of the old chunk keep it alive until their events are sealed.
      this.#chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      this.#at = 0;
    }
    const end = eventRecordIn(event, '', this.#chunk, this.#at, CHUNK_BYTES);
    if (end < 0) return undefined;
    const text = new EventBytes(this.#chunk.subarray(this.#at, end));
    this.#at = end;
    return text;
  }
}
