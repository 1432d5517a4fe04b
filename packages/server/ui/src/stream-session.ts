/**
 * The tab's live-stream session: a random id sent with every connection of this tab, so the server
 * can tell the next connection why it ended the last one. A reader far behind never receives the
 * server's `closing` message (it sits behind the backlog when the socket is cut), so after an
 * unexplained cut the tab asks.
 */

import type { PreviousClose } from '../../src/stream/recent-closes';

/** Why the server ended this session's last stream, as `subscribed.previous` carries it. */
export type { PreviousClose };

/** 16 random bytes in hex: `crypto.randomUUID` needs a secure context, a console on plain http is not one. */
export const STREAM_SESSION = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
  b.toString(16).padStart(2, '0'),
).join('');

/** How long to wait for the server's answer before guessing instead. */
const ASK_MS = 3000;

/**
 * Opens a connection of this session only to read its `subscribed.previous`, then closes it.
 * Resolves with the server's word (null: the server did not end it), or undefined when the server
 * does not say (an older server, or none reached in time).
 */
export function askWhyEnded(
  url: string,
  key: string | null,
  filter: string,
): Promise<PreviousClose | null | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['auditkit.v1']);
    const finish = (answer: PreviousClose | null | undefined) => {
      clearTimeout(timer);
      resolve(answer);
      ws.onclose = null;
      ws.close(1000, 'asked');
    };
    const timer = setTimeout(() => finish(undefined), ASK_MS);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', key, filter, session: STREAM_SESSION }));
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { type: string; previous?: PreviousClose | null };
      if (msg.type === 'subscribed') finish(msg.previous);
      else if (msg.type === 'error') finish(undefined);
    };
    ws.onclose = () => finish(undefined);
  });
}
