import { DEFAULTS } from './defaults';
import { resolveOptions } from './options';
import { Pipeline, type SealedListener } from './pipeline';
import { fileSink } from './sinks/file';
import { INGEST_EVENT, SUBSCRIBE_SEALED } from './symbols';
import type { AuditEvent, AuditLogger, AuditLoggerOptions } from './types';

export type { SealedListener } from './pipeline';

/** Creates a logger: one typed options object, resolved and compiled once, here. */
export function createAuditLogger(options: AuditLoggerOptions = {}): AuditLogger {
  const resolved = resolveOptions(options, () => [
    fileSink({ path: `${DEFAULTS.logDir}/${DEFAULTS.logFile}` }),
  ]);
  return new Pipeline(resolved);
}

/** Reports a throwing user callback to a logger's stats and error channel, if it supports that. */
export function reportCallbackError(logger: AuditLogger, name: string, error: unknown): void {
  const target = logger as Partial<Pick<Pipeline, 'reportCallbackError'>>;
  if (typeof target.reportCallbackError === 'function') target.reportCallbackError(name, error);
}

/**
 * Records a complete, schema-valid event made elsewhere through `logger`'s pipeline, keeping its
 * id (the idempotency key), time, source and trace ids; `integrity` and `protected` are the
 * logger's to set and are ignored. Returns the id, or undefined when the logger filtered, sampled
 * out or dropped it (see `stats()`). Needs a logger made by `createAuditLogger`.
 */
export function ingestEvent(logger: AuditLogger, event: AuditEvent): string | undefined {
  const target = logger as Partial<Pick<Pipeline, typeof INGEST_EVENT>>;
  if (typeof target[INGEST_EVENT] !== 'function')
    throw new TypeError('ingestEvent: the logger was not made by createAuditLogger');
  return target[INGEST_EVENT](event);
}

/**
 * Calls `listener` with every batch `logger` delivered (in durable mode: spooled), sealed and in
 * chain order, after the sinks took it; a live view of what the stores hold. A throwing listener is
 * counted in `stats().callbackErrors`. Returns the function that removes the listener.
 */
export function subscribeSealed(logger: AuditLogger, listener: SealedListener): () => void {
  const target = logger as Partial<Pick<Pipeline, typeof SUBSCRIBE_SEALED>>;
  if (typeof target[SUBSCRIBE_SEALED] !== 'function')
    throw new TypeError('subscribeSealed: the logger was not made by createAuditLogger');
  return target[SUBSCRIBE_SEALED](listener);
}
