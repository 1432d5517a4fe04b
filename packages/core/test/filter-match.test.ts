/** The live-stream matcher: what a term, a wildcard, a negation and the tenant wall mean for one event. */
import {
  type AuditEvent,
  compileAuditSelection,
  matchesAuditFilter,
  parseAuditFilter,
  validateAuditFilter,
} from '../src';

const event = (over: Partial<AuditEvent> = {}): AuditEvent =>
  ({
    v: 1,
    id: 'e1',
    time: '2026-11-20T10:00:00.000Z',
    type: 'auth.login',
    category: 'authentication',
    action: 'login',
    outcome: 'failure',
    severity: 'warning',
    tenant: 'acme',
    actor: { type: 'user', id: 'u-alice' },
    source: { service: 's' },
    message: 'Bad password for alice',
    ...over,
  }) as AuditEvent;

const matches = (text: string, e = event()) => matchesAuditFilter(e, parseAuditFilter(text));

describe('matchesAuditFilter', () => {
  it('holds every term, any value of a list, wildcards anywhere and free text', () => {
    expect(matches('type:auth.* actor:u-alice outcome:success,failure')).toBe(true);
    expect(matches('type:auth.* actor:u-bob')).toBe(false);
    expect(matches('actor:*alice type:*.log*')).toBe(true);
    expect(matches('password ALICE')).toBe(true);
    expect(matches('"password alice"')).toBe(false);
    expect(matches('since:2026-11-20T10:00Z until:2026-11-20T10:00:00.001Z')).toBe(true);
    expect(matches('until:2026-11-20T10:00Z')).toBe(false);
  });

  it('treats an absent field as not matching, so a negation keeps it', () => {
    const bare = event({ correlationId: undefined, resource: undefined });
    expect(matches('correlation:*', bare)).toBe(false);
    expect(matches('-correlation:*', bare)).toBe(true);
    expect(matches('-resource.type:invoice', bare)).toBe(true);
    expect(matches('-tenant:acme', event({ tenant: undefined }))).toBe(true);
  });

  it('gives a wildcard no regular-expression meaning and quotes no wildcard at all', () => {
    expect(matches('type:auth.lo.in')).toBe(false);
    expect(matches('type:auth?login')).toBe(false);
    expect(matches('actor:"u-*"')).toBe(false);
    expect(matches('actor:"u-*"', event({ actor: { type: 'user', id: 'u-*' } }))).toBe(true);
    expect(matches('actor:a.*', event({ actor: { type: 'user', id: 'a.b' } }))).toBe(true);
    expect(matches('actor:a.*', event({ actor: { type: 'user', id: 'ab' } }))).toBe(false);
  });
});

describe('compileAuditSelection', () => {
  it('keeps a subscriber inside its tenant, whatever its filter says', () => {
    const acme = compileAuditSelection({ tenant: 'acme', filter: 'tenant:globex,acme type:auth.*' });
    expect(acme(event())).toBe(true);
    expect(acme(event({ tenant: 'globex' }))).toBe(false);
    const shorthand = compileAuditSelection({ tenant: 'acme', actorId: 'u-alice', outcomes: ['failure'] });
    expect(shorthand(event())).toBe(true);
    expect(shorthand(event({ outcome: 'success' }))).toBe(false);
  });

  it('refuses operator objects and unknown fields, naming the path', () => {
    expect(() => compileAuditSelection({ tenant: { $ne: null } } as never)).toThrow(
      'compileAuditSelection: tenant must be a string, got an object',
    );
    expect(() => validateAuditFilter({ terms: [{ field: 'actor', values: [{ $regex: '.*' }] }] })).toThrow(
      'filter.terms[0].values[0] must be a string or { wildcard: string }, got an object',
    );
    expect(() => validateAuditFilter({ terms: [], since: 'yesterday' })).toThrow(
      'filter.since must be an ISO-8601 time, got the string "yesterday"',
    );
  });

  it('refuses an outcome or severity no event can have, naming the values it could be', () => {
    expect(() =>
      validateAuditFilter({ terms: [{ field: 'outcome', values: ['success', 'failed'] }] }),
    ).toThrow('filter.terms[0].values[1] must be one of success, failure, unknown, got the string "failed"');
    expect(() => validateAuditFilter({ terms: [{ field: 'severity', values: ['warn'] }] })).toThrow(
      'filter.terms[0].values[0] must be one of debug, info, notice, warning, error, critical, got the string "warn"',
    );
    expect(
      validateAuditFilter({ terms: [{ field: 'outcome', values: [{ wildcard: 'fail*' }] }] }).terms,
    ).toEqual([{ field: 'outcome', values: [{ wildcard: 'fail*' }] }]);
  });
});
