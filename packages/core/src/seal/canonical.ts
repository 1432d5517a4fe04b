/**
 * RFC 8785 JSON Canonicalization: object keys sorted by UTF-16 code units, no whitespace, numbers
 * and strings as ECMAScript's JSON.stringify writes them (which is what the RFC specifies).
 * Values that JSON has no form for (undefined, functions) are left out as JSON.stringify does.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonical JSON has no form for a BigInt');
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return array(value);
      return object(value as Record<string, unknown>);
    default:
      return 'null';
  }
}

function array(value: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    const item = value[i];
    out += item === undefined || typeof item === 'function' ? 'null' : canonicalize(item);
  }
  return `${out}]`;
}

/** Object keys recur across events: their quoted form is kept rather than re-escaped each time. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_LIMIT = 10_000;

function quote(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < QUOTED_KEYS_LIMIT) quotedKeys.set(key, q);
  }
  return q;
}

function object(value: Record<string, unknown>): string {
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return canonicalize(json.call(value));
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (const key of keys) {
    const v = value[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (out.length > 1) out += ',';
    out += quote(key) + canonicalize(v);
  }
  return `${out}}`;
}

/** Deeper than this, `canonicalOrdered` gives up and the generic path (which sees cycles) decides. */
const ORDER_DEPTH_LIMIT = 64;

/** `canonicalOrdered` could not give a value that JSON.stringify writes canonically. */
export const UNORDERABLE: unique symbol = Symbol('unorderable');

// Keys that objects list first, in numeric order, whatever order they were set in.
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** Most keys start with a letter: one comparison spares them the pattern. */
function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX_KEY.test(key);
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * `value` itself, or a copy with its objects' keys inserted in sorted order, such that
 * `JSON.stringify` of the result is exactly `canonicalize(value)`: the native serializer is
 * several times faster than building the string here. Only objects whose keys are out of order
 * are copied. UNORDERABLE when that cannot be had (non-finite numbers, BigInt, `toJSON`,
 * non-plain objects, integer-like keys out of order, very deep values): use `canonicalize` then.
 */
export function canonicalOrdered(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : UNORDERABLE;
    case 'bigint':
      return UNORDERABLE;
    case 'object':
      break;
    default:
      // Strings and booleans are written alike; undefined, functions and symbols are left out of
      // objects and become null in arrays, by both.
      return value;
  }
  if (value === null) return null;
  if (depth >= ORDER_DEPTH_LIMIT) return UNORDERABLE;
  if (Array.isArray(value)) {
    // JSON.stringify would call an array's own toJSON; canonical JSON writes its items.
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNORDERABLE;
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const ordered = canonicalOrdered(item, depth + 1);
      if (ordered === UNORDERABLE) return UNORDERABLE;
      if (ordered !== item) {
        if (out === value) out = value.slice();
        out[i] = ordered;
      }
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNORDERABLE;
  const record = value as Record<string, unknown>;
  if (typeof record.toJSON === 'function') return UNORDERABLE;
  // for-in, Object.keys and JSON.stringify list own keys in the same order. The common case, keys
  // already sorted and nothing below to reorder, allocates nothing (for-in walks the shape's enum
  // cache). An enumerable key inherited from a polluted prototype can only send the object to the
  // copy, which lists own keys alone.
  let previous: string | undefined;
  for (const key in record) {
    if (previous !== undefined && !(previous < key)) return orderedCopy(record, Object.keys(record), depth);
    previous = key;
    const item = record[key];
    const ordered = canonicalOrdered(item, depth + 1);
    if (ordered === UNORDERABLE) return UNORDERABLE;
    if (ordered !== item) return orderedCopy(record, Object.keys(record), depth);
  }
  return value;
}

/**
 * Sorts `keys` by UTF-16 code units in place, as `sort()` without a comparator sorts strings;
 * true when they were out of order.
 */
function sortKeys(keys: string[]): boolean {
  // Objects in events have a handful of keys: an insertion sort beats the general sort's setup.
  if (keys.length > 16) {
    for (let i = 1; i < keys.length; i++) {
      if (keys[i - 1]! > keys[i]!) {
        keys.sort();
        return true;
      }
    }
    return false;
  }
  let moved = false;
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    if (j !== i - 1) {
      keys[j + 1] = key;
      moved = true;
    }
  }
  return moved;
}

/** A copy of `record` with its keys (its own, listed by Object.keys) inserted in sorted order and its values ordered. */
function orderedCopy(record: Record<string, unknown>, keys: string[], depth: number): unknown {
  const reordered = sortKeys(keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // Integer-like keys are listed first whatever the insertion order: no copy can reorder them.
    if (reordered && isIndexKey(key)) return UNORDERABLE;
    const ordered = canonicalOrdered(record[key], depth + 1);
    if (ordered === UNORDERABLE) return UNORDERABLE;
    setOwn(out, key, ordered);
  }
  return out;
}

/** `canonicalize(value)`, through the native serializer when the value allows it. */
export function canonicalJson(value: unknown): string {
  let ordered: unknown;
  try {
    ordered = canonicalOrdered(value);
  } catch {
    ordered = UNORDERABLE; // a throwing Proxy or getter: let the generic path meet it
  }
  if (ordered === UNORDERABLE) return canonicalize(value);
  // JSON.stringify has no text for a lone undefined, function or symbol; canonicalize writes null.
  return (JSON.stringify(ordered) as string | undefined) ?? canonicalize(value);
}
