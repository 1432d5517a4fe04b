/**
 * The parts of the store contract every store gets the same way, built on its `query` and `get`:
 * iteration for exports (page by page, memory flat) and the events around one event.
 */
import type {
  AuditAround,
  AuditAroundQuery,
  AuditEvent,
  AuditFilterTerm,
  AuditIterateQuery,
  AuditLinesPage,
  AuditPage,
  AuditQuery,
  AuditStore,
} from '../types';
import { describeValue } from './errors';
import { FILTER_LIMITS, MAX_PAGE_SIZE } from './limits';
import { cursorAfter, resolveAuditQuery, resolveAuditSelection } from './resolve-query';
import { isPlainObject } from './validate-filter';

/** Every match of `query` in order, read `pageSize` events at a time. */
export async function* iterateByPages(
  query: (q: AuditQuery) => Promise<AuditPage>,
  options: AuditIterateQuery = {},
  store = 'store',
): AsyncGenerator<AuditEvent> {
  if (!isPlainObject(options as unknown))
    throw new TypeError(`${store}: the query must be an object, got ${describeValue(options)}`);
  const { pageSize, ...rest } = options;
  const size = checkPageSize(pageSize, store);
  // Parsed once: a `since:24h` must not move while the pages are read.
  const filter =
    typeof rest.filter === 'string'
      ? resolveAuditSelection({ filter: rest.filter }, store).filter
      : rest.filter;
  let cursor = rest.cursor;
  do {
    const page = await query({ ...rest, filter, order: rest.order ?? 'asc', limit: size, cursor });
    yield* page.events;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/**
 * One page of `store` as JSON text: the store's own stored text when it has `queryLines`,
 * otherwise its `query` page serialized here, so callers need not know which stores hold text.
 */
export async function queryLines(
  store: Pick<AuditStore, 'query' | 'queryLines'>,
  query?: AuditQuery,
): Promise<AuditLinesPage> {
  if (store.queryLines) return store.queryLines(query);
  const page = await store.query(query);
  const lines = page.events.map((event) => JSON.stringify(event));
  return page.nextCursor === undefined ? { lines } : { lines, nextCursor: page.nextCursor };
}

/**
 * Which of `ids` `store` holds: its own `storedIds` when it has one, otherwise `query` by id, as
 * many values per query as one filter term takes, the queries side by side.
 */
export async function storedIds(
  store: Pick<AuditStore, 'query' | 'storedIds'>,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  if (store.storedIds) return store.storedIds(ids);
  const slices: string[][] = [];
  for (let i = 0; i < ids.length; i += FILTER_LIMITS.values)
    slices.push(ids.slice(i, i + FILTER_LIMITS.values));
  const pages = await Promise.all(
    slices.map((values) =>
      store.query({ filter: { terms: [{ field: 'id', values }] }, limit: values.length }),
    ),
  );
  const found = new Set<string>();
  for (const page of pages) for (const e of page.events) found.add(e.id);
  return found;
}

const AROUND_KEYS = new Set(['by', 'before', 'after', 'tenant']);

/** The event `id` (inside the tenant wall) and its neighbours sharing its actor, resource or correlation id. */
export async function eventsAround(
  store: Pick<AuditStore, 'get' | 'query'>,
  id: string,
  options: AuditAroundQuery,
  name = 'store',
): Promise<AuditAround | undefined> {
  if (typeof id !== 'string') throw new TypeError(`${name}: id must be a string, got ${describeValue(id)}`);
  if (!isPlainObject(options as unknown))
    throw new TypeError(`${name}: around options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options))
    if (!AROUND_KEYS.has(key)) throw new TypeError(`${name}: unknown around option "${key}"`);
  const { by, tenant } = options;
  const before = count(options.before, 'before', name);
  const after = count(options.after, 'after', name);
  if (by !== 'actor' && by !== 'resource' && by !== 'correlation')
    throw new TypeError(`${name}: by must be 'actor', 'resource' or 'correlation', got ${describeValue(by)}`);
  const event = await store.get(id, tenant === undefined ? {} : { tenant });
  if (!event) return undefined;
  const terms = sameAs(event, by);
  if (!terms) return { event, before: [], after: [] };
  const side = async (order: 'asc' | 'desc', limit: number) => {
    if (limit === 0) return [];
    const query: AuditQuery = { filter: { terms }, tenant, order, limit };
    const resolved = resolveAuditQuery(query, name);
    const page = await store.query({ ...query, cursor: cursorAfter(event, resolved) });
    return page.events;
  };
  const [earlier, later] = await Promise.all([side('desc', before), side('asc', after)]);
  return { event, before: earlier.reverse(), after: later };
}

function sameAs(event: AuditEvent, by: AuditAroundQuery['by']): AuditFilterTerm[] | undefined {
  if (by === 'actor')
    return event.actor?.id === undefined ? undefined : [{ field: 'actor', values: [event.actor.id] }];
  if (by === 'correlation')
    return event.correlationId === undefined
      ? undefined
      : [{ field: 'correlation', values: [event.correlationId] }];
  const r = event.resource;
  if (r?.id === undefined || r.type === undefined) return undefined;
  return [
    { field: 'resource.type', values: [r.type] },
    { field: 'resource.id', values: [r.id] },
  ];
}

function count(value: unknown, name: string, store: string): number {
  if (value === undefined) return 10;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE)
    throw new RangeError(
      `${store}: ${name} must be an integer from 0 to ${MAX_PAGE_SIZE}, got ${describeValue(value)}`,
    );
  return value;
}

/** An iteration's page size: 1 to 1000, default 1000. */
export function checkPageSize(pageSize: unknown, store: string): number {
  if (pageSize === undefined) return MAX_PAGE_SIZE;
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new RangeError(
      `${store}: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${describeValue(pageSize)}`,
    );
  return pageSize;
}
