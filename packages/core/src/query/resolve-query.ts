/**
 * Every store's first step: the caller's query checked and put in one shape (a validated filter,
 * the tenant wall, page size, order, decoded cursor). Wrong types, unknown keys, bad limits and
 * bad times throw here, so nothing unchecked reaches a database.
 */
import type {
  AuditEvent,
  AuditFilter,
  AuditFilterTerm,
  AuditLinesPage,
  AuditOrder,
  AuditPage,
  AuditQuery,
  AuditSelection,
  AuditStatsQuery,
} from '../types';
import { type CursorPosition, cursorScope, decodeCursor, encodeCursor } from './cursor';
import { describeValue } from './errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
import { type AuditEventPredicate, compileAuditFilter } from './match-filter';
import { parseAuditFilter } from './parse-filter';
import { earlierOf, isoTime, laterOf } from './time-bounds';
import { checkString, isPlainObject, validateAuditFilter } from './validate-filter';

/** Which events: a validated filter inside an optional tenant wall. */
export interface ResolvedSelection {
  filter: AuditFilter;
  tenant?: string;
}

export interface ResolvedQuery extends ResolvedSelection {
  limit: number;
  order: AuditOrder;
  /** Only events after this position, in `order`. */
  after?: CursorPosition;
  /** What the query's cursors are bound to. */
  scope: string;
}

export interface ResolvedStatsQuery extends ResolvedSelection {
  bucket: 'minute' | 'hour' | 'day';
}

const SHORTHAND_LISTS = {
  types: 'type',
  categories: 'category',
  actions: 'action',
  outcomes: 'outcome',
  severities: 'severity',
} as const;
const SHORTHAND_VALUES = {
  actorId: 'actor',
  resourceType: 'resource.type',
  resourceId: 'resource.id',
  correlationId: 'correlation',
} as const;
const SELECTION_KEYS = [
  'filter',
  'tenant',
  'from',
  'to',
  'text',
  ...Object.keys(SHORTHAND_LISTS),
  ...Object.keys(SHORTHAND_VALUES),
];
const QUERY_KEYS = new Set([...SELECTION_KEYS, 'limit', 'cursor', 'order']);
const STATS_KEYS = new Set([...SELECTION_KEYS, 'bucket']);
const BUCKETS = new Set(['minute', 'hour', 'day']);

/** The filter and tenant of a query, checked; `store` names the caller in errors. */
export function resolveAuditSelection(
  query: AuditSelection | undefined,
  store: string,
  keys: ReadonlySet<string> = new Set(SELECTION_KEYS),
): ResolvedSelection {
  if (query === undefined) return { filter: { terms: [] } };
  if (!isPlainObject(query))
    throw new TypeError(`${store}: the query must be an object, got ${describeValue(query)}`);
  for (const key of Object.keys(query))
    if (!keys.has(key) && (query as Record<string, unknown>)[key] !== undefined)
      throw new TypeError(`${store}: unknown query option "${key}" (known: ${[...keys].join(', ')})`);
  const given = query.filter;
  const filter: AuditFilter =
    given === undefined
      ? { terms: [] }
      : typeof given === 'string'
        ? parseAuditFilter(given)
        : validateAuditFilter(given, `${store}: filter`);
  const terms: AuditFilterTerm[] = [...filter.terms];
  for (const [key, field] of Object.entries(SHORTHAND_LISTS)) {
    const list = (query as Record<string, unknown>)[key];
    if (list === undefined) continue;
    if (!Array.isArray(list))
      throw new TypeError(`${store}: ${key} must be an array of strings, got ${describeValue(list)}`);
    if (list.length > 0)
      terms.push({ field, values: list.map((v, i) => checkString(v, `${store}: ${key}[${i}]`)) });
  }
  for (const [key, field] of Object.entries(SHORTHAND_VALUES)) {
    const value = (query as Record<string, unknown>)[key];
    if (value !== undefined) terms.push({ field, values: [checkString(value, `${store}: ${key}`)] });
  }
  const out: AuditFilter = { terms };
  const since = laterOf(filter.since, bound(query.from, 'from', store));
  const until = earlierOf(filter.until, bound(query.to, 'to', store));
  if (since !== undefined) out.since = since;
  if (until !== undefined) out.until = until;
  const text = [...(filter.text ?? [])];
  if (query.text !== undefined && query.text !== '') text.push(checkString(query.text, `${store}: text`));
  if (text.length > 0) out.text = text;
  const resolved: ResolvedSelection = { filter: out };
  if (query.tenant !== undefined) resolved.tenant = checkString(query.tenant, `${store}: tenant`);
  return resolved;
}

/** A page query, checked: limit 1 to 1000, order `desc` or `asc`, a cursor made for this query. */
export function resolveAuditQuery(query: AuditQuery | undefined, store: string): ResolvedQuery {
  const selection = resolveAuditSelection(query, store, QUERY_KEYS);
  const limit = query?.limit === undefined ? DEFAULT_PAGE_SIZE : query.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new RangeError(
      `${store}: limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${describeValue(limit)}`,
    );
  const order = query?.order === undefined ? 'desc' : query.order;
  if (order !== 'desc' && order !== 'asc')
    throw new TypeError(`${store}: order must be 'desc' or 'asc', got ${describeValue(order)}`);
  const scope = cursorScope(selection.filter, selection.tenant);
  const resolved: ResolvedQuery = { ...selection, limit, order, scope };
  if (query?.cursor !== undefined) resolved.after = decodeCursor(query.cursor, order, scope, store);
  return resolved;
}

export function resolveStatsQuery(query: AuditStatsQuery | undefined, store: string): ResolvedStatsQuery {
  const selection = resolveAuditSelection(query, store, STATS_KEYS);
  const bucket = query?.bucket === undefined ? 'hour' : query.bucket;
  if (!BUCKETS.has(bucket))
    throw new TypeError(`${store}: bucket must be 'minute', 'hour' or 'day', got ${describeValue(bucket)}`);
  return { ...selection, bucket };
}

/** The page a store returns from up to `limit + 1` rows in the query's order. */
export function pageOf(rows: readonly AuditEvent[], query: ResolvedQuery): AuditPage {
  if (rows.length <= query.limit) return { events: [...rows] };
  const events = rows.slice(0, query.limit);
  return { events, nextCursor: cursorAfter(events.at(-1)!, query) };
}

/**
 * `pageOf` for stored JSON text: the first `limit` lines, and a cursor past the last of them when
 * there are more (only that line is parsed).
 */
export function linesPageOf(rows: readonly string[], query: ResolvedQuery): AuditLinesPage {
  if (rows.length <= query.limit) return { lines: [...rows] };
  const lines = rows.slice(0, query.limit);
  return { lines, nextCursor: cursorAfter(JSON.parse(lines.at(-1)!) as AuditEvent, query) };
}

/** A cursor that pages on past `event` with this query. */
export function cursorAfter(event: AuditEvent, query: Pick<ResolvedQuery, 'order' | 'scope'>): string {
  return encodeCursor({ time: new Date(event.time).toISOString(), id: event.id }, query.order, query.scope);
}

/** `(time, id)` order of two events: negative when `a` comes first in `order`. */
export function compareEvents(a: AuditEvent, b: AuditEvent, order: AuditOrder): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  const c = ta !== tb ? ta - tb : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return order === 'asc' ? c : -c;
}

/** Whether `event` lies after the cursor position in `order`. */
export function isAfter(event: AuditEvent, at: CursorPosition, order: AuditOrder): boolean {
  const t = Date.parse(event.time);
  const a = Date.parse(at.time);
  const c = t !== a ? t - a : event.id < at.id ? -1 : event.id > at.id ? 1 : 0;
  return order === 'asc' ? c > 0 : c < 0;
}

/** A selection (filter text or object, tenant wall, shorthand) as a predicate, for live streams. */
export function compileAuditSelection(selection: AuditSelection | undefined): AuditEventPredicate {
  const { filter, tenant } = resolveAuditSelection(selection, 'compileAuditSelection');
  return compileAuditFilter(filter, tenant);
}

function bound(value: unknown, name: string, store: string): string | undefined {
  if (value === undefined) return undefined;
  const iso = isoTime(value);
  if (iso === undefined)
    throw new RangeError(
      `${store}: ${name} must be an ISO-8601 time or a valid Date, got ${describeValue(value)}`,
    );
  return iso;
}

/** The id and tenant wall of a `get`, checked: strings, or a TypeError naming the bad one. */
export function checkEventId(
  id: unknown,
  options: { tenant?: string } | undefined,
  store: string,
): { id: string; tenant?: string } {
  checkString(id, `${store}: id`);
  if (options === undefined) return { id: id as string };
  if (!isPlainObject(options as unknown))
    throw new TypeError(`${store}: get options must be an object, got ${describeValue(options)}`);
  if (options.tenant === undefined) return { id: id as string };
  return { id: id as string, tenant: checkString(options.tenant, `${store}: tenant`) };
}
