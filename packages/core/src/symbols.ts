/** Global registry key for the shared AsyncLocalStorage, so two copies of core share one context. */
export const CONTEXT_KEY = Symbol.for('auditkit.context.v1');

/** Global registry key for the zero-config logger shared by adapters in one process. */
export const DEFAULT_LOGGER_KEY = Symbol.for('auditkit.default-logger.v1');

/** Internal logger method that takes the request context instead of reading AsyncLocalStorage. */
export const LOG_IN_CONTEXT = Symbol('auditkit.log-in-context');

/** Internal logger method that records a complete event from elsewhere, keeping its id, time and source. */
export const INGEST_EVENT = Symbol('auditkit.ingest-event');

/** Internal logger method that registers a listener for batches once they were delivered. */
export const SUBSCRIBE_SEALED = Symbol('auditkit.subscribe-sealed');

/** Internal logger method: resolves once every event recorded so far is stored, within a time limit. */
export const HOLD_UNTIL_STORED = Symbol('auditkit.hold-until-stored');

/**
 * A request context's ids core made or checked itself: the request id it generated and the
 * trace context it parsed (`OwnIds`). They hold no caller text, so detectors need not scan them.
 */
export const OWN_IDS = Symbol('auditkit.own-ids');

/** A request audit's `holdResponse` wait, for adapters that hold in a hook of their own (Fastify's onSend). */
export const RESPONSE_HOLD = Symbol('auditkit.response-hold');
