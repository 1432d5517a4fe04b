/**
 * What the live stream holds in memory, server-wide: the bytes of the frames some subscriber's
 * connection has not written out yet. A frame shared by a group counts once however many members
 * still hold it, so the total is the memory really held (a burst sent to 1,000 subscribers of one
 * filter is one buffer), not the sum of every socket's backlog. Each subscriber's frames are kept
 * oldest first, as its connection writes them, so a subscriber cut off gives back exactly the frames
 * nobody else still holds.
 */
import type { SharedFrame } from './frames';

/** The frames one subscriber's connection has been handed and not written out yet, oldest first. */
export class HeldFrames {
  #frames: SharedFrame[] = [];
  #head = 0;
  /** Their bytes, shared or not: what this subscriber holds. */
  bytes = 0;

  push(frame: SharedFrame): void {
    this.#frames.push(frame);
    this.bytes += frame.bytes.length;
  }

  /** The oldest frame, taken off; undefined when none is held. */
  shift(): SharedFrame | undefined {
    if (this.#head === this.#frames.length) return undefined;
    const frame = this.#frames[this.#head++]!;
    this.bytes -= frame.bytes.length;
    if (this.#head === this.#frames.length) {
      this.#frames = [];
      this.#head = 0;
    }
    return frame;
  }
}

export class FrameLedger {
  /** Bytes of the frames some connection has not written out yet. */
  #total = 0;

  get total(): number {
    return this.#total;
  }

  /** `held` is handed `frame`. */
  hold(held: HeldFrames, frame: SharedFrame): void {
    if (frame.holders++ === 0) this.#total += frame.bytes.length;
    held.push(frame);
  }

  /** The oldest frame `held` was handed is written out (or failed); returns it, undefined when none was held. */
  written(held: HeldFrames): SharedFrame | undefined {
    const frame = held.shift();
    if (frame && --frame.holders === 0) this.#total -= frame.bytes.length;
    return frame;
  }

  /** Gives back everything `held` holds: its connection is gone or being cut. */
  release(held: HeldFrames): void {
    while (this.written(held));
  }
}
