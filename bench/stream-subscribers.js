// Live-stream subscribers for the console benches: `subscribers` sockets, each filtered on one tenant
// and one type (or with `filters: 'actor'`, on one actor in any tenant: `actor:u-<i>`), recording
// every event's latency from its `sentAt` detail; plus one subscriber that takes everything and
// stops reading, which the server must drop without slowing anyone else.
const WebSocket = require('ws');

async function openSubscribers(url, key, { subscribers, tenants, types, filters = 'tenant-type' }) {
  const ws = `${url.replace('http', 'ws')}/api/stream`;
  const headers = { authorization: `Bearer ${key}` };
  const latencies = [];
  /** Messages received in all: the server's socket writes, the fan-out's main cost. */
  const received = { messages: 0 };
  const sockets = [];
  for (let i = 0; i < subscribers; i++) {
    const q =
      filters === 'actor' ? `actor:u-${i}` : `tenant:t-${i % tenants} type:${types[i % types.length]}`;
    const s = new WebSocket(`${ws}?q=${encodeURIComponent(q)}`, ['auditkit.v1'], { headers });
    s.on('message', (data) => {
      const now = Date.now();
      received.messages++;
      for (const sent of String(data).matchAll(/"sentAt":(\d+)/g)) latencies.push(now - Number(sent[1]));
    });
    sockets.push(new Promise((resolve) => s.once('message', () => resolve(s))));
  }
  const open = await Promise.all(sockets);
  const stalled = new WebSocket(ws, ['auditkit.v1'], { headers });
  await new Promise((r) => stalled.once('message', r));
  stalled._socket.pause();
  return { open, stalled, latencies, received };
}

module.exports = { openSubscribers };
