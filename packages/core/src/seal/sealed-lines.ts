/**
 * Sealed lines kept as the bytes of their JSON Lines: each line and its newline appended to one
 * growing buffer, so a batch reaches files and spools as the seal stage wrote it, without a joined
 * string or a second UTF-8 encoding. A line becomes a string only when someone asks for it.
 */

const NEWLINE = 0x0a;
const HASH_OPEN = Buffer.from('"hash":"', 'latin1');
/** `"hash":"<64 hex>",` */
const HASH_MEMBER_BYTES = HASH_OPEN.length + 64 + 2;

export class SealedLines {
  #buf: Buffer;
  #length = 0;
  /** Where each line starts; the line ends one byte (its newline) before the next one starts. */
  readonly #starts: number[] = [];
  #strings: string[] | undefined;

  /** `capacity`: the bytes expected, so the buffer rarely grows. */
  constructor(capacity = 0) {
    this.#buf = Buffer.allocUnsafe(Math.max(Math.ceil(capacity), 256));
  }

  /** How many lines. */
  get count(): number {
    return this.#starts.length;
  }

  /** How many bytes, newlines included. */
  get byteLength(): number {
    return this.#length;
  }

  #room(bytes: number): Buffer {
    const need = this.#length + bytes;
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, need));
      this.#buf.copy(grown, 0, 0, this.#length);
      this.#buf = grown;
    }
    return this.#buf;
  }

  /**
   * Appends the line `unsigned` becomes once sealed: `unsigned` is `src[0, end)`, a 0x00 byte and
   * then the unsigned text, whose seal's members up to `prev` end at `cut`; the `hash` member goes
   * there.
   */
  appendSealed(src: Uint8Array, cut: number, end: number, hash: string): void {
    const buf = this.#room(end + HASH_MEMBER_BYTES);
    this.#starts.push(this.#length);
    let p = this.#length;
    buf.set(src.subarray(1, cut), p);
    p += cut - 1;
    // Eight bytes: a loop costs less than Buffer#copy's checks.
    for (let i = 0; i < HASH_OPEN.length; i++) buf[p++] = HASH_OPEN[i]!;
    p += buf.write(hash, p, 64, 'latin1');
    buf[p++] = 0x22;
    buf[p++] = 0x2c;
    buf.set(src.subarray(cut, end), p);
    p += end - cut;
    buf[p++] = NEWLINE;
    this.#length = p;
    this.#strings = undefined;
  }

  /** Appends a line given as text. */
  appendText(line: string): void {
    const buf = this.#room(3 * line.length + 1);
    this.#starts.push(this.#length);
    const p = this.#length + buf.write(line, this.#length, 'utf8');
    buf[p] = NEWLINE;
    this.#length = p + 1;
    this.#strings = undefined;
  }

  /** Appends every line of `other`. */
  appendLines(other: SealedLines): void {
    const buf = this.#room(other.#length);
    const offset = this.#length;
    other.#buf.copy(buf, offset, 0, other.#length);
    for (const start of other.#starts) this.#starts.push(start + offset);
    this.#length += other.#length;
    this.#strings = undefined;
  }

  /** The JSON Lines, each line ending in a newline: a view of the buffer, valid until more is appended. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }

  /** Line `i` as text. */
  line(i: number): string {
    if (this.#strings) return this.#strings[i]!;
    const start = this.#starts[i]!;
    const end = i + 1 < this.#starts.length ? this.#starts[i + 1]! - 1 : this.#length - 1;
    return this.#buf.toString('utf8', start, end);
  }

  /** Every line as text (decoded once, then kept). */
  strings(): string[] {
    if (this.#strings) return this.#strings;
    // One decode of the whole block; the lines are slices of it.
    const text = this.#buf.toString('utf8', 0, this.#length);
    const lines = text.split('\n');
    lines.pop();
    this.#strings = lines;
    return lines;
  }
}
