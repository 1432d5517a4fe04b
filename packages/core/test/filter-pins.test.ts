/** What a filter pins: never narrower than the filter, so an index built on pins loses no event. */
import {
  type AuditEvent,
  filterPin,
  matchesAuditFilter,
  parseAuditFilter,
  pinValueOf,
  tenantPin,
} from '../src';

const event = (over: Partial<AuditEvent>): AuditEvent =>
  ({
    v: 1,
    id: 'e1',
    time: '2026-11-20T10:00:00.000Z',
    category: 'authentication',
    action: 'login',
    outcome: 'failure',
    severity: 'warning',
    source: { service: 's' },
    ...over,
  }) as AuditEvent;

const pinOf = (text: string) => filterPin(parseAuditFilter(text));

describe('filterPin and tenantPin', () => {
  it('pins the most selective exact term, and only positive exact terms', () => {
    expect(pinOf('type:auth.login outcome:failure actor:u-1,u-2')).toEqual({
      key: 'actor',
      values: ['u-1', 'u-2'],
    });
    expect(pinOf('outcome:failure type:auth.login')).toEqual({ key: 'type', values: ['auth.login'] });
    expect(pinOf('-actor:u-1 outcome:failure')).toEqual({ key: 'outcome', values: ['failure'] });
    expect(pinOf('actor:u-* outcome:success')).toEqual({ key: 'outcome', values: ['success'] });
    expect(pinOf('-type:auth.login')).toBeUndefined();
    expect(pinOf('tenant:acme refund')).toBeUndefined();
    expect(tenantPin(parseAuditFilter('tenant:acme,globex type:a'))).toEqual(['acme', 'globex']);
    expect(tenantPin(parseAuditFilter('tenant:acme*'))).toBeUndefined();
    expect(tenantPin(parseAuditFilter('-tenant:acme'))).toBeUndefined();
  });

  it('pins a type wildcard by its first segment only when a dot comes before the first star', () => {
    expect(pinOf('type:auth.*')).toEqual({ key: 'type.segment', values: ['auth'] });
    expect(pinOf('type:auth.log*,billing.charge,admin')).toEqual({
      key: 'type.segment',
      values: ['auth', 'billing', 'admin'],
    });
    expect(pinOf('type:auth*')).toBeUndefined();
    expect(pinOf('type:*.login')).toBeUndefined();
    expect(pinOf('type:auth.*,*.login')).toBeUndefined();
  });

  it('never excludes an event its filter matches', () => {
    const filters = [
      'type:a.b',
      'type:a.*',
      'type:a*',
      'type:a',
      'type:a.b*,c',
      'type:*b',
      '-type:a.b',
      'type:a.b type:a.*',
      'actor:u-1',
      'actor:u-1,u-2 outcome:failure',
      '-actor:u-1 type:a.b',
      'actor:u* type:ab.c',
      'outcome:failure',
      'resource.id:r-1 type:a.*',
      'tenant:t-1 type:a.b',
      'tenant:t-1,t-2',
      '-tenant:t-1',
      'tenant:t*',
      '"a.b"',
      '',
    ];
    const types = ['a.b', 'a.b.c', 'a', 'ab.c', 'c', 'b', 'x.a.b', 'A.B', ''];
    const actors = [undefined, 'u-1', 'u-2', 'u-10'];
    const tenants = [undefined, 't-1', 't-2', 't-10'];
    let checked = 0;
    for (const text of filters) {
      const filter = parseAuditFilter(text);
      const pin = filterPin(filter);
      const pinnedTenants = tenantPin(filter);
      for (const type of types)
        for (const actor of actors)
          for (const tenant of tenants)
            for (const outcome of ['success', 'failure'] as const) {
              const e = event({
                type,
                outcome,
                ...(tenant && { tenant }),
                ...(actor && { actor: { type: 'user', id: actor } }),
                resource: { type: 'doc', id: actor === 'u-1' ? 'r-1' : 'r-2' },
              });
              if (!matchesAuditFilter(e, filter)) continue;
              checked++;
              if (pin)
                expect([text, pin.values.includes(pinValueOf(e, pin.key) as string)]).toEqual([text, true]);
              if (pinnedTenants)
                expect([text, pinnedTenants.includes(e.tenant as string)]).toEqual([text, true]);
            }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
