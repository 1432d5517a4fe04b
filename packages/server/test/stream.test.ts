import { openStream, type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: {
      acme: { tenant: 'acme', scopes: ['read'] },
      writer: { tenant: 'acme', scopes: ['write'] },
      all: { tenant: '*', scopes: ['read'] },
    },
    server: { stream: { heartbeatMs: 100 } },
  });
});
afterAll(() => c.close());

const isEvent = (type: string) => (m: StreamMessage) => m.type === 'event' && m.event.type === type;

describe('WS /api/stream', () => {
  it('delivers sealed events matching the filter, inside the key tenant', async () => {
    const s = openStream(c.url, { key: c.keys.acme, q: 'type:auth.*' });
    expect(await s.next((m) => m.type === 'subscribed')).toEqual({
      type: 'subscribed',
      filter: 'type:auth.*',
      tenant: 'acme',
    });
    await c.seed([
      { type: 'auth.login', tenant: 'globex', message: 'theirs' },
      { type: 'data.update', tenant: 'acme' },
      { type: 'auth.login', tenant: 'acme', message: 'ours' },
    ]);
    const got = await s.next(isEvent('auth.login'));
    expect(got.event).toMatchObject({
      tenant: 'acme',
      message: 'ours',
      integrity: { chain: expect.any(String) },
    });
    await c.seed([{ type: 'auth.logout', tenant: 'acme' }]);
    await s.next(isEvent('auth.logout'));
    const events = s.messages.filter((m) => m.type === 'event').map((m) => m.event);
    expect(events.map((e) => e.type)).toEqual(['auth.login', 'auth.logout']);
    expect(events.every((e) => e.tenant === 'acme')).toBe(true);
    s.ws.close();
    await s.closed;
  });

  it('takes the key in the first message or as a subprotocol, never echoing it', async () => {
    const first = openStream(c.url);
    await new Promise((r) => first.ws.once('open', r));
    first.ws.send(JSON.stringify({ type: 'auth', key: c.keys.acme, filter: 'type:order.*' }));
    await first.next((m) => m.type === 'subscribed');
    const sub = openStream(c.url, { protocols: ['auditkit.v1', c.keys.acme!], q: 'type:order.*' });
    await sub.next((m) => m.type === 'subscribed');
    expect(sub.ws.protocol).toBe('auditkit.v1');
    await c.seed([{ type: 'order.created', tenant: 'acme' }]);
    await first.next(isEvent('order.created'));
    await sub.next(isEvent('order.created'));
    first.ws.close();
    sub.ws.close();
  });

  it('changes the filter on a subscribe message and refuses a bad one without dropping the stream', async () => {
    const s = openStream(c.url, { key: c.keys.all, q: 'type:none.*' });
    await s.next((m) => m.type === 'subscribed');
    s.ws.send(JSON.stringify({ type: 'subscribe', filter: 'colour:red' }));
    expect((await s.next((m) => m.type === 'error')).message).toMatch(/colour/);
    s.ws.send(JSON.stringify({ type: 'subscribe', filter: 'type:ship.* tenant:globex' }));
    await s.next((m) => m.type === 'subscribed' && m.filter.startsWith('type:ship'));
    await c.seed([{ type: 'ship.sent', tenant: 'globex' }]);
    expect((await s.next(isEvent('ship.sent'))).event.tenant).toBe('globex');
    s.ws.close();
  });

  it('refuses bad keys, missing scopes and keys in the URL, recording the failures', async () => {
    const wrong = openStream(c.url);
    await new Promise((r) => wrong.ws.once('open', r));
    wrong.ws.send(
      JSON.stringify({
        type: 'auth',
        key: 'akc_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
    );
    expect((await wrong.closed).code).toBe(4401);
    const writer = openStream(c.url);
    await new Promise((r) => writer.ws.once('open', r));
    writer.ws.send(JSON.stringify({ type: 'auth', key: c.keys.writer }));
    expect((await writer.closed).code).toBe(4403);
    const header = openStream(c.url, { key: c.keys.writer });
    expect(await header.refused).toBe(403);
    const inUrl = openStream(c.url, { query: `?key=${c.keys.acme}` });
    expect(await inUrl.refused).toBe(400);
    const failed = (await c.consoleEvents()).filter((e) => e.type === 'console.auth.failed');
    expect(failed.map((e) => e.message)).toEqual(
      expect.arrayContaining(['unknown or revoked API key', 'credentials in the URL refused']),
    );
  });

  it('sends heartbeats and records subscriptions', async () => {
    const s = openStream(c.url, { key: c.keys.acme });
    await s.next((m) => m.type === 'heartbeat');
    s.ws.close();
    await s.closed;
    const subs = (await c.consoleEvents()).filter((e) => e.type === 'console.stream.subscribe');
    expect(subs.length).toBeGreaterThanOrEqual(4);
    expect(subs[0]).toMatchObject({ tenant: 'acme', details: { filter: 'type:auth.*' } });
  });
});
