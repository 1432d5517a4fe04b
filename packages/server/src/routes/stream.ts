import type { AuditFilter } from '@auditkit/core';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { authenticate, type ConsoleAuth, callerOf, hasScope } from '../auth';
import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import { parseFilterParam } from '../selection';
import { CLOSE } from '../stream/hub';
import { SESSION_ID } from '../stream/recent-closes';
import { TenantView } from '../tenant-view';
import type { ConsoleApp } from './types';

const StreamQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 4096, description: 'Filter language, as for GET /events.' })),
  session: Type.Optional(
    Type.String({
      pattern: SESSION_ID.source,
      description:
        'A random id the client picks per tab and keeps across reconnects: `subscribed.previous` then says why the server ended its last stream.',
    }),
  ),
});

/** What a client may send: its key (when not in a header or subprotocol) and filter changes. */
interface ClientMessage {
  type?: unknown;
  key?: unknown;
  filter?: unknown;
  session?: unknown;
}

function parseMessage(data: unknown): ClientMessage | undefined {
  try {
    const value = JSON.parse(String(data)) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as ClientMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

function filterOf(text: unknown): AuditFilter | string {
  if (text !== undefined && typeof text !== 'string') return 'filter must be a string';
  try {
    return parseFilterParam(text as string | undefined, 'filter');
  } catch (error) {
    return error instanceof ConsoleError ? error.message : String(error);
  }
}

/** The session id, its absence, or the error to send for a malformed one. */
function sessionOf(value: unknown): { session: string | undefined } | string {
  if (value === undefined) return { session: undefined };
  return typeof value === 'string' && SESSION_ID.test(value)
    ? { session: value }
    : 'session must be 8 to 64 letters, digits, "-" or "_"';
}

const send = (socket: WebSocket, message: object) => socket.send(JSON.stringify(message));

/**
 * WS /stream: live events matching a filter. The key comes in the Authorization header, as a
 * second subprotocol (`auditkit.v1, <key>`) or in the first message `{"type":"auth","key":…}`;
 * `{"type":"subscribe","filter":…}` changes the filter at any time.
 */
export function streamRoute(app: ConsoleApp, deps: ConsoleDeps): void {
  const authDeps = { store: deps.options.store, keys: deps.keys, audit: deps.audit };
  app.get(
    '/stream',
    {
      websocket: true,
      config: { access: 'stream' },
      schema: {
        tags: ['stream'],
        summary:
          'WebSocket: live events matching a filter; messages subscribed, events, heartbeat, error, closing',
        querystring: StreamQuery,
      },
      preValidation: async (_request, reply) => {
        if (deps.hub.refuseNew())
          return reply
            .code(503)
            .send({ statusCode: 503, error: 'Service Unavailable', message: 'too many stream connections' });
      },
    },
    (socket, request) => {
      deps.hub.opened(socket);
      const start = (auth: ConsoleAuth, text: unknown, sessionId: unknown) => {
        const filter = filterOf(text);
        if (typeof filter === 'string') {
          send(socket, { type: 'error', message: filter });
          socket.close(CLOSE.badRequest, 'bad filter');
          return;
        }
        const checked = sessionOf(sessionId);
        if (typeof checked === 'string') {
          send(socket, { type: 'error', message: checked });
          socket.close(CLOSE.badRequest, 'bad session');
          return;
        }
        const { session } = checked;
        const subscriber = deps.hub.subscribe({
          socket,
          key: auth.key,
          caller: auth.caller,
          filterText: (text as string | undefined) ?? '',
          filter,
          wall: auth.view.tenant,
          session,
          // Whole frames go straight to the connection unless ws must transform them (an extension).
          connection: socket.extensions === '' ? request.raw.socket : undefined,
        });
        send(socket, {
          type: 'subscribed',
          filter: subscriber.filterText,
          tenant: auth.view.tenant ?? '*',
          // With a session id, always present (null when the server did not end its last stream).
          ...(session && { previous: deps.hub.previousClose(auth.key, session) ?? null }),
        });
        socket.on('message', (data) => {
          const m = parseMessage(data);
          if (m?.type !== 'subscribe') {
            send(socket, { type: 'error', message: 'expected {"type":"subscribe","filter":"…"}' });
            return;
          }
          const next = filterOf(m.filter);
          if (typeof next === 'string') {
            send(socket, { type: 'error', message: next });
            return;
          }
          deps.hub.refilter(subscriber, (m.filter as string | undefined) ?? '', next);
          deps.audit.record('stream.subscribe', auth.caller, { details: { filter: subscriber.filterText } });
          send(socket, {
            type: 'subscribed',
            filter: subscriber.filterText,
            tenant: auth.view.tenant ?? '*',
          });
        });
      };

      if (request.consoleAuth) {
        start(request.consoleAuth, request.query.q, request.query.session);
        return;
      }
      // The key comes in the first message; a client that sends none is cut off.
      const timer = setTimeout(() => {
        send(socket, { type: 'error', message: 'no API key received' });
        socket.close(CLOSE.unauthorized, 'no key');
      }, deps.options.stream.authTimeoutMs);
      socket.once('close', () => clearTimeout(timer));
      socket.once('message', (data) => {
        clearTimeout(timer);
        const m = parseMessage(data);
        const presented = m?.type === 'auth' && typeof m.key === 'string' ? m.key : undefined;
        const result = authenticate(authDeps, request, presented);
        if (!('key' in result)) {
          send(socket, { type: 'error', message: result.message });
          socket.close(CLOSE.unauthorized, 'unauthorized');
          return;
        }
        const caller = callerOf(request, result.key);
        if (!hasScope(result.key, 'read')) {
          deps.audit.record('access.denied', caller, {
            outcome: 'failure',
            message: 'key lacks the read scope',
            details: { path: request.routeOptions.url ?? '/stream', scope: 'read' },
          });
          send(socket, { type: 'error', message: 'this key lacks the "read" scope' });
          socket.close(CLOSE.forbidden, 'forbidden');
          return;
        }
        start(
          { key: result.key, caller, view: new TenantView(deps.options.store, result.key.tenant) },
          m?.filter ?? request.query.q,
          m?.session ?? request.query.session,
        );
      });
    },
  );
}
