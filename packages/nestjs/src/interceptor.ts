import {
  type AuditInput,
  diffObjects,
  metadataHeaders,
  pathWithoutQuery,
  type RequestAudit,
  type RequestAuditOptions,
  RequestAuditor,
  reportCallbackError,
  runWithContext,
  safeCall,
} from '@auditkit/core/adapter';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { isObservable, Observable, type Subscription } from 'rxjs';
import { type HttpRequest, requestAuditOf } from './http-capture';
import {
  AUDIT_ACTION,
  AUDIT_DATA_CHANGE,
  type AuditActionOptions,
  type AuditDataChangeOptions,
  type AuditedRequest,
  type FromCall,
  NO_AUDIT,
  type ProviderLookup,
} from './metadata';

export const AUDIT_OPTIONS = Symbol('auditkit:options');

/** Options of `AuditModule.forRoot`: the options every auditkit adapter shares. */
export type NestAuditOptions = RequestAuditOptions<AuditedRequest>;

/** The grpc-js server call Nest passes as a gRPC handler's third argument. */
interface GrpcCall {
  getPath(): string;
  getPeer?(): string;
  once?(event: 'cancelled', listener: () => void): unknown;
}

/** A request being audited, and how to end it once the handler settles (HTTP ends on 'close'). */
interface Started {
  audit: RequestAudit<AuditedRequest>;
  settle?: (error: unknown, messagesSent: number) => void;
}

/** gRPC calls are `grpc.call` events, as in @auditkit/grpc. */
const GRPC_EVENT = { type: 'grpc.call' } as const;

function pick(request: AuditedRequest, path: string): string | undefined {
  let value: unknown = request;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** HttpException-like errors carry their status. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { getStatus?: () => unknown })?.getStatus?.();
  return typeof status === 'number' ? status : undefined;
}

/** The gRPC code of a thrown error: RpcException({ code }), a grpc-js ServiceError, else UNKNOWN. */
function grpcCodeOf(error: unknown): number {
  const e = error as { getError?: () => unknown; code?: unknown } | null;
  const inner = typeof e?.getError === 'function' ? e.getError() : e;
  const code = (inner as { code?: unknown } | null)?.code;
  return Number.isInteger(code) && (code as number) >= 0 && (code as number) <= 16 ? (code as number) : 2;
}

/**
 * The events `@AuditAction` and `@AuditDataChange` ask for, in the context of the request that the
 * HTTP capture started (see http-capture.ts); and one `grpc.call` event per call of a Nest gRPC
 * microservice, which has no hook before its handlers.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  readonly #auditor: RequestAuditor<AuditedRequest>;
  readonly #modules: ProviderLookup;

  constructor(
    @Inject(AUDIT_OPTIONS) options: NestAuditOptions,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ModuleRef) modules: ModuleRef,
  ) {
    this.#auditor = new RequestAuditor<AuditedRequest>(options, {
      eventType: 'http.request',
      name: 'AuditModule',
    });
    this.#modules = { get: (token) => modules.get(token as never, { strict: false }) };
  }

  get auditor(): RequestAuditor<AuditedRequest> {
    return this.#auditor;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType();
    if (type !== 'http' && type !== 'rpc') return next.handle();
    if (this.reflector.getAllAndOverride<boolean>(NO_AUDIT, [context.getHandler(), context.getClass()])) {
      if (type === 'http') this.#skipRequestEvent(context);
      return next.handle();
    }
    let started: Started | undefined;
    try {
      started = type === 'http' ? this.#beginHttp(context) : this.#beginGrpc(context);
    } catch (error) {
      reportCallbackError(this.#auditor.logger, 'AuditInterceptor', error);
    }
    if (!started) return next.handle();
    const action = this.reflector.get<AuditActionOptions | undefined>(AUDIT_ACTION, context.getHandler());
    const change = this.reflector.get<AuditDataChangeOptions | undefined>(
      AUDIT_DATA_CHANGE,
      context.getHandler(),
    );
    // The handler and everything it calls run inside the request's context.
    return new Observable((subscriber) =>
      runWithContext(started.audit, () => this.#observe(started, next, action, change).subscribe(subscriber)),
    );
  }

  /**
   * The request's audit from the HTTP capture; where the capture could not start one, a context of
   * its own so the decorators' events still carry the request's ids and actor.
   */
  #beginHttp(context: ExecutionContext): Started {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const audit =
      requestAuditOf(request) ??
      this.#auditor.begin(request, {
        protocol: 'http',
        method: request.method,
        path: pathWithoutQuery(request.originalUrl ?? request.url),
        headers: request.headers,
        ip: request.ip,
      });
    return { audit };
  }

  /** `@NoAudit()`: the handler's request records no `http.request` event (guards have let it through). */
  #skipRequestEvent(context: ExecutionContext): void {
    const audit = requestAuditOf(context.switchToHttp().getRequest<HttpRequest>());
    // Marked as recorded, so the capture's 'close' listener records nothing.
    if (audit) audit.ended = true;
  }

  /** gRPC microservice handlers get `(data, metadata, call)`; other transports are not audited. */
  #beginGrpc(context: ExecutionContext): Started | undefined {
    const [data, metadata, call] = context.getArgs() as [unknown, unknown, GrpcCall | undefined];
    if (typeof call?.getPath !== 'function') return undefined;
    const method = call.getPath();
    const peer = call.getPeer?.();
    const headers =
      typeof (metadata as { getMap?: unknown })?.getMap === 'function'
        ? metadataHeaders(metadata as { getMap(): Record<string, unknown> })
        : {};
    const request: AuditedRequest = { headers, body: data, rpc: { method, metadata, peer } };
    const auditor = this.#auditor;
    const audit = auditor.begin(request, { protocol: 'grpc', method, path: method, headers, ip: peer });
    if (auditor.isExcludedPath(method)) return { audit };
    const clientStream = isObservable(data);
    // Nest hands a client stream over as an Observable: its messages are not counted here.
    const details = (sent: number) =>
      clientStream ? { messagesSent: sent, peer } : { messagesReceived: 1, messagesSent: sent, peer };
    call.once?.('cancelled', () =>
      auditor.end(audit, { route: method, aborted: true, details: details(0), overrides: GRPC_EVENT }),
    );
    return {
      audit,
      settle: (error, sent) =>
        auditor.end(audit, {
          grpcCode: error === undefined ? 0 : grpcCodeOf(error),
          route: method,
          details: details(sent),
          overrides: GRPC_EVENT,
        }),
    };
  }

  /**
   * Passes every value of the handler through untouched (a gRPC server stream stays a stream),
   * records the decorators' events once it completes or fails, then settles the call's event.
   * Whatever auditing does, the subscriber gets its value, error or completion.
   */
  #observe(
    { audit, settle }: Started,
    next: CallHandler,
    action: AuditActionOptions | undefined,
    change: AuditDataChangeOptions | undefined,
  ): Observable<unknown> {
    const request = audit.req;
    return new Observable((subscriber) => {
      let inner: Subscription | undefined;
      let unsubscribed = false;
      let sent = 0;
      let last: unknown;
      const fail = (error: unknown): void => {
        audit.error = error;
        this.#guard(() => {
          const status = statusOf(error);
          const failed = { outcome: 'failure' as const, error, details: status ? { status } : undefined };
          if (action) audit.log({ ...this.#actionEvent(action, request, undefined), ...failed });
          if (change && id !== undefined) audit.log({ ...this.#changeEvent(change, id), ...failed });
        });
        settle?.(error, sent);
        subscriber.error(error);
      };
      const complete = async (before: unknown): Promise<void> => {
        try {
          if (action) audit.log(this.#actionEvent(action, request, last));
          if (change && id !== undefined) {
            const after = change.after
              ? await this.#load('AuditDataChange.after', () =>
                  change.after!(id, request, last, this.#modules),
                )
              : last;
            audit.log({
              ...this.#changeEvent(change, id),
              changes: { before, after, diff: diffObjects(before, after) },
            });
          }
        } catch (error) {
          reportCallbackError(this.#auditor.logger, 'AuditInterceptor', error);
        }
        settle?.(undefined, sent);
        subscriber.complete();
      };
      const id = change ? this.#changeId(change, request) : undefined;
      const start = (before: unknown): void => {
        if (unsubscribed) return;
        try {
          inner = next.handle().subscribe({
            next: (value) => {
              sent++;
              last = value;
              subscriber.next(value);
            },
            error: fail,
            complete: () => void complete(before),
          });
        } catch (error) {
          fail(error);
        }
      };
      // Only a state loader makes the handler wait; every other request starts it at once.
      if (change && id !== undefined)
        void this.#load('AuditDataChange.before', () => change.before(id, request, this.#modules)).then(
          start,
        );
      else start(undefined);
      return () => {
        unsubscribed = true;
        inner?.unsubscribe();
      };
    });
  }

  /** Runs auditing work whose failure must not keep the handler's error from the client. */
  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      reportCallbackError(this.#auditor.logger, 'AuditInterceptor', error);
    }
  }

  /** Runs a state loader of `@AuditDataChange`; a throw is reported and recorded as no state. */
  async #load(name: string, loader: () => unknown): Promise<unknown> {
    try {
      return await loader();
    } catch (error) {
      reportCallbackError(this.#auditor.logger, name, error);
      return undefined;
    }
  }

  #changeId(change: AuditDataChangeOptions, request: AuditedRequest): string | undefined {
    if (typeof change.id !== 'function') return pick(request, change.id);
    const id = change.id;
    return safeCall(id, [request], undefined, (e) =>
      reportCallbackError(this.#auditor.logger, 'AuditDataChange.id', e),
    );
  }

  #changeEvent(change: AuditDataChangeOptions, id: string): AuditInput {
    return {
      type: change.type ?? `${change.resource}.updated`,
      action: 'update',
      resource: { type: change.resource, id },
    };
  }

  /** The `@AuditAction` event; its resource callbacks run through the safe-call path. */
  #actionEvent(options: AuditActionOptions, request: AuditedRequest, result: unknown): AuditInput {
    const { resource, ...rest } = options;
    if (!resource) return rest;
    const id = this.#fromCall(resource.id, request, result, 'AuditAction.resource.id');
    const name = this.#fromCall(resource.name, request, result, 'AuditAction.resource.name');
    return {
      ...rest,
      resource: {
        type: resource.type,
        ...(id !== undefined ? { id } : {}),
        ...(name !== undefined ? { name } : {}),
      },
    };
  }

  /** A decorator value, or what its callback returns; a throw is counted and read as undefined. */
  #fromCall<T>(value: FromCall<T> | undefined, request: AuditedRequest, result: unknown, name: string) {
    if (typeof value !== 'function') return value;
    const fn = value as (request: AuditedRequest, result: unknown) => T;
    return safeCall(fn, [request, result], undefined, (e) =>
      reportCallbackError(this.#auditor.logger, name, e),
    );
  }
}
