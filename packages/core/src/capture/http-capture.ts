import { reportCallbackError } from '../logger';
import { type EndableResponse, holdResponseEnd } from './hold-response';
import {
  byteCount,
  type OutcomeView,
  pathWithoutQuery,
  type RequestAudit,
  type RequestAuditor,
} from './request-audit';

type Headers = Record<string, string | string[] | undefined>;

/** The parts of a framework's request the capture reads (Express `req`, Fastify `request`). */
export interface HttpRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Headers;
  ip?: string;
  body?: unknown;
  query?: unknown;
}

/** The node:http response underneath (Express `res`, Fastify `reply.raw`). */
export interface NodeResponseLike extends EndableResponse {
  statusCode: number;
  headersSent: boolean;
  writableFinished: boolean;
  setHeader(name: string, value: string): unknown;
  getHeader(name: string): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Starts auditing an HTTP request on node:http: its context, the echoed request id, and the
 * `http.request` event once the response closes ('close' follows 'finish' for every response and
 * comes alone when the client went away). `routeOf` is read then, when routing has happened.
 * May throw; the caller reports it and lets the request go on.
 */
export function captureHttpRequest<Req extends HttpRequestLike>(
  auditor: RequestAuditor<Req>,
  req: Req,
  res: NodeResponseLike,
  routeOf: (req: Req) => string | undefined,
): RequestAudit<Req> {
  const path = pathWithoutQuery(req.originalUrl ?? req.url);
  const audit = auditor.begin(req, {
    protocol: 'http',
    method: req.method,
    path,
    headers: req.headers,
    ip: req.ip,
  });
  const { echoRequestId, requestIdHeader, captureBody, captureQuery, holdMs } = auditor.settings;
  if (echoRequestId && !res.headersSent) res.setHeader(requestIdHeader, audit.requestId);
  if (auditor.isExcluded(req.method, path)) return audit;
  const outcome = (status: number | undefined, aborted: boolean): OutcomeView => ({
    status,
    route: routeOf(req),
    aborted,
    bytesIn: byteCount(req.headers['content-length']),
    bytesOut: byteCount(res.getHeader('content-length')),
    // Read only when captured: Express parses `req.query` on first access.
    body: captureBody ? req.body : undefined,
    query: captureQuery ? req.query : undefined,
  });
  res.once('close', () => {
    try {
      auditor.end(
        audit,
        outcome(res.headersSent ? res.statusCode : undefined, !res.writableFinished),
        req.headers,
      );
    } catch (error) {
      // A hostile getter on the request must not become an uncaught exception in a 'close' listener.
      reportCallbackError(auditor.logger, 'request event', error);
    }
  });
  if (holdMs !== undefined) {
    // holdResponse: the event is recorded as the response ends, and that end waits for it to be stored.
    holdResponseEnd(res, () => {
      try {
        return auditor.endAndHold(audit, outcome(res.statusCode, false), req.headers);
      } catch (error) {
        reportCallbackError(auditor.logger, 'request event', error);
        return Promise.resolve();
      }
    });
  }
  return audit;
}
