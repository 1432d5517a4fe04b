import type { AuditEvent } from '@auditkit/core';
import { type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
let ids: string[];
beforeAll(async () => {
  c = await startConsole({
    keys: { acme: { tenant: 'acme', scopes: ['read'] }, all: { tenant: '*', scopes: ['read'] } },
  });
  const inputs = [];
  for (let i = 0; i < 24; i++) {
    inputs.push({
      type: i % 3 === 0 ? 'auth.login' : 'invoice.update',
      tenant: i % 4 === 3 ? 'globex' : 'acme',
      outcome: i % 5 === 0 ? ('failure' as const) : ('success' as const),
      actor: { id: i % 2 === 0 ? 'u-alice' : 'u-bob' },
      resource: { type: 'invoice', id: `inv-${i % 6}` },
      message: `event ${i}`,
      time: new Date(Date.UTC(2026, 10, 1, 0, i)),
    });
  }
  ids = await c.seed(inputs);
});
afterAll(() => c.close());

const acmeCount = () => [...Array(24).keys()].filter((i) => i % 4 !== 3).length;

describe('GET /api/events', () => {
  it('pages through every event of the key tenant with cursors, newest first, each once', async () => {
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const r = await c.api(
        `/api/events?q=${encodeURIComponent('type:auth.*,invoice.*')}&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        {
          key: c.keys.acme,
        },
      );
      expect(r.status).toBe(200);
      seen.push(...r.json.events);
      cursor = r.json.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(acmeCount());
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.every((e) => e.tenant === 'acme')).toBe(true);
    const times = seen.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters with the shared language: field values, wildcards, negation, time range, free text', async () => {
    const q = async (filter: string) =>
      (await c.api(`/api/events?limit=1000&q=${encodeURIComponent(filter)}`, { key: c.keys.all })).json
        .events as AuditEvent[];
    expect(
      (await q('actor:u-alice type:auth.login')).every(
        (e) => e.actor.id === 'u-alice' && e.type === 'auth.login',
      ),
    ).toBe(true);
    expect((await q('-outcome:success type:invoice.*')).every((e) => e.outcome === 'failure')).toBe(true);
    const ranged = await q('since:2026-11-01T00:05:00Z until:2026-11-01T00:10:00Z');
    expect(ranged.map((e) => e.message).sort()).toEqual([
      'event 5',
      'event 6',
      'event 7',
      'event 8',
      'event 9',
    ]);
    expect((await q('"event 17"')).map((e) => e.id)).toEqual([ids[17]]);
  });

  it('answers 400 naming the parameter for a bad filter, cursor or limit', async () => {
    const bad = await c.api(`/api/events?q=${encodeURIComponent('colour:red')}`, { key: c.keys.acme });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('querystring/q');
    expect(bad.json.message).toMatch(/colour/);
    const cursor = await c.api('/api/events?cursor=bm90LWEtY3Vyc29y', { key: c.keys.acme });
    expect(cursor.status).toBe(400);
    expect(cursor.json.errors[0].field).toBe('querystring/cursor');
    const limit = await c.api('/api/events?limit=5000', { key: c.keys.acme });
    expect(limit.status).toBe(400);
    expect(limit.json.errors[0].field).toBe('querystring/limit');
  });

  it('records each search with its filter as a console event', async () => {
    await c.api(`/api/events?q=${encodeURIComponent('actor:u-bob')}`, { key: c.keys.acme });
    const searches = (await c.consoleEvents()).filter((e) => e.type === 'console.search');
    expect(searches.at(-1)).toMatchObject({
      tenant: 'acme',
      action: 'read',
      details: { filter: 'actor:u-bob' },
    });
  });
});

describe('GET /api/events/:id', () => {
  it('returns one event, and the events around it by actor', async () => {
    const one = await c.api(`/api/events/${ids[8]}`, { key: c.keys.acme });
    expect(one.json.event.id).toBe(ids[8]);
    const around = await c.api(`/api/events/${ids[8]}?around=actor&before=2&after=2`, { key: c.keys.acme });
    expect(around.status).toBe(200);
    expect(around.json.around.before.map((e: AuditEvent) => e.id)).toEqual([ids[4], ids[6]]);
    expect(around.json.around.after.map((e: AuditEvent) => e.id)).toEqual([ids[10], ids[12]]);
  });

  it('does not confirm that another tenant event exists: 404, not 403', async () => {
    const r = await c.api(`/api/events/${ids[3]}`, { key: c.keys.acme });
    expect(r.status).toBe(404);
    const around = await c.api(`/api/events/${ids[3]}?around=actor`, { key: c.keys.acme });
    expect(around.status).toBe(404);
    expect((await c.api(`/api/events/${ids[3]}`, { key: c.keys.all })).status).toBe(200);
  });
});
