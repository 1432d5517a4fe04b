import type { LimitOptions, RedactOptions } from '../types';
import { compileDetectors } from './detectors';
import { childPath, compileKeyMatcher, compilePaths, type KeyMatcher, type PathNode } from './redaction';

/** Inlined by V8 inside for-in loops, unlike `Object.hasOwn` (about 3 times slower there). */
const hasOwn = Object.prototype.hasOwnProperty;

export const CIRCULAR = '[Circular]';
export const DEPTH_LIMIT = '[Depth limit]';

/** A Proxy or getter threw while we looked: record that rather than failing the event. */
function unreadable(error: unknown): string {
  return `[Unreadable: ${error instanceof Error ? error.message : String(error)}]`;
}

/**
 * U+0000 becomes U+FFFD: PostgreSQL's jsonb, MongoDB keys and C-string consumers of log lines all
 * refuse or truncate at a NUL, which would make the event undeliverable.
 */
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** `obj[key] = value`, except that a `__proto__` key stays data instead of replacing the prototype. */
function setOwn(obj: Record<string, unknown>, rawKey: string, value: unknown): void {
  const key = withoutNul(rawKey);
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** What a property key is, decided once per key name: a secret's name (masked), or one `setOwn` must write. */
const SECRET_KEY = 1;
const SPECIAL_KEY = 2;
/** Key names remembered per scrubber; past this, keys are classified without caching. */
const KEY_KINDS_LIMIT = 10_000;

/** Approximate JSON overhead per value, used for byte budgets without serializing. */
const SCALAR_BYTES = 8;

/**
 * Turns any value into plain JSON data, in one pass: secrets masked by key, path and value,
 * hostile values (cycles, BigInt, Buffers, Errors, Maps, throwing getters) made safe, and
 * strings, depth, arrays and total size capped. Never throws.
 */
export class Scrubber {
  /** Approximate bytes of the last `scrub` result. */
  bytes = 0;
  readonly paths: PathNode | undefined;
  readonly #isSecretKey: KeyMatcher;
  readonly #censor: string;
  readonly #detect: ((text: string) => string) | undefined;
  readonly #detectMin: number;
  readonly #maxString: number;
  readonly #maxDepth: number;
  readonly #maxArray: number;
  #budget = 0;
  #ancestors: object[] = [];
  readonly #keyKinds = new Map<string, number>();

  constructor(
    redact: Required<Pick<RedactOptions, 'censor' | 'cardNumbers'>> & RedactOptions,
    limits: Required<LimitOptions>,
  ) {
    this.#isSecretKey = compileKeyMatcher(redact);
    this.paths = compilePaths(redact.paths ?? []);
    this.#censor = redact.censor;
    const detectors = compileDetectors({
      detectors: { card: redact.cardNumbers ? 'mask' : false, ...redact.detectors },
      hashKey: redact.hashKey,
    });
    this.#detect = detectors?.detect;
    this.#detectMin = detectors?.minLength ?? Number.POSITIVE_INFINITY;
    this.#maxString = limits.maxStringLength;
    this.#maxDepth = limits.maxDepth;
    this.#maxArray = limits.maxArrayLength;
  }

  /** Scrubs `value` found at trie position `path`, spending at most about `budget` bytes. */
  scrub(value: unknown, path: PathNode | undefined, budget: number): unknown {
    this.begin(budget);
    return this.#value(value, path, 0);
  }

  /**
   * Starts scrubbing one part of an event piece by piece (`property`, `properties`): `bytes`
   * counts from zero, against `budget`.
   */
  begin(budget: number): void {
    this.bytes = 0;
    this.#budget = budget;
    // Empty after every scrub (each push has its pop in a finally); cleared only if it is not.
    if (this.#ancestors.length > 0) this.#ancestors.length = 0;
  }

  /** Scrubs `value` into `out[key]`, `out` being the object at trie position `path`. */
  property(out: Record<string, unknown>, key: string, value: unknown, path: PathNode | undefined): void {
    const kind = this.#keyKind(key);
    const sub = childPath(path, key);
    this.bytes += key.length + 4;
    if (kind & SECRET_KEY || sub?.terminal) this.#mask(out, key, kind);
    else this.#set(out, key, kind, this.#value(value, sub, 1));
  }

  /**
   * Scrubs the own enumerable properties of `source` but `omit` into `out`, the object at trie
   * position `path`: an object the caller assembles from parts is scrubbed without copying them
   * first. An `id` equal to `ownId` (an id core generated) is taken unscanned, as `ownProperty` takes it.
   */
  properties(
    out: Record<string, unknown>,
    source: object,
    path: PathNode | undefined,
    omit: string,
    ownId?: string,
  ): void {
    this.#ancestors.push(source);
    try {
      // Own enumerable string keys in Object.keys order, without a key list per object.
      for (const key in source) {
        if (key === omit || !hasOwn.call(source, key)) continue;
        if (this.bytes > this.#budget) {
          out['…'] = '[truncated: size limit]';
          break;
        }
        if (key === 'id' && ownId !== undefined && (source as { id?: unknown }).id === ownId)
          this.ownProperty(out, key, ownId, path);
        else this.#property(out, key, source as Record<string, unknown>, path, 0);
      }
    } finally {
      this.#ancestors.pop();
    }
  }

  /** Truncates and masks one string. */
  text(value: string): string {
    let s = withoutNul(value);
    if (s.length > this.#maxString)
      s = `${s.slice(0, this.#maxString)}…[truncated ${s.length - this.#maxString} chars]`;
    // Nothing shorter than the shortest secret an enabled detector can find is scanned.
    if (s.length >= this.#detectMin) s = this.#detect!(s);
    return s;
  }

  /**
   * A string core made or checked itself (a generated request id, a parsed trace id): cut to
   * length like any string, never scanned by the detectors.
   */
  ownText(value: string): string {
    return value.length > this.#maxString ? this.text(value) : value;
  }

  /** As `property`, for a string core made or checked itself: masked by key and path, never scanned. */
  ownProperty(out: Record<string, unknown>, key: string, value: string, path: PathNode | undefined): void {
    const kind = this.#keyKind(key);
    const sub = childPath(path, key);
    this.bytes += key.length + 4;
    if (kind & SECRET_KEY || sub?.terminal) this.#mask(out, key, kind);
    else {
      const s = this.ownText(value);
      this.bytes += s.length + 2;
      this.#set(out, key, kind, s);
    }
  }

  /** True when `key` names a secret by default or by configuration. */
  isSecretKey(key: string): boolean {
    return this.#isSecretKey(key);
  }

  get censor(): string {
    return this.#censor;
  }

  #value(value: unknown, path: PathNode | undefined, depth: number): unknown {
    switch (typeof value) {
      case 'string': {
        const s = this.text(value);
        this.bytes += s.length + 2;
        return s;
      }
      case 'number':
        this.bytes += SCALAR_BYTES;
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        this.bytes += 5;
        return value;
      case 'bigint':
        this.bytes += SCALAR_BYTES;
        return value.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (value === null) {
      this.bytes += 4;
      return null;
    }
    try {
      return this.#object(value as object, path, depth);
    } catch (error) {
      // A Proxy's traps can throw wherever it is looked at (`instanceof` included).
      this.bytes += 16;
      return unreadable(error);
    }
  }

  #object(value: object, path: PathNode | undefined, depth: number): unknown {
    const proto = Object.getPrototypeOf(value);
    if (
      (proto === Object.prototype || proto === null) &&
      typeof (value as { toJSON?: unknown }).toJSON !== 'function'
    ) {
      // Plain objects are almost every value audited: skip the exotic-type checks below.
      if (this.#ancestors.includes(value)) return this.#circular();
      if (depth >= this.#maxDepth) return this.#depthLimit();
      this.#ancestors.push(value);
      try {
        return this.#plain(value as Record<string, unknown>, path, depth);
      } catch (error) {
        return unreadable(error);
      } finally {
        this.#ancestors.pop();
      }
    }
    if (value instanceof Date) {
      this.bytes += 26;
      return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      // Binary payloads are described, not copied: they are rarely readable and often large.
      this.bytes += 24;
      return `[${value.constructor.name} ${value.byteLength} bytes]`;
    }
    if (this.#ancestors.includes(value)) return this.#circular();
    if (depth >= this.#maxDepth) return this.#depthLimit();
    this.#ancestors.push(value);
    try {
      if (Array.isArray(value)) return this.#array(value, path, depth);
      if (value instanceof Error) return this.#error(value, path, depth);
      if (value instanceof Map) return this.#entries(value.entries(), path, depth);
      if (value instanceof Set) return this.#array(Array.from(value), path, depth);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.#value(toJSON.call(value), path, depth + 1);
      return this.#plain(value as Record<string, unknown>, path, depth);
    } catch (error) {
      return unreadable(error);
    } finally {
      this.#ancestors.pop();
    }
  }

  #circular(): string {
    this.bytes += CIRCULAR.length;
    return CIRCULAR;
  }

  #depthLimit(): string {
    this.bytes += DEPTH_LIMIT.length;
    return DEPTH_LIMIT;
  }

  #array(value: readonly unknown[], path: PathNode | undefined, depth: number): unknown[] {
    const n = Math.min(value.length, this.#maxArray);
    // Sized up front: pushing into [] would reserve room for 16 more items on the first push.
    const out: unknown[] = new Array(n);
    const itemPath = path?.wildcard;
    for (let i = 0; i < n; i++) {
      if (this.bytes > this.#budget) {
        out.length = i;
        out.push(`…[${value.length - i} more items, size limit]`);
        return out;
      }
      const item = this.#value(value[i], itemPath, depth + 1);
      out[i] = item === undefined ? null : item;
      this.bytes += 1;
    }
    if (value.length > n) out.push(`…[${value.length - n} more items]`);
    return out;
  }

  #plain(value: Record<string, unknown>, path: PathNode | undefined, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // Own enumerable string keys, as JSON.stringify sees them, in Object.keys order but without a
    // key list per object (for-in walks the shape's enum cache); a throwing Proxy is caught above.
    for (const key in value) {
      if (!hasOwn.call(value, key)) continue;
      if (this.bytes > this.#budget) {
        out['…'] = '[truncated: size limit]';
        break;
      }
      this.#property(out, key, value, path, depth);
    }
    return out;
  }

  #entries(
    entries: Iterable<[unknown, unknown]>,
    path: PathNode | undefined,
    depth: number,
  ): Record<string, unknown> {
    const source: Record<string, unknown> = {};
    for (const [k, v] of entries) source[String(k)] = v;
    return this.#plain(source, path, depth);
  }

  #property(
    out: Record<string, unknown>,
    key: string,
    source: Record<string, unknown>,
    path: PathNode | undefined,
    depth: number,
  ): void {
    const kind = this.#keyKind(key);
    const sub = childPath(path, key);
    this.bytes += key.length + 4;
    if (kind & SECRET_KEY || sub?.terminal) {
      this.#mask(out, key, kind);
      return;
    }
    let raw: unknown;
    try {
      raw = source[key];
    } catch (error) {
      raw = `[Unreadable: ${error instanceof Error ? error.message : String(error)}]`;
    }
    this.#set(out, key, kind, this.#value(raw, sub, depth + 1));
  }

  #mask(out: Record<string, unknown>, key: string, kind: number): void {
    this.#set(out, key, kind, this.#censor);
    this.bytes += this.#censor.length;
  }

  /** `out[key] = value` unless value is undefined; `setOwn` only for the keys that need it. */
  #set(out: Record<string, unknown>, key: string, kind: number, value: unknown): void {
    if (value === undefined) return;
    if (kind & SPECIAL_KEY) setOwn(out, key, value);
    else out[key] = value;
  }

  #keyKind(key: string): number {
    let kind = this.#keyKinds.get(key);
    if (kind === undefined) {
      kind =
        (this.#isSecretKey(key) ? SECRET_KEY : 0) |
        (key === '__proto__' || key.includes('\u0000') ? SPECIAL_KEY : 0);
      if (this.#keyKinds.size < KEY_KINDS_LIMIT) this.#keyKinds.set(key, kind);
    }
    return kind;
  }

  #error(error: Error, path: PathNode | undefined, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (error.cause !== undefined) out.cause = this.#value(error.cause, childPath(path, 'cause'), depth + 1);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
    out.message = this.text(String(error.message));
    out.name = this.text(String(error.name));
    this.bytes += 40 + (out.message as string).length;
    return out;
  }
}
