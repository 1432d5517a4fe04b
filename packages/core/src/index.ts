export { createBatch } from './batch';
export { getContext, runWithContext } from './context';
export { audit, defaultLogger } from './default-logger';
export { newEventId } from './ids';
export { createAuditLogger, reportCallbackError } from './logger';
export { compilePatterns, type Pattern } from './matcher';
export { DEFAULTS } from './options';
export { luhnValid, maskCardNumbers } from './redaction';
export {
  actionForMethod,
  type IncomingView,
  type OutcomeView,
  RequestAudit,
  RequestAuditor,
  severityForStatus,
} from './request-audit';
export { safeCall } from './safe-call';
export { SEVERITIES, severityRank } from './severity';
export { type ConsoleSinkOptions, consoleSink } from './sinks/console';
export { type FileSink, type FileSinkOptions, fileSink, listAuditFiles } from './sinks/file';
export { type MemorySink, type MemorySinkOptions, memorySink } from './sinks/memory';
export { type WinstonSinkOptions, winstonSink } from './sinks/winston';
export { formatTraceparent, parseTraceparent, type TraceParent } from './traceparent';
export type * from './types';
