import type { AuditFilter } from '@auditkit/core';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { authenticate, type ConsoleAuth, callerOf, hasScope } from '../auth';
import type { ConsoleDeps } from '../deps';
import { ConsoleError } from '../errors';
import { parseFilterParam } from '../selection';
import { CLOSE } from '../stream/hub';
import { TenantView } from '../tenant-view';
import type { ConsoleApp } from './types';

const StreamQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 4096, description: 'Filter language, as for GET /events.' })),
});

/** What a client may send: its key (when not in a header or subprotocol) and filter changes. */
interface ClientMessage {
  type?: unknown;
  key?: unknown;
  filter?: unknown;
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
      const start = (auth: ConsoleAuth, text: unknown) => {
        const filter = filterOf(text);
        if (typeof filter === 'string') {
          send(socket, { type: 'error', message: filter });
          socket.close(CLOSE.badRequest, 'bad filter');
          return;
        }
        const subscriber = deps.hub.subscribe({
          socket,
          key: auth.key,
          caller: auth.caller,
          filterText: (text as string | undefined) ?? '',
          filter,
          wall: auth.view.tenant,
        });
        send(socket, { type: 'subscribed', filter: subscriber.filterText, tenant: auth.view.tenant ?? '*' });
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
        start(request.consoleAuth, request.query.q);
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
        );
      });
    },
  );
}
