/** Global registry key for the shared AsyncLocalStorage, so two copies of core share one context. */
export const CONTEXT_KEY = Symbol.for('auditkit.context.v1');

/** Global registry key for the zero-config logger shared by adapters in one process. */
export const DEFAULT_LOGGER_KEY = Symbol.for('auditkit.default-logger.v1');

/** Internal logger method that takes the request context instead of reading AsyncLocalStorage. */
export const LOG_IN_CONTEXT = Symbol('auditkit.log-in-context');
