/**
 * The tenant wall. Handlers read the store through this view, made once per request from the
 * caller's key by the authentication hook: every read carries the key's tenant, which the stores
 * AND with the request's filter, so a `tenant:` term in a request can only narrow it.
 */
import type {
  AuditAround,
  AuditAroundQuery,
  AuditEvent,
  AuditIterateQuery,
  AuditLinesPage,
  AuditPage,
  AuditQuery,
  AuditStatsQuery,
  AuditStore,
  AuditStoreStats,
} from '@auditkit/core';
import { queryLines } from '@auditkit/core';

export class TenantView {
  /** The store itself, for what must read whole chains (integrity, proofs) after a walled check. */
  readonly store: AuditStore;
  /** The key's tenant; undefined for a key bound to all tenants (`*`). */
  readonly tenant: string | undefined;

  constructor(store: AuditStore, keyTenant: string) {
    this.store = store;
    this.tenant = keyTenant === '*' ? undefined : keyTenant;
  }

  #walled<Q extends { tenant?: string }>(query: Q): Q {
    const out = { ...query };
    if (this.tenant === undefined) delete out.tenant;
    else out.tenant = this.tenant;
    return out;
  }

  /** Whether the caller may see this event. */
  owns(event: Pick<AuditEvent, 'tenant'>): boolean {
    return this.tenant === undefined || event.tenant === this.tenant;
  }

  query(query: AuditQuery): Promise<AuditPage> {
    return this.store.query(this.#walled(query));
  }

  /** `query` as the events' stored JSON text, behind the same wall. */
  queryLines(query: AuditQuery): Promise<AuditLinesPage> {
    return queryLines(this.store, this.#walled(query));
  }

  iterate(query: AuditIterateQuery): AsyncIterable<AuditEvent> {
    return this.store.iterate(this.#walled(query));
  }

  stats(query: AuditStatsQuery): Promise<AuditStoreStats> {
    return this.store.stats(this.#walled(query));
  }

  /** One event by id; another tenant's event is reported as missing, never as forbidden. */
  get(id: string): Promise<AuditEvent | undefined> {
    return this.store.get(id, this.tenant === undefined ? {} : { tenant: this.tenant });
  }

  around(id: string, query: AuditAroundQuery): Promise<AuditAround | undefined> {
    return this.store.around(id, this.#walled(query));
  }
}
