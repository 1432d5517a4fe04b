/**
 * A single-producer, single-consumer ring of UTF-8 records in shared memory: the caller's thread
 * copies each event's JSON in, the worker reads it out. No message per event, no structured clone:
 * one `Atomics.store` publishes a record (the scheme of pino's thread-stream, with whole records
 * instead of a byte stream). A sleeping reader is woken by a message, not `Atomics.notify`: with an
 * asynchronous waiter on the other thread a notify cost the writer hundreds of µs on a busy machine.
 *
 * Layout: records `[u32 length][bytes][pad to 4]`; a length of WRAP sends the reader back to 0.
 * The write index never catches up with the read index (equal means empty).
 */

/** Int32 slots of the state buffer. */
export const SLOT = {
  /** Byte offset the next record is written at; only the writer stores it. */
  WRITE: 0,
  /** Byte offset of the next record to read; only the reader stores it. */
  READ: 1,
  /** 1 while the reader sleeps until woken: the writer then wakes it (`takeSleeper()` says when). */
  SLEEPING: 2,
  /** Process exit: 1 the caller is exiting, 2 it wrote its last event, 3 the worker wrote and closed. */
  EXIT: 3,
  /** Records the worker has taken off the ring (mod 2^32). */
  TAKEN: 4,
  /** Records the worker has sealed and its sinks settled, as of its last flush (mod 2^32). */
  CONFIRMED: 5,
} as const;

const STATE_SLOTS = 8;
/** `readCopied` copies neighbouring records off the ring in runs of about this many bytes. */
const COPY_RUN = 64 * 1024;
const WRAP = 0xffffffff;
const HEADER = 4;

const align4 = (n: number): number => (n + 3) & ~3;

/** The two shared buffers of a ring; sent to the worker as they are. */
export interface RingBuffers {
  state: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export function createRingBuffers(bytes: number): RingBuffers {
  return {
    state: new SharedArrayBuffer(STATE_SLOTS * 4),
    data: new SharedArrayBuffer(align4(bytes)),
  };
}

/** The caller's end: `write` copies a record in, or returns false when there is no room. */
export class RingWriter {
  readonly state: Int32Array;
  readonly #data: Buffer;
  readonly #size: number;
  /** The write index as last published (this end owns it). */
  #w = 0;

  constructor(buffers: RingBuffers) {
    this.state = new Int32Array(buffers.state);
    this.#data = Buffer.from(buffers.data);
    this.#size = buffers.data.byteLength;
  }

  /** Bytes the biggest record can have: half the ring, so one never waits for a wrap it cannot get. */
  get maxRecord(): number {
    return (this.#size >>> 1) - HEADER;
  }

  write(text: string): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: reserve that, and measure only when it is tight.
    if (this.#place(text, text.length * 3)) return true;
    const exact = Buffer.byteLength(text, 'utf8');
    return exact < text.length * 3 && this.#place(text, exact);
  }

  /**
   * Has `fill(a, data, start, end)` write one record of unknown length in place, in
   * `data[start, end)`, and return where it ended, or -1 when it did not fit (what it wrote then
   * is never read). Where the space left before the ring's end is too small, it is tried once more
   * from the start. False when the record found no room (or is larger than `maxRecord`).
   */
  writeIn<A>(fill: (a: A, data: Buffer, start: number, end: number) => number, a: A): boolean {
    const r = Atomics.load(this.state, SLOT.READ);
    const w = this.#w;
    if (this.#fillAt(w, this.#freeEnd(w, r), fill, a)) return true;
    if (w < r || r <= 2 * HEADER) return false;
    // Not enough room before the end: from the start, up to the reader, behind a wrap mark (read
    // only once the record after it is published).
    this.#data.writeUInt32LE(WRAP, w);
    return this.#fillAt(0, r - HEADER, fill, a);
  }

  #fillAt<A>(
    w: number,
    end: number,
    fill: (a: A, data: Buffer, start: number, end: number) => number,
    a: A,
  ): boolean {
    const start = w + HEADER;
    const limit = Math.min(end, start + this.maxRecord);
    if (start >= limit) return false;
    const stop = fill(a, this.#data, start, limit);
    if (stop < start) return false;
    this.#publish(w, stop - start);
    return true;
  }

  #place(text: string, bytes: number): boolean {
    const w = this.#reserve(bytes);
    if (w < 0) return false;
    this.#publish(w, this.#data.write(text, w + HEADER, bytes, 'utf8'));
    return true;
  }

  /** Where a record of up to `bytes` bytes goes (after a wrap mark when it must), or -1: no room. */
  #reserve(bytes: number): number {
    const need = HEADER + align4(bytes);
    const r = Atomics.load(this.state, SLOT.READ);
    const w = this.#w;
    if (w + need <= this.#freeEnd(w, r)) return w;
    // Not enough room before the end: from the start, when the record ends before the reader.
    if (w < r || r <= need) return -1;
    this.#data.writeUInt32LE(WRAP, w);
    return 0;
  }

  /**
   * Where the free space from the write index `w` ends, the reader at `r`: a record ends at least
   * one slot before the reader (full must differ from empty) and, when the reader is at 0, one
   * slot before the ring's end (where the writer would come round to 0).
   */
  #freeEnd(w: number, r: number): number {
    return w >= r ? this.#size - (r === 0 ? HEADER : 0) : r - HEADER;
  }

  /** Publishes the record of `written` bytes at `w`. */
  #publish(w: number, written: number): void {
    this.#data.writeUInt32LE(written, w);
    let next = w + HEADER + align4(written);
    if (next === this.#size) next = 0;
    this.#w = next;
    Atomics.store(this.state, SLOT.WRITE, next);
  }

  /** True (once) when the reader went to sleep and must be woken; one load when it did not. */
  takeSleeper(): boolean {
    return (
      Atomics.load(this.state, SLOT.SLEEPING) === 1 && Atomics.exchange(this.state, SLOT.SLEEPING, 0) === 1
    );
  }

  /** Whether the reader has taken everything written. */
  get empty(): boolean {
    return Atomics.load(this.state, SLOT.READ) === this.#w;
  }
}

/** The worker's end. */
export class RingReader {
  readonly state: Int32Array;
  readonly #data: Buffer;
  readonly #size: number;
  #r = 0;
  #taken = 0;

  constructor(buffers: RingBuffers) {
    this.state = new Int32Array(buffers.state);
    this.#data = Buffer.from(buffers.data);
    this.#size = buffers.data.byteLength;
  }

  /** Records taken so far (this thread's count; published in TAKEN by `release`). */
  get taken(): number {
    return this.#taken;
  }

  /** Calls `each` with up to `max` records' text; returns how many it read. Call `release` after. */
  read(max: number, each: (text: string, bytes: number) => void): number {
    return this.readCopied(max, (data, start, end) => each(data.toString('utf8', start, end), end - start));
  }

  /**
   * Calls `each` with up to `max` records copied off the ring, `bytes[start, end)`, which stay
   * valid: neighbouring records are copied together into one Buffer of their own (a run of about
   * COPY_RUN bytes), one allocation and one copy per run rather than per record. Returns how many
   * it read; call `release` after.
   */
  readCopied(max: number, each: (bytes: Buffer, start: number, end: number) => void): number {
    const data = this.#data;
    const w = Atomics.load(this.state, SLOT.WRITE);
    let r = this.#r;
    let n = 0;
    while (r !== w && n < max) {
      // A run: the records from r on, up to a wrap mark, the ring's end, the write index, `max`
      // records or COPY_RUN bytes.
      let to = r;
      let count = 0;
      while (to !== w && n + count < max && to - r < COPY_RUN) {
        const len = data.readUInt32LE(to);
        if (len === WRAP) break;
        to += HEADER + align4(len);
        count++;
        if (to === this.#size) break;
      }
      if (count === 0) {
        r = 0; // a wrap mark
        continue;
      }
      const run = Buffer.allocUnsafe(to - r);
      data.copy(run, 0, r, to);
      for (let at = 0, i = 0; i < count; i++) {
        const start = at + HEADER;
        const end = start + run.readUInt32LE(at);
        each(run, start, end);
        at = start + align4(end - start);
      }
      n += count;
      r = to === this.#size ? 0 : to;
    }
    this.#r = r;
    this.#taken += n;
    return n;
  }

  /** Gives the space read so far back to the writer (woken only while it waits at process exit). */
  release(): void {
    Atomics.store(this.state, SLOT.READ, this.#r);
    Atomics.store(this.state, SLOT.TAKEN, this.#taken | 0);
    if (Atomics.load(this.state, SLOT.EXIT) !== 0) Atomics.notify(this.state, SLOT.READ);
  }

  /**
   * Marks the reader asleep unless a record arrived meanwhile: true when it should wait for the
   * writer's wake-up (the writer checks the mark after publishing, so none is missed).
   */
  sleep(): boolean {
    Atomics.store(this.state, SLOT.SLEEPING, 1);
    if (Atomics.load(this.state, SLOT.WRITE) === this.#r) return true;
    Atomics.store(this.state, SLOT.SLEEPING, 0);
    return false;
  }
}
