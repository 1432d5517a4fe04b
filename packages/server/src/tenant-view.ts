/**
 * The tenant wall. Handlers never see the store itself, only this view of it, made once per
 * request from the caller's key by the authentication hook: every read is ANDed with the key's
 * tenant, so a tenant filter in a request can only narrow it.
 */
import type { AuditEvent, AuditStore } from '@auditkit/core';

export class TenantView {
  readonly store: AuditStore;
  /** The key's tenant; undefined for a key bound to all tenants (`*`). */
  readonly tenant: string | undefined;

  constructor(store: AuditStore, keyTenant: string) {
    this.store = store;
    this.tenant = keyTenant === '*' ? undefined : keyTenant;
  }

  /** Whether the caller may see this event. */
  owns(event: Pick<AuditEvent, 'tenant'>): boolean {
    return this.tenant === undefined || event.tenant === this.tenant;
  }

  /**
   * A query object with the wall applied: `tenant` forced to the key's. A request for another
   * tenant's events yields `undefined` (nothing can match), never that tenant's events.
   */
  scope<Q extends { tenant?: string }>(query: Q): Q | undefined {
    if (this.tenant === undefined) return query;
    if (query.tenant !== undefined && query.tenant !== this.tenant) return undefined;
    return { ...query, tenant: this.tenant };
  }

  /** One event by id; another tenant's event is reported as missing, never as forbidden. */
  async get(id: string): Promise<AuditEvent | undefined> {
    const event = await this.store.get(id);
    return event && this.owns(event) ? event : undefined;
  }
}
