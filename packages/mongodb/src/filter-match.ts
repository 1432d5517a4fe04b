/**
 * A checked query as a MongoDB match document. Values reach MongoDB only under `$eq`, `$in`,
 * `$nin` or as escaped, anchored `$regex` sources: a value can never become an operator.
 */
import {
  type AuditFilterField,
  type AuditFilterTerm,
  literalRegexSource,
  type ResolvedQuery,
  type ResolvedSelection,
  wildcardRegexSource,
} from '@auditkit/core/store';
import type { Document } from 'mongodb';

/** Where each field lives in the stored document. */
const PATH: Readonly<Record<AuditFilterField, string>> = {
  id: '_id',
  type: 'type',
  category: 'category',
  action: 'action',
  outcome: 'outcome',
  severity: 'severity',
  actor: 'actor.id',
  'actor.type': 'actor.type',
  tenant: 'tenant',
  'resource.type': 'resource.type',
  'resource.id': 'resource.id',
  correlation: 'correlationId',
  request: 'request.id',
  trace: 'traceId',
  chain: 'integrity.chain',
};

/** The match document for a selection and, for a page, its cursor. */
export function matchDocument(query: ResolvedSelection & Partial<ResolvedQuery>): Document {
  const and: Document[] = [];
  const { filter } = query;
  if (query.tenant !== undefined) and.push({ tenant: { $eq: query.tenant } });
  if (filter.since !== undefined) and.push({ at: { $gte: new Date(filter.since) } });
  if (filter.until !== undefined) and.push({ at: { $lt: new Date(filter.until) } });
  for (const term of filter.terms) and.push(termMatch(term));
  for (const word of filter.text ?? []) {
    const pattern = { $regex: literalRegexSource(word), $options: 'i' };
    and.push({
      $or: [{ message: pattern }, { type: pattern }, { 'actor.id': pattern }, { 'resource.id': pattern }],
    });
  }
  if (query.after) {
    const at = new Date(query.after.time);
    const op = query.order === 'asc' ? '$gt' : '$lt';
    and.push({ $or: [{ at: { [op]: at } }, { at: { $eq: at }, _id: { [op]: query.after.id } }] });
  }
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and };
}

function termMatch(term: AuditFilterTerm): Document {
  const path = PATH[term.field];
  const exact = term.values.filter((v): v is string => typeof v === 'string');
  const patterns = term.values.flatMap((v) =>
    typeof v === 'string' ? [] : [new RegExp(wildcardRegexSource(v.wildcard))],
  );
  if (term.negate) {
    // $nin and $not match a missing field, as a negated term does in every store.
    const none: Document[] = [];
    if (exact.length) none.push({ [path]: { $nin: exact } });
    for (const re of patterns) none.push({ [path]: { $not: re } });
    return none.length === 1 ? none[0]! : { $and: none };
  }
  const any: Document[] = [];
  if (exact.length === 1) any.push({ [path]: { $eq: exact[0] } });
  else if (exact.length > 1) any.push({ [path]: { $in: exact } });
  for (const re of patterns) any.push({ [path]: { $regex: re.source } });
  return any.length === 1 ? any[0]! : { $or: any };
}
