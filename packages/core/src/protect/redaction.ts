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

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isHexOrDash(c: number): boolean {
  return c === 45 || isHex(c);
}

/** A letter or digit: a hex run stopped by one was cut out of a longer word. */
function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `text[start, end)` is part of a hex identifier: the whole dash-joined run of hex groups
 * around it is UUID-shaped, or holds 32 or more hex digits with a letter among them (trace ids,
 * traceparent headers, digests). The last two groups of about one UUID in twenty thousand are
 * decimal digits that pass Luhn; without this check they would be masked as a card.
 */
export function withinHexId(text: string, start: number, end: number): boolean {
  let from = start;
  while (from > 0 && isHexOrDash(text.charCodeAt(from - 1))) from--;
  // Stopped inside a word (`ref-4111…`): its hex tail is not a group of the run.
  if (from > 0 && from < start && isAlphanumeric(text.charCodeAt(from - 1)))
    from = text.indexOf('-', from) + 1;
  let to = end;
  while (to < text.length && isHexOrDash(text.charCodeAt(to))) to++;
  if (to < text.length && to > end && isAlphanumeric(text.charCodeAt(to))) to = text.lastIndexOf('-', to - 1);
  if (from === start && to === end) return false;
  while (from < to && text.charCodeAt(from) === 45) from++;
  while (to > from && text.charCodeAt(to - 1) === 45) to--;
  const run = text.slice(from, to);
  if (UUID_SHAPE.test(run)) return true;
  let hexDigits = 0;
  let letter = false;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c === 45) continue;
    hexDigits++;
    if (c > 57) letter = true;
  }
  return hexDigits >= 32 && letter;
}

/**
 * Whether a 13-to-19-digit candidate at `text[start, end)` is a card number: Luhn-valid and not
 * part of a hex identifier.
 */
export function isCardNumber(candidate: string, text: string, start: number): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return false;
  return !withinHexId(text, start, start + candidate.length);
}

/** Replaces Luhn-valid card numbers in `text` with `****` and their last four digits. */
export function maskCardNumbers(text: string): string {
  if (text.length < 13) return text;
  CARD_CANDIDATE.lastIndex = 0;
  if (!CARD_CANDIDATE.test(text)) return text;
  CARD_CANDIDATE.lastIndex = 0;
  return text.replace(CARD_CANDIDATE, (match, offset: number) => {
    if (!isCardNumber(match, text, offset)) return match;
    return `****${match.replace(/\D/g, '').slice(-4)}`;
  });
}
