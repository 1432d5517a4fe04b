/**
 * What a filter pins: the values one key of an event must take for the filter to match. A live
 * stream indexes its subscribers by them, so an event is tested only against filters that could
 * accept it. A pin may be wider than its filter (the filter still decides) but never narrower.
 */
import type { AuditEvent, AuditFilter, AuditFilterField, AuditFilterTerm } from '../types';
import { FIELD_READERS } from './fields';

/** A field, or `type.segment`: the type up to its first dot (`auth` for `auth.login`). */
export type AuditPinKey = AuditFilterField | 'type.segment';

export interface AuditFilterPin {
  key: AuditPinKey;
  /** The event's value under `key` is one of these, or the filter does not match. */
  values: string[];
}

const segmentOf = (type: string) => {
  const dot = type.indexOf('.');
  return dot === -1 ? type : type.slice(0, dot);
};

const READERS: Readonly<Record<AuditPinKey, (e: AuditEvent) => unknown>> = {
  ...FIELD_READERS,
  'type.segment': (e) => (typeof e.type === 'string' ? segmentOf(e.type) : undefined),
};

/** The value an event has under a pin key; only a string can match a pin. */
export function pinValueOf(event: AuditEvent, key: AuditPinKey): unknown {
  return READERS[key](event);
}

/** Most selective first: the first key a filter pins is the one it is indexed by. */
const PREFERENCE: readonly AuditPinKey[] = [
  'id',
  'request',
  'trace',
  'correlation',
  'actor',
  'resource.id',
  'type',
  'type.segment',
  'action',
  'resource.type',
  'chain',
  'category',
  'actor.type',
  'severity',
  'outcome',
];

/**
 * The values a positive term allows under `key`: its exact values (under the field itself), or
 * for `type.segment` the segment every value of a `type` term starts with (`auth.*`, `auth.login`).
 * Undefined when the term allows values the key cannot name (a wildcard, a negation).
 */
function termPin(term: AuditFilterTerm, key: AuditPinKey): string[] | undefined {
  if (term.negate) return undefined;
  if (key === 'type.segment') {
    if (term.field !== 'type') return undefined;
    const segments = new Set<string>();
    for (const v of term.values) {
      if (typeof v === 'string') segments.add(segmentOf(v));
      else {
        // `*` matches any run, dots included, so only a dot before the first star fixes the segment.
        const star = v.wildcard.indexOf('*');
        const literal = star === -1 ? v.wildcard : v.wildcard.slice(0, star);
        if (!literal.includes('.')) return undefined;
        segments.add(segmentOf(literal));
      }
    }
    return [...segments];
  }
  if (term.field !== key) return undefined;
  if (!term.values.every((v): v is string => typeof v === 'string')) return undefined;
  return [...new Set(term.values)];
}

/** The tenants a filter confines events to (a plain `tenant:` term), or undefined. */
export function tenantPin(filter: AuditFilter): string[] | undefined {
  for (const term of filter.terms) {
    const values = termPin(term, 'tenant');
    if (values) return values;
  }
  return undefined;
}

/** The most selective pin of a filter other than its tenant, or undefined when it pins nothing. */
export function filterPin(filter: AuditFilter): AuditFilterPin | undefined {
  for (const key of PREFERENCE)
    for (const term of filter.terms) {
      const values = termPin(term, key);
      if (values) return { key, values };
    }
  return undefined;
}
