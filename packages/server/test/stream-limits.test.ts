import { revokeApiKey } from '@auditkit/server';
import { openStream, type RunningConsole, startConsole } from './helpers';

let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: {
      fast: { tenant: '*', scopes: ['read'] },
      slow: { tenant: '*', scopes: ['read'] },
      doomed: { tenant: 'acme', scopes: ['read'] },
    },
    server: { stream: { maxConnections: 3, maxBuffered: 50, maxSocketBytes: 64 * 1024, authTimeoutMs: 200 } },
  });
});
afterAll(() => c.close());

describe('stream limits', () => {
  it('tells and drops a subscriber that stops reading; the others get every event', async () => {
    const fast = openStream(c.url, { key: c.keys.fast, q: 'type:bulk.*' });
    const slow = openStream(c.url, { key: c.keys.slow, q: 'type:bulk.*' });
    await fast.next((m) => m.type === 'subscribed');
    await slow.next((m) => m.type === 'subscribed');
    // The slow client stops reading its socket: the server's send buffer fills up.
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const n = 3000;
    const inputs = Array.from({ length: n }, (_, i) => ({
      type: 'bulk.item',
      details: { i, pad: 'x'.repeat(4000) },
    }));
    for (let i = 0; i < n; i += 500) await c.seed(inputs.slice(i, i + 500));
    await fast.next((m) => m.type === 'event' && m.event.details.i === n - 1, 10_000);
    expect(fast.messages.filter((m) => m.type === 'event')).toHaveLength(n);
    expect(c.server.streamStats().droppedSlow).toBe(1);
    socket.resume();
    const closed = await slow.closed;
    expect([4008, 1006]).toContain(closed.code);
    fast.ws.close();
    await fast.closed;
  });

  it('refuses connections beyond the limit with 503, and cuts clients that never send a key', async () => {
    const open = [openStream(c.url, { key: c.keys.fast }), openStream(c.url, { key: c.keys.fast })];
    await Promise.all(open.map((s) => s.next((m) => m.type === 'subscribed')));
    const silent = openStream(c.url);
    await new Promise((r) => silent.ws.once('open', r));
    const extra = openStream(c.url, { key: c.keys.fast });
    expect(await extra.refused).toBe(503);
    expect(c.server.streamStats().refused).toBe(1);
    expect((await silent.closed).code).toBe(4401);
    for (const s of open) s.ws.close();
    await Promise.all(open.map((s) => s.closed));
  });

  it('closes the streams of a revoked key within a second', async () => {
    const s = openStream(c.url, { key: c.keys.doomed });
    await s.next((m) => m.type === 'subscribed');
    const started = Date.now();
    await revokeApiKey(c.keysPath, c.keys.doomed!.split('_')[1]!);
    const closed = await s.closed;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(closed.code).toBe(4401);
    expect(s.messages.at(-1)).toMatchObject({ type: 'closing', reason: 'revoked' });
  });
});
