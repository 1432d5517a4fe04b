import { getContext } from './capture/context';
import { DEFAULTS } from './defaults';
import { createAuditLogger } from './logger';
import { SIGNING_KEY_ENV } from './seal/keys';
import { DEFAULT_LOGGER_KEY } from './symbols';
import type { AuditInput, AuditLogger, AuditStats } from './types';

type DefaultGlobal = typeof globalThis & { [DEFAULT_LOGGER_KEY]?: AuditLogger };

/**
 * The zero-config logger: service name from the app's package.json, JSON Lines under
 * ./audit-logs, flushed on exit, SIGTERM and SIGINT. Created on first use, once per process.
 * Throws when its configuration (`AUDITKIT_SIGNING_KEY`, ...) is wrong: adapters call it when they
 * are created, so that error surfaces at startup.
 */
export function defaultLogger(): AuditLogger {
  const g = globalThis as DefaultGlobal;
  if (!g[DEFAULT_LOGGER_KEY]) {
    g[DEFAULT_LOGGER_KEY] = createAuditLogger({ flushOnSignals: ['SIGTERM', 'SIGINT'] });
    if (!process.env[SIGNING_KEY_ENV]) noCheckpointsNotice();
  }
  return g[DEFAULT_LOGGER_KEY];
}

/** Said once, when the zero-config logger starts without a key: what is not protected, and the fix. */
function noCheckpointsNotice(): void {
  process.emitWarning(
    `auditkit: checkpoints are off: no signing key (${SIGNING_KEY_ENV}). The hash chain still shows edited, deleted and reordered events, but not a cut tail or a re-hashed rewrite of the trail. Make a key with \`npx -p @auditkit/cli auditkit keys generate\` and set ${SIGNING_KEY_ENV} to the private key file.`,
    { code: 'AUDITKIT_NO_SIGNING_KEY' },
  );
}

/**
 * Stands in for a zero-config logger that could not be created, so `audit.log()` never throws:
 * every event is counted as dropped, and the reason is announced once per interval.
 */
function unavailableLogger(cause: unknown): AuditLogger {
  const reason = `the zero-config audit logger could not be created: ${
    cause instanceof Error ? cause.message : String(cause)
  }`;
  let dropped = 0;
  let lastWarned = 0;
  const stats = (): AuditStats => ({
    logged: dropped,
    queued: 0,
    filtered: 0,
    sampledOut: 0,
    deduplicated: 0,
    dropped,
    repaired: 0,
    callbackErrors: 0,
    queue: { events: 0, bytes: 0 },
    sinks: [],
  });
  return {
    service: DEFAULTS.service,
    congested: false,
    log() {
      dropped++;
      const now = Date.now();
      if (now - lastWarned >= DEFAULTS.warnIntervalMs) {
        lastWarned = now;
        process.emitWarning(`auditkit: ${reason}; ${dropped} event(s) not recorded so far`, {
          code: 'AUDITKIT_DROPPED',
        });
      }
      return undefined;
    },
    logDurable(input) {
      return Promise.resolve(this.log(input));
    },
    whenWritable: () => Promise.resolve(),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    stats,
    health: () => ({ status: 'failing', reasons: [reason, `${dropped} events dropped`], stats: stats() }),
  };
}

let unavailable: AuditLogger | undefined;

/** The zero-config logger, or the stand-in that counts what it could not record. Never throws. */
function zeroConfigLogger(): AuditLogger {
  if (unavailable) return unavailable;
  try {
    return defaultLogger();
  } catch (error) {
    unavailable = unavailableLogger(error);
    return unavailable;
  }
}

/**
 * Records a business event from anywhere: into the logger serving the current request (found in
 * the async context), or the zero-config logger outside any request.
 */
export const audit = {
  /** Records an event. Never throws: what cannot be recorded is counted in `stats().dropped`. */
  log(input: AuditInput): string | undefined {
    return (getContext()?.logger ?? zeroConfigLogger()).log(input);
  },
  /** Counters of the logger `log()` records into here (the request's, or the zero-config one). */
  stats(): AuditStats {
    return (getContext()?.logger ?? zeroConfigLogger()).stats();
  },
};
