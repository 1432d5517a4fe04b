import { performance } from 'node:perf_hooks';
import { compilePatterns } from '../admit/matcher';
import { compileSampler, type Sampler } from '../admit/sampling';
import { defaultLogger } from '../default-logger';
import { DEFAULTS } from '../defaults';
import { holdUntil } from '../deliver/hold';
import { reportCallbackError } from '../logger';
import { asList, checkOptions, type OptionShape } from '../option-check';
import { REQUEST_AUDIT_OPTIONS } from '../option-shapes';
import { safeCall } from '../safe-call';
import { HOLD_UNTIL_STORED, LOG_IN_CONTEXT, OWN_IDS, RESPONSE_HOLD } from '../symbols';
import type {
  Action,
  Actor,
  AuditContext,
  AuditEvent,
  AuditInput,
  AuditLogger,
  RequestAuditOptions,
  RequestInfo,
  Severity,
} from '../types';
import { runWithContext } from './context';
import { newRequestId, type OwnIds } from './ids';
import { parseTraceparent } from './traceparent';

type Headers = Record<string, string | string[] | undefined>;

interface ContextualLogger {
  [LOG_IN_CONTEXT](input: AuditInput, ctx: AuditContext, sampler?: Sampler): string | undefined;
  [HOLD_UNTIL_STORED](timeoutMs: number): Promise<void>;
}

const noop = (): void => {};

/** `holdResponse` (checked by REQUEST_AUDIT_OPTIONS): the time limit in ms, or undefined when responses are not held. */
function resolveHold(option: RequestAuditOptions['holdResponse']): number | undefined {
  if (!option) return undefined;
  return (option === true ? undefined : option.timeoutMs) ?? DEFAULTS.holdResponse.timeoutMs;
}

/** What an adapter knows when a request arrives. */
export interface IncomingView {
  protocol: 'http' | 'grpc';
  method: string;
  /** Path without query string (HTTP) or full method name (gRPC). */
  path: string;
  /** Headers or metadata, lower-case keys. */
  headers: Headers;
  ip?: string;
}

/** What an adapter knows when the request ends. */
export interface OutcomeView {
  status?: number;
  grpcCode?: number;
  route?: string;
  aborted?: boolean;
  /** Overrides the status-derived outcome (gRPC: code 0 is success). */
  failed?: boolean;
  /** gRPC status details; a failed call without an error of its own records them as its error. */
  grpcDetails?: string;
  bytesIn?: number;
  bytesOut?: number;
  body?: unknown;
  query?: unknown;
  /** Extra fields for the per-request event (e.g. message counts of a stream). */
  details?: Record<string, unknown>;
  /** Per-route fields for the per-request event (`type`, `resource`, `action`, ...), from route config. */
  overrides?: Partial<AuditInput>;
}

const ACTIONS: Record<string, Action> = {
  GET: 'read',
  HEAD: 'read',
  OPTIONS: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/** Maps an HTTP method to an audit action. */
export function actionForMethod(method: string): Action {
  return ACTIONS[method.toUpperCase()] ?? 'execute';
}

/** Maps an HTTP status to a severity: 5xx error, 4xx warning, otherwise info. */
export function severityForStatus(status: number | undefined): Severity {
  if (status === undefined) return 'info';
  if (status >= 500) return 'error';
  if (status >= 400) return 'warning';
  return 'info';
}

/** gRPC codes that mean the server failed, rather than the caller: UNKNOWN, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
const GRPC_SERVER_FAULTS = new Set([2, 12, 13, 14, 15]);

/** Names of the gRPC status codes, indexed by code (grpc/doc/statuscodes.md). */
const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** Severity of a finished gRPC call: info for OK, error for server faults, warning otherwise. */
export function severityForGrpcCode(code: number): Severity {
  if (code === 0) return 'info';
  return GRPC_SERVER_FAULTS.has(code) ? 'error' : 'warning';
}

/** `GET /users/:id 200`, `/shop.Orders/GetOrder NOT_FOUND`, with `aborted` when the client left. */
function requestMessage(request: RequestAudit['request'], view: OutcomeView): string {
  const aborted = view.aborted ? ' aborted' : '';
  if (request.protocol === 'grpc') {
    const code = view.grpcCode === undefined ? '' : ` ${GRPC_CODE_NAMES[view.grpcCode] ?? view.grpcCode}`;
    return `${request.path}${code}${aborted}`;
  }
  const status = view.status === undefined ? '' : ` ${view.status}`;
  return `${request.method} ${view.route ?? request.path}${status}${aborted}`;
}

// Ids we accept from clients: bounded length, no control characters or spaces (log injection).
const SAFE_ID = /^[\w\-.:@/+=]{1,128}$/;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeId(value: string | undefined): string | undefined {
  return value !== undefined && SAFE_ID.test(value) ? value : undefined;
}

/** The path of a request URL, without its query string. */
export function pathWithoutQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** String-valued entries of gRPC metadata (binary `-bin` values are left out), as headers. */
export function metadataHeaders(metadata: { getMap(): Record<string, unknown> }): Record<string, string> {
  const map = metadata.getMap();
  // grpc-js builds the map afresh on every call: copied only when it holds a binary value to leave out.
  for (const key in map) if (typeof map[key] !== 'string') return stringEntries(map);
  return map as Record<string, string>;
}

function stringEntries(map: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** A byte count from a header value (`content-length`), or undefined when it is not one. */
export function byteCount(value: unknown): number | undefined {
  const n =
    typeof value === 'string' ? Number.parseInt(value, 10) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * One request's audit state, exposed to handlers as `req.audit`. Actor and tenant are resolved
 * each time an event is recorded, so auth middleware that runs after the audit middleware counts.
 */
export class RequestAudit<Req = unknown> implements AuditContext {
  readonly requestId: string;
  readonly correlationId: string;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly traceFlags: string | undefined;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  readonly request: NonNullable<AuditContext['request']>;
  readonly startedAt = performance.now();
  /** The error that ended the request, when an error handler saw one. */
  error: unknown;
  /** True once the per-request event was recorded, so finish and close never record twice. */
  ended = false;
  /** Under `holdResponse`: records the event now and resolves once it is stored (see `holdHttpResponse`). */
  [RESPONSE_HOLD]: (() => Promise<void>) | undefined = undefined;
  #declaredLogged = false;
  readonly [OWN_IDS]: OwnIds;

  constructor(
    readonly auditor: RequestAuditor<Req>,
    readonly req: Req,
    view: IncomingView,
  ) {
    const o = auditor.settings;
    const headers = view.headers;
    const givenId = safeId(header(headers, o.requestIdHeader));
    this.requestId = givenId ?? newRequestId();
    const trace = parseTraceparent(header(headers, 'traceparent'));
    this.traceId = trace?.traceId;
    this.spanId = trace?.spanId;
    this[OWN_IDS] = {
      requestId: givenId === undefined ? this.requestId : undefined,
      traceId: this.traceId,
      spanId: this.spanId,
      request: undefined,
    };
    this.traceFlags = trace?.flags;
    this.correlationId = safeId(header(headers, o.correlationIdHeader)) ?? this.requestId;
    this.ip = view.ip;
    this.userAgent = header(headers, 'user-agent');
    this.request = { method: view.method, path: view.path, protocol: view.protocol };
  }

  get logger(): AuditLogger {
    return this.auditor.logger;
  }

  get actor(): Partial<Actor> | undefined {
    return this.auditor.resolveActor(this.req);
  }

  get tenant(): string | undefined {
    return this.auditor.resolveTenant(this.req);
  }

  /** Records a business event in this request's context. Never throws. */
  log(input: AuditInput): string | undefined {
    const logger = this.auditor.logger as AuditLogger & Partial<ContextualLogger>;
    // Our own logger takes the context directly; a foreign AuditLogger gets it through ALS.
    const logIn = logger[LOG_IN_CONTEXT];
    return logIn ? logIn.call(logger, input, this) : runWithContext(this, () => logger.log(input));
  }

  /**
   * Records the business event a route declares (Fastify's `config.audit`, as Nest's
   * `@AuditAction`), beside the request's own event: as declared when the request succeeded; with
   * outcome `failure` (`unknown` if aborted), the error and the status in `details` when it did not.
   * Once per request, however many of the framework's end hooks call it.
   */
  logDeclared(input: AuditInput, result: { status?: number; aborted?: boolean }): string | undefined {
    if (this.#declaredLogged) return undefined;
    this.#declaredLogged = true;
    const { status, aborted } = result;
    if (!aborted && this.error === undefined && (status === undefined || status < 400))
      return this.log(input);
    const failed: AuditInput = { ...input, outcome: aborted ? 'unknown' : 'failure' };
    if (this.error !== undefined) failed.error = this.error;
    if (status !== undefined) failed.details = { ...input.details, status };
    return this.log(failed);
  }

  /** Runs `fn` inside this request's context (for adapters and callbacks that lost it). */
  run<T>(fn: () => T): T {
    return runWithContext(this, fn);
  }
}

/** Which adapter a `RequestAuditor` serves: its factory's name (for messages) and its own options. */
export interface AdapterInfo {
  /** Event type of the per-request event. */
  eventType: string;
  /** The factory users call (`auditMiddleware`), named in option errors. */
  name?: string;
  /** Options only this adapter has, declared with `option.*`; checked next to the shared ones. */
  options?: OptionShape;
}

/**
 * What an adapter does when it is created: checks every option (the shared ones and the adapter's
 * own) and returns the logger to record into, creating the zero-config one when none is given, so
 * a bad configuration (options, `AUDITKIT_SIGNING_KEY`) fails at startup and never in a request.
 */
export function checkAdapterOptions(
  options: RequestAuditOptions<never> | undefined,
  adapter: AdapterInfo,
): AuditLogger {
  const shape = adapter.options ? { ...REQUEST_AUDIT_OPTIONS, ...adapter.options } : REQUEST_AUDIT_OPTIONS;
  checkOptions(options, shape, adapter.name ?? 'auditkit adapter');
  return options?.logger ?? defaultLogger();
}

type Settings = Required<
  Pick<RequestAuditOptions, 'requestIdHeader' | 'correlationIdHeader' | 'echoRequestId' | 'eventType'>
> & {
  captureHeaders: string[];
  captureBody: boolean;
  captureQuery: boolean;
  /** `holdResponse`: longest wait (ms) for a request's events to be stored; undefined: no hold. */
  holdMs: number | undefined;
};

/**
 * Everything adapters share: exclusion, request ids and trace context, actor/tenant callbacks,
 * outcome rules, sampling and the per-request event. Compiled once per middleware/plugin.
 */
export class RequestAuditor<Req = unknown> {
  readonly settings: Settings;
  /** The adapter's factory (`auditMiddleware`), named where its failures are reported. */
  readonly name: string;
  readonly #logger: AuditLogger;
  readonly #excludedPath: (path: string) => boolean;
  readonly #excludedMethods: Set<string>;
  readonly #sampler: Sampler;
  readonly #actor: RequestAuditOptions<Req>['actor'];
  readonly #tenant: RequestAuditOptions<Req>['tenant'];

  /**
   * Checks every option (the shared ones and the adapter's own, `adapter.options`) and creates the
   * zero-config logger when none is given, so a bad configuration fails here, at startup, and
   * never inside a request.
   */
  constructor(options: RequestAuditOptions<Req> = {}, adapter: AdapterInfo) {
    this.#logger = checkAdapterOptions(options, adapter);
    this.name = adapter.name ?? 'auditkit adapter';
    this.#excludedPath = compilePatterns(options.exclude, '/');
    this.#excludedMethods = new Set(asList(options.excludeMethods ?? 'OPTIONS').map((m) => m.toUpperCase()));
    this.#sampler = compileSampler(options.sample, options.slowThresholdMs ?? DEFAULTS.slowThresholdMs);
    this.#actor = options.actor;
    this.#tenant = options.tenant;
    this.settings = {
      requestIdHeader: (options.requestIdHeader ?? 'x-request-id').toLowerCase(),
      correlationIdHeader: (options.correlationIdHeader ?? 'x-correlation-id').toLowerCase(),
      echoRequestId: options.echoRequestId ?? true,
      eventType: options.eventType ?? adapter.eventType,
      captureHeaders: asList(options.captureHeaders).map((h) => h.toLowerCase()),
      captureBody: options.captureBody ?? false,
      captureQuery: options.captureQuery ?? false,
      holdMs: resolveHold(options.holdResponse),
    };
  }

  /** The configured logger, or the zero-config one. */
  get logger(): AuditLogger {
    return this.#logger;
  }

  /** An HTTP request left out by `excludeMethods` or `exclude`. */
  isExcluded(method: string, path: string): boolean {
    return this.#excludedMethods.has(method) || this.#excludedPath(path);
  }

  /** A call without an HTTP method (gRPC) left out by `exclude`; `excludeMethods` is about HTTP. */
  isExcludedPath(path: string): boolean {
    return this.#excludedPath(path);
  }

  /** Starts auditing a request; the result is its context and `req.audit`. */
  begin(req: Req, view: IncomingView): RequestAudit<Req> {
    return new RequestAudit(this, req, view);
  }

  resolveActor(req: Req): Partial<Actor> | undefined {
    if (!this.#actor) return undefined;
    const actor = safeCall(this.#actor, [req], undefined, (e) =>
      reportCallbackError(this.logger, 'actor', e),
    );
    return actor !== null && typeof actor === 'object' ? actor : undefined;
  }

  resolveTenant(req: Req): string | undefined {
    if (!this.#tenant) return undefined;
    const tenant = safeCall(this.#tenant, [req], undefined, (e) =>
      reportCallbackError(this.logger, 'tenant', e),
    );
    return typeof tenant === 'string' && tenant.length > 0 ? tenant : undefined;
  }

  /** Records the per-request event once. Never throws. */
  end(audit: RequestAudit<Req>, outcome: OutcomeView, headers?: Headers): void {
    if (audit.ended) return;
    audit.ended = true;
    try {
      this.#record(audit, this.#requestEvent(audit, outcome, headers));
    } catch (error) {
      reportCallbackError(this.logger, 'request event', error);
    }
  }

  /** Resolves once every event recorded so far is stored, within `holdResponse.timeoutMs`. Never rejects. */
  holdUntilStored(): Promise<void> {
    const ms = this.settings.holdMs ?? DEFAULTS.holdResponse.timeoutMs;
    try {
      const logger = this.logger as AuditLogger & Partial<ContextualLogger>;
      const hold = logger[HOLD_UNTIL_STORED];
      if (hold) return hold.call(logger, ms).catch(noop);
      // A foreign logger: its flush, bounded the same way (it counts no expiry).
      return holdUntil(
        logger.flush().then(() => true),
        ms,
      ).then(noop);
    } catch (error) {
      reportCallbackError(this.logger, 'holdResponse', error);
      return Promise.resolve();
    }
  }

  /**
   * Our own logger applies this adapter's `sample` to the finished event (correlation id
   * included) and counts what it leaves out; a foreign AuditLogger gets the decision made here.
   */
  #record(audit: RequestAudit<Req>, input: AuditInput): void {
    const logger = this.logger as AuditLogger & Partial<ContextualLogger>;
    const logIn = logger[LOG_IN_CONTEXT];
    if (logIn) {
      logIn.call(logger, input, audit, this.#sampler);
      return;
    }
    let keep = true;
    try {
      keep = this.#sampler.keep({ correlationId: audit.correlationId, ...input } as AuditEvent);
    } catch (error) {
      reportCallbackError(logger, 'sample', error);
    }
    if (keep) audit.log(input);
  }

  #requestEvent(audit: RequestAudit<Req>, view: OutcomeView, headers: Headers | undefined): AuditInput {
    const code = view.grpcCode;
    if (code !== undefined && code !== 0 && !view.aborted && view.grpcDetails && audit.error === undefined)
      audit.error = {
        name: GRPC_CODE_NAMES[code] ?? 'GRPC_ERROR',
        message: view.grpcDetails,
        code: String(code),
      };
    const durationMs = Math.round((performance.now() - audit.startedAt) * 1000) / 1000;
    const { method, path, protocol } = audit.request;
    const s = this.settings;
    // Fields set in sorted key order, so sealing serializes the object as it is instead of copying it.
    const request = {} as RequestInfo;
    if (view.aborted) request.aborted = true;
    if (s.captureBody && view.body !== undefined) request.body = view.body;
    if (view.bytesIn !== undefined) request.bytesIn = view.bytesIn;
    if (view.bytesOut !== undefined) request.bytesOut = view.bytesOut;
    request.durationMs = durationMs;
    if (view.grpcCode !== undefined) request.grpcCode = view.grpcCode;
    if (headers && s.captureHeaders.length > 0) {
      const picked: Record<string, string> = {};
      for (const name of s.captureHeaders) {
        const v = headers[name];
        if (v !== undefined) picked[name] = Array.isArray(v) ? v.join(', ') : v;
      }
      request.headers = picked;
    }
    request.id = audit.requestId;
    request.method = method;
    request.path = path;
    request.protocol = protocol;
    if (view.route) request.route = view.route;
    if (view.status !== undefined) request.status = view.status;
    audit[OWN_IDS].request = request;
    const failed =
      view.failed ??
      ((view.status !== undefined && view.status >= 400) ||
        (view.grpcCode !== undefined && view.grpcCode !== 0));
    const outcome = view.aborted ? 'unknown' : failed || audit.error !== undefined ? 'failure' : 'success';
    const input: AuditInput = {
      type: s.eventType,
      category: 'api',
      action: protocol === 'http' ? actionForMethod(method ?? '') : 'execute',
      outcome,
      severity:
        view.grpcCode !== undefined
          ? severityForGrpcCode(view.grpcCode)
          : audit.error !== undefined && !(view.status && view.status < 500)
            ? 'error'
            : severityForStatus(view.status),
      message: requestMessage(audit.request, view),
      request,
    };
    if (audit.error !== undefined) input.error = audit.error;
    if (s.captureQuery && view.query !== undefined) input.details = { query: view.query };
    // The adapter's own fresh object: taken as it is when there is nothing to merge it with.
    if (view.details) input.details = input.details ? { ...input.details, ...view.details } : view.details;
    if (view.overrides) {
      const { details, ...rest } = view.overrides;
      Object.assign(input, rest);
      if (details) input.details = { ...input.details, ...details };
    }
    return input;
  }
}
