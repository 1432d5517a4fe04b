import { checkOptions, type OptionShape, option, propagationHeaders } from '@auditkit/core/adapter';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

export interface ClientInterceptorOptions {
  /** Metadata key for the correlation id. Default `x-correlation-id`. */
  correlationIdHeader?: string;
}

const CLIENT_OPTIONS: OptionShape = { correlationIdHeader: option.string({ nonEmpty: true }) };

/**
 * A grpc-js client interceptor that carries the current audit context to the callee: the
 * correlation id and W3C `traceparent`, so one request's events share a correlation id across
 * every service it touches.
 */
export function auditClientInterceptor(options: ClientInterceptorOptions = {}): Interceptor {
  checkOptions(options, CLIENT_OPTIONS, 'auditClientInterceptor');
  const correlationHeader = (options.correlationIdHeader ?? 'x-correlation-id').toLowerCase();
  return (callOptions, nextCall) =>
    new InterceptingCall(nextCall(callOptions), {
      start: (metadata, listener, next) => {
        for (const [name, value] of Object.entries(
          propagationHeaders({ correlationIdHeader: correlationHeader }),
        ))
          if (metadata.get(name).length === 0) metadata.set(name, value);
        next(metadata, listener);
      },
    });
}
