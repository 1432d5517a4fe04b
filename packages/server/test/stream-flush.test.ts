import { createAuditServer } from '@auditkit/server';
import { openStream, type RunningConsole, startConsole } from './helpers';

// Under load the stream sends each subscriber at most one message of events every `flushMs`: the
// batches sealed meanwhile share it. After a quiet spell the first batch goes out at once.
let c: RunningConsole;
beforeAll(async () => {
  c = await startConsole({
    keys: { all: { tenant: '*', scopes: ['read'] } },
    server: { stream: { heartbeatMs: 0, flushMs: 2000 } },
  });
});
afterAll(() => c.close());

describe('stream flushMs', () => {
  it('sends the first batch after a quiet spell at once and merges the batches sealed within flushMs', async () => {
    const s = openStream(c.url, { key: c.keys.all, q: 'type:flush.*,console.stream.subscribe' });
    const messages: string[][] = []; // each message's events, as the socket received them
    s.ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'events') messages.push(m.events.map((e: { message?: string }) => e.message));
    });
    // The subscription is itself recorded and streamed; then a quiet spell longer than flushMs.
    await s.next((m) => m.event?.type === 'console.stream.subscribe');
    await new Promise((r) => setTimeout(r, 2100));
    messages.length = 0;
    const started = Date.now();
    await c.seed([{ type: 'flush.a', message: 'first' }]);
    await s.next((m) => m.event?.message === 'first');
    expect(Date.now() - started).toBeLessThan(1000);
    // Three more batches, each sealed and stored apart, within the next flushMs.
    await c.seed([{ type: 'flush.b', message: 'b1' }]);
    await c.seed([{ type: 'flush.b', message: 'b2' }]);
    await c.seed([{ type: 'flush.b', message: 'b3' }]);
    await s.next((m) => m.event?.message === 'b3', 5000);
    expect(messages).toEqual([['first'], ['b1', 'b2', 'b3']]);
    s.ws.close();
  });

  it('names the option and the value when flushMs is not a whole number of milliseconds ≥ 0', async () => {
    await expect(
      createAuditServer({ store: c.store, logger: c.logger, keys: c.keysPath, stream: { flushMs: -1 } }),
    ).rejects.toThrow('createAuditServer: stream.flushMs must be an integer ≥ 0, got -1');
  });
});
