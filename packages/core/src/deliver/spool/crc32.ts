/** CRC-32 (IEEE) of a buffer: node:zlib's native one where it exists (Node ≥ 20.15), else a table. */
import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** Exported for the test that pins both implementations to the same values. */
export const crc32Fallback = tableCrc32;

export const crc32: (data: Uint8Array) => number =
  typeof native === 'function' ? (d) => native(d) : tableCrc32;
