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
    const handler = context.getHandler();
    if (this.reflector.getAllAndOverride<boolean>(NO_AUDIT, [handler, context.getClass()])) {
      // Marked as recorded, so the capture records no `http.request` event for it.
      const audit = type === 'http' ? requestAuditOf(context.switchToHttp().getRequest()) : undefined;
      if (audit) audit.ended = true;
      return next.handle();
    }
    const action = this.reflector.get<AuditActionOptions | undefined>(AUDIT_ACTION, handler);
    const change = this.reflector.get<AuditDataChangeOptions | undefined>(AUDIT_DATA_CHANGE, handler);
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
