import {
  type AuditInput,
  byteCount,
  diffObjects,
  pathWithoutQuery,
  type RequestAudit,
  type RequestAuditOptions,
  RequestAuditor,
  reportCallbackError,
  runWithContext,
} from '@auditkit/core';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, Observable } from 'rxjs';
import {
  AUDIT_ACTION,
  AUDIT_DATA_CHANGE,
  type AuditActionOptions,
  type AuditDataChangeOptions,
  type AuditedRequest,
  NO_AUDIT,
} from './metadata';

export const AUDIT_OPTIONS = Symbol('auditkit:options');

/** Options of `AuditModule.forRoot`: the options every auditkit adapter shares. */
export type NestAuditOptions = RequestAuditOptions<AuditedRequest>;

interface RawResponse {
  statusCode: number;
  writableFinished: boolean;
  headersSent: boolean;
  once(event: 'close', listener: () => void): unknown;
  getHeader(name: string): unknown;
}

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

/** One `http.request` event per request, plus the events `@AuditAction` and `@AuditDataChange` ask for. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  readonly #auditor: RequestAuditor<AuditedRequest>;

  constructor(
    @Inject(AUDIT_OPTIONS) options: NestAuditOptions,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.#auditor = new RequestAuditor<AuditedRequest>(options, { eventType: 'http.request' });
  }

  get auditor(): RequestAuditor<AuditedRequest> {
    return this.#auditor;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(NO_AUDIT, targets)) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<
      AuditedRequest & { method: string; url: string; ip?: string; originalUrl?: string }
    >();
    const reply = http.getResponse<
      RawResponse & { raw?: RawResponse; header?: (k: string, v: string) => unknown }
    >();
    const raw: RawResponse = reply.raw ?? reply;
    let audit: RequestAudit<AuditedRequest>;
    try {
      const path = pathWithoutQuery(request.originalUrl ?? request.url);
      audit = this.#auditor.begin(request, {
        protocol: 'http',
        method: request.method,
        path,
        headers: request.headers as Record<string, string>,
        ip: request.ip,
      });
      if (this.#auditor.settings.echoRequestId && !raw.headersSent) {
        (reply.header
          ? reply.header.bind(reply)
          : (reply as unknown as { setHeader: (k: string, v: string) => void }).setHeader.bind(reply))(
          this.#auditor.settings.requestIdHeader,
          audit.requestId,
        );
      }
      if (!this.#auditor.isExcluded(request.method, path)) {
        raw.once('close', () =>
          this.#auditor.end(audit, {
            status: raw.headersSent ? raw.statusCode : undefined,
            route: path,
            aborted: !raw.writableFinished,
            bytesIn: byteCount(request.headers['content-length']),
            bytesOut: byteCount(raw.getHeader('content-length')),
          }),
        );
      }
    } catch (error) {
      reportCallbackError(this.#auditor.logger, 'AuditInterceptor', error);
      return next.handle();
    }
    const action = this.reflector.get<AuditActionOptions | undefined>(AUDIT_ACTION, context.getHandler());
    const change = this.reflector.get<AuditDataChangeOptions | undefined>(
      AUDIT_DATA_CHANGE,
      context.getHandler(),
    );
    // The handler and everything it calls run inside the request's context.
    return new Observable((subscriber) =>
      runWithContext(audit, () =>
        from(this.#run(audit, request, next, action, change)).subscribe(subscriber),
      ),
    );
  }

  async #run(
    audit: RequestAudit<AuditedRequest>,
    request: AuditedRequest,
    next: CallHandler,
    action: AuditActionOptions | undefined,
    change: AuditDataChangeOptions | undefined,
  ): Promise<unknown> {
    const id = change
      ? typeof change.id === 'function'
        ? change.id(request)
        : pick(request, change.id)
      : undefined;
    const before = change && id !== undefined ? await change.before(id, request) : undefined;
    try {
      const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      if (action) audit.log(this.#actionEvent(action, request, result));
      if (change && id !== undefined) {
        const after = change.after ? await change.after(id, request, result) : result;
        audit.log({
          type: change.type ?? `${change.resource}.updated`,
          action: 'update',
          resource: { type: change.resource, id },
          changes: { before, after, diff: diffObjects(before, after) },
        });
      }
      return result;
    } catch (error) {
      audit.error = error;
      const status = statusOf(error);
      const failed = { outcome: 'failure' as const, error, details: status ? { status } : undefined };
      if (action) audit.log({ ...this.#actionEvent(action, request, undefined), ...failed });
      if (change && id !== undefined) {
        audit.log({
          type: change.type ?? `${change.resource}.updated`,
          action: 'update',
          resource: { type: change.resource, id },
          ...failed,
        });
      }
      throw error;
    }
  }

  #actionEvent(options: AuditActionOptions, request: AuditedRequest, result: unknown): AuditInput {
    const { resource, ...rest } = options;
    if (!resource) return rest;
    const id = typeof resource.id === 'function' ? resource.id(request, result) : resource.id;
    return {
      ...rest,
      resource: {
        type: resource.type,
        ...(id !== undefined ? { id } : {}),
        ...(resource.name ? { name: resource.name } : {}),
      },
    };
  }
}
