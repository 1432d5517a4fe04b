import { canonicalize } from './canonical';

/**
 * A canonical JSON (RFC 8785) writer that puts UTF-8 bytes straight into one reusable buffer and
 * decodes them once: keys written in sorted order, no ordered copies, no intermediate strings, one
 * pass over each string (checking for what needs escaping while copying it). What it writes is
 * byte for byte what `canonicalize` writes; what it cannot write (non-finite numbers, BigInt,
 * `toJSON`, very deep values) it leaves to `canonicalize`, which refuses, converts or recurses as
 * it always did.
 */

/** Inlined by V8 inside for-in loops, unlike `Object.hasOwn` (about 3 times slower there). */
const hasOwn = Object.prototype.hasOwnProperty;

/** Deeper than this, the writer gives up and `canonicalize` (which meets cycles) decides. */
const DEPTH_LIMIT = 64;
const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this for one large value is not kept for the next. */
const KEPT_BYTES = 1024 * 1024;

/** Thrown inside the writer for a value it leaves to `canonicalize`. */
const UNWRITABLE: unique symbol = Symbol('unwritable');
/** Thrown inside the writer when writing into a caller's buffer and the text may not fit there. */
const NO_ROOM: unique symbol = Symbol('no room');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The writer's own buffer, kept between values. */
let own: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
/** Where bytes go: `own`, or a caller's buffer while `withCanonicalWriterIn` runs. */
let buf: Buffer = own;
let pos = 0;
/** Bytes may be written up to here: `buf.length`, or the end of the caller's region. */
let limit = own.length;
/** Whether `buf` is a caller's buffer, which is never grown. */
let borrowed = false;
/** Every byte written since the last `take()` is ASCII: the text decodes as latin1 (a plain copy). */
let ascii = true;
/** Set while writing: a getter that writes canonical JSON itself must not share the buffer. */
let busy = false;
/** Key lists, one per depth, reused: their lengths only grow (only the first n of a list count). */
const keyLists: string[][] = [];

function ensure(bytes: number): void {
  if (pos + bytes <= limit) return;
  if (borrowed) throw NO_ROOM;
  const grown = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + bytes));
  buf.copy(grown, 0, 0, pos);
  buf = grown;
  own = grown;
  limit = grown.length;
}

function byte(b: number): void {
  if (pos === limit) ensure(1);
  buf[pos++] = b;
}

/** `s` as it is: ASCII that needs no escaping (member names, numbers, literals). */
function plain(s: string): void {
  const n = s.length;
  ensure(n);
  const b = buf;
  let p = pos;
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  pos = p;
}

/** A JSON string, as JSON.stringify writes it, in UTF-8. */
function string(s: string): void {
  const n = s.length;
  ensure(3 * n + 2);
  const b = buf;
  const start = pos;
  let p = start;
  b[p++] = QUOTE;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === QUOTE || c === BACKSLASH) {
        escaped(s, start);
        return;
      }
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
      ascii = false;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Surrogates, paired or lone: the native serializer knows which to escape.
      escaped(s, start);
      return;
    } else {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
      ascii = false;
    }
  }
  b[p++] = QUOTE;
  pos = p;
}

/** A string that needs escaping, through JSON.stringify, written from `start` on. */
function escaped(s: string, start: number): void {
  const json = JSON.stringify(s);
  pos = start;
  ensure(3 * json.length);
  const written = buf.write(json, pos, 'utf8');
  // Anything but ASCII takes more bytes than characters.
  if (written !== json.length) ascii = false;
  pos += written;
}

/** Writes `value`; false (nothing written) for what objects leave out: undefined, functions, symbols. */
function value(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      string(v);
      return true;
    case 'number':
      // Number::toString, as JSON.stringify and the RFC write finite numbers (-0 as 0).
      if (!Number.isFinite(v)) throw UNWRITABLE;
      plain(`${v}`);
      return true;
    case 'boolean':
      plain(v ? 'true' : 'false');
      return true;
    case 'object':
      break;
    case 'bigint':
      throw UNWRITABLE;
    default:
      return false;
  }
  if (v === null) {
    plain('null');
    return true;
  }
  if (depth >= DEPTH_LIMIT) throw UNWRITABLE;
  if (Array.isArray(v)) {
    // An array's own toJSON is not called: canonicalize writes its items.
    byte(0x5b);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) byte(COMMA);
      if (!value(v[i], depth + 1)) plain('null');
    }
    byte(0x5d);
    return true;
  }
  // toJSON is the caller's code, and canonicalize calls it differently from JSON.stringify.
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') throw UNWRITABLE;
  object(v as Record<string, unknown>, depth);
  return true;
}

function object(record: Record<string, unknown>, depth: number): void {
  // Own enumerable string keys, as Object.keys lists them (and canonicalize writes them), into a
  // list reused at this depth.
  let keys = keyLists[depth];
  if (keys === undefined) {
    keys = [];
    keyLists[depth] = keys;
  }
  let n = 0;
  for (const key in record) if (hasOwn.call(record, key)) keys[n++] = key;
  sortKeys(keys, n);
  byte(0x7b);
  let first = true;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const at = pos;
    if (!first) byte(COMMA);
    string(key);
    byte(COLON);
    if (value(record[key], depth + 1)) first = false;
    else pos = at;
  }
  byte(0x7d);
}

/**
 * Sorts the first `n` of `keys` by UTF-16 code units in place, as `sort()` without a comparator
 * sorts strings.
 */
function sortKeys(keys: string[], n: number): void {
  // Objects in events have a handful of keys: an insertion sort beats the general sort's setup.
  if (n > 16) {
    const sorted = keys.slice(0, n).sort();
    for (let i = 0; i < n; i++) keys[i] = sorted[i]!;
    return;
  }
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
}

/** The text written since the last `take()`, as a string. */
function take(): string {
  const text = ascii ? buf.toString('latin1', 0, pos) : buf.toString('utf8', 0, pos);
  pos = 0;
  ascii = true;
  return text;
}

/**
 * Writes the members of an object whose member names are known and already sorted (an event's
 * fields): `member` for each, then `close()`; `text()` gives what was written.
 */
export interface CanonicalMembers {
  /** Writes `"name":value` unless `value` is left out; `quotedName` is the name as JSON with its colon. */
  member(quotedName: string, value: unknown): void;
  /**
   * `member` for a value most events share (a logger's source): a frozen object of data properties
   * holding primitives cannot change, so its text is written once and copied for the same object.
   */
  sharedMember(quotedName: string, value: unknown): void;
  /** Closes the object being written; the next `member` starts a new one. */
  close(): void;
  /** What was written, as a string; the writer starts over. */
  text(): string;
  /** Writes `text` as it is: ASCII that needs no escaping. */
  literal(text: string): void;
  /** Copies `src[from, to)` as it is: canonical JSON bytes written before. */
  copy(src: Uint8Array, from: number, to: number): void;
  /** The buffer written to: what was written is its first `length` bytes, until the writer is left. */
  readonly bytes: Buffer;
  readonly length: number;
}

let members = 0;

/** Opens the next member: `{` or `,`, then its name and colon. */
function memberName(quotedName: string): void {
  if (members > 0) byte(COMMA);
  else byte(0x7b);
  plain(quotedName);
}

function close(): void {
  if (members === 0) byte(0x7b);
  byte(0x7d);
  members = 0;
}

/** The last immutable object `sharedMember` wrote, its canonical UTF-8 and whether that is ASCII. */
let shared: object | undefined;
let sharedBytes: Buffer | undefined;
let sharedAscii = true;

/** A frozen object whose own properties are all data properties holding primitives. */
function immutable(v: object): boolean {
  if (!Object.isFrozen(v) || Array.isArray(v)) return false;
  const descriptors = Object.getOwnPropertyDescriptors(v);
  for (const key of Reflect.ownKeys(descriptors)) {
    const d = descriptors[key as string]!;
    if (!('value' in d) || (typeof d.value === 'object' && d.value !== null) || typeof d.value === 'function')
      return false;
  }
  return true;
}

const writer: CanonicalMembers = {
  member(quotedName, v) {
    if (v === undefined) return;
    const at = pos;
    memberName(quotedName);
    if (value(v, 1)) members++;
    else pos = at;
  },
  sharedMember(quotedName, v) {
    if (v === shared && sharedBytes !== undefined) {
      memberName(quotedName);
      ensure(sharedBytes.length);
      buf.set(sharedBytes, pos);
      pos += sharedBytes.length;
      if (!sharedAscii) ascii = false;
      members++;
      return;
    }
    if (typeof v !== 'object' || v === null || !immutable(v)) {
      writer.member(quotedName, v);
      return;
    }
    memberName(quotedName);
    const start = pos;
    const wasAscii = ascii;
    ascii = true;
    value(v, 1);
    sharedBytes = Buffer.from(buf.subarray(start, pos));
    sharedAscii = ascii;
    shared = v;
    ascii = wasAscii && ascii;
    members++;
  },
  close,
  text: take,
  literal: plain,
  copy(src, from, to) {
    ensure(to - from);
    buf.set(src.subarray(from, to), pos);
    pos += to - from;
  },
  get bytes() {
    return buf;
  },
  get length() {
    return pos;
  },
};

function reset(): void {
  pos = 0;
  ascii = true;
  members = 0;
}

/**
 * Runs `write` with the shared writer; undefined when a value must be left to `canonicalize`, or
 * when the writer is already in use (a getter writing canonical JSON while an event is written).
 * Errors from the values themselves (a throwing getter or Proxy) are rethrown.
 */
export function withCanonicalWriter<A, B, T>(
  write: (w: CanonicalMembers, a: A, b: B) => T,
  a: A,
  b: B,
): T | undefined {
  if (busy) return undefined;
  busy = true;
  if (own.length > KEPT_BYTES) {
    own = Buffer.allocUnsafe(INITIAL_BYTES);
    buf = own;
    limit = own.length;
  }
  try {
    return write(writer, a, b);
  } catch (error) {
    if (error === UNWRITABLE) return undefined;
    throw error;
  } finally {
    reset();
    busy = false;
  }
}

/**
 * `withCanonicalWriter` writing into `target` from `start` on, never at or past `end`, so the text
 * lands where it is wanted without a copy (`length` is then a position in `target`). Undefined
 * also when the text might not fit (the writer reserves a string's worst case, 3 bytes per
 * character): bytes may then have been written into the region, and none of them count.
 */
export function withCanonicalWriterIn<A, B, T>(
  target: Buffer,
  start: number,
  end: number,
  write: (w: CanonicalMembers, a: A, b: B) => T,
  a: A,
  b: B,
): T | undefined {
  if (busy || start >= end) return undefined;
  busy = true;
  buf = target;
  pos = start;
  limit = end;
  borrowed = true;
  try {
    return write(writer, a, b);
  } catch (error) {
    if (error === UNWRITABLE || error === NO_ROOM) return undefined;
    throw error;
  } finally {
    buf = own;
    limit = own.length;
    borrowed = false;
    reset();
    busy = false;
  }
}

function whole(_w: CanonicalMembers, v: unknown): string | undefined {
  // A lone undefined, function or symbol has no text here; canonicalize writes null for them.
  if (!value(v, 0)) return undefined;
  return take();
}

/** `canonicalize(value)`, through the direct writer when the value allows it (it almost always does). */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = withCanonicalWriter(whole, value, undefined);
  } catch {
    // a throwing Proxy or getter: canonicalize meets it again and decides
  }
  return text ?? canonicalize(value);
}
