import {
  auditHttpRequest,
  type HttpTranslation,
  type RequestAuditOptions,
  RequestAuditor,
} from '@auditkit/core/adapter';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import './augment';
import { matchedRoute, watchRouteMatches } from './matched-route';

/** Options of `auditMiddleware`: the options every auditkit adapter shares. */
export type ExpressAuditOptions = RequestAuditOptions<Request>;

const EXPRESS: HttpTranslation<Request> = {
  /** The full matched route (`/users/:id`), including the mount path of the router that matched. */
  route: matchedRoute,
  attach(req, audit) {
    watchRouteMatches(req);
    req.audit = audit;
  },
};

/**
 * Records one `http.request` event per request when the response finishes or the client aborts,
 * and gives handlers `req.audit` plus an async context that `audit.log()` anywhere inherits.
 */
export function auditMiddleware(options: ExpressAuditOptions = {}): RequestHandler {
  const auditor = new RequestAuditor<Request>(options, {
    eventType: 'http.request',
    name: 'auditMiddleware',
  });
  return function auditkit(req: Request, res: Response, next: NextFunction): void {
    auditHttpRequest(auditor, req, res, EXPRESS, next);
  };
}

/**
 * Error middleware that attaches the error to the request's audit event (name, message, code;
 * redacted) and passes it on unchanged. Register it after your routes, before your own error
 * handlers.
 */
export function auditErrorHandler(): ErrorRequestHandler {
  return function auditkitErrors(err: unknown, req: Request, _res: Response, next: NextFunction): void {
    if (req.audit) req.audit.error = err;
    next(err);
  };
}
