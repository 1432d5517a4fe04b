/**
 * Which Kafka failures are worth another try. The client nests errors (a MultipleErrors per
 * request, ProtocolErrors per partition, causes), so the whole tree is searched.
 */

/** Broker answers that fail the same way on every try: too large, not allowed, malformed, unsupported. */
const PERMANENT_PROTOCOL_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'POLICY_VIOLATION',
]);

/** Client errors that are the caller's mistake or the library's limits, not the network's. */
const PERMANENT_CLIENT_ERRORS = new Set([
  'PLT_KFK_AUTHENTICATION',
  'PLT_KFK_USER',
  'PLT_KFK_UNSUPPORTED',
  'PLT_KFK_UNSUPPORTED_API',
  'PLT_KFK_UNSUPPORTED_COMPRESSION',
  'PLT_KFK_UNSUPPORTED_FORMAT',
]);

/** Answers meaning the producer's id or sequence numbers are no longer valid: start a new producer. */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);

/** Every error in the tree: the error itself, AggregateError members, causes. */
function* walk(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (!error || typeof error !== 'object' || depth > 8) return;
  const e = error as Record<string, unknown>;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* walk(inner, depth + 1);
  if (e.cause) yield* walk(e.cause, depth + 1);
}

function anyIn(error: unknown, names: Set<string>): boolean {
  for (const e of walk(error)) {
    // A broker answer carries its protocol error name as `apiId`; client errors carry a `code`.
    if (typeof e.apiId === 'string' && names.has(e.apiId)) return true;
    if (typeof e.code === 'string' && names.has(e.code)) return true;
  }
  return false;
}

/** True when sending the same records again can succeed (network, leader moves, timeouts, broker restarts). */
export function isRetryableKafkaError(error: unknown): boolean {
  return !anyIn(error, PERMANENT_PROTOCOL_ERRORS) && !anyIn(error, PERMANENT_CLIENT_ERRORS);
}

/** True when the broker no longer accepts this producer's id or sequence numbers. */
export function isProducerStateError(error: unknown): boolean {
  return anyIn(error, PRODUCER_STATE_ERRORS);
}

/** The innermost useful message: the client's top-level text is often only "Producing messages failed." */
export function describeKafkaError(error: unknown): string {
  const parts: string[] = [];
  for (const e of walk(error)) {
    const text = typeof e.message === 'string' ? e.message : undefined;
    const id = typeof e.apiId === 'string' ? e.apiId : undefined;
    const part = id && text && !text.includes(id) ? `${text} (${id})` : text;
    if (part && !parts.includes(part)) parts.push(part);
    if (parts.length >= 4) break;
  }
  return parts.length ? parts.join(': ') : String(error);
}

/** A failed write to Kafka; `retryable: false` tells the pipeline that the same batch would fail again. */
export class KafkaDeliveryError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'KafkaDeliveryError';
    this.retryable = options.retryable;
  }
}
