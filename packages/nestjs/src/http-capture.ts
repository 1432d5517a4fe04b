import {
  auditHttpRequest,
  type HttpRequestLike,
  type HttpTranslation,
  type NodeResponseLike,
  type RequestAudit,
  type RequestAuditor,
} from '@auditkit/core/adapter';
import type { HttpServer } from '@nestjs/common';
import type { AuditedRequest } from './metadata';
import { REQUEST_AUDIT } from './symbols';

/** What Nest's HTTP platforms hand their hooks and handlers: an Express or a Fastify request. */
export type HttpRequest = AuditedRequest &
  HttpRequestLike & {
    baseUrl?: string;
    route?: { path?: unknown };
    routeOptions?: { url?: unknown };
    [REQUEST_AUDIT]?: RequestAudit<AuditedRequest>;
  };

type Next = (error?: unknown) => void;

interface ExpressApp {
  use(middleware: (req: HttpRequest, res: NodeResponseLike, next: Next) => void): unknown;
}

interface FastifyApp {
  addHook(
    name: 'onRequest',
    hook: (request: HttpRequest, reply: { raw: NodeResponseLike }, done: Next) => void,
  ): unknown;
}

/** The matched route pattern: Express `req.route.path` under its router's mount path, Fastify `routeOptions.url`. */
const NEST: HttpTranslation<HttpRequest> = {
  route(request) {
    const express = request.route?.path;
    if (typeof express === 'string') return (request.baseUrl ?? '') + express;
    const fastify = request.routeOptions?.url;
    return typeof fastify === 'string' ? fastify : undefined;
  },
  attach(request, audit) {
    request[REQUEST_AUDIT] = audit;
  },
};

/**
 * Starts the request's audit before anything of Nest runs (guards, pipes, filters, the not-found
 * handler), so every request gets its `http.request` event; the handler continues in its context.
 */
function begin(
  auditor: RequestAuditor<AuditedRequest>,
  request: HttpRequest,
  res: NodeResponseLike,
  next: Next,
) {
  auditHttpRequest(auditor as RequestAuditor<HttpRequest>, request, res, NEST, next);
}

/**
 * Mounts the capture on the application's own HTTP server: an Express middleware ahead of Nest's
 * middleware and routes, a Fastify `onRequest` hook. Returns false on other platforms.
 */
export function mountHttpCapture(adapter: HttpServer, auditor: RequestAuditor<AuditedRequest>): boolean {
  const platform = adapter.getType();
  if (platform === 'express') {
    (adapter.getInstance() as ExpressApp).use((req, res, next) => begin(auditor, req, res, next));
    return true;
  }
  if (platform === 'fastify') {
    (adapter.getInstance() as FastifyApp).addHook('onRequest', (request, reply, done) =>
      begin(auditor, request, reply.raw, done),
    );
    return true;
  }
  return false;
}

/** The audit the capture started for this request, if it did. */
export function requestAuditOf(request: HttpRequest): RequestAudit<AuditedRequest> | undefined {
  return request[REQUEST_AUDIT];
}
