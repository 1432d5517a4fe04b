import { compilePatterns } from '../admit/matcher';
import { severityRank } from '../admit/severity';
import { asList } from '../option-check';
import type { AuditEvent } from '../types';
import type { EventFilter } from './types';

/** A compiled event predicate. */
export type EventPredicate = (event: AuditEvent) => boolean;

function set(values: string | readonly string[] | undefined): Set<string> | undefined {
  return values === undefined ? undefined : new Set(asList(values));
}

/** Compiles a filter (its shape checked by `checkOptions`, EVENT_FILTER) once, at construction. */
export function compileFilter(filter: EventFilter | EventPredicate): EventPredicate {
  if (typeof filter === 'function') return filter;
  const types = filter.types !== undefined ? compilePatterns(filter.types, '.') : undefined;
  const categories = set(filter.categories);
  const actions = set(filter.actions);
  const outcomes = set(filter.outcomes);
  const tenants = set(filter.tenants);
  const minRank = filter.minSeverity ? severityRank(filter.minSeverity) : 0;
  return (e) =>
    (types === undefined || types(e.type)) &&
    (categories === undefined || categories.has(e.category)) &&
    (actions === undefined || actions.has(e.action)) &&
    (outcomes === undefined || outcomes.has(e.outcome)) &&
    (tenants === undefined || (e.tenant !== undefined && tenants.has(e.tenant))) &&
    (minRank === 0 || severityRank(e.severity) >= minRank);
}
