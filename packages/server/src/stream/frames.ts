/**
 * One events message as the bytes of a whole WebSocket frame, built once per group and written as
 * they are to every member's connection: frames from a server are never masked (RFC 6455 §5.3), so
 * the same bytes are valid on every connection, and one contiguous buffer is one plain write where
 * framing each send apart costs a header, an options object and a two-buffer writev per subscriber.
 */

/** FIN set, opcode 1: a whole text message. */
const FIN_TEXT = 0x81;

/** A message framed once, shared by the subscribers it goes to. */
export class SharedFrame {
  /** Subscribers whose connection has not written it out yet. */
  holders = 0;
  /** The whole frame: header, then payload. */
  readonly bytes: Buffer;
  /** Where the payload starts in `bytes`. */
  readonly #payloadAt: number;

  constructor(
    text: string,
    /** Events in the message. */
    readonly events: number,
  ) {
    const length = Buffer.byteLength(text);
    // RFC 6455 §5.2: a 7-bit length, or 126 and 16 bits, or 127 and 64 bits.
    const at = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(at + length);
    frame[0] = FIN_TEXT;
    if (at === 2) frame[1] = length;
    else if (at === 4) {
      frame[1] = 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
    frame.write(text, at, 'utf8');
    this.bytes = frame;
    this.#payloadAt = at;
  }

  /** The message alone, for a connection whose frames `ws` must build (an extension is negotiated). */
  get payload(): Buffer {
    return this.bytes.subarray(this.#payloadAt);
  }
}
