import { reportCallbackError } from '../logger';
import { proceedWhenWritable } from './backpressure';
import { runWithContext } from './context';
import { metadataHeaders, type RequestAudit, type RequestAuditor } from './request-audit';

/** grpc-js `Metadata`, as far as reading its string entries goes. */
type MetadataLike = Parameters<typeof metadataHeaders>[0];

/** The string entries of a call's grpc-js `Metadata`, as headers; none when it is not one. */
export function grpcHeaders(metadata: unknown): Record<string, string> {
  return typeof (metadata as Partial<MetadataLike> | null)?.getMap === 'function'
    ? metadataHeaders(metadata as MetadataLike)
    : {};
}

/** gRPC UNKNOWN: what a call that failed without a code of its own ends with. */
const UNKNOWN = 2;

/**
 * The gRPC status code of a thrown error: `RpcException({ code })` (Nest), a grpc-js
 * `ServiceError` or any error with a valid `code`, otherwise UNKNOWN.
 */
export function grpcCodeOf(error: unknown): number {
  const e = error as { getError?: () => unknown; code?: unknown } | null;
  const inner = typeof e?.getError === 'function' ? e.getError() : e;
  const code = (inner as { code?: unknown } | null)?.code;
  return Number.isInteger(code) && (code as number) >= 0 && (code as number) <= 16
    ? (code as number)
    : UNKNOWN;
}

/** How a call ended, as the adapter saw it. */
export interface GrpcCallEnd {
  /** The status code sent; undefined when the call was cancelled. */
  code?: number;
  /** The status details sent; a failed call without an error of its own records them as its error. */
  details?: string;
  /** Messages received, where the adapter counts them. */
  received?: number;
  sent: number;
}

/**
 * One gRPC call's audit: its context for the handler, the `grpc.call` event once (on the status
 * sent or on cancellation), `exclude` matched on the full method name (`excludeMethods` is about
 * HTTP methods), `overflow: 'block'` and `holdResponse` applied as for HTTP requests.
 */
export class GrpcCallCapture<Req> {
  readonly audit: RequestAudit<Req> | undefined;
  readonly #auditor: RequestAuditor<Req>;
  readonly #excluded: boolean;
  readonly #overrides: { type: string } | undefined;

  /**
   * `headers` are the call's metadata as `grpcHeaders` reads them; `eventType`
   * overrides the auditor's event type for this call (Nest records `grpc.call` beside its
   * `http.request` events). Never throws: a call whose audit could not start goes on unaudited.
   */
  constructor(
    auditor: RequestAuditor<Req>,
    req: Req,
    call: { method: string; headers: Record<string, string>; peer?: string; eventType?: string },
  ) {
    this.#auditor = auditor;
    this.#overrides = call.eventType ? { type: call.eventType } : undefined;
    let audit: RequestAudit<Req> | undefined;
    let excluded = false;
    try {
      const { method, headers, peer } = call;
      audit = auditor.begin(req, { protocol: 'grpc', method, path: method, headers, ip: peer });
      excluded = auditor.isExcludedPath(method);
    } catch (error) {
      reportCallbackError(auditor.logger, auditor.name, error);
    }
    this.audit = audit;
    this.#excluded = excluded;
  }

  /** Runs `fn` in the call's context. */
  run<T>(fn: () => T): T {
    return this.audit ? runWithContext(this.audit, fn) : fn();
  }

  /** Lets the call go on (to its handler) in its context, held while the audit queue is full under `overflow: 'block'`. */
  proceed(next: () => void): void {
    if (this.audit) proceedWhenWritable(this.#auditor.logger, this.audit, next);
    else next();
  }

  /** True until the call's event is recorded (or, for a call left unaudited, never was to be). */
  get open(): boolean {
    return this.audit !== undefined && !this.#excluded && !this.audit.ended;
  }

  /** Records the call's event once: ended with `end.code`, or cancelled when it is undefined. */
  end(end: GrpcCallEnd): void {
    const audit = this.audit;
    if (!audit || this.#excluded || audit.ended) return;
    const details: Record<string, unknown> = {};
    if (end.received !== undefined) details.messagesReceived = end.received;
    details.messagesSent = end.sent;
    details.peer = audit.ip;
    this.#auditor.end(audit, {
      grpcCode: end.code,
      grpcDetails: end.details,
      route: audit.request.path,
      aborted: end.code === undefined,
      details,
      overrides: this.#overrides,
    });
  }

  /** Sends the status (`send(status)`): at once, or under `holdResponse` once the call's events are stored. */
  release<T>(send: (status: T) => void, status: T): void {
    if (this.#auditor.settings.holdMs !== undefined && this.audit && !this.#excluded)
      this.#auditor.holdUntilStored().then(() => send(status));
    else send(status);
  }
}
