/**
 * Authentication and the tenant wall, in one `onRequest` hook: the key comes only from
 * `Authorization: Bearer` (or, for the live stream, the WebSocket subprotocol or first message),
 * a key in a URL is refused, each route declares the scope it needs, and the request gets the
 * tenant-scoped view of the store its handler works with.
 */
import type { AuditStore } from '@auditkit/core';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { containsApiKey, keyIdOf } from './api-keys';
import type { Caller, ConsoleAudit } from './console-events';
import type { WatchedKeys } from './key-watch';
import { TenantView } from './tenant-view';
import type { ApiKeyInfo, ApiKeyScope } from './types';

/** A route's access: a scope, `public` (no key), or `stream` (read, the key may come on the socket). */
export type RouteAccess = ApiKeyScope | 'public' | 'stream';

export interface ConsoleAuth {
  key: ApiKeyInfo;
  caller: Caller;
  view: TenantView;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's key and tenant view; null on public routes and streams that authenticate on the socket. */
    consoleAuth: ConsoleAuth | null;
  }
  interface FastifyContextConfig {
    /** What a console route needs; a route without one needs `admin`. */
    access?: RouteAccess;
  }
}

/** Query parameter names under which clients commonly send credentials. */
const CREDENTIAL_PARAMS = /(^|[?&])(api[_-]?key|key|access[_-]?token|token|auth|authorization|bearer)=/i;

/** The WebSocket subprotocol the console speaks; a key may ride along as a second one. */
export const STREAM_PROTOCOL = 'auditkit.v1';

export function hasScope(key: ApiKeyInfo, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope) || key.scopes.includes('admin');
}

export function callerOf(request: FastifyRequest, key: ApiKeyInfo | undefined): Caller {
  const ua = request.headers['user-agent'];
  return { key, ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 256) : undefined };
}

/** The key a stream upgrade offers as a subprotocol (`Sec-WebSocket-Protocol: auditkit.v1, akc_…`). */
export function subprotocolKey(request: FastifyRequest): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  return header
    .split(',')
    .map((p) => p.trim())
    .find((p) => keyIdOf(p) !== undefined);
}

function bearer(request: FastifyRequest): string | undefined | null {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

export interface AuthDeps {
  store: AuditStore;
  keys: WatchedKeys;
  audit: ConsoleAudit;
}

/** Checks a presented key; records and answers the failure itself. Returns the key info or undefined. */
export function authenticate(
  deps: AuthDeps,
  request: FastifyRequest,
  presented: string | undefined | null,
): { key: ApiKeyInfo } | { status: 401; message: string } {
  const caller = callerOf(request, undefined);
  let reason: string;
  if (presented === undefined) reason = 'no API key: send Authorization: Bearer <key>';
  else if (presented === null) reason = 'malformed Authorization header: expected Bearer <key>';
  else {
    const key = deps.keys.ring.authenticate(presented);
    if (key) return { key };
    reason = 'unknown or revoked API key';
  }
  const keyId = typeof presented === 'string' ? keyIdOf(presented) : undefined;
  deps.audit.record('auth.failed', caller, {
    outcome: 'failure',
    message: reason,
    details: {
      method: request.method,
      path: request.routeOptions.url ?? 'unknown',
      ...(keyId ? { keyId } : {}),
    },
  });
  return { status: 401, message: reason };
}

function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  const error = status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : 'Forbidden';
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="auditkit"');
  return reply.code(status).send({ statusCode: status, error, message });
}

export function authHook(deps: AuthDeps): onRequestHookHandler {
  return async (request, reply) => {
    request.consoleAuth = null;
    const query = request.url.indexOf('?');
    if (query !== -1) {
      const search = request.url.slice(query);
      let decoded = search;
      try {
        decoded = decodeURIComponent(search);
      } catch {
        // a malformed escape is the route's 400 to give
      }
      if (CREDENTIAL_PARAMS.test(search) || containsApiKey(decoded)) {
        deps.audit.record('auth.failed', callerOf(request, undefined), {
          outcome: 'failure',
          message: 'credentials in the URL refused',
          details: { method: request.method, path: request.routeOptions.url ?? 'unknown' },
        });
        return refuse(
          reply,
          400,
          'API keys are accepted only in the Authorization header, never in a URL (URLs are logged); if this key was sent in a URL, revoke it',
        );
      }
    }
    const route = request.routeOptions;
    if (route.url === undefined) return; // no such route: the 404 handler answers
    const access: RouteAccess = route.config?.access ?? 'admin';
    if (access === 'public') return;
    let presented = bearer(request);
    if (access === 'stream') {
      presented ??= subprotocolKey(request);
      if (presented === undefined) return; // the socket's first message carries it
    }
    const result = authenticate(deps, request, presented);
    if (!('key' in result)) return refuse(reply, result.status, result.message);
    const scope: ApiKeyScope = access === 'stream' ? 'read' : access;
    const caller = callerOf(request, result.key);
    if (!hasScope(result.key, scope)) {
      deps.audit.record('access.denied', caller, {
        outcome: 'failure',
        message: `key lacks the ${scope} scope`,
        details: { method: request.method, path: route.url, scope },
      });
      return refuse(reply, 403, `this key lacks the "${scope}" scope`);
    }
    request.consoleAuth = { key: result.key, caller, view: new TenantView(deps.store, result.key.tenant) };
  };
}
