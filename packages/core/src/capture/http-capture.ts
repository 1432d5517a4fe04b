import { reportCallbackError } from '../logger';
import { RESPONSE_HOLD } from '../symbols';
import type { AuditInput } from '../types';
import { proceedWhenWritable } from './backpressure';
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
  on(event: 'close' | 'finish', listener: () => void): unknown;
}

/**
 * What an adapter tells the capture about its framework; everything else (ids, exclusion, the
 * echoed request id, holdResponse, outcome rules) is decided by the capture. `Extra` is whatever
 * per-request object the framework keeps beside the request (Fastify's `reply`), handed back as is.
 */
export interface HttpTranslation<Req, Extra = undefined> {
  /** The matched route pattern, read when the response ends (routing has happened by then). */
  route(req: Req, extra: Extra): string | undefined;
  /** The request path without query; default from `originalUrl ?? url`. */
  path?(req: Req): string;
  /** The response's `content-length` where the framework keeps headers apart; default `res.getHeader`. */
  contentLength?(req: Req, extra: Extra): unknown;
  /**
   * A route's own declaration, known when the request starts: `false` records nothing for it; an
   * event is recorded beside the request's event (kept on excluded paths, as business events are).
   */
  declared?(req: Req, extra: Extra): AuditInput | false | undefined;
  /** The status the response will have, where the framework sets it on the node response late (Fastify's reply). */
  status?(req: Req, extra: Extra): number;
  /**
   * The framework may write the body before it ends the response (Fastify 4), so wrapping
   * `res.end` cannot hold it: the adapter holds in its own hook with `holdHttpResponse(audit)`.
   */
  holdsInHook?: boolean;
  /**
   * Sets the echoed request id where the framework keeps response headers of its own until it
   * writes them (Fastify's reply); default `res.setHeader`, which makes such a framework merge its
   * headers into the node response one `setHeader` at a time.
   */
  echo?(req: Req, extra: Extra, name: string, value: string): void;
  /** Hands the audit to the framework's request (`req.audit`) before anything else of it runs. */
  attach?(req: Req, audit: RequestAudit<Req>): void;
}

/**
 * Starts auditing an HTTP request on node:http: its context, the echoed request id, and the
 * `http.request` event once the response is sent or the client went away. Returns undefined when auditing could not start (the
 * failure is reported; the request goes on untouched). Call `proceedWhenWritable` next.
 */
export function captureHttpRequest<Req extends HttpRequestLike, Extra = undefined>(
  auditor: RequestAuditor<Req>,
  req: Req,
  res: NodeResponseLike,
  translation: HttpTranslation<Req, Extra>,
  extra?: Extra,
): RequestAudit<Req> | undefined {
  try {
    return capture(auditor, req, res, translation, extra as Extra);
  } catch (error) {
    reportCallbackError(auditor.logger, auditor.name, error);
    return undefined;
  }
}

function capture<Req extends HttpRequestLike, Extra>(
  auditor: RequestAuditor<Req>,
  req: Req,
  res: NodeResponseLike,
  t: HttpTranslation<Req, Extra>,
  extra: Extra,
): RequestAudit<Req> {
  const audit = beginHttpAudit(auditor, req, t.path?.(req));
  const path = audit.request.path ?? '';
  const { echoRequestId, requestIdHeader, holdMs } = auditor.settings;
  if (echoRequestId && !res.headersSent) {
    if (t.echo) t.echo(req, extra, requestIdHeader, audit.requestId);
    else res.setHeader(requestIdHeader, audit.requestId);
  }
  const declared = t.declared?.(req, extra);
  const excluded = declared === false || auditor.isExcluded(req.method, path);
  if (excluded && !declared) return audit;
  const exchange = new HttpExchange(auditor, audit, req, res, t, extra, declared || undefined, excluded);
  // 'finish' when the response went out whole; 'close' alone when the client went away first.
  // Plain `on`: each records at most once, and `once` would wrap each listener again.
  res.on('finish', exchange.finished);
  res.on('close', exchange.closed);
  if (holdMs !== undefined) {
    // holdResponse: the event is recorded as the response ends, and that end waits for it to be stored.
    const hold = (): Promise<void> => exchange.hold();
    if (t.holdsInHook) audit[RESPONSE_HOLD] = hold;
    else holdResponseEnd(res, hold);
  }
  return audit;
}

/**
 * What one captured request needs when its response ends, in one object: the response's two
 * listeners are its bound methods, so a request costs no closures over the capture's variables.
 */
class HttpExchange<Req extends HttpRequestLike, Extra> {
  /** The response's 'finish' listener. */
  readonly finished: () => void;
  /** The response's 'close' listener. */
  readonly closed: () => void;

  constructor(
    readonly auditor: RequestAuditor<Req>,
    readonly audit: RequestAudit<Req>,
    readonly req: Req,
    readonly res: NodeResponseLike,
    readonly t: HttpTranslation<Req, Extra>,
    readonly extra: Extra,
    readonly declared: AuditInput | undefined,
    readonly excluded: boolean,
  ) {
    this.finished = this.#onEnd.bind(this, false);
    this.closed = this.#onClose.bind(this);
  }

  #onClose(): void {
    this.#onEnd(!this.res.writableFinished);
  }

  #onEnd(aborted: boolean): void {
    this.#record(false, aborted);
  }

  /** holdResponse: records the event now, as the response is about to end, and waits for it to be stored. */
  hold(): Promise<void> {
    this.#record(true, false);
    return this.auditor.holdUntilStored();
  }

  /** Records the event once; `held`: the response is about to end, its status set but not sent. */
  #record(held: boolean, aborted: boolean): void {
    try {
      this.#end(held, aborted);
    } catch (error) {
      // A hostile getter on the request must not become an uncaught exception in a listener.
      reportCallbackError(this.auditor.logger, 'request event', error);
    }
  }

  #end(held: boolean, aborted: boolean): void {
    const audit = this.audit;
    if (audit.ended) return;
    const view = this.#outcome(this.#status(held), aborted);
    if (this.declared) audit.logDeclared(this.declared, view);
    if (this.excluded) audit.ended = true;
    else this.auditor.end(audit, view, this.req.headers);
  }

  /** The status recorded: as set when the response is held before it ends, else as sent (if it was). */
  #status(held: boolean): number | undefined {
    const { t, req, res, extra } = this;
    if (held) return t.status ? t.status(req, extra) : res.statusCode;
    return res.headersSent ? res.statusCode : undefined;
  }

  #outcome(status: number | undefined, aborted: boolean): OutcomeView {
    const { req, res, t, extra } = this;
    const { captureBody, captureQuery } = this.auditor.settings;
    return {
      status,
      route: t.route(req, extra),
      aborted,
      bytesIn: byteCount(req.headers['content-length']),
      bytesOut: byteCount(t.contentLength ? t.contentLength(req, extra) : res.getHeader('content-length')),
      // Read only when captured: Express parses `req.query` on first access.
      body: captureBody ? req.body : undefined,
      query: captureQuery ? req.query : undefined,
    };
  }
}

/**
 * A request's audit context and ids, without capture (no event, no listeners): for a request the
 * capture did not see, so events logged in it still carry the request's ids and actor.
 */
export function beginHttpAudit<Req extends HttpRequestLike>(
  auditor: RequestAuditor<Req>,
  req: Req,
  path = pathWithoutQuery(req.originalUrl ?? req.url),
): RequestAudit<Req> {
  return auditor.begin(req, { protocol: 'http', method: req.method, path, headers: req.headers, ip: req.ip });
}

/**
 * `holdResponse` for adapters that hold in a hook of their own: records the request's event now
 * (the response is final but not sent) and resolves once it is stored, within the time limit.
 * Resolves at once when responses are not held or the request is not audited. Never rejects.
 */
export function holdHttpResponse(audit: RequestAudit | null | undefined): Promise<void> {
  const hold = audit?.[RESPONSE_HOLD];
  return hold ? hold() : Promise.resolve();
}

/**
 * The whole of an HTTP adapter's per-request work: capture, then the rest of the request in its
 * context, held while the audit queue is full under `overflow: 'block'`.
 */
export function auditHttpRequest<Req extends HttpRequestLike, Extra = undefined>(
  auditor: RequestAuditor<Req>,
  req: Req,
  res: NodeResponseLike,
  translation: HttpTranslation<Req, Extra>,
  next: () => void,
  extra?: Extra,
): void {
  const audit = captureHttpRequest(auditor, req, res, translation, extra);
  if (!audit) {
    next();
    return;
  }
  translation.attach?.(req, audit);
  proceedWhenWritable(auditor.logger, audit, next);
}
