/**
 * The worker's ring: records written as text or in place come out whole and in order, through
 * many wrap-arounds, copies read off it stay whole, and a full ring refuses a record rather than
 * overwrite one not yet read.
 */
import { createRingBuffers, RingReader, RingWriter } from '../src/deliver/worker/ring';

/** Writes `record` in place through `writeIn`, as the caller writes an event's text. */
function writeIn(writer: RingWriter, record: string): boolean {
  return writer.writeIn((text, data, start, end) => {
    const bytes = Buffer.byteLength(text);
    return bytes > end - start ? -1 : start + data.write(text, start, 'utf8');
  }, record);
}

/** A record that never fits, written over all the room it is given before it gives up. */
const scribble = (_: undefined, data: Buffer, start: number, end: number): number => {
  data.fill(0x7a, start, end);
  return -1;
};

function readAll(reader: RingReader): string[] {
  const out: string[] = [];
  reader.read(Number.MAX_SAFE_INTEGER, (text) => out.push(text));
  reader.release();
  return out;
}

describe('worker ring', () => {
  it('passes records written as text and in place whole and in order across wrap-arounds', () => {
    const ring = createRingBuffers(64 * 1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const sent: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const record = `${i % 3 === 0 ? 'é' : 'c'}{"i":${i},"pad":"${'x'.repeat(i % 700)}"}`;
      // What a record that did not fit wrote is never read, and takes no room.
      expect(writer.writeIn(scribble, undefined)).toBe(false);
      const written = i % 2 === 0 ? writer.write(record) : writeIn(writer, record);
      if (!written) {
        got.push(...readAll(reader));
        i--;
        continue;
      }
      sent.push(record);
      if (i % 7 === 0) got.push(...readAll(reader));
    }
    got.push(...readAll(reader));
    expect(got).toEqual(sent);
    expect(writer.empty).toBe(true);
  });

  it('refuses a record when the reader has not made room, and takes it once it has', () => {
    const ring = createRingBuffers(64 * 1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const record = 'a'.repeat(10_000);
    let written = 0;
    while (writeIn(writer, record)) written++;
    expect(written).toBeGreaterThan(0);
    expect(writeIn(writer, record)).toBe(false);
    expect(writer.write(record)).toBe(false);
    expect(readAll(reader)).toHaveLength(written);
    expect(writeIn(writer, record)).toBe(true);
    expect(readAll(reader)).toEqual(['a'.repeat(10_000)]);
  });

  it('never lets a record being written in place reach one not yet read, behind or ahead of a wrap', () => {
    const ring = createRingBuffers(64 * 1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const sent: string[] = [];
    const got: string[] = [];
    for (let lap = 0; lap < 6; lap++) {
      // Fill the ring to the last record it takes, a record that does not fit writing over all the
      // room it is offered after each one; then read half of what waits and fill again.
      for (let i = 0; ; i++) {
        const record = `c${lap}:${i}:${'y'.repeat((i * 37) % 900)}`;
        if (!writeIn(writer, record)) break;
        sent.push(record);
        expect(writer.writeIn(scribble, undefined)).toBe(false);
      }
      // A record taking all the room it is offered leaves the ring full, never looking empty.
      const takeAll = (_: undefined, data: Buffer, start: number, end: number): number => {
        data.fill(0x7a, start, end);
        sent.push('z'.repeat(end - start));
        return end;
      };
      if (writer.writeIn(takeAll, undefined)) expect(writer.empty).toBe(false);
      const waiting = sent.length - got.length;
      reader.read(Math.ceil(waiting / 2), (text) => got.push(text));
      reader.release();
    }
    got.push(...readAll(reader));
    expect(got).toEqual(sent);
  });

  it('gives records copied off the ring that stay whole after the ring reuses their space', () => {
    const ring = createRingBuffers(64 * 1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const kept: Array<{ bytes: Buffer; start: number; end: number }> = [];
    const sent: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const record = `c${i}:${'q'.repeat((i * 53) % 1500)}`;
      while (!writer.write(record)) {
        reader.readCopied(1 + (i % 40), (bytes, start, end) => kept.push({ bytes, start, end }));
        reader.release();
      }
      sent.push(record);
    }
    reader.readCopied(Number.POSITIVE_INFINITY, (bytes, start, end) => kept.push({ bytes, start, end }));
    reader.release();
    expect(kept.map((k) => k.bytes.toString('utf8', k.start, k.end))).toEqual(sent);
    // Neighbouring records share a copy: far fewer copies than records.
    expect(new Set(kept.map((k) => k.bytes)).size).toBeLessThan(sent.length / 4);
  });
});
