/**
 * The store contract, as test suites every store runs unchanged (file, PostgreSQL, MongoDB):
 * paging, tenant walls, the filter language against the live-stream matcher, and injection.
 */
import {
  type AuditEvent,
  type AuditFilter,
  type AuditFilterTerm,
  type AuditStore,
  compileAuditFilter,
} from '@auditkit/core';
import fc from 'fast-check';
import {
  ACTORS,
  allPages,
  contractEvents,
  HOSTILE_STRINGS,
  sorted,
  TENANTS,
  TYPES,
  writeAll,
} from './events';

export interface ContractStore {
  store: AuditStore;
  close(): Promise<void>;
}

/** Opens an empty store of the kind under test; the suite writes its events. */
export type OpenContractStore = () => Promise<ContractStore>;

/** A store of the kind under test holding `events`, opened before the suite and closed after it. */
export function withEvents(open: OpenContractStore, events: AuditEvent[]) {
  const ctx = {} as ContractStore;
  beforeAll(async () => {
    Object.assign(ctx, await open());
    await writeAll(ctx.store, events);
  }, 120_000);
  afterAll(() => ctx.close?.());
  return ctx;
}

const ids = (events: readonly AuditEvent[]) => events.map((e) => e.id);

/** Thousands of events paged in both orders: no duplicate, no gap, the cursors bound to their query. */
export function describePaging(name: string, open: OpenContractStore, count = 3000): void {
  const events = contractEvents(count);
  describe(`${name}: paging`, () => {
    const ctx = withEvents(open, events);
    it.each(['desc', 'asc'] as const)('pages %s through every event exactly once', async (order) => {
      const { ids: seen, pages } = await allPages(ctx.store, { order, limit: 250 });
      expect(pages).toBe(Math.ceil(count / 250));
      expect(seen).toEqual(ids(sorted(events, order)));
    });
    it.each(['desc', 'asc'] as const)('pages %s inside a tenant with a filter', async (order) => {
      const expected = sorted(
        events.filter((e) => e.tenant === 'acme' && e.type.startsWith('auth.') && e.outcome !== 'success'),
        order,
      );
      const { ids: seen } = await allPages(ctx.store, {
        filter: 'type:auth.* -outcome:success',
        tenant: 'acme',
        order,
        limit: 37,
      });
      expect(seen).toEqual(ids(expected));
    });
    it('iterates every match in order, for exports', async () => {
      const seen: string[] = [];
      for await (const e of ctx.store.iterate({ tenant: 'globex', pageSize: 100 })) seen.push(e.id);
      expect(seen).toEqual(
        ids(
          sorted(
            events.filter((e) => e.tenant === 'globex'),
            'asc',
          ),
        ),
      );
    });
    it('refuses a cursor altered, or made for another filter, tenant or order', async () => {
      const { nextCursor } = await ctx.store.query({ tenant: 'acme', filter: 'type:auth.*', limit: 5 });
      expect(nextCursor).toBeDefined();
      const cursor = nextCursor!;
      const flipped = cursor.slice(0, 3) + (cursor[3] === 'A' ? 'B' : 'A') + cursor.slice(4);
      const same = { tenant: 'acme', filter: 'type:auth.*', limit: 5 };
      await expect(ctx.store.query({ ...same, cursor: flipped })).rejects.toThrow(/invalid cursor/);
      await expect(ctx.store.query({ ...same, cursor: cursor.slice(0, -2) })).rejects.toThrow(
        /invalid cursor/,
      );
      await expect(ctx.store.query({ ...same, cursor: 'garbage' })).rejects.toThrow(/invalid cursor/);
      await expect(ctx.store.query({ ...same, tenant: 'globex', cursor })).rejects.toThrow(
        /another filter or tenant/,
      );
      await expect(ctx.store.query({ ...same, filter: 'type:*', cursor })).rejects.toThrow(/another filter/);
      await expect(ctx.store.query({ ...same, order: 'asc', cursor })).rejects.toThrow(/order/);
      // A JSON body re-encoded with another position but no matching check is refused too.
      const [body] = cursor.split('.');
      const forged = JSON.parse(Buffer.from(body!, 'base64url').toString()) as unknown[];
      forged[3] = 'ffffffff';
      const forgedCursor = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${cursor.split('.')[1]}`;
      await expect(ctx.store.query({ ...same, cursor: forgedCursor })).rejects.toThrow(/altered/);
    });
  });
}

/** Another tenant's events are out of reach by id, by filter, around an event and in stats. */
export function describeTenantWall(name: string, open: OpenContractStore): void {
  const events = contractEvents(400, 11);
  describe(`${name}: tenant wall`, () => {
    const ctx = withEvents(open, events);
    const globex = events.find((e) => e.tenant === 'globex' && e.actor?.id === 'u-alice')!;
    it('get refuses another tenant’s event', async () => {
      expect((await ctx.store.get(globex.id, { tenant: 'globex' }))?.id).toBe(globex.id);
      expect(await ctx.store.get(globex.id, { tenant: 'acme' })).toBeUndefined();
      expect(await ctx.store.get(globex.id, { tenant: '' })).toBeUndefined();
      expect((await ctx.store.get(globex.id))?.id).toBe(globex.id);
    });
    it('a tenant term only narrows the wall', async () => {
      expect((await ctx.store.query({ tenant: 'acme', filter: 'tenant:globex' })).events).toEqual([]);
      expect((await ctx.store.query({ tenant: 'acme', filter: '-tenant:acme' })).events).toEqual([]);
      const page = await ctx.store.query({ tenant: 'acme', filter: 'tenant:acme,globex', limit: 1000 });
      expect(page.events.every((e) => e.tenant === 'acme')).toBe(true);
      expect(page.events.length).toBe(events.filter((e) => e.tenant === 'acme').length);
    });
    it('around stays inside the wall', async () => {
      expect(await ctx.store.around(globex.id, { by: 'actor', tenant: 'acme' })).toBeUndefined();
      const around = await ctx.store.around(globex.id, {
        by: 'actor',
        tenant: 'globex',
        before: 3,
        after: 3,
      });
      const mine = sorted(
        events.filter((e) => e.tenant === 'globex' && e.actor?.id === 'u-alice'),
        'asc',
      );
      const at = mine.findIndex((e) => e.id === globex.id);
      expect(ids(around!.before)).toEqual(ids(mine.slice(Math.max(0, at - 3), at)));
      expect(ids(around!.after)).toEqual(ids(mine.slice(at + 1, at + 4)));
    });
    it('retention names the oldest event inside the wall', async () => {
      const first = (list: AuditEvent[]) => {
        const e = sorted(list, 'asc')[0]!;
        return { id: e.id, time: e.time };
      };
      expect((await ctx.store.retention!()).oldest).toEqual(first(events));
      const acme = events.filter((e) => e.tenant === 'acme');
      expect((await ctx.store.retention!({ tenant: 'acme' })).oldest).toEqual(first(acme));
      expect((await ctx.store.retention!({ tenant: 'nobody' })).oldest).toBeUndefined();
    });
    it('stats count one tenant', async () => {
      const acme = events.filter((e) => e.tenant === 'acme');
      const stats = await ctx.store.stats({ tenant: 'acme', bucket: 'day' });
      expect(stats.total).toBe(acme.length);
      expect(stats.overTime.reduce((n, b) => n + b.count, 0)).toBe(acme.length);
      expect(Object.values(stats.byCategory).reduce((a, b) => a + b, 0)).toBe(acme.length);
      expect(stats.byOutcome.failure ?? 0).toBe(acme.filter((e) => e.outcome === 'failure').length);
    });
  });
}

const VALUE_POOL: Record<AuditFilterTerm['field'], string[]> = {
  id: [],
  type: [...TYPES, 'auth.*', 'data.*', '*.login', '*mfa*', 'auth'],
  category: ['authentication', 'data', 'security', 'sec*'],
  action: ['create', 'read', 'update', 'login', '*e'],
  outcome: ['success', 'failure', 'unknown'],
  severity: ['info', 'warning', 'error'],
  actor: [...ACTORS, 'u-*', '*%*', '*\\*', '*_*'],
  'actor.type': ['user', 'service'],
  tenant: [...TENANTS, 'a*'],
  'resource.type': ['invoice', 'user', 'report', 'in*'],
  'resource.id': ['r-1', 'r-2', 'r-1*', 'r-?'],
  correlation: ['c-1', 'c-2', 'c-1*'],
  request: ['x'],
  trace: ['t-1', 't-*'],
  chain: ['*'],
};
const FIELDS = Object.keys(VALUE_POOL).filter(
  (f) => VALUE_POOL[f as AuditFilterTerm['field']].length > 0,
) as Array<AuditFilterTerm['field']>;

const valueArb = (field: AuditFilterTerm['field']) =>
  fc
    .constantFrom(...VALUE_POOL[field])
    .chain((v) =>
      v.includes('*') ? fc.constantFrom<string | { wildcard: string }>({ wildcard: v }, v) : fc.constant(v),
    );
const termArb: fc.Arbitrary<AuditFilterTerm> = fc.constantFrom(...FIELDS).chain((field) =>
  fc.record({
    field: fc.constant(field),
    values: fc.array(valueArb(field), { minLength: 1, maxLength: 3 }),
    negate: fc.boolean(),
  }),
);
const filterArb: fc.Arbitrary<AuditFilter> = fc.record(
  {
    terms: fc.array(termArb, { maxLength: 3 }),
    since: fc.integer({ min: 0, max: 4 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString()),
    until: fc.integer({ min: 1, max: 5 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString()),
    text: fc.array(fc.constantFrom('refund', 'APPROVED', 'u-al', 'login', '%', '_'), { maxLength: 1 }),
  },
  { requiredKeys: ['terms'] },
);

/** Random filters give the store's answer and the live-stream matcher's answer, identical. */
export function describeFilterAgreement(name: string, open: OpenContractStore, runs = 60): void {
  const events = contractEvents(600, 23);
  describe(`${name}: the filter language`, () => {
    const ctx = withEvents(open, events);
    it('answers as matchesAuditFilter does, for random filters and tenants', async () => {
      await fc.assert(
        fc.asyncProperty(
          filterArb,
          fc.option(fc.constantFrom(...TENANTS), { nil: undefined }),
          async (filter, tenant) => {
            const matches = compileAuditFilter(filter, tenant);
            const expected = ids(sorted(events.filter(matches), 'desc'));
            const { ids: got } = await allPages(ctx.store, { filter, tenant, limit: 1000 });
            expect(got).toEqual(expected);
          },
        ),
        { numRuns: runs },
      );
    });
    it('answers the documented examples', async () => {
      const count = async (filter: string) => (await allPages(ctx.store, { filter, limit: 1000 })).ids.length;
      const n = (p: (e: AuditEvent) => boolean) => events.filter(p).length;
      expect(await count('type:auth.*')).toBe(n((e) => e.type.startsWith('auth.')));
      expect(await count('-type:auth.*')).toBe(n((e) => !e.type.startsWith('auth.')));
      expect(await count('type:auth')).toBe(0);
      expect(await count('actor:u-alice outcome:failure')).toBe(
        n((e) => e.actor?.id === 'u-alice' && e.outcome === 'failure'),
      );
      expect(await count('since:2026-01-01T12:00Z until:2026-01-02')).toBe(
        n((e) => e.time >= '2026-01-01T12:00:00.000Z' && e.time < '2026-01-02T00:00:00.000Z'),
      );
      expect(await count('refund approved')).toBe(n((e) => /refund approved/i.test(e.message ?? '')));
      expect(await count('-correlation:*')).toBe(n((e) => e.correlationId === undefined));
    });
  });
}

/**
 * Operator and SQL injection: an operator object in any value is refused before the database;
 * hostile strings match only events holding exactly that string; wildcards escape everything but `*`.
 */
export function describeInjection(name: string, open: OpenContractStore): void {
  const events = contractEvents(500, 31);
  const OPERATORS: unknown[] = [
    { $ne: null },
    { $gt: '' },
    { $regex: '.*' },
    { $in: ['acme', 'globex', 'initech'] },
    { $exists: true },
    ['acme'],
    42,
    null,
    new Date(0),
  ];
  const SHORTHAND = ['tenant', 'actorId', 'resourceType', 'resourceId', 'correlationId'];
  describe(`${name}: injection`, () => {
    const ctx = withEvents(open, events);
    it.each(SHORTHAND)('refuses an operator or non-string as %s in query and stats', async (key) => {
      for (const value of OPERATORS) {
        if (value === null && key !== 'tenant') continue;
        await expect(ctx.store.query({ [key]: value } as object)).rejects.toThrow(TypeError);
        await expect(ctx.store.stats({ [key]: value } as object)).rejects.toThrow(TypeError);
      }
      await expect(ctx.store.query({ [key]: 'a\0b' } as object)).rejects.toThrow(/NUL/);
    });
    it('refuses operators in lists, filter objects, ids and get/around options', async () => {
      await expect(ctx.store.query({ types: [{ $ne: null }] } as never)).rejects.toThrow(
        /types\[0\] must be a string/,
      );
      await expect(ctx.store.query({ types: 'auth.login' } as never)).rejects.toThrow(
        /types must be an array/,
      );
      await expect(
        ctx.store.query({ filter: { terms: [{ field: 'tenant', values: [{ $ne: null }] }] } } as never),
      ).rejects.toThrow(/values\[0\] must be a string or \{ wildcard: string \}/);
      await expect(
        ctx.store.query({ filter: { terms: [{ field: '$where', values: ['1'] }] } } as never),
      ).rejects.toThrow(/field must be one of/);
      await expect(ctx.store.query({ filter: { terms: [], $where: 'x' } } as never)).rejects.toThrow(
        /unknown key/,
      );
      await expect(ctx.store.query({ tenat: 'acme' } as never)).rejects.toThrow(
        /unknown query option "tenat"/,
      );
      await expect(ctx.store.get({ $ne: null } as never)).rejects.toThrow(TypeError);
      await expect(ctx.store.get(events[0]!.id, { tenant: { $ne: null } } as never)).rejects.toThrow(
        TypeError,
      );
      await expect(
        ctx.store.around(events[0]!.id, { by: 'actor', tenant: { $gt: '' } } as never),
      ).rejects.toThrow(TypeError);
    });
    it.each([0, -1, 1.5, 1001, Number.NaN, Number.POSITIVE_INFINITY, '10', null])(
      'refuses limit %p',
      async (limit) => {
        await expect(ctx.store.query({ limit } as never)).rejects.toThrow(
          /limit must be an integer from 1 to 1000/,
        );
      },
    );
    it.each(['yesterday', '', new Date('x'), { $gt: '' }, 1700000000000])(
      'refuses the time bound %p',
      async (bound) => {
        await expect(ctx.store.query({ from: bound } as never)).rejects.toThrow(
          /from must be an ISO-8601 time/,
        );
        await expect(ctx.store.stats({ to: bound } as never)).rejects.toThrow(/to must be an ISO-8601 time/);
      },
    );
    it.each(HOSTILE_STRINGS)('matches %j literally, as a value and inside a wildcard', async (value) => {
      const exact = events.filter((e) => e.actor?.id === value);
      const got = await allPages(ctx.store, { actorId: value, limit: 1000 });
      expect(got.ids.sort()).toEqual(ids(exact).sort());
      const viaFilter = await allPages(ctx.store, {
        filter: { terms: [{ field: 'actor', values: [{ wildcard: `*${value}*` }] }] },
        limit: 1000,
      });
      expect(viaFilter.ids.sort()).toEqual(ids(events.filter((e) => e.actor?.id?.includes(value))).sort());
      const asTenant = await ctx.store.query({ tenant: value });
      expect(asTenant.events).toEqual([]);
      expect((await ctx.store.stats({ tenant: value })).total).toBe(0);
    });
    it('gives no regex meaning to a wildcard', async () => {
      const none = async (wildcard: string) =>
        (await ctx.store.query({ filter: { terms: [{ field: 'type', values: [{ wildcard }] }] } })).events;
      expect(await none('.*')).toEqual([]);
      expect(await none('auth.log.n')).toEqual([]);
      expect(await none('[a-z]*')).toEqual([]);
      expect(await none('%')).toEqual([]);
      expect(await none('_uth.login')).toEqual([]);
    });
  });
}
