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
