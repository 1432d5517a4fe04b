import { openStream, type RunningConsole, startWalledConsole } from './helpers';

// Each group's events message is framed once and the same bytes go to every subscriber: the frame
// length must count bytes, not characters, at each of the three sizes a WebSocket length takes.
let c: RunningConsole;
beforeAll(async () => {
  c = await startWalledConsole();
});
afterAll(() => c.close());

describe('stream frames', () => {
  it('delivers messages of every length form, with multi-byte text, whole to each subscriber', async () => {
    const subscribers = [1, 2, 3].map(() => openStream(c.url, { key: c.keys.all, q: 'type:frame.*' }));
    for (const s of subscribers) await s.next((m) => m.type === 'subscribed');
    // A message of a few hundred bytes (16-bit length), then one over 64 KiB (64-bit): ten events
    // of 4,000 two-byte characters, sealed in one batch.
    const small = 'ü€😀';
    const large = Array.from({ length: 10 }, (_, i) => `${'é'.repeat(4000)}😀${i}`);
    await c.seed([{ type: 'frame.text', details: { text: small } }]);
    await c.seed(large.map((text) => ({ type: 'frame.text', details: { text } })));
    for (const s of subscribers) {
      await s.next((m) => m.type === 'event' && m.event.details.text === large[9], 5000);
      const received = s.messages.filter((m) => m.type === 'event').map((m) => m.event.details.text);
      expect(received).toEqual([small, ...large]);
    }
    for (const s of subscribers) s.ws.close();
    await Promise.all(subscribers.map((s) => s.closed));
  });
});
