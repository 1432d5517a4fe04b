import { compilePatterns } from '../matcher';
import { isSeverity, severityRank } from '../severity';
import type { AuditEvent } from '../types';
import type { EventFilter } from './types';

/** A compiled event predicate. */
export type EventPredicate = (event: AuditEvent) => boolean;

function set(name: string, values: readonly string[] | undefined): Set<string> | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
    throw new TypeError(`auditkit: filter ${name} must be an array of strings`);
  return new Set(values);
}

/** Compiles a filter (or passes a predicate through) once, at construction. */
export function compileFilter(filter: EventFilter | EventPredicate, option: string): EventPredicate {
  if (typeof filter === 'function') return filter;
  if (filter === null || typeof filter !== 'object')
    throw new TypeError(`auditkit: ${option} must be an event filter object or a function`);
  const types = filter.types ? compilePatterns(filter.types, '.') : undefined;
  const categories = set('categories', filter.categories);
  const actions = set('actions', filter.actions);
  const outcomes = set('outcomes', filter.outcomes);
  const tenants = set('tenants', filter.tenants);
  if (filter.minSeverity !== undefined && !isSeverity(filter.minSeverity))
    throw new RangeError(
      `auditkit: ${option}.minSeverity is not a severity: "${String(filter.minSeverity)}"`,
    );
  const minRank = filter.minSeverity ? severityRank(filter.minSeverity) : 0;
  return (e) =>
    (types === undefined || types(e.type)) &&
    (categories === undefined || categories.has(e.category)) &&
    (actions === undefined || actions.has(e.action)) &&
    (outcomes === undefined || outcomes.has(e.outcome)) &&
    (tenants === undefined || (e.tenant !== undefined && tenants.has(e.tenant))) &&
    (minRank === 0 || severityRank(e.severity) >= minRank);
}
