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

type Next = () => void;

const NEST: HttpTranslation<HttpRequest> = {
  /** The matched route: Express `req.route.path` under its router's mount path, Fastify `routeOptions.url`. */
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
 * Mounts the capture on the application's own HTTP server, before anything of Nest runs (guards,
 * pipes, filters, the not-found handler), so every request gets its `http.request` event and runs
 * in its context: an Express middleware ahead of Nest's middleware and routes, a Fastify
 * `onRequest` hook. Returns false on other platforms.
 */
export function mountHttpCapture(adapter: HttpServer, auditor: RequestAuditor<AuditedRequest>): boolean {
  const capture = auditor as RequestAuditor<HttpRequest>;
  const instance = adapter.getInstance();
  if (adapter.getType() === 'express') {
    instance.use((req: HttpRequest, res: NodeResponseLike, next: Next) =>
      auditHttpRequest(capture, req, res, NEST, next),
    );
  } else if (adapter.getType() === 'fastify') {
    instance.addHook('onRequest', (request: HttpRequest, reply: { raw: NodeResponseLike }, done: Next) =>
      auditHttpRequest(capture, request, reply.raw, NEST, done),
    );
  } else return false;
  return true;
}

/** The audit the capture started for this request, if it did. */
export function requestAuditOf(request: HttpRequest): RequestAudit<AuditedRequest> | undefined {
  return request[REQUEST_AUDIT];
}
