/**
 * Live-stream subscribers grouped by what they asked for: subscribers with the same tenant wall and
 * the same parsed filter share one compiled predicate (run once per event for all of them) and one
 * serialized message. Groups are indexed by the tenants they can match and then by the most
 * selective other value their filter pins (type, actor, type segment…), so an event is tested only
 * against the groups that could accept it: the cost of an event follows the subscribers that want
 * it, not all of them. The index only narrows the candidates; each group's own predicate decides.
 */
import {
  type AuditEvent,
  type AuditEventPredicate,
  type AuditFilter,
  type AuditFilterPin,
  type AuditPinKey,
  compileAuditFilter,
  filterPin,
  pinValueOf,
  tenantPin,
} from '@auditkit/core';

export class FilterGroup<M> {
  readonly members = new Set<M>();
  readonly predicate: AuditEventPredicate;
  /** The only tenants an event may have to match; undefined when the group spans tenants. */
  readonly tenants: readonly string[] | undefined;
  /** The other values an event must have to match; undefined when the filter pins nothing else. */
  readonly pin: AuditFilterPin | undefined;

  constructor(
    readonly key: string,
    filter: AuditFilter,
    wall: string | undefined,
  ) {
    this.predicate = compileAuditFilter(filter, wall);
    this.tenants = wall === undefined ? tenantPin(filter) : [wall];
    this.pin = filterPin(filter);
  }
}

/** The groups of one tenant (or of any tenant), by the value their filter pins. */
class PinnedGroups<M> {
  readonly #pinned = new Map<AuditPinKey, Map<string, Set<FilterGroup<M>>>>();
  readonly #rest = new Set<FilterGroup<M>>();

  add(group: FilterGroup<M>): void {
    if (!group.pin) {
      this.#rest.add(group);
      return;
    }
    let byValue = this.#pinned.get(group.pin.key);
    if (!byValue) {
      byValue = new Map();
      this.#pinned.set(group.pin.key, byValue);
    }
    for (const v of group.pin.values) {
      const set = byValue.get(v);
      if (set) set.add(group);
      else byValue.set(v, new Set([group]));
    }
  }

  /** Removes `group`; true when nothing is left here. */
  delete(group: FilterGroup<M>): boolean {
    if (!group.pin) this.#rest.delete(group);
    else {
      const byValue = this.#pinned.get(group.pin.key);
      for (const v of group.pin.values) {
        const set = byValue?.get(v);
        set?.delete(group);
        if (set?.size === 0) byValue!.delete(v);
      }
      if (byValue?.size === 0) this.#pinned.delete(group.pin.key);
    }
    return this.#rest.size === 0 && this.#pinned.size === 0;
  }

  /** Calls `visit` once for each group here that could accept `event`. */
  candidates(event: AuditEvent, visit: (group: FilterGroup<M>) => void): void {
    for (const [key, byValue] of this.#pinned) {
      const value = pinValueOf(event, key);
      if (typeof value !== 'string') continue;
      const set = byValue.get(value);
      if (set) for (const g of set) visit(g);
    }
    for (const g of this.#rest) visit(g);
  }
}

export class FilterGroups<M> {
  readonly #byKey = new Map<string, FilterGroup<M>>();
  readonly #byTenant = new Map<string, PinnedGroups<M>>();
  readonly #anyTenant = new PinnedGroups<M>();

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
          let groups = this.#byTenant.get(t);
          if (!groups) {
            groups = new PinnedGroups();
            this.#byTenant.set(t, groups);
          }
          groups.add(group);
        }
    }
    group.members.add(member);
    return group;
  }

  leave(member: M, group: FilterGroup<M>): void {
    if (!group.members.delete(member) || group.members.size > 0) return;
    this.#byKey.delete(group.key);
    if (group.tenants === undefined) this.#anyTenant.delete(group);
    else for (const t of group.tenants) if (this.#byTenant.get(t)?.delete(group)) this.#byTenant.delete(t);
  }

  /** Calls `matched` for each group whose predicate accepts `event`, each at most once. */
  match(event: AuditEvent, matched: (group: FilterGroup<M>) => void): void {
    const test = (g: FilterGroup<M>) => {
      if (g.predicate(event)) matched(g);
    };
    if (typeof event.tenant === 'string') this.#byTenant.get(event.tenant)?.candidates(event, test);
    this.#anyTenant.candidates(event, test);
  }

  get size(): number {
    return this.#byKey.size;
  }
}
