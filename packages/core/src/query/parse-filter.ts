/**
 * The filter language shared by search, export, stream and the CLI:
 *
 *   actor:u-alice -outcome:success type:auth.* resource.id:"inv 7" since:24h until:2026-11-01 refund
 *
 * `field:value` terms (all must hold), `a,b` for any of several values, `*` a wildcard in a bare
 * value (quoted values are literal; in a bare value a backslash escapes a space, comma, quote, star
 * or backslash), `-field:value` negation, `since:`/`until:` with ISO times or presets (`15m`, `24h`,
 * `7d`, `2w`), and bare words or "quoted phrases" as free text.
 */
import type { AuditFilter, AuditFilterTerm, AuditFilterValue } from '../types';
import { AuditFilterError } from './errors';
import { FILTER_FIELDS, fieldNamed, outsideValues } from './fields';
import { FILTER_LIMITS } from './limits';
import { earlierOf, laterOf, timeBound } from './time-bounds';

export interface ParseFilterOptions {
  /** The time presets count back from. Default now. */
  now?: Date;
}

const SPACE = /\s/;
/** What a backslash escapes in an unquoted value. */
const ESCAPABLE = /[\s,"*\\]/;

/** Parses filter text into a validated filter; throws an `AuditFilterError` naming the term and its position. */
export function parseAuditFilter(text: string, options: ParseFilterOptions = {}): AuditFilter {
  if (typeof text !== 'string')
    throw new TypeError(`parseAuditFilter: the filter must be a string, got ${typeof text}`);
  if (text.length > FILTER_LIMITS.textLength)
    throw new AuditFilterError(
      `filter: longer than ${FILTER_LIMITS.textLength} characters (${text.length})`,
      FILTER_LIMITS.textLength,
      '',
    );
  const now = options.now ?? new Date();
  const filter: AuditFilter = { terms: [] };
  let at = 0;
  const fail = (message: string, start: number, end: number, hint = ''): never => {
    const term = text.slice(start, end);
    throw new AuditFilterError(`filter: ${message} in "${term}" at position ${start}${hint}`, start, term);
  };
  /** End of the term starting at `start` (for messages): the next space outside quotes. */
  const termEnd = (start: number, escapes = true) => {
    let quoted = false;
    let i = start;
    for (; i < text.length && (quoted || !SPACE.test(text[i]!)); i++) {
      if (escapes && text[i] === '\\') i++;
      else if (text[i] === '"') quoted = !quoted;
    }
    return i;
  };
  /** A quoted string starting at `start` (on the quote): its text and the offset after it. */
  const quoted = (start: number, termStart: number): [string, number] => {
    let out = '';
    for (let i = start + 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') return [out, i + 1];
      if (c === '\\' && i + 1 < text.length) {
        out += text[++i];
        continue;
      }
      out += c;
    }
    return fail('unterminated quote', termStart, text.length);
  };
  const count = () => filter.terms.length + (filter.text?.length ?? 0);

  while (at < text.length) {
    if (SPACE.test(text[at]!)) {
      at++;
      continue;
    }
    const start = at;
    if (count() >= FILTER_LIMITS.terms) fail(`more than ${FILTER_LIMITS.terms} terms`, start, termEnd(start));
    if (text[at] === '"') {
      const [phrase, next] = quoted(at, start);
      if (next < text.length && !SPACE.test(text[next]!))
        fail('expected a space after the quote', start, termEnd(start));
      addText(filter, phrase, () => fail('a NUL character or a phrase too long', start, next));
      at = next;
      continue;
    }
    const negate = text[at] === '-';
    if (negate) at++;
    let keyEnd = at;
    while (keyEnd < text.length && !SPACE.test(text[keyEnd]!) && text[keyEnd] !== ':' && text[keyEnd] !== '"')
      keyEnd++;
    if (text[keyEnd] !== ':') {
      // A bare word of free text is taken as it is written: no escapes.
      const end = termEnd(start, false);
      if (negate) fail('negation needs a field (as in -outcome:success)', start, end);
      addText(filter, text.slice(start, end), () => fail('a NUL character or a word too long', start, end));
      at = end;
      continue;
    }
    const name = text.slice(at, keyEnd);
    // Values: bare (a `*` is a wildcard) or quoted (literal), separated by commas.
    const values: AuditFilterValue[] = [];
    at = keyEnd + 1;
    for (;;) {
      if (at >= text.length || SPACE.test(text[at]!) || text[at] === ',')
        fail(`${name || 'a field'}: needs a value`, start, termEnd(start));
      let value: AuditFilterValue;
      if (text[at] === '"') {
        const [literal, next] = quoted(at, start);
        value = literal;
        at = next;
      } else {
        // A backslash makes the next space, comma, quote, star or backslash part of the value.
        let bare = '';
        let wildcard = false;
        let literalStar = false;
        for (; at < text.length; at++) {
          const c = text[at]!;
          if (c === '\\' && ESCAPABLE.test(text[at + 1] ?? '')) {
            if (text[++at] === '*') literalStar = true;
            bare += text[at];
            continue;
          }
          if (SPACE.test(c) || c === ',' || c === '"') break;
          if (c === '*') wildcard = true;
          bare += c;
        }
        if (wildcard && literalStar)
          fail(
            'a wildcard value cannot also hold a literal * (quote a value to match it exactly)',
            start,
            termEnd(start),
          );
        value = wildcard ? { wildcard: bare.replace(/\*+/g, '*') } : bare;
      }
      const raw = typeof value === 'string' ? value : value.wildcard;
      if (raw.includes('\0')) fail('a value holds a NUL character', start, termEnd(start));
      if (raw.length > FILTER_LIMITS.valueLength)
        fail(`a value is longer than ${FILTER_LIMITS.valueLength} characters`, start, termEnd(start));
      values.push(value);
      if (values.length > FILTER_LIMITS.values)
        fail(`more than ${FILTER_LIMITS.values} values`, start, termEnd(start));
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (at < text.length && !SPACE.test(text[at]!))
        fail('expected a space or a comma', start, termEnd(start));
      break;
    }
    const key = name.toLowerCase();
    if (key === 'since' || key === 'until') {
      if (negate) fail(`${key}: cannot be negated`, start, at);
      if (values.length !== 1 || typeof values[0] !== 'string')
        fail(`${key}: takes one time (an ISO date or time, or 15m, 24h, 7d)`, start, at);
      const bound = timeBound(values[0] as string, now);
      if (bound === undefined)
        fail(
          `${key}: "${values[0] as string}" is not a time (an ISO date or time, or 15m, 24h, 7d)`,
          start,
          at,
        );
      if (key === 'since') filter.since = laterOf(filter.since, bound);
      else filter.until = earlierOf(filter.until, bound);
      continue;
    }
    const field = fieldNamed(key);
    if (field === undefined)
      fail(`unknown field "${name}"`, start, at, ` (fields: ${FILTER_FIELDS.join(', ')}, since, until)`);
    for (const value of values) {
      const allowed = typeof value === 'string' ? outsideValues(field!, value) : undefined;
      if (allowed) fail(`${key}: "${value as string}" is not one of ${allowed.join(', ')}`, start, at);
    }
    const term: AuditFilterTerm = { field: field!, values };
    if (negate) term.negate = true;
    filter.terms.push(term);
  }
  return filter;
}

function addText(filter: AuditFilter, word: string, nul: () => never): void {
  if (word.includes('\0') || word.length > FILTER_LIMITS.valueLength) nul();
  if (word.length === 0) return;
  filter.text ??= [];
  filter.text.push(word);
}
