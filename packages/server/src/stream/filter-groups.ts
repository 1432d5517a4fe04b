/**
 * Live-stream subscribers grouped by what they asked for: subscribers with the same tenant wall and
 * the same parsed filter share one compiled predicate (run once per event for all of them) and one
 * serialized message. Groups are indexed by the tenants they can match, so an event is tested only
 * against the groups of its own tenant and those that span tenants.
 */
import {
  type AuditEvent,
  type AuditEventPredicate,
  type AuditFilter,
  compileAuditFilter,
} from '@auditkit/core';

export class FilterGroup<M> {
  readonly members = new Set<M>();
  readonly predicate: AuditEventPredicate;
  /** The only tenants an event may have to match; undefined when the group spans tenants. */
  readonly tenants: readonly string[] | undefined;

  constructor(
    readonly key: string,
    filter: AuditFilter,
    wall: string | undefined,
  ) {
    this.predicate = compileAuditFilter(filter, wall);
    this.tenants = wall === undefined ? requiredTenants(filter) : [wall];
  }
}

/**
 * The tenants a filter confines events to: the values of a plain (not negated, no wildcard)
 * `tenant:` term. Every term must hold, so an event of any other tenant cannot match.
 */
function requiredTenants(filter: AuditFilter): string[] | undefined {
  for (const term of filter.terms) {
    if (term.field !== 'tenant' || term.negate) continue;
    if (term.values.every((v): v is string => typeof v === 'string')) return [...new Set(term.values)];
  }
  return undefined;
}

export class FilterGroups<M> {
  readonly #byKey = new Map<string, FilterGroup<M>>();
  readonly #byTenant = new Map<string, Set<FilterGroup<M>>>();
  readonly #anyTenant = new Set<FilterGroup<M>>();

  /** Puts `member` in the group for this wall and filter; returns the group to leave it later. */
  join(member: M, filter: AuditFilter, wall: string | undefined): FilterGroup<M> {
    const key = `${wall ?? '*'}\u0000${JSON.stringify(filter)}`;
    let group = this.#byKey.get(key);
    if (!group) {
      group = new FilterGroup<M>(key, filter, wall);
      this.#byKey.set(key, group);
      if (group.tenants === undefined) this.#anyTenant.add(group);
      else
        for (const t of group.tenants) {
          const set = this.#byTenant.get(t) ?? new Set();
          set.add(group);
          this.#byTenant.set(t, set);
        }
    }
    group.members.add(member);
    return group;
  }

  leave(member: M, group: FilterGroup<M>): void {
    if (!group.members.delete(member) || group.members.size > 0) return;
    this.#byKey.delete(group.key);
    if (group.tenants === undefined) this.#anyTenant.delete(group);
    else
      for (const t of group.tenants) {
        const set = this.#byTenant.get(t);
        set?.delete(group);
        if (set?.size === 0) this.#byTenant.delete(t);
      }
  }

  /** Calls `matched` for each group whose predicate accepts `event`. */
  match(event: AuditEvent, matched: (group: FilterGroup<M>) => void): void {
    const own = event.tenant === undefined ? undefined : this.#byTenant.get(event.tenant);
    if (own) for (const g of own) if (g.predicate(event)) matched(g);
    for (const g of this.#anyTenant) if (g.predicate(event)) matched(g);
  }

  get size(): number {
    return this.#byKey.size;
  }
}
