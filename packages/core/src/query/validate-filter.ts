/**
 * Checks a filter given as an object (from code or a JSON body) the way the parser checks text:
 * every value a string, every field known, times valid. An operator object (`{ $ne: null }`) in
 * place of a string is refused here, before any store sees it.
 */
import type { AuditFilter, AuditFilterTerm, AuditFilterValue } from '../types';
import { describeValue } from './errors';
import { FIELD_READERS, FILTER_FIELDS, outsideValues } from './fields';
import { FILTER_LIMITS } from './limits';
import { isoTime } from './time-bounds';

const FILTER_KEYS = new Set(['terms', 'since', 'until', 'text']);
const TERM_KEYS = new Set(['field', 'values', 'negate']);

/** A checked copy of `value` as a filter; throws a TypeError naming the path of the first bad part. */
export function validateAuditFilter(value: unknown, path = 'filter'): AuditFilter {
  if (!isPlainObject(value)) throw new TypeError(`${path} must be an object, got ${describeValue(value)}`);
  unknownKeys(value, FILTER_KEYS, path);
  const terms = value.terms ?? [];
  if (!Array.isArray(terms))
    throw new TypeError(`${path}.terms must be an array, got ${describeValue(terms)}`);
  const out: AuditFilter = { terms: terms.map((t, i) => validateTerm(t, `${path}.terms[${i}]`)) };
  for (const bound of ['since', 'until'] as const) {
    if (value[bound] === undefined) continue;
    const iso = isoTime(value[bound]);
    if (iso === undefined)
      throw new TypeError(`${path}.${bound} must be an ISO-8601 time, got ${describeValue(value[bound])}`);
    out[bound] = iso;
  }
  if (value.text !== undefined) {
    if (!Array.isArray(value.text))
      throw new TypeError(`${path}.text must be an array of strings, got ${describeValue(value.text)}`);
    const words = value.text.map((w, i) => checkString(w, `${path}.text[${i}]`)).filter((w) => w !== '');
    if (words.length > 0) out.text = words;
  }
  if (out.terms.length + (out.text?.length ?? 0) > FILTER_LIMITS.terms)
    throw new RangeError(`${path} has more than ${FILTER_LIMITS.terms} terms`);
  return out;
}

function validateTerm(term: unknown, path: string): AuditFilterTerm {
  if (!isPlainObject(term)) throw new TypeError(`${path} must be an object, got ${describeValue(term)}`);
  unknownKeys(term, TERM_KEYS, path);
  if (typeof term.field !== 'string' || !Object.hasOwn(FIELD_READERS, term.field))
    throw new TypeError(
      `${path}.field must be one of ${FILTER_FIELDS.join(', ')}, got ${describeValue(term.field)}`,
    );
  const values = term.values;
  if (!Array.isArray(values) || values.length === 0 || values.length > FILTER_LIMITS.values)
    throw new TypeError(
      `${path}.values must be an array of 1 to ${FILTER_LIMITS.values} values, got ${describeValue(values)}`,
    );
  const field = term.field as AuditFilterTerm['field'];
  const out: AuditFilterTerm = {
    field,
    values: values.map((v, i) => {
      const value = validateValue(v, `${path}.values[${i}]`);
      const allowed = typeof value === 'string' ? outsideValues(field, value) : undefined;
      if (allowed)
        throw new TypeError(
          `${path}.values[${i}] must be one of ${allowed.join(', ')}, got ${describeValue(value)}`,
        );
      return value;
    }),
  };
  if (term.negate !== undefined && typeof term.negate !== 'boolean')
    throw new TypeError(`${path}.negate must be a boolean, got ${describeValue(term.negate)}`);
  if (term.negate) out.negate = true;
  return out;
}

function validateValue(value: unknown, path: string): AuditFilterValue {
  if (typeof value === 'string') return checkString(value, path);
  if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.wildcard === 'string') {
    const pattern = checkString(value.wildcard, `${path}.wildcard`);
    // One form per meaning: no `*` is an exact value, and `**` is `*`.
    return pattern.includes('*') ? { wildcard: pattern.replace(/\*+/g, '*') } : pattern;
  }
  throw new TypeError(`${path} must be a string or { wildcard: string }, got ${describeValue(value)}`);
}

/** A string without NUL (no store can hold one) and within the length bound. */
export function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new TypeError(`${path} must be a string, got ${describeValue(value)}`);
  if (value.includes('\0')) throw new TypeError(`${path} must not contain a NUL character`);
  if (value.length > FILTER_LIMITS.valueLength)
    throw new RangeError(`${path} is longer than ${FILTER_LIMITS.valueLength} characters`);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function unknownKeys(value: Record<string, unknown>, known: Set<string>, path: string): void {
  for (const key of Object.keys(value))
    if (!known.has(key))
      throw new TypeError(`${path} has an unknown key "${key}" (known: ${[...known].join(', ')})`);
}
