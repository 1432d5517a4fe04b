/**
 * A reader too far behind never receives the server's `closing` message. Its next connection in
 * the same stream session learns why in `subscribed.previous`, and nobody else does.
 */
import { createAuditServer } from '@auditkit/server';
import { openStream, type RunningConsole, type StreamClient, startConsole } from './helpers';

type Paused = { _socket: { pause(): void; resume(): void } };

/** Subscribers in these sessions stop reading until the server drops every one of them. */
async function dropSlow(c: RunningConsole, key: string, sessions: string[]): Promise<StreamClient[]> {
  const slow = sessions.map((session) =>
    openStream(c.url, { key, query: `?q=type:bulk.*&session=${session}` }),
  );
  for (const s of slow) {
    await s.next((m) => m.type === 'subscribed');
    (s.ws as unknown as Paused)._socket.pause();
  }
  const before = c.server.streamStats().droppedSlow;
  const pad = 'x'.repeat(4000);
  for (let i = 0; i < 40 && c.server.streamStats().droppedSlow < before + sessions.length; i++)
    await c.seed(Array.from({ length: 200 }, (_, k) => ({ type: 'bulk.item', details: { i, k, pad } })));
  expect(c.server.streamStats().droppedSlow).toBe(before + sessions.length);
  for (const s of slow) (s.ws as unknown as Paused)._socket.resume();
  await Promise.all(slow.map((s) => s.closed));
  return slow;
}

/** The `previous` field of a new connection's `subscribed` message in this session. */
async function previousOf(c: RunningConsole, key: string, session: string): Promise<unknown> {
  const s = openStream(c.url, { key, query: `?session=${session}` });
  const subscribed = await s.next((m) => m.type === 'subscribed');
  s.ws.close();
  await s.closed;
  return subscribed.previous;
}

describe('stream sessions', () => {
  let c: RunningConsole;
  beforeAll(async () => {
    c = await startConsole({
      keys: { reader: { tenant: '*', scopes: ['read'] }, other: { tenant: '*', scopes: ['read'] } },
      server: { stream: { maxBuffered: 50, maxSocketBytes: 64 * 1024 } },
    });
  });
  afterAll(() => c.close());

  it('tells the next connection of a dropped session why, once, and nobody else', async () => {
    const [dropped] = await dropSlow(c, c.keys.reader!, ['tab-aaaaaaaa']);
    const received = dropped!.messages.filter((m) => m.type === 'event').length;
    // Another session of the same key, and the same session id under another key, learn nothing.
    expect(await previousOf(c, c.keys.reader!, 'tab-bbbbbbbb')).toBeNull();
    expect(await previousOf(c, c.keys.other!, 'tab-aaaaaaaa')).toBeNull();
    const previous = (await previousOf(c, c.keys.reader!, 'tab-aaaaaaaa')) as Record<string, number>;
    expect(previous).toMatchObject({ reason: 'slow', code: 4008, time: expect.any(String) });
    expect(previous.events).toBeGreaterThan(0);
    expect(previous.events).toBeGreaterThanOrEqual(received);
    expect(previous.unwritten).toBeGreaterThanOrEqual(0);
    expect(previous.unwritten).toBeLessThanOrEqual(previous.events);
    // Told once.
    expect(await previousOf(c, c.keys.reader!, 'tab-aaaaaaaa')).toBeNull();
    // The console's own record of the close says why as well.
    const closed = (await c.consoleEvents()).filter((e) => e.type === 'console.stream.closed');
    expect(closed.map((e) => e.details)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'slow', code: 4008, delivered: previous.events }),
        expect.objectContaining({ reason: 'client', code: 1005 }),
      ]),
    );
  });

  it('takes the session id in the first message, and refuses a malformed one', async () => {
    const s = openStream(c.url);
    await new Promise((r) => s.ws.once('open', r));
    s.ws.send(JSON.stringify({ type: 'auth', key: c.keys.reader, session: 'tab-cccccccc' }));
    expect(await s.next((m) => m.type === 'subscribed')).toMatchObject({ previous: null });
    s.ws.close();
    await s.closed;
    const none = openStream(c.url, { key: c.keys.reader });
    expect(await none.next((m) => m.type === 'subscribed')).not.toHaveProperty('previous');
    none.ws.close();
    await none.closed;

    const bad = openStream(c.url);
    await new Promise((r) => bad.ws.once('open', r));
    bad.ws.send(JSON.stringify({ type: 'auth', key: c.keys.reader, session: 'short' }));
    expect(await bad.next((m) => m.type === 'error')).toMatchObject({
      message: 'session must be 8 to 64 letters, digits, "-" or "_"',
    });
    expect((await bad.closed).code).toBe(4400);
    expect(await openStream(c.url, { key: c.keys.reader, query: '?session=a%20b' }).refused).toBe(400);
  });
});

describe('remembered closes', () => {
  let c: RunningConsole;
  beforeAll(async () => {
    c = await startConsole({
      keys: { reader: { tenant: '*', scopes: ['read'] } },
      server: { stream: { maxBuffered: 50, maxSocketBytes: 64 * 1024, rememberCloses: 2 } },
    });
  });
  afterAll(() => c.close());

  it('stay within their limit however many sessions are dropped', async () => {
    const sessions = ['s-000000001', 's-000000002', 's-000000003', 's-000000004', 's-000000005'];
    await dropSlow(c, c.keys.reader!, sessions);
    expect(c.server.streamStats().rememberedCloses).toBe(2);
    const told = [];
    for (const session of sessions) told.push(await previousOf(c, c.keys.reader!, session));
    expect(told.filter((p) => p === null)).toHaveLength(3);
    expect(told.filter((p) => (p as { reason?: string } | null)?.reason === 'slow')).toHaveLength(2);
    expect(c.server.streamStats().rememberedCloses).toBe(0);
  });

  it('are checked when the server is created', async () => {
    await expect(
      createAuditServer({
        store: c.store,
        logger: c.logger,
        keys: c.keysPath,
        stream: { rememberCloses: -1 },
      }),
    ).rejects.toThrow('createAuditServer: stream.rememberCloses must be an integer ≥ 0, got -1');
  });
});
