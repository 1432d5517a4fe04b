import { getContext } from './context';
import { createAuditLogger } from './logger';
import { DEFAULT_LOGGER_KEY } from './symbols';
import type { AuditInput, AuditLogger } from './types';

type DefaultGlobal = typeof globalThis & { [DEFAULT_LOGGER_KEY]?: AuditLogger };

/**
 * The zero-config logger: service name from the app's package.json, JSON Lines under
 * ./audit-logs, flushed on exit, SIGTERM and SIGINT. Created on first use, once per process.
 */
export function defaultLogger(): AuditLogger {
  const g = globalThis as DefaultGlobal;
  g[DEFAULT_LOGGER_KEY] ??= createAuditLogger({ flushOnSignals: ['SIGTERM', 'SIGINT'] });
  return g[DEFAULT_LOGGER_KEY];
}

/**
 * Records a business event from anywhere: into the logger serving the current request (found in
 * the async context), or the zero-config logger outside any request.
 */
export const audit = {
  log(input: AuditInput): string | undefined {
    return (getContext()?.logger ?? defaultLogger()).log(input);
  },
};
