/**
 * The worker's ring: records written as text or as bytes come out whole and in order, through
 * many wrap-arounds, and a full ring refuses a record rather than overwrite one not yet read.
 */
import { createRingBuffers, RingReader, RingWriter } from '../src/deliver/worker/ring';

function readAll(reader: RingReader): string[] {
  const out: string[] = [];
  reader.read(Number.MAX_SAFE_INTEGER, (text) => out.push(text));
  reader.release();
  return out;
}

describe('worker ring', () => {
  it('passes records written as text and as bytes whole and in order across wrap-arounds', () => {
    const ring = createRingBuffers(64 * 1024);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring);
    const scratch = Buffer.alloc(4096);
    const sent: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const record = `${i % 3 === 0 ? 'é' : 'c'}{"i":${i},"pad":"${'x'.repeat(i % 700)}"}`;
      const written =
        i % 2 === 0 ? writer.write(record) : writer.writeBytes(scratch, scratch.write(record, 0, 'utf8'));
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
    const bytes = Buffer.alloc(10_000, 0x61);
    let written = 0;
    while (writer.writeBytes(bytes, bytes.length)) written++;
    expect(written).toBeGreaterThan(0);
    expect(writer.writeBytes(bytes, bytes.length)).toBe(false);
    expect(readAll(reader)).toHaveLength(written);
    expect(writer.writeBytes(bytes, bytes.length)).toBe(true);
    expect(readAll(reader)).toEqual(['a'.repeat(10_000)]);
  });
});
