import { createAuditServer } from '@auditkit/server';
import { openStream, type RunningConsole, type StreamClient, startConsole } from './helpers';

// stream.maxTotalBytes bounds what all subscribers together hold unwritten: over it, the ones
// holding the most are cut off, and everyone else goes on. The per-subscriber limits are set far
// above it here, so only the server-wide budget can drop anyone.
const BUDGET = 1024 * 1024;
/** A console whose only limit that can drop a subscriber is the server-wide `maxTotalBytes`. */
const budgetedConsole = (maxTotalBytes: number): Promise<RunningConsole> =>
  startConsole({
    keys: { reader: { tenant: '*', scopes: ['read'] } },
    server: {
      stream: { heartbeatMs: 0, maxBuffered: 1_000_000, maxSocketBytes: 256 * 1024 * 1024, maxTotalBytes },
    },
  });
let c: RunningConsole;
beforeAll(async () => {
  c = await budgetedConsole(BUDGET);
});
afterAll(() => c.close());

/** Resolves once `check` holds, looking again on each turn of the event loop. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

/** The client stops reading its socket: what the server sends it piles up there. */
function stall(s: StreamClient): { resume(): void } {
  const socket = (s.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  socket.pause();
  return { resume: () => socket.resume() };
}

describe('stream memory budget (stream.maxTotalBytes)', () => {
  it('cuts off the subscriber holding the most; the reader and a smaller stalled one lose nothing', async () => {
    const reader = openStream(c.url, { key: c.keys.reader, q: 'type:bulk.*' });
    // Same filter as the reader: the two share every message until the hoarder falls behind.
    const hoarder = openStream(c.url, { key: c.keys.reader, query: '?q=type%3Abulk.*&session=hoarder-01' });
    const narrow = openStream(c.url, { key: c.keys.reader, q: 'type:bulk.rare' });
    for (const s of [reader, hoarder, narrow]) await s.next((m) => m.type === 'subscribed');
    const hoarding = stall(hoarder);
    const waiting = stall(narrow);

    const n = 3000;
    const rare = (i: number) => i % 20 === 0;
    const inputs = Array.from({ length: n }, (_, i) => ({
      type: rare(i) ? 'bulk.rare' : 'bulk.item',
      details: { i, pad: 'x'.repeat(4000) },
    }));
    for (let i = 0; i < n; i += 500) await c.seed(inputs.slice(i, i + 500));
    await reader.next((m) => m.type === 'event' && m.event.details.i === n - 1, 10_000);
    expect(reader.messages.filter((m) => m.type === 'event')).toHaveLength(n);

    const stats = c.server.streamStats();
    expect(stats.droppedOverBudget).toBe(1);
    expect(stats.droppedSlow).toBe(0);
    expect(stats.bufferedBytes).toBeLessThanOrEqual(BUDGET);

    hoarding.resume();
    await hoarder.closed;
    // The narrow subscriber held less: still open, and it reads every event it asked for.
    waiting.resume();
    const rareCount = inputs.filter((_, i) => rare(i)).length;
    await narrow.next((m) => m.type === 'event' && m.event.details.i === n - 20, 10_000);
    expect(narrow.messages.filter((m) => m.type === 'event')).toHaveLength(rareCount);
    expect(narrow.ws.readyState).toBe(narrow.ws.OPEN);

    // The hoarder's session learns why on its next connection.
    const again = openStream(c.url, { key: c.keys.reader, query: '?q=type%3Abulk.*&session=hoarder-01' });
    const subscribed = await again.next((m) => m.type === 'subscribed');
    expect(subscribed.previous).toMatchObject({ reason: 'slow', code: 4008 });
    expect(subscribed.previous.unwritten).toBeGreaterThan(0);

    for (const s of [reader, narrow, again]) s.ws.close();
    await Promise.all([reader.closed, narrow.closed, again.closed]);
    expect(c.server.streamStats().bufferedBytes).toBe(0);
  });

  it('names the option and the value when it is not a whole number of bytes ≥ 1', async () => {
    await expect(
      createAuditServer({ store: c.store, logger: c.logger, keys: c.keysPath, stream: { maxTotalBytes: 0 } }),
    ).rejects.toThrow('createAuditServer: stream.maxTotalBytes must be an integer ≥ 1, got 0');
    await expect(
      createAuditServer({
        store: c.store,
        logger: c.logger,
        keys: c.keysPath,
        stream: { maxTotalBytes: '64MB' as unknown as number },
      }),
    ).rejects.toThrow('createAuditServer: stream.maxTotalBytes must be an integer ≥ 1, got "64MB"');
  });
});

describe("stream memory budget, messages shared by a filter's subscribers", () => {
  const SHARED_BUDGET = 8 * 1024 * 1024;
  let c: RunningConsole;
  beforeAll(async () => {
    c = await budgetedConsole(SHARED_BUDGET);
  });
  afterAll(() => c.close());

  it('counts each message once, however many stalled subscribers hold it', async () => {
    const stalled = Array.from({ length: 8 }, () =>
      openStream(c.url, { key: c.keys.reader, q: 'type:shared.*' }),
    );
    for (const s of stalled) await s.next((m) => m.type === 'subscribed');
    const resumes = stalled.map(stall);
    // ~6.5 MiB in all: below the budget counted once, several times over counted per subscriber.
    const n = 1500;
    const inputs = Array.from({ length: n + 1 }, (_, i) => ({
      type: 'shared.item',
      details: { i, pad: i < n ? 'x'.repeat(4000) : '' },
    }));
    // Each fan-out checks what the previous ones left: the last, small one checks all the rest.
    for (let i = 0; i < n; i += 500) await c.seed(inputs.slice(i, i + 500));
    await c.seed(inputs.slice(n));
    await until(() => c.server.streamStats().bufferedBytes > SHARED_BUDGET / 4);
    expect(c.server.streamStats().droppedOverBudget).toBe(0);
    for (const r of resumes) r.resume();
    for (const s of stalled) await s.next((m) => m.type === 'event' && m.event.details.i === n, 10_000);
    for (const s of stalled) expect(s.messages.filter((m) => m.type === 'event')).toHaveLength(n + 1);
    expect(c.server.streamStats().droppedOverBudget).toBe(0);
    for (const s of stalled) s.ws.close();
    await Promise.all(stalled.map((s) => s.closed));
  });
});
