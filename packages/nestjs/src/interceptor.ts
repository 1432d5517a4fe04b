import {
  beginHttpAudit,
  GrpcCallCapture,
  grpcCodeOf,
  grpcHeaders,
  type HandlerCall,
  HandlerEvents,
  type RequestAudit,
  type RequestAuditor,
} from '@auditkit/core/adapter';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { isObservable, Observable, tap } from 'rxjs';
import { type HttpRequest, requestAuditOf } from './http-capture';
import type { AuditActionOptions, AuditDataChangeOptions, AuditedRequest, ProviderLookup } from './metadata';
import { AuditService } from './service';
import { AUDIT_ACTION, AUDIT_DATA_CHANGE, NO_AUDIT } from './symbols';

/** The grpc-js server call Nest passes as a gRPC handler's third argument. */
interface GrpcCall {
  getPath(): string;
  getPeer?(): string;
  once?(event: 'cancelled', listener: () => void): unknown;
}

type Controller = ReturnType<ExecutionContext['getClass']>;
type Handler = ReturnType<ExecutionContext['getHandler']>;

/** What one handler declares: `@NoAudit` (on it or its controller), `@AuditAction`, `@AuditDataChange`. */
interface Declarations {
  skip: boolean;
  action: AuditActionOptions | undefined;
  change: AuditDataChangeOptions | undefined;
}

/** A call being audited; a gRPC call settles its own event (an HTTP request ends in the capture). */
interface Started extends HandlerCall {
  audit: RequestAudit<AuditedRequest>;
}

/**
 * The error that ended a request, and the events `@AuditAction` and `@AuditDataChange` ask for,
 * in the context of the request the HTTP capture started (see http-capture.ts); and one
 * `grpc.call` event per call of a Nest gRPC handler, which has no hook before its handlers.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  readonly #lookup: ProviderLookup;
  /** Declarations by controller, then handler: a controller class may share an inherited handler. */
  readonly #declarations = new WeakMap<Controller, WeakMap<Handler, Declarations>>();

  constructor(
    @Inject(AuditService) private readonly service: AuditService,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ModuleRef) modules: ModuleRef,
  ) {
    this.#lookup = { get: (token) => modules.get(token as never, { strict: false }) };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType();
    if (type !== 'http' && type !== 'rpc') return next.handle();
    const { skip, action, change } = this.#declarationsOf(context.getClass(), context.getHandler());
    if (skip) {
      // Marked as recorded, so the capture records no `http.request` event for it.
      const audit = type === 'http' ? requestAuditOf(context.switchToHttp().getRequest()) : undefined;
      if (audit) audit.ended = true;
      return next.handle();
    }
    const request = type === 'http' ? context.switchToHttp().getRequest<HttpRequest>() : undefined;
    const captured = request && requestAuditOf(request);
    // The capture already runs the request in its context: without declarations, only the error is wanted.
    if (captured && !action && !change)
      return next.handle().pipe(tap({ error: (e) => (captured.error = e) }));
    const started = request ? this.#http(request, captured) : this.#grpc(context);
    if (!started) return next.handle();
    const events = new HandlerEvents(started.audit, started.audit.req, {
      action,
      change,
      lookup: this.#lookup,
    });
    return new Observable((subscriber) =>
      events.observe(started, (observer) => next.handle().subscribe(observer), subscriber),
    );
  }

  /**
   * What a handler of a controller declares, read with the Reflector on its first call and kept:
   * decorators have set their metadata before the application starts.
   */
  #declarationsOf(controller: Controller, handler: Handler): Declarations {
    let handlers = this.#declarations.get(controller);
    if (!handlers) {
      handlers = new WeakMap();
      this.#declarations.set(controller, handlers);
    }
    let declarations = handlers.get(handler);
    if (!declarations) {
      declarations = {
        skip: Boolean(this.reflector.getAllAndOverride<boolean | undefined>(NO_AUDIT, [handler, controller])),
        action: this.reflector.get<AuditActionOptions | undefined>(AUDIT_ACTION, handler),
        change: this.reflector.get<AuditDataChangeOptions | undefined>(AUDIT_DATA_CHANGE, handler),
      };
      handlers.set(handler, declarations);
    }
    return declarations;
  }

  /** The request's audit from the HTTP capture, or one of its own where the capture could not start one. */
  #http(request: HttpRequest, captured: RequestAudit<AuditedRequest> | undefined): Started {
    const audit = captured ?? beginHttpAudit(this.service.auditor as RequestAuditor<HttpRequest>, request);
    return { audit, proceed: (next) => audit.run(next) };
  }

  /** gRPC microservice handlers get `(data, metadata, call)`; other transports are not audited. */
  #grpc(context: ExecutionContext): Started | undefined {
    const [data, metadata, call] = context.getArgs() as [unknown, unknown, GrpcCall | undefined];
    if (typeof call?.getPath !== 'function') return undefined;
    const method = call.getPath();
    const peer = call.getPeer?.();
    const headers = grpcHeaders(metadata);
    const request: AuditedRequest = { headers, body: data, rpc: { method, metadata, peer } };
    const capture = new GrpcCallCapture(this.service.auditor, request, {
      method,
      headers,
      peer,
      eventType: 'grpc.call',
    });
    const audit = capture.audit;
    if (!audit) return undefined;
    // Nest hands a client stream over as an Observable: its messages are not counted here.
    const received = isObservable(data) ? undefined : 1;
    call.once?.('cancelled', () => capture.end({ received, sent: 0 }));
    return {
      audit,
      proceed: (next) => capture.proceed(next),
      settle: (error, sent) =>
        capture.end({ code: error === undefined ? 0 : grpcCodeOf(error), received, sent }),
    };
  }
}
