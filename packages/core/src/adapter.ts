/**
 * `@auditkit/core/adapter`: what a framework adapter needs (capture of HTTP and gRPC calls, request
 * auditing, context, option checking). Users import `@auditkit/core`.
 */

export { proceedWhenWritable } from './capture/backpressure';
export { GrpcCallCapture, type GrpcCallEnd, grpcCodeOf, grpcHeaders } from './capture/grpc-capture';
export {
  type ActionDeclaration,
  type DataChangeDeclaration,
  type FromCall,
  type HandlerCall,
  type HandlerDeclarations,
  HandlerEvents,
  type ValueObserver,
} from './capture/handler-events';
export {
  auditHttpRequest,
  beginHttpAudit,
  type HttpTranslation,
  holdHttpResponse,
} from './capture/http-capture';
export {
  type AdapterInfo,
  type AuditContext,
  type AuditInput,
  type AuditLogger,
  actionForMethod,
  byteCount,
  captureHttpRequest,
  checkAdapterOptions,
  checkOption,
  checkOptions,
  diffObjects,
  formatTraceparent,
  getContext,
  type HoldResponseOptions,
  type HttpRequestLike,
  type IncomingView,
  metadataHeaders,
  type NodeResponseLike,
  type OptionShape,
  type OptionSpec,
  type OutcomeView,
  option,
  type PropagationOptions,
  pathWithoutQuery,
  propagationHeaders,
  type RequestAudit,
  type RequestAuditOptions,
  RequestAuditor,
  type Resource,
  reportCallbackError,
  runWithContext,
  safeCall,
  severityForGrpcCode,
  severityForStatus,
} from './index';
