export * from './alerts';
export { createBatch } from './batch';
export { canonicalize, canonicalJson } from './canonical';
export { getContext, runWithContext } from './context';
export { audit, defaultLogger } from './default-logger';
export { backoffDelay } from './delivery';
export * from './detect';
export { diffObjects } from './diff';
export { captureHttpRequest, type HttpRequestLike, type NodeResponseLike } from './http-capture';
export { newEventId } from './ids';
export {
  type DataKey,
  fileSubjectKeys,
  generateKeyring,
  KEYRING_ENV,
  type KeyProvider,
  keyringFromEnv,
  keyringFromFile,
  localKeyring,
  type SubjectKeyStore,
} from './keyring';
export {
  generateSigningKeys,
  keyId,
  loadPublicKeys,
  loadSigningKey,
  SIGNING_KEY_ENV,
  type SigningKeyPair,
} from './keys';
export {
  createAuditLogger,
  ingestEvent,
  reportCallbackError,
  type SealedListener,
  subscribeSealed,
} from './logger';
export { compilePatterns, type Pattern } from './matcher';
export * as merkle from './merkle';
export {
  AuditOptionError,
  asList,
  checkOption,
  checkOptions,
  describeValue,
  type OptionShape,
  type OptionSpec,
  option,
} from './option-check';
export { LOGGER_OPTIONS, REQUEST_AUDIT_OPTIONS } from './option-shapes';
export { DEFAULTS } from './options';
export {
  auditAxios,
  auditFetch,
  auditUndiciInterceptor,
  type PropagationOptions,
  propagationHeaders,
} from './propagation';
export {
  type DecryptKeys,
  type DecryptResult,
  decryptEvent,
  type EncryptedValue,
  isEncrypted,
  type ProtectOptions,
} from './protect';
export {
  type InclusionProof,
  PROOF_NOT_FOUND,
  proveChainEvent,
  proveChainEvents,
  proveEvent,
  verifyInclusionProof,
} from './prove';
export * from './query';
export { luhnValid, maskCardNumbers } from './redaction';
export {
  type AdapterInfo,
  actionForMethod,
  byteCount,
  checkAdapterOptions,
  type IncomingView,
  metadataHeaders,
  type OutcomeView,
  pathWithoutQuery,
  RequestAudit,
  RequestAuditor,
  severityForGrpcCode,
  severityForStatus,
} from './request-audit';
export { safeCall } from './safe-call';
export {
  CHAIN_STARTED_TYPE,
  CHECKPOINT_TYPE,
  type Checkpoint,
  type CheckpointDetails,
  expectedHash,
} from './seal';
export { SEVERITIES, severityRank } from './severity';
export { type ConsoleSinkOptions, consoleSink } from './sinks/console';
export {
  type FileSink,
  type FileSinkOptions,
  type FileStoreOptions,
  fileSink,
  fileStore,
  listAuditFiles,
} from './sinks/file';
export { type MemorySink, type MemorySinkOptions, memorySink } from './sinks/memory';
export { type AuditLine, readAuditLines } from './sinks/tail';
export { type WinstonSinkOptions, winstonSink } from './sinks/winston';
export { BUCKET_MS, bucketStart, retentionCutoffs } from './store-support';
export {
  CHAIN_PAGE_SIZE,
  chainEventsByPages,
  proveStoredEvent,
  verifyStore,
} from './store-verify';
export { formatTraceparent, parseTraceparent, type TraceParent } from './traceparent';
export type * from './types';
export {
  type BreakKind,
  type ChainReport,
  ChainVerifier,
  resolveAuditFiles,
  type VerifyBreak,
  type VerifyLocation,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
  verifyFiles,
} from './verify';
