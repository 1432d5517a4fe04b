import {
  metadataHeaders,
  type RequestAudit,
  type RequestAuditOptions,
  RequestAuditor,
  reportCallbackError,
  runWithContext,
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
  const { echoRequestId, requestIdHeader, holdMs } = auditor.settings;

  return (descriptor, call: ServerInterceptingCallInterface) => {
    const method = descriptor.path;
    let audit: RequestAudit<GrpcCallInfo> | undefined;
    let received = 0;
    let sent = 0;
    const excluded = auditor.isExcludedPath(method);
    const inContext = <T>(fn: () => T): T => (audit ? runWithContext(audit, fn) : fn());
    const end = (code: number | undefined, details: string | undefined, aborted: boolean): void => {
      if (!audit || excluded) return;
      auditor.end(audit, {
        grpcCode: code,
        grpcDetails: details,
        route: method,
        aborted,
        details: { messagesReceived: received, messagesSent: sent, peer: audit.ip },
      });
    };

    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            try {
              // Read once: grpc-js formats the peer address on every call.
              const peer = call.getPeer();
              audit = auditor.begin(
                { method, metadata, peer },
                {
                  protocol: 'grpc',
                  method,
                  path: method,
                  headers: metadataHeaders(metadata),
                  ip: peer,
                },
              );
            } catch (error) {
              reportCallbackError(auditor.logger, 'auditServerInterceptor', error);
            }
            // The handler starts from these callbacks: run them in the call's context.
            inContext(() => nextMetadata(metadata));
          },
          onReceiveMessage: (message, nextMessage) => {
            received++;
            inContext(() => nextMessage(message));
          },
          onReceiveHalfClose: (nextHalfClose) => inContext(nextHalfClose),
          onCancel: () => end(undefined, undefined, true),
        }),
      sendMetadata: (metadata, next) => {
        if (echoRequestId && audit) metadata.set(requestIdHeader, audit.requestId);
        next(metadata);
      },
      sendMessage: (message, next) => {
        sent++;
        next(message);
      },
      sendStatus: (callStatus, next) => {
        end(callStatus.code ?? status.UNKNOWN, callStatus.details, false);
        // holdResponse: the client learns the status only once the call's events are stored.
        if (holdMs !== undefined && audit && !excluded)
          auditor.holdUntilStored().then(() => next(callStatus));
        else next(callStatus);
      },
    });
  };
}
