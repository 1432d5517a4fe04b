/**
 * Hands events to a winston logger the application already has. winston is not imported: the
 * logger is typed by the few members used, which every winston 3 logger has.
 */
import { SEVERITIES } from '../admit/severity';
import type { AuditSink, Batch, Severity } from '../types';

/** What `logger.log(entry)` takes. */
export interface WinstonEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A winston transport, as far as closing needs it (any `winston.transports.*` instance). */
export interface WinstonTransportLike {
  once(event: 'finish', listener: () => void): unknown;
  readonly writableFinished?: boolean;
  /** readable-stream 3 (winston's) has no `writableFinished`. */
  readonly _writableState?: { readonly finished?: boolean };
}

/**
 * The members of a winston logger this sink uses; any winston 3 logger
 * (`winston.createLogger(...)`) fits, and so does a plain `{ log(entry) {} }`.
 */
export interface WinstonLoggerLike {
  log(entry: WinstonEntry): unknown;
  end?(): unknown;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
  off?(event: 'error', listener: (error: unknown) => void): unknown;
  once?(event: 'drain', listener: () => void): unknown;
  readonly transports?: readonly WinstonTransportLike[];
  /** The logger's level names; syslog names (`notice`, `warning`, `crit`) are used when present. */
  readonly levels?: Readonly<Record<string, number>>;
  readonly writable?: boolean;
  readonly writableLength?: number;
  readonly writableHighWaterMark?: number;
  readonly readableLength?: number;
}

export interface WinstonSinkOptions {
  /** The application's winston logger. Required. */
  logger: WinstonLoggerLike;
  /** Sink name in stats and health. Default `winston`. */
  name?: string;
  /**
   * winston level per severity. Default debug→debug, info→info, notice→info, warning→warn,
   * error→error, critical→error; with syslog levels notice→notice, warning→warning, critical→crit.
   */
  levels?: Partial<Record<Severity, string>>;
  /** Entry key holding the whole event, clear of winston's own fields. Default `audit`. */
  key?: string;
  /**
   * End the logger on `close()` and wait until every transport emitted 'finish'. Default false:
   * the logger belongs to the application.
   */
  endLogger?: boolean;
  /** Longest `flush()` / `close()` wait for winston to drain (ms). Default 5000. */
  closeTimeoutMs?: number;
}

const DEFAULT_LEVELS: Record<Severity, string> = {
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
};

/**
 * Names tried in order against the logger's own levels: the npm names (winston's default) and
 * the syslog ones (`winston.config.syslog.levels`) both map naturally.
 */
const PREFERRED_LEVELS: Record<Severity, readonly string[]> = {
  debug: ['debug'],
  info: ['info'],
  notice: ['notice', 'info'],
  warning: ['warn', 'warning'],
  error: ['error', 'err'],
  critical: ['crit', 'critical', 'error'],
};

const POLL_MS = 5;

function resolveLevels(
  known: Readonly<Record<string, number>> | undefined,
  overrides: Partial<Record<Severity, string>>,
): Record<Severity, string> {
  const levels = { ...DEFAULT_LEVELS };
  for (const severity of SEVERITIES) {
    const chosen = overrides[severity] ?? (known && PREFERRED_LEVELS[severity].find((l) => l in known));
    if (chosen) levels[severity] = chosen;
  }
  return levels;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `done` until it holds or the deadline passes; true when it held. */
async function waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
  return true;
}

/** True when `promise` settled before the deadline; the timer never outlives the race. */
async function settlesBy(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Entries winston holds but has not handed to its transports yet. */
function buffered(logger: WinstonLoggerLike): number {
  return (logger.writableLength ?? 0) + (logger.readableLength ?? 0);
}

function isFinished(transport: WinstonTransportLike): boolean {
  return transport.writableFinished === true || transport._writableState?.finished === true;
}

function mustDrain(logger: WinstonLoggerLike): boolean {
  const limit = logger.writableHighWaterMark;
  return logger.once !== undefined && limit !== undefined && (logger.writableLength ?? 0) >= limit;
}

class WinstonSink implements AuditSink {
  readonly name: string;
  readonly #logger: WinstonLoggerLike;
  readonly #levels: Record<Severity, string>;
  readonly #key: string;
  readonly #endLogger: boolean;
  readonly #timeoutMs: number;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: WinstonSinkOptions) {
    this.#logger = options.logger;
    this.name = options.name ?? 'winston';
    this.#levels = resolveLevels(options.logger.levels, options.levels ?? {});
    this.#key = options.key ?? 'audit';
    this.#endLogger = options.endLogger ?? false;
    this.#timeoutMs = options.closeTimeoutMs ?? 5000;
  }

  write(batch: Batch): Promise<void> {
    try {
      this.#logBatch(batch);
    } catch (error) {
      return Promise.reject(error);
    }
    // Backpressure: let winston catch up before the pipeline hands over the next batch.
    if (!mustDrain(this.#logger)) return Promise.resolve();
    return new Promise((resolve) => this.#logger.once?.('drain', resolve));
  }

  writeSync(batch: Batch): void {
    this.#logBatch(batch);
  }

  /** Resolves when winston handed every entry to its transports. */
  async flush(): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    if (!(await waitUntil(() => buffered(this.#logger) === 0, deadline))) {
      throw new Error(`winston sink "${this.name}": the logger did not drain within ${this.#timeoutMs} ms`);
    }
  }

  /** Flushes; with `endLogger`, also ends the logger and waits for its transports. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      if (this.#endLogger && this.#logger.end) await this.#endAndAwaitTransports();
      else await this.flush();
    })();
    return this.#closing;
  }

  #logBatch(batch: Batch): void {
    if (this.#closed) throw new Error(`winston sink "${this.name}" is closed; the batch was not logged`);
    if (this.#logger.writable === false) throw new Error(`winston sink "${this.name}": the logger has ended`);
    // Each entry gets its own copy (parsed from the batch's shared encoding): a winston format that
    // mutates it cannot change what other sinks store and the hash chain covers.
    const lines = batch.jsonl().split('\n');
    for (let i = 0; i < batch.events.length; i++) {
      const event = batch.events[i]!;
      this.#logger.log({
        level: this.#levels[event.severity] ?? 'info',
        message: event.message ?? event.type,
        [this.#key]: JSON.parse(lines[i]!),
      });
    }
  }

  /**
   * winston's `end()` ends the transports at once, so entries still buffered in the logger hit
   * "write after end" (winstonjs/winston#2219): drain first, then end and wait for every
   * transport's 'finish'. Errors winston re-emits meanwhile are caught and reported, not thrown.
   */
  async #endAndAwaitTransports(): Promise<void> {
    const logger = this.#logger;
    const deadline = Date.now() + this.#timeoutMs;
    const errors: unknown[] = [];
    const onError = (error: unknown): void => {
      errors.push(error);
    };
    logger.on?.('error', onError);
    try {
      await waitUntil(() => buffered(logger) === 0, deadline);
      // Read before end(): a finished logger unpipes and forgets its transports.
      const transports = [...(logger.transports ?? [])].filter((t) => !isFinished(t));
      const finished = Promise.all(
        transports.map((t) => new Promise<void>((done) => t.once('finish', done))),
      );
      logger.end?.();
      if (!(await settlesBy(finished, deadline))) {
        throw new Error(
          `winston sink "${this.name}": transports did not finish within ${this.#timeoutMs} ms`,
        );
      }
      if (errors.length > 0) throw errors[0];
    } finally {
      logger.off?.('error', onError);
    }
  }
}

/**
 * Logs each event through an existing winston logger as
 * `{ level, message: event.message ?? event.type, audit: event }`.
 */
export function winstonSink(options: WinstonSinkOptions): AuditSink {
  return new WinstonSink(options);
}
