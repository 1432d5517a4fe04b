import { verifyStore } from '@auditkit/core';
import { foreignEvent, type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['write'] },
      all: { tenant: '*', scopes: ['write', 'read'] },
      reader: { tenant: 'acme', scopes: ['read'] },
    },
    server: { maxBatch: 50, bodyLimit: 64 * 1024 },
  });
});
afterAll(() => c.close());

describe('POST /api/events', () => {
  it('seals one event into the server chain, keeping its id, time and source', async () => {
    const event = foreignEvent({ time: '2026-11-03T10:00:00.123Z' });
    const r = await c.api('/api/events', { key: c.keys.acme, body: event });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      accepted: 1,
      duplicates: 0,
      notRecorded: 0,
      results: [{ id: event.id, status: 'accepted' }],
    });
    const stored = await c.store.get(event.id);
    expect(stored).toMatchObject({
      id: event.id,
      time: event.time,
      source: { service: 'billing-go' },
      tenant: 'acme',
    });
    expect(stored!.integrity!.chain).toBe(c.logger.stats().integrity!.chain);
  });

  it('takes a batch; the id is the idempotency key, across requests and within one', async () => {
    const batch = [foreignEvent(), foreignEvent(), foreignEvent()];
    const first = await c.api('/api/events', { key: c.keys.acme, body: batch });
    expect(first.json).toMatchObject({ accepted: 3, duplicates: 0 });
    const again = await c.api('/api/events', { key: c.keys.acme, body: [...batch, batch[0]] });
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 4 });
    const fresh = foreignEvent();
    const twice = await c.api('/api/events', { key: c.keys.acme, body: [fresh, fresh] });
    expect(twice.json.results).toEqual([
      { id: fresh.id, status: 'accepted' },
      { id: fresh.id, status: 'duplicate' },
    ]);
    // Concurrent retries of one request: still sealed once.
    const racing = foreignEvent();
    const answers = await Promise.all(
      [1, 2, 3].map(() => c.api('/api/events', { key: c.keys.acme, body: racing })),
    );
    expect(answers.map((a) => a.json.accepted).sort()).toEqual([0, 0, 1]);
    await c.logger.flush();
    const report = await verifyStore(c.store, { publicKeys: [c.signing.publicKeyPem] });
    expect(report.breaks).toEqual([]);
    const page = await c.store.query({ types: ['payment.refund'], limit: 1000 });
    const ids = page.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('knows ids recorded before it started, from the store', async () => {
    const [id] = await c.seed([{ type: 'order.created', tenant: 'acme' }]);
    const stored = await c.store.get(id!);
    const { integrity: _i, ...unsealed } = stored!;
    const r = await c.api('/api/events', { key: c.keys.acme, body: unsealed });
    expect(r.json.results).toEqual([{ id, status: 'duplicate' }]);
  });

  it('answers 400 naming every bad field of every event', async () => {
    const bad = [
      foreignEvent(),
      { ...foreignEvent(), outcome: 'maybe', actor: {} },
      { ...foreignEvent(), integrity: { chain: 'x', seq: 0, prev: null, hash: 'h' } },
      { ...foreignEvent(), id: 'not-a-uuid', extra: 1 },
      { ...foreignEvent(), type: 'audit.checkpoint' },
    ];
    const r = await c.api('/api/events', { key: c.keys.acme, body: bad });
    expect(r.status).toBe(400);
    const fields = r.json.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'body/1/outcome',
        'body/1/actor/type',
        'body/2/integrity',
        'body/3/id',
        'body/3/extra',
        'body/4/type',
      ]),
    );
    expect(r.json.errors.find((e: { field: string }) => e.field === 'body/1/outcome').message).toMatch(
      /must be one of "success", "failure", "unknown"/,
    );
    // Nothing of a refused batch is recorded.
    expect(await c.store.get(bad[0]!.id as string)).toBeUndefined();
  });

  it('holds a tenant key to its tenant, fills in a missing tenant, and lets a * key write any', async () => {
    const other = foreignEvent({ tenant: 'globex' });
    const refused = await c.api('/api/events', { key: c.keys.acme, body: [foreignEvent(), other] });
    expect(refused.status).toBe(403);
    expect(refused.json.errors).toEqual([
      { field: 'body/1/tenant', message: 'this key writes only tenant "acme"' },
    ]);
    const { tenant: _t, ...untenanted } = foreignEvent();
    await c.api('/api/events', { key: c.keys.acme, body: untenanted });
    expect((await c.store.get(untenanted.id))!.tenant).toBe('acme');
    const ok = await c.api('/api/events', { key: c.keys.all, body: other });
    expect(ok.json.accepted).toBe(1);
  });

  it('refuses malformed JSON, other media types, oversized bodies and batches, and keys without write', async () => {
    const malformed = await c.api('/api/events', { key: c.keys.acme, body: '{"v":1,' });
    expect(malformed.status).toBe(400);
    const text = await c.api('/api/events', {
      key: c.keys.acme,
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const huge = await c.api('/api/events', {
      key: c.keys.acme,
      body: foreignEvent({ message: 'x'.repeat(70 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const many = await c.api('/api/events', {
      key: c.keys.acme,
      body: Array.from({ length: 51 }, () => foreignEvent()),
    });
    expect(many.status).toBe(400);
    expect(many.json.message).toMatch(/1 to 50 events, got 51/);
    const empty = await c.api('/api/events', { key: c.keys.acme, body: [] });
    expect(empty.status).toBe(400);
    expect((await c.api('/api/events', { key: c.keys.reader, body: foreignEvent() })).status).toBe(403);
    const scalar = await c.api('/api/events', { key: c.keys.acme, body: '42' });
    expect(scalar.status).toBe(400);
  });

  it('records each ingest request as a console event', async () => {
    const ingests = (await c.consoleEvents()).filter((e) => e.type === 'console.ingest');
    expect(ingests.length).toBeGreaterThan(3);
    expect(ingests[0]).toMatchObject({ tenant: 'acme', action: 'create', details: { accepted: 1 } });
  });
});
