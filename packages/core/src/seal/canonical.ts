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

/** Deeper than this, `canonicalText` gives up and the generic path (which sees cycles) decides. */
const TEXT_DEPTH_LIMIT = 64;

/** `canonicalText` could not write the value; `canonicalize` decides. */
export const UNORDERABLE: unique symbol = Symbol('unorderable');

/** Strings longer than this go straight to the native escaper, which is faster on long text. */
const SCAN_LIMIT = 64;

/**
 * A string as JSON text. Most strings in events (ids, names, paths) need no escaping: checking
 * that in a loop and quoting is several times cheaper than a call into JSON.stringify. Quotes,
 * backslashes, control characters and surrogates (which JSON.stringify escapes when lone) go to
 * the native escaper.
 */
function stringText(s: string): string {
  if (s.length > SCAN_LIMIT) return JSON.stringify(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * `canonicalize(value)` written directly in canonical order, with no sorted copy of anything, or
 * UNORDERABLE when the value needs the generic path: non-finite numbers, BigInt, `toJSON`,
 * non-plain objects, undefined or a function on its own, very deep values.
 */
export function canonicalText(value: unknown, depth = 0): string | typeof UNORDERABLE {
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'number':
      // Finite numbers: ToString, which is what JSON.stringify writes (-0 included).
      return Number.isFinite(value) ? `${value}` : UNORDERABLE;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return UNORDERABLE;
  }
  if (value === null) return 'null';
  if (depth >= TEXT_DEPTH_LIMIT) return UNORDERABLE;
  return Array.isArray(value) ? arrayText(value, depth) : objectText(value, depth);
}

function arrayText(value: readonly unknown[], depth: number): string | typeof UNORDERABLE {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    // Left out of objects, these are null in arrays.
    const text =
      item === undefined || typeof item === 'function' || typeof item === 'symbol'
        ? 'null'
        : canonicalText(item, depth + 1);
    if (text === UNORDERABLE) return UNORDERABLE;
    out += i > 0 ? `,${text}` : text;
  }
  return `${out}]`;
}

/** `keys` in place, sorted by UTF-16 code units as `sort()` without a comparator sorts strings. */
function sortKeys(keys: string[]): void {
  // Objects in events have a handful of keys: an insertion sort beats the general sort's setup.
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
}

function objectText(value: object, depth: number): string | typeof UNORDERABLE {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNORDERABLE;
  const record = value as Record<string, unknown>;
  if (typeof record.toJSON === 'function') return UNORDERABLE;
  const keys = Object.keys(record);
  sortKeys(keys);
  let out = '{';
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    const text = canonicalText(v, depth + 1);
    if (text === UNORDERABLE) return UNORDERABLE;
    out += (out.length > 1 ? ',' : '') + quote(key) + text;
  }
  return `${out}}`;
}

/** `canonicalize(value)`, written directly when the value allows it. */
export function canonicalJson(value: unknown): string {
  let text: string | typeof UNORDERABLE;
  try {
    text = canonicalText(value);
  } catch {
    text = UNORDERABLE; // a throwing Proxy or getter: let the generic path meet it
  }
  return text === UNORDERABLE ? canonicalize(value) : text;
}
