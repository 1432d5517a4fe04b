import {
  GrpcCallCapture,
  grpcHeaders,
  type RequestAuditOptions,
  RequestAuditor,
} from '@auditkit/core/adapter';
import {
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  status,
} from '@grpc/grpc-js';

/** What the `actor` and `tenant` callbacks see: the incoming metadata and the call. */
export interface GrpcCallInfo {
  /** Full method path, `/package.Service/Method`. */
  method: string;
  metadata: Metadata;
  peer: string;
}

/** Options of `auditServerInterceptor`: the options every auditkit adapter shares. */
export type GrpcAuditOptions = RequestAuditOptions<GrpcCallInfo>;

/**
 * A grpc-js server interceptor: one `grpc.call` event per call (unary and streaming), with the
 * full method, peer, status code, message counts and duration; request and correlation ids and
 * `traceparent` from metadata, in AsyncLocalStorage for the handler's `audit.log()`.
 */
export function auditServerInterceptor(options: GrpcAuditOptions = {}): ServerInterceptor {
  const auditor = new RequestAuditor<GrpcCallInfo>(options, {
    eventType: 'grpc.call',
    name: 'auditServerInterceptor',
  });
  const { echoRequestId, requestIdHeader } = auditor.settings;

  return (descriptor, call: ServerInterceptingCallInterface) => {
    const method = descriptor.path;
    let capture: GrpcCallCapture<GrpcCallInfo> | undefined;
    let received = 0;
    let sent = 0;

    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const peer = peerOf(call);
            capture = new GrpcCallCapture(
              auditor,
              { method, metadata, peer },
              { method, headers: grpcHeaders(metadata), peer },
            );
            // The handler starts from these callbacks: run them in the call's context.
            capture.proceed(() => nextMetadata(metadata));
          },
          onReceiveMessage: (message, nextMessage) => {
            received++;
            if (capture) capture.run(() => nextMessage(message));
            else nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => (capture ? capture.run(nextHalfClose) : nextHalfClose()),
          // grpc-js calls this after every call, finished or not: only a call still open ends here.
          onCancel: () => {
            if (capture?.open) capture.end({ received, sent });
          },
        }),
      sendMetadata: (metadata, next) => {
        if (echoRequestId && capture?.audit) metadata.set(requestIdHeader, capture.audit.requestId);
        next(metadata);
      },
      sendMessage: (message, next) => {
        sent++;
        next(message);
      },
      sendStatus: (callStatus, next) => {
        if (!capture) return next(callStatus);
        capture.end({ code: callStatus.code ?? status.UNKNOWN, details: callStatus.details, received, sent });
        // holdResponse: the client learns the status only once the call's events are stored.
        capture.release(next, callStatus);
      },
    });
  };
}

/**
 * The client's address as `getPeer()` formats it, from the connection info grpc-js reads once
 * when the call starts: `getPeer()` reads the socket again, through the HTTP/2 session's socket
 * proxy, on every call. grpc-js before 1.13 has no connection info: `getPeer()` then.
 */
function peerOf(call: ServerInterceptingCallInterface): string {
  const info = typeof call.getConnectionInfo === 'function' ? call.getConnectionInfo() : undefined;
  const address = info?.remoteAddress;
  if (!address) return call.getPeer();
  return info.remotePort ? `${address}:${info.remotePort}` : address;
}
