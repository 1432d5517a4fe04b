export { compilePatterns, type Pattern } from './admit/matcher';
export { SEVERITIES, severityRank } from './admit/severity';
export * from './alerts';
export { getContext, runWithContext } from './capture/context';
export { diffObjects } from './capture/diff';
export { captureHttpRequest, type HttpRequestLike, type NodeResponseLike } from './capture/http-capture';
export { newEventId } from './capture/ids';
export { RESERVED_TYPE_PREFIX } from './capture/normalize';
export {
  auditAxios,
  auditFetch,
  auditUndiciInterceptor,
  type PropagationOptions,
  propagationHeaders,
} from './capture/propagation';
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
} from './capture/request-audit';
export { formatTraceparent, parseTraceparent, type TraceParent } from './capture/traceparent';
export { audit, defaultLogger } from './default-logger';
export { DEFAULTS } from './defaults';
export { batchBytes, createBatch } from './deliver/batch';
export { backoffDelay } from './deliver/delivery';
export * from './detect';
export { EVENT_FIELDS } from './event-fields';
export {
  createAuditLogger,
  ingestEvent,
  reportCallbackError,
  type SealedListener,
  subscribeSealed,
} from './logger';
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
export {
  type DecryptKeys,
  type DecryptResult,
  decryptEvent,
  type EncryptedValue,
  isEncrypted,
  type ProtectOptions,
} from './protect/encrypt';
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
} from './protect/keyring';
export { luhnValid, maskCardNumbers } from './protect/redaction';
export * from './query';
export { safeCall } from './safe-call';
export { canonicalize } from './seal/canonical';
export { canonicalJson } from './seal/canonical-writer';
export {
  generateSigningKeys,
  keyId,
  loadPublicKeys,
  loadSigningKey,
  SIGNING_KEY_ENV,
  type SigningKeyPair,
} from './seal/keys';
export * as merkle from './seal/merkle';
export {
  CHAIN_STARTED_TYPE,
  CHECKPOINT_TYPE,
  type Checkpoint,
  type CheckpointDetails,
  expectedHash,
} from './seal/sealer';
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
export type * from './types';
export {
  type InclusionProof,
  PROOF_NOT_FOUND,
  proveChainEvent,
  proveChainEvents,
  proveEvent,
  verifyInclusionProof,
} from './verify/prove';
export { BUCKET_MS, bucketStart, oldestEvent, retentionCutoffs } from './verify/store-support';
export {
  CHAIN_PAGE_SIZE,
  chainEventsByPages,
  proveStoredEvent,
  verifyStore,
} from './verify/store-verify';
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
} from './verify/verify';
export { verifyFiles } from './verify/verify-files';
