/**
 * A filter back as text in the filter language, so a console can show, store or link the filter
 * it ran: `parseAuditFilter(formatAuditFilter(f))` gives `f` back (for a validated `f`).
 */
import type { AuditFilter, AuditFilterValue } from '../types';

const NEEDS_QUOTES = /[\s,"*\\]|^$/;
const ESCAPE_IN_WILDCARD = /[\s,"\\]/g;

const quote = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;

function value(v: AuditFilterValue): string {
  if (typeof v === 'string') return NEEDS_QUOTES.test(v) ? quote(v) : v;
  // A wildcard stays unquoted (quotes would make its `*` literal): its other specials are escaped.
  return v.wildcard.replace(ESCAPE_IN_WILDCARD, '\\$&');
}

/** A word of free text: bare when it cannot be read as a term, a negation or a quote. */
function word(text: string): string {
  return /^[^\s"\-:\\][^\s":\\]*$/.test(text) ? text : quote(text);
}

export function formatAuditFilter(filter: AuditFilter): string {
  const parts = filter.terms.map((t) => `${t.negate ? '-' : ''}${t.field}:${t.values.map(value).join(',')}`);
  if (filter.since !== undefined) parts.push(`since:${filter.since}`);
  if (filter.until !== undefined) parts.push(`until:${filter.until}`);
  for (const w of filter.text ?? []) parts.push(word(w));
  return parts.join(' ');
}
