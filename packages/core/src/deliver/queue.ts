import type { SealInput } from '../seal/sealer';

/**
 * FIFO of events waiting for delivery, bounded by count and approximate bytes. Limits are checked
 * by the caller (`isFull`), so the `block` policy can let it grow past them while adapters wait.
 */
export class EventQueue {
  #events: SealInput[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.#events.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  isFull(incomingBytes = 0): boolean {
    return this.length >= this.maxEvents || this.#bytes + incomingBytes > this.maxBytes;
  }

  push(event: SealInput, bytes: number): void {
    this.#events.push(event);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  /** Removes and returns up to `max` of the oldest events. */
  take(max: number): SealInput[] {
    const end = Math.min(this.#head + max, this.#events.length);
    const out = this.#events.slice(this.#head, end);
    for (let i = this.#head; i < end; i++) this.#bytes -= this.#sizes[i]!;
    this.#head = end;
    // Compact once the consumed prefix dominates, so memory follows the live length.
    if (this.#head > 4096 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    } else if (this.#head === this.#events.length) {
      this.#events.length = 0;
      this.#sizes.length = 0;
      this.#head = 0;
    }
    return out;
  }
}
