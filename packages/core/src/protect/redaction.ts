import { asList } from '../option-check';
import type { RedactOptions } from '../types';

/**
 * Secret key names, normalized (lower case, without `-`, `_`, `.` and spaces). A key is secret when
 * it equals one of these or ends with one of SECRET_SUFFIXES (`x-auth-token`, `dbPassword`).
 */
const SECRET_KEYS = [
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'token',
  'secret',
  'apikey',
  'xapikey',
  'privatekey',
  'credentials',
  'cvv',
  'cvc',
];
const SECRET_SUFFIXES = ['password', 'passwd', 'passphrase', 'token', 'secret', 'apikey', 'privatekey'];

/** Keys looked at per process is bounded; past this, keys are checked without caching. */
const KEY_CACHE_LIMIT = 10_000;

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

/** A compiled, cached test for secret key names. */
export type KeyMatcher = (key: string) => boolean;

export function compileKeyMatcher(options: RedactOptions): KeyMatcher {
  const exact = new Set<string>(options.disableDefaultKeys ? [] : SECRET_KEYS);
  const suffixes = options.disableDefaultKeys ? [] : SECRET_SUFFIXES;
  for (const key of asList(options.keys)) exact.add(normalizeKey(key));
  const cache = new Map<string, boolean>();
  const check = (key: string): boolean => {
    const n = normalizeKey(key);
    if (exact.has(n)) return true;
    for (const suffix of suffixes) if (n.endsWith(suffix)) return true;
    return false;
  };
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const result = check(key);
    if (cache.size < KEY_CACHE_LIMIT) cache.set(key, result);
    return result;
  };
}

/** A node of the compiled redaction path trie; `*` children match any key. */
export interface PathNode {
  readonly children: Map<string, PathNode>;
  wildcard: PathNode | undefined;
  /** The value at this path is masked. */
  terminal: boolean;
}

function newNode(): PathNode {
  return { children: new Map(), wildcard: undefined, terminal: false };
}

/** Compiles `details.user.ssn`-style paths (one, or a list) into a trie walked alongside the value. */
export function compilePaths(paths: string | readonly string[] | undefined): PathNode | undefined {
  const list = asList(paths);
  if (list.length === 0) return undefined;
  const root = newNode();
  for (const path of list) {
    const segments = path.split('.').filter((s) => s.length > 0);
    if (segments.length === 0) throw new TypeError(`auditkit: empty redaction path "${path}"`);
    let node = root;
    for (const segment of segments) {
      if (segment === '*') {
        node.wildcard ??= newNode();
        node = node.wildcard;
      } else {
        let child = node.children.get(segment);
        if (!child) {
          child = newNode();
          node.children.set(segment, child);
        }
        node = child;
      }
    }
    node.terminal = true;
  }
  return root;
}

/** The trie node for `key` below `node`, if any path continues there. */
export function childPath(node: PathNode | undefined, key: string): PathNode | undefined {
  if (node === undefined) return undefined;
  return node.children.get(key) ?? node.wildcard;
}

// 13 to 19 digits, optionally grouped by single spaces or dashes.
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Replaces Luhn-valid card numbers in `text` with `****` and their last four digits. */
export function maskCardNumbers(text: string): string {
  if (text.length < 13) return text;
  CARD_CANDIDATE.lastIndex = 0;
  if (!CARD_CANDIDATE.test(text)) return text;
  CARD_CANDIDATE.lastIndex = 0;
  return text.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    return `****${digits.slice(-4)}`;
  });
}
