/**
 * A filter as a predicate over events, for live streams and for the file store: the same answer
 * the database stores give (their tests run the same filters against both).
 */
import type { AuditEvent, AuditFilter, AuditFilterTerm } from '../types';
import { FIELD_READERS } from './fields';
import { wildcardRegexSource } from './wildcard';

export type AuditEventPredicate = (event: AuditEvent) => boolean;

/** Compiles a validated filter (and an optional tenant wall) once; the predicate does no parsing. */
export function compileAuditFilter(filter: AuditFilter, tenant?: string): AuditEventPredicate {
  const tests = filter.terms.map(compileTerm);
  const since = filter.since === undefined ? undefined : Date.parse(filter.since);
  const until = filter.until === undefined ? undefined : Date.parse(filter.until);
  const words = (filter.text ?? []).map((w) => w.toLowerCase());
  return (e) => {
    if (tenant !== undefined && e.tenant !== tenant) return false;
    if (since !== undefined || until !== undefined) {
      const t = Date.parse(e.time);
      if (since !== undefined && !(t >= since)) return false;
      if (until !== undefined && !(t < until)) return false;
    }
    for (const test of tests) if (!test(e)) return false;
    for (const word of words) if (!containsText(e, word)) return false;
    return true;
  };
}

const compiled = new WeakMap<AuditFilter, AuditEventPredicate>();

/** Whether `event` matches `filter` (a parsed or validated filter); compiled once per filter object. */
export function matchesAuditFilter(event: AuditEvent, filter: AuditFilter): boolean {
  let test = compiled.get(filter);
  if (!test) {
    test = compileAuditFilter(filter);
    compiled.set(filter, test);
  }
  return test(event);
}

function compileTerm(term: AuditFilterTerm): AuditEventPredicate {
  const read = FIELD_READERS[term.field];
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const v of term.values) {
    if (typeof v === 'string') exact.add(v);
    else patterns.push(new RegExp(wildcardRegexSource(v.wildcard)));
  }
  const matches = (e: AuditEvent) => {
    const value = read(e);
    if (typeof value !== 'string') return false;
    if (exact.has(value)) return true;
    for (const p of patterns) if (p.test(value)) return true;
    return false;
  };
  return term.negate ? (e) => !matches(e) : matches;
}

const has = (value: unknown, word: string) => typeof value === 'string' && value.toLowerCase().includes(word);

function containsText(e: AuditEvent, word: string): boolean {
  return has(e.message, word) || has(e.type, word) || has(e.actor?.id, word) || has(e.resource?.id, word);
}
