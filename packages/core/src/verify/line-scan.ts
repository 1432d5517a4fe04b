/**
 * A validating scan of one stored line's bytes, JSON.parse's grammar without building anything:
 * where the top-level `integrity`, `type` and `source` values lie. Verification hashes a line we
 * wrote straight from its bytes and reads only these; whatever this scan cannot vouch for (invalid
 * JSON, non-ASCII text, escapes in top-level keys, surprising whitespace) goes to the full parse.
 */
import type { SealVersion } from '../seal/version';

/** Byte ranges [start, end) of the top-level values the verifier reads; -1 when absent. */
export interface LineFields {
  integrityStart: number;
  integrityEnd: number;
  typeStart: number;
  typeEnd: number;
  sourceStart: number;
  sourceEnd: number;
  /** Where the first key named `hash` (at any depth) begins, at its opening quote; -1 when none. */
  firstHashKey: number;
}

/** Fields with nothing found yet: one object a scanner fills again for every line. */
export function noLineFields(): LineFields {
  return {
    integrityStart: -1,
    integrityEnd: -1,
    typeStart: -1,
    typeEnd: -1,
    sourceStart: -1,
    sourceEnd: -1,
    firstHashKey: -1,
  };
}

/** Deeper than this the scan gives up (the full parse decides). */
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const KEY_INTEGRITY = Buffer.from('integrity');
const KEY_TYPE = Buffer.from('type');
const KEY_SOURCE = Buffer.from('source');
const KEY_HASH = Buffer.from('hash');

/** The byte at `i`, or -1 past the line's end (the buffer goes on with the next lines). */
function at(b: Uint8Array, i: number, end: number): number {
  return i < end ? b[i]! : -1;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end && isWs(b[i]!)) i++;
  return i;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** Bytes a string's scan must stop at: the quote, a backslash, control characters, non-ASCII. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 256; c++)
  STRING_STOP[c] = c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80 ? 1 : 0;

/**
 * The end of the string starting at `i` (its opening quote), or -1. Only ASCII text is vouched for:
 * a byte ≥ 0x80 is -1, so the full parse (which decodes UTF-8 as the line reader always did) decides.
 */
function stringEnd(b: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = b[j]!;
    if (STRING_STOP[c] === 0) continue;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      const e = at(b, ++j, end);
      if (e === 0x75) {
        if (j + 4 >= end) return -1;
        for (let k = 1; k <= 4; k++) if (!isHex(b[j + k]!)) return -1;
        j += 4;
      } else if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
    } else if (c < 0x20 || c >= 0x80) return -1;
  }
  return -1;
}

function digitsEnd(b: Uint8Array, i: number, end: number): number {
  const from = i;
  while (i < end && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  return i > from ? i : -1;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function numberEnd(b: Uint8Array, i: number, end: number): number {
  if (at(b, i, end) === 0x2d) i++;
  const first = at(b, i, end);
  if (first === 0x30) i++;
  else if (first >= 0x31 && first <= 0x39) i = digitsEnd(b, i, end);
  else return -1;
  if (at(b, i, end) === 0x2e) {
    i = digitsEnd(b, i + 1, end);
    if (i < 0) return -1;
  }
  const e = at(b, i, end);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = at(b, i, end);
    if (sign === 0x2b || sign === 0x2d) i++;
    i = digitsEnd(b, i, end);
  }
  return i;
}

function literalEnd(b: Uint8Array, i: number, end: number, word: string): number {
  if (i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** The end of the value starting at `i`, or -1. */
function valueEnd(b: Uint8Array, i: number, end: number, depth: number, fields: LineFields): number {
  switch (at(b, i, end)) {
    case QUOTE:
      return stringEnd(b, i, end);
    case 0x7b:
      return depth >= MAX_DEPTH ? -1 : objectEnd(b, i, end, depth + 1, fields);
    case 0x5b:
      return depth >= MAX_DEPTH ? -1 : arrayEnd(b, i, end, depth + 1, fields);
    case 0x74:
      return literalEnd(b, i, end, 'true');
    case 0x66:
      return literalEnd(b, i, end, 'false');
    case 0x6e:
      return literalEnd(b, i, end, 'null');
    default:
      return numberEnd(b, i, end);
  }
}

function arrayEnd(b: Uint8Array, i: number, end: number, depth: number, fields: LineFields): number {
  i = skipWs(b, i + 1, end);
  if (at(b, i, end) === 0x5d) return i + 1;
  for (;;) {
    i = valueEnd(b, i, end, depth, fields);
    if (i < 0) return -1;
    i = skipWs(b, i, end);
    const c = at(b, i, end);
    if (c === 0x5d) return i + 1;
    if (c !== 0x2c) return -1;
    i = skipWs(b, i + 1, end);
  }
}

function keyIs(b: Uint8Array, from: number, to: number, key: Uint8Array): boolean {
  if (to - from !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[from + k] !== key[k]) return false;
  return true;
}

/** The end of the object at `i`, or -1; at the top level (depth 1) records the values read. */
function objectEnd(b: Uint8Array, i: number, end: number, depth: number, fields: LineFields): number {
  i = skipWs(b, i + 1, end);
  if (at(b, i, end) === 0x7d) return i + 1;
  for (;;) {
    if (at(b, i, end) !== QUOTE) return -1;
    const keyEnd = stringEnd(b, i, end);
    if (keyEnd < 0) return -1;
    const keyFrom = i + 1;
    const keyTo = keyEnd - 1;
    i = skipWs(b, keyEnd, end);
    if (at(b, i, end) !== 0x3a) return -1;
    i = skipWs(b, i + 1, end);
    if (fields.firstHashKey < 0 && keyIs(b, keyFrom, keyTo, KEY_HASH)) fields.firstHashKey = keyFrom - 1;
    const valueFrom = i;
    i = valueEnd(b, i, end, depth, fields);
    if (i < 0) return -1;
    if (depth === 1) {
      // JSON.parse keeps the last of duplicate keys: so does this. A key spelled with escapes
      // could be any of them: the full parse decides.
      for (let k = keyFrom; k < keyTo; k++) if (b[k] === BACKSLASH) return -1;
      if (keyIs(b, keyFrom, keyTo, KEY_INTEGRITY)) {
        fields.integrityStart = valueFrom;
        fields.integrityEnd = i;
      } else if (keyIs(b, keyFrom, keyTo, KEY_TYPE)) {
        fields.typeStart = valueFrom;
        fields.typeEnd = i;
      } else if (keyIs(b, keyFrom, keyTo, KEY_SOURCE)) {
        fields.sourceStart = valueFrom;
        fields.sourceEnd = i;
      }
    }
    i = skipWs(b, i, end);
    const c = at(b, i, end);
    if (c === 0x7d) return i + 1;
    if (c !== 0x2c) return -1;
    i = skipWs(b, i + 1, end);
  }
}

/**
 * Scans `b[start, end)` as one JSON object, filling `fields`. False when it is not a JSON object
 * this scan can vouch for (the caller then parses the line in full).
 */
export function scanLine(b: Uint8Array, start: number, end: number, fields: LineFields): boolean {
  fields.integrityStart = fields.integrityEnd = -1;
  fields.typeStart = fields.typeEnd = -1;
  fields.sourceStart = fields.sourceEnd = -1;
  fields.firstHashKey = -1;
  const i = skipWs(b, start, end);
  if (at(b, i, end) !== 0x7b) return false;
  const after = objectEnd(b, i, end, 1, fields);
  return after >= 0 && skipWs(b, after, end) === end;
}

const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * The top-level `integrity`, `type` and `source` of a line, found without checking that the line
 * is JSON and without reading all of it: only strings, nesting and top-level members are followed,
 * from the line's end back to its `integrity` (in canonical JSON `source` and `type` come after
 * it). On a JSON line it finds exactly what JSON.parse reads (the last of duplicate keys); it
 * declines (false) whitespace between tokens, escapes in the keys it passes, and lines whose `type`
 * or `source` does not follow `integrity`. `firstHashKey` is not looked for. Whether the line is
 * JSON must be settled otherwise (`scanLine` later, or a signature over its hash: see ChainVerifier).
 */
export function findSealFields(b: Uint8Array, start: number, end: number, f: LineFields): boolean {
  f.integrityStart = f.integrityEnd = -1;
  f.typeStart = f.typeEnd = -1;
  f.sourceStart = f.sourceEnd = -1;
  f.firstHashKey = -1;
  if (end - start < 2 || b[start] !== 0x7b || b[end - 1] !== 0x7d) return false;
  let depth = 1;
  // Where the top-level member being read ends: its comma, or the line's closing brace.
  let memberEnd = end - 1;
  for (let i = end - 2; i > start; i--) {
    const c = b[i]!;
    if (c === QUOTE) {
      // The string that ends here starts at the first quote before it no backslash escapes.
      let k = i - 1;
      for (;;) {
        while (k > start && b[k] !== QUOTE) k--;
        if (k <= start) return false;
        let slashes = 0;
        while (b[k - 1 - slashes] === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        k--;
      }
      // A string followed by a colon is a key.
      if (depth === 1 && b[i + 1] === COLON) {
        for (let m = k + 1; m < i; m++) if (b[m] === BACKSLASH) return false;
        if (keyIs(b, k + 1, i, KEY_INTEGRITY)) {
          f.integrityStart = i + 2;
          f.integrityEnd = memberEnd;
          return f.typeStart >= 0 && f.sourceStart >= 0;
        }
        if (f.typeStart < 0 && keyIs(b, k + 1, i, KEY_TYPE)) {
          f.typeStart = i + 2;
          f.typeEnd = memberEnd;
        } else if (f.sourceStart < 0 && keyIs(b, k + 1, i, KEY_SOURCE)) {
          f.sourceStart = i + 2;
          f.sourceEnd = memberEnd;
        }
      }
      i = k;
    } else if (c === 0x7d || c === 0x5d) depth++;
    else if (c === 0x7b || c === 0x5b) {
      if (--depth === 0) return false;
    } else if (c === COMMA) {
      if (depth === 1) memberEnd = i;
    } else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return false;
  }
  return false;
}

/**
 * An event's seal as read from its line's bytes: where its strings lie (read as text only where
 * needed) and its `seq`. Filled in place by `readSeal`, one object per verifier.
 */
export interface LineSeal {
  chainFrom: number;
  chainTo: number;
  /** Where the 64 lowercase hex digits of `hash` begin. */
  hashFrom: number;
  /** `prev`'s text is `[prevFrom, prevTo)`; prevFrom is -1 when `prev` is null. */
  prevFrom: number;
  prevTo: number;
  seq: number;
  /** 2 when the seal ends in `"v":2`, else 1. */
  version: SealVersion;
  /** Byte range of the `"hash":"…",` member: the line without it is what was hashed. */
  memberStart: number;
  memberEnd: number;
}

/** A LineSeal to fill. */
export function lineSeal(): LineSeal {
  return {
    chainFrom: -1,
    chainTo: -1,
    hashFrom: -1,
    prevFrom: -1,
    prevTo: -1,
    seq: -1,
    version: 1,
    memberStart: -1,
    memberEnd: -1,
  };
}

/** Whether `b[from, to)` spells `text` (latin1). */
export function bytesAre(b: Uint8Array, from: number, to: number, text: string): boolean {
  if (to - from !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[from + k] !== text.charCodeAt(k)) return false;
  return true;
}

const CHAIN_OPEN = Buffer.from('{"chain":"');
const HASH_OPEN = Buffer.from(',"hash":"');
const PREV_OPEN = Buffer.from('","prev":');
const SEQ_OPEN = Buffer.from(',"seq":');
const NULL = Buffer.from('null');
const V2_MEMBER = Buffer.from(',"v":2');
/** `"hash":"` + 64 hex digits + `",` */
const HASH_MEMBER_BYTES = 8 + 64 + 2;

function bytesAt(b: Uint8Array, i: number, end: number, expected: Uint8Array): boolean {
  if (i + expected.length > end) return false;
  for (let k = 0; k < expected.length; k++) if (b[i + k] !== expected[k]) return false;
  return true;
}

/** Where the quote closing a string without escapes that starts at `i` is, or -1. */
function plainStringEnd(b: Uint8Array, i: number, end: number): number {
  for (let j = i; j < end; j++) {
    const c = b[j]!;
    if (c === QUOTE) return j;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

const LOWER_HEX = new Uint8Array(256);
for (const c of Buffer.from('0123456789abcdef')) LOWER_HEX[c] = 1;

function isLowerHex(b: Uint8Array, from: number, to: number): boolean {
  if (to > b.length) return false;
  for (let k = from; k < to; k++) if (LOWER_HEX[b[k]!] === 0) return false;
  return true;
}

/**
 * The seal of a line the sealer wrote: `integrity` exactly as it writes it,
 * `{"chain":"…","hash":"<64 hex>","prev":null|"…","seq":<n>}` (seal version 1) or the same with
 * `,"v":2` before the brace (version 2), with no escapes in its strings (the scan vouched for
 * ASCII), into `seal`. False for anything else: the full parse decides.
 */
export function readSeal(b: Buffer, start: number, end: number, seal: LineSeal): boolean {
  if (!bytesAt(b, start, end, CHAIN_OPEN)) return false;
  const chainFrom = start + CHAIN_OPEN.length;
  const chainTo = plainStringEnd(b, chainFrom, end);
  if (chainTo < 0 || !bytesAt(b, chainTo + 1, end, HASH_OPEN)) return false;
  const hashFrom = chainTo + 1 + HASH_OPEN.length;
  const hashTo = hashFrom + 64;
  if (!isLowerHex(b, hashFrom, hashTo) || !bytesAt(b, hashTo, end, PREV_OPEN)) return false;
  let i = hashTo + PREV_OPEN.length;
  let prevFrom = -1;
  let prevTo = -1;
  if (b[i] === 0x6e) {
    if (!bytesAt(b, i, end, NULL)) return false;
    i += 4;
  } else if (b[i] === QUOTE) {
    prevTo = plainStringEnd(b, i + 1, end);
    if (prevTo < 0) return false;
    prevFrom = i + 1;
    i = prevTo + 1;
  } else return false;
  if (!bytesAt(b, i, end, SEQ_OPEN)) return false;
  i += SEQ_OPEN.length;
  const seqFrom = i;
  let seq = 0;
  for (; i < end && b[i]! >= 0x30 && b[i]! <= 0x39; i++) seq = seq * 10 + (b[i]! - 0x30);
  // Up to 15 digits: exact in a double, as JSON.parse reads them.
  if (i === seqFrom || i - seqFrom > 15 || (b[seqFrom] === 0x30 && i - seqFrom > 1)) return false;
  let version: SealVersion = 1;
  if (bytesAt(b, i, end, V2_MEMBER)) {
    version = 2;
    i += V2_MEMBER.length;
  }
  if (i !== end - 1 || b[i] !== 0x7d) return false;
  seal.chainFrom = chainFrom;
  seal.chainTo = chainTo;
  seal.hashFrom = hashFrom;
  seal.prevFrom = prevFrom;
  seal.prevTo = prevTo;
  seal.seq = seq;
  seal.version = version;
  seal.memberStart = chainTo + 2;
  seal.memberEnd = chainTo + 2 + HASH_MEMBER_BYTES;
  return true;
}
