import websocket from '@fastify/websocket';
import { type MountedConsole, mountConsole, openStream } from './helpers';

// Events frames are written whole to the connection only when no extension transforms them; a
// host app that registered @fastify/websocket with compression on gets them through ws instead.
let c: MountedConsole;
beforeAll(async () => {
  c = await mountConsole((app) => app.register(websocket, { options: { perMessageDeflate: true } }));
});
afterAll(() => c.close());

describe('the stream on a host app that compresses WebSocket messages', () => {
  it('negotiates permessage-deflate and still delivers every event whole', async () => {
    const s = openStream(`${c.url}/audit`, { key: c.key, q: 'type:order.*' });
    await s.next((m) => m.type === 'subscribed');
    expect(s.ws.extensions).toContain('permessage-deflate');
    const texts = ['ü€😀', ...Array.from({ length: 10 }, (_, i) => `${'é'.repeat(4000)}😀${i}`)];
    for (const text of texts) c.log.log({ type: 'order.noted', tenant: 'acme', details: { text } });
    await s.next((m) => m.type === 'event' && m.event.details.text === texts.at(-1), 5000);
    const received = s.messages.filter((m) => m.type === 'event').map((m) => m.event.details.text);
    expect(received).toEqual(texts);
    s.ws.close();
    await s.closed;
  });
});
