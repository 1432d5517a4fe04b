/**
 * A fast non-cryptographic 53-bit hash of JSON-like values, fed without serializing them first
 * (no string is built per event). The lanes and final mix are cyrb53's (bryc, public domain): two
 * 32-bit multiply-xor lanes, returned as an integer that is exact in a double. Two different
 * inputs share a value with probability about 2^-53.
 */
let h1 = 0;
let h2 = 0;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Deeper values are hashed by their kind only: scrubbed events are capped far above this. */
const MAX_DEPTH = 32;

function code(c: number): void {
  h1 = Math.imul(h1 ^ c, 2654435761);
  h2 = Math.imul(h2 ^ c, 1597334677);
}

function text(s: string): void {
  // The length first keeps ("ab", "c") and ("a", "bc") apart.
  code(s.length);
  for (let i = 0; i < s.length; i++) code(s.charCodeAt(i));
}

function value(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      code(1);
      text(v);
      return;
    case 'number':
      code(2);
      f64[0] = v;
      code(u32[0]!);
      code(u32[1]!);
      return;
    case 'boolean':
      code(v ? 3 : 4);
      return;
    case 'undefined':
      code(5);
      return;
    case 'object': {
      if (v === null) {
        code(6);
        return;
      }
      if (depth >= MAX_DEPTH) {
        code(7);
        return;
      }
      if (Array.isArray(v)) {
        code(8);
        code(v.length);
        for (const item of v) value(item, depth + 1);
        return;
      }
      code(9);
      const record = v as Record<string, unknown>;
      for (const key in record) {
        text(key);
        value(record[key], depth + 1);
      }
      code(10);
      return;
    }
    default:
      // bigint, symbol, function: never in a scrubbed event; hashed by kind.
      code(11);
  }
}

/** The 53-bit hash of `values` (strings, numbers, booleans, null, arrays, plain objects). */
export function hashValues(values: readonly unknown[]): number {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  for (const v of values) value(v, 0);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
