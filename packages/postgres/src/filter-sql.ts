/**
 * A checked query as SQL: every value a bind parameter, wildcards as LIKE patterns with `%`, `_`
 * and `\` escaped, the `(time, id)` keyset as a row comparison the indexes serve (see schema.ts).
 */
import {
  type AuditFilterField,
  type AuditFilterTerm,
  containsLikePattern,
  type ResolvedQuery,
  type ResolvedSelection,
  wildcardLikePattern,
  wildcardRegexSource,
} from '@auditkit/core/store';
import { UNSUCCESSFUL } from './schema';

/** Where each field lives: a column, or a path into the stored event for fields without one. */
const COLUMN: Readonly<Record<AuditFilterField, string>> = {
  id: 'id',
  type: 'type',
  category: 'category',
  action: 'action',
  outcome: 'outcome',
  severity: 'severity',
  actor: 'actor_id',
  'actor.type': `(event->'actor'->>'type')`,
  tenant: 'tenant',
  'resource.type': 'resource_type',
  'resource.id': 'resource_id',
  correlation: 'correlation_id',
  request: `(event->'request'->>'id')`,
  trace: `(event->>'traceId')`,
  chain: 'chain',
};

/** `WHERE …` (or '') for a selection and, for a page, its cursor; values are appended to `params`. */
export function whereSql(query: ResolvedSelection & Partial<ResolvedQuery>, params: unknown[]): string {
  const clauses: string[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const { filter } = query;
  if (query.tenant !== undefined) clauses.push(`tenant = ${p(query.tenant)}`);
  if (filter.since !== undefined) clauses.push(`time >= ${p(filter.since)}::timestamptz`);
  if (filter.until !== undefined) clauses.push(`time < ${p(filter.until)}::timestamptz`);
  for (const term of filter.terms) {
    clauses.push(termSql(term, p));
    // Implied by the term, and said in the query's text so that the planner (even for a generic
    // plan) may read the outcome index, which holds only the unsuccessful events.
    if (term.field === 'outcome' && excludesSuccess(term)) clauses.push(UNSUCCESSFUL);
  }
  for (const word of filter.text ?? []) {
    const like = p(containsLikePattern(word));
    // Case folding follows the database's locale, not the bytewise collation of those columns.
    clauses.push(
      `(event->>'message' ILIKE ${like} OR type COLLATE "default" ILIKE ${like} OR actor_id COLLATE "default" ILIKE ${like} OR resource_id COLLATE "default" ILIKE ${like})`,
    );
  }
  if (query.after)
    clauses.push(
      `(time, id) ${query.order === 'asc' ? '>' : '<'} (${p(query.after.time)}::timestamptz, ${p(query.after.id)})`,
    );
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

function termSql(term: AuditFilterTerm, p: (value: unknown) => string): string {
  const column = COLUMN[term.field];
  const exact = term.values.filter((v): v is string => typeof v === 'string');
  const any: string[] = [];
  if (exact.length === 1) any.push(`${column} = ${p(exact[0])}`);
  else if (exact.length > 1) any.push(`${column} = ANY(${p(exact)}::text[])`);
  for (const v of term.values)
    if (typeof v !== 'string') any.push(`${column} LIKE ${p(wildcardLikePattern(v.wildcard))}`);
  const test = any.length === 1 ? any[0]! : `(${any.join(' OR ')})`;
  // A missing field (NULL) matches a negated term, as in the other stores.
  return term.negate ? `NOT coalesce(${test}, false)` : test;
}

/** Whether no event with outcome `success` matches `term` (an outcome term). */
function excludesSuccess(term: AuditFilterTerm): boolean {
  const matchesSuccess = term.values.some((v) =>
    typeof v === 'string' ? v === 'success' : new RegExp(wildcardRegexSource(v.wildcard)).test('success'),
  );
  return term.negate ? matchesSuccess : !matchesSuccess;
}

export function orderSql(query: ResolvedQuery): string {
  return query.order === 'asc' ? 'ORDER BY time ASC, id ASC' : 'ORDER BY time DESC, id DESC';
}
