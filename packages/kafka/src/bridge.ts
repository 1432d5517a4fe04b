import { type AuditEvent, type AuditSink, backoffDelay, createBatch } from '@auditkit/core/store';
import {
  type ClientOptions,
  type Consumer,
  kafka,
  type Message,
  type Outgoing,
  type Producer,
} from './client';
import { describeKafkaError } from './errors';

export interface KafkaToStoreOptions {
  /** Bootstrap brokers, `host:port`. Required. */
  brokers: string[];
  /** Topic to read. Required. */
  topic: string;
  /** Consumer group; instances sharing it split the partitions between them. Required. */
  groupId: string;
  /** Where events go: an `AuditStore` (or any sink whose writes are idempotent by event id). Required. */
  store: AuditSink;
  /** Client id the brokers see. Default `auditkit-store-bridge`. */
  clientId?: string;
  batch?: {
    /** Largest batch written to the store. Default 1000. */
    maxEvents?: number;
    /** Longest a fetched record waits for its batch to fill (ms). Default 100. */
    maxWaitMs?: number;
  };
  /** Backoff between store retries and between reconnects; both go on until `close()`. */
  retry?: {
    /** First delay (ms), doubled each attempt, with full jitter. Default 200. */
    baseDelayMs?: number;
    /** Longest delay (ms). Default 5000. */
    maxDelayMs?: number;
  };
  /** A store write that takes longer counts as failed and is retried (ms). Default 30000. */
  storeTimeoutMs?: number;
  /**
   * Topic that gets every record that is not an audit event (not JSON, or no `id`), unchanged, with
   * headers naming where it came from and why. Default none: such records are counted and reported.
   */
  deadLetterTopic?: string;
  /** How long the group waits for a silent member before giving its partitions to others (ms). Default 10000. */
  sessionTimeoutMs?: number;
  /** How long the broker holds a fetch open while no record arrives (ms). Default 500. */
  fetchMaxWaitMs?: number;
  /** Further client options (`tls`, `sasl`, `connectTimeout`, ...), merged over these defaults. */
  client?: ClientOptions;
  /** Called with every problem (store failures, bad records, lost connections). Default: a process warning, at most once per 10 s per kind. */
  onError?: (error: KafkaBridgeError) => void;
}

export type KafkaBridgeErrorKind = 'store' | 'invalid' | 'dead-letter' | 'commit' | 'kafka';

/** A problem the bridge had; it never stops consuming because of one. */
export interface KafkaBridgeError {
  kind: KafkaBridgeErrorKind;
  message: string;
  cause?: unknown;
  /** Where the record was, for `invalid` and `dead-letter`. */
  topic?: string;
  partition?: number;
  offset?: bigint;
}

/** Counters since the bridge started. */
export interface KafkaToStoreStats {
  /** Records fetched (a record fetched again after a restart counts again). */
  received: number;
  /** Events handed to the store in accepted writes. */
  stored: number;
  /** Store writes that resolved. */
  batches: number;
  /** Records repeating an event id already in the same batch (a producer retry): written once. */
  duplicates: number;
  /** Records that were not an audit event. */
  invalid: number;
  /** Invalid records produced to `deadLetterTopic`. */
  deadLettered: number;
  /** Offset commits that succeeded, and that failed (those records are read and written again: harmless). */
  commits: number;
  commitFailures: number;
  /** Store writes that failed or timed out and were retried. */
  storeFailures: number;
  /** Consumer sessions started again after a lost connection or a broken stream. */
  reconnects: number;
  lastError?: string;
}

export interface KafkaToStore {
  stats(): KafkaToStoreStats;
  /** Writes what was fetched already (one try), commits it, leaves the group. Idempotent. */
  close(): Promise<void>;
}

interface Parsed {
  events: AuditEvent[];
  lines: string[];
  invalid: Array<{ message: Message; reason: string }>;
}

const WARN_INTERVAL_MS = 10_000;
/** Headers of a dead-lettered record: why it was set aside and where it was (`topic/partition@offset`). */
export const DEAD_LETTER_REASON_HEADER = 'auditkit-dead-letter-reason';
export const DEAD_LETTER_SOURCE_HEADER = 'auditkit-dead-letter-source';
const REASON_HEADER = Buffer.from(DEAD_LETTER_REASON_HEADER);
const SOURCE_HEADER = Buffer.from(DEAD_LETTER_SOURCE_HEADER);

/** Decodes records; anything that is not an audit event is set aside, never thrown. */
function parse(messages: Message[], stats: KafkaToStoreStats): Parsed {
  const out: Parsed = { events: [], lines: [], invalid: [] };
  const seen = new Set<string>();
  for (const message of messages) {
    const line = message.value ? message.value.toString('utf8') : '';
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      out.invalid.push({ message, reason: 'value is not JSON' });
      continue;
    }
    if (!event || typeof event !== 'object' || typeof event.id !== 'string' || event.id === '') {
      out.invalid.push({ message, reason: 'value is not an audit event (no id)' });
      continue;
    }
    if (seen.has(event.id)) {
      stats.duplicates++;
      continue;
    }
    seen.add(event.id);
    out.events.push(event);
    out.lines.push(line);
  }
  return out;
}

function closeConsumer(consumer: Consumer, force: boolean): Promise<void> {
  return new Promise((resolve) => {
    consumer.close(force, (error) => {
      if (error && !force) consumer.close(true, () => resolve());
      else resolve();
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

class Bridge implements KafkaToStore {
  readonly #o: KafkaToStoreOptions;
  readonly #maxEvents: number;
  readonly #maxWaitMs: number;
  readonly #retry: { baseDelayMs: number; maxDelayMs: number };
  readonly #stats: KafkaToStoreStats = {
    received: 0,
    stored: 0,
    batches: 0,
    duplicates: 0,
    invalid: 0,
    deadLettered: 0,
    commits: 0,
    commitFailures: 0,
    storeFailures: 0,
    reconnects: 0,
  };
  readonly #warned = new Map<KafkaBridgeErrorKind, number>();
  #closed = false;
  #buffer: Message[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #stream: Awaited<ReturnType<Consumer['consume']>> | undefined;
  #endSession: ((error?: unknown) => void) | undefined;
  #wake: (() => void) | undefined;
  #deadLetters: Producer | undefined;
  readonly #running: Promise<void>;

  constructor(options: KafkaToStoreOptions) {
    this.#o = options;
    this.#maxEvents = options.batch?.maxEvents ?? 1000;
    this.#maxWaitMs = options.batch?.maxWaitMs ?? 100;
    this.#retry = {
      baseDelayMs: options.retry?.baseDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 5000,
    };
    if (this.#maxEvents < 1) throw new RangeError('kafkaToStore: batch.maxEvents must be >= 1');
    this.#running = this.#run();
  }

  stats(): KafkaToStoreStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    if (this.#closed) return this.#running;
    this.#closed = true;
    this.#wake?.();
    this.#stream?.pause();
    this.#flushNow();
    this.#endSession?.();
    await this.#running;
    await this.#deadLetters?.close().catch(() => undefined);
  }

  /** Consumer sessions, one after another, until closed; each failure waits a backoff. */
  async #run(): Promise<void> {
    for (let failures = 0; !this.#closed; ) {
      try {
        await this.#session();
        failures = 0;
      } catch (error) {
        failures++;
        this.#report({
          kind: 'kafka',
          message: `consumer failed: ${describeKafkaError(error)}`,
          cause: error,
        });
      }
      if (this.#closed) break;
      this.#stats.reconnects++;
      await this.#sleep(backoffDelay(Math.max(failures, 1), this.#retry));
    }
  }

  async #session(): Promise<void> {
    const o = this.#o;
    const consumer = new kafka.Consumer({
      clientId: o.clientId ?? 'auditkit-store-bridge',
      bootstrapBrokers: o.brokers,
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(500, Math.floor((o.sessionTimeoutMs ?? 10_000) / 5)),
      rebalanceTimeout: (o.sessionTimeoutMs ?? 10_000) * 2,
      retries: 2,
      retryDelay: 500,
      ...o.client,
      autocommit: false,
    }) as unknown as Consumer;
    const ended = new Promise<void>((resolve, reject) => {
      this.#endSession = (error) => (error ? reject(error) : resolve());
    });
    // The client reports a failed group rejoin as an 'error' event: end this session, start another.
    consumer.on('error', (error: unknown) => this.#endSession?.(error));
    try {
      if (this.#closed) return;
      const stream = await consumer.consume({
        topics: [o.topic],
        mode: kafka.MessagesStreamModes.COMMITTED,
        fallbackMode: kafka.MessagesStreamFallbackModes.EARLIEST,
        autocommit: false,
        maxWaitTime: o.fetchMaxWaitMs ?? 500,
      });
      this.#stream = stream;
      stream.on('data', (message) => this.#receive(message as Message));
      stream.once('error', (error: unknown) => this.#endSession?.(error));
      stream.once('close', () => this.#endSession?.());
      if (this.#closed) this.#endSession?.();
      await ended;
    } finally {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      // What was fetched but not written is dropped uncommitted: the next session reads it again.
      await this.#flushing;
      this.#buffer = [];
      this.#endSession = undefined;
      const stream = this.#stream;
      this.#stream = undefined;
      if (stream && !stream.destroyed) await stream.close().catch(() => undefined);
      // Leaving the group hands the partitions over at once; a broker that is gone cannot be told
      // goodbye, so after a failure only the connections are closed.
      await closeConsumer(consumer, !this.#closed);
    }
  }

  #receive(message: Message): void {
    this.#stats.received++;
    this.#buffer.push(message);
    if (this.#buffer.length >= this.#maxEvents) this.#flushNow();
    else this.#timer ??= setTimeout(() => this.#flushNow(), this.#maxWaitMs);
  }

  /** Writes the buffer with the stream paused, so at most one batch is in flight. */
  #flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing || this.#buffer.length === 0) return;
    const messages = this.#buffer;
    this.#buffer = [];
    const stream = this.#stream;
    stream?.pause();
    this.#flushing = this.#deliver(messages).finally(() => {
      this.#flushing = undefined;
      if (this.#closed) return;
      if (stream && stream === this.#stream && !stream.destroyed) stream.resume();
    });
  }

  /** Store first, offsets after: an offset is committed only once the store took every event before it. */
  async #deliver(messages: Message[]): Promise<void> {
    const parsed = parse(messages, this.#stats);
    for (const { message, reason } of parsed.invalid) {
      this.#stats.invalid++;
      this.#report({
        kind: 'invalid',
        message: `record ${message.topic}/${message.partition}@${message.offset} skipped: ${reason}`,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
      });
    }
    if (parsed.invalid.length > 0 && this.#o.deadLetterTopic) {
      const sent = await this.#retrying('dead-letter', () => this.#deadLetter(parsed.invalid));
      if (!sent) return;
      this.#stats.deadLettered += parsed.invalid.length;
    }
    if (parsed.events.length > 0) {
      const store = this.#o.store;
      const batch = createBatch(parsed.events, parsed.lines);
      const timeoutMs = this.#o.storeTimeoutMs ?? 30_000;
      const written = await this.#retrying('store', () =>
        withTimeout(Promise.resolve(store.write(batch)), timeoutMs, `store "${store.name}" write`),
      );
      if (!written) return;
      this.#stats.stored += parsed.events.length;
      this.#stats.batches++;
    }
    await this.#commit(messages);
  }

  /** Commits the offset after the last record of each partition in the batch. */
  async #commit(messages: Message[]): Promise<void> {
    const last = new Map<number, Message>();
    for (const m of messages) {
      const seen = last.get(m.partition);
      if (!seen || m.offset > seen.offset) last.set(m.partition, m);
    }
    await Promise.all(
      [...last.values()].map(async (m) => {
        try {
          await m.commit();
          this.#stats.commits++;
        } catch (error) {
          this.#stats.commitFailures++;
          this.#report({
            kind: 'commit',
            message: `committing ${m.topic}/${m.partition}@${m.offset + 1n} failed (its records will be written again): ${describeKafkaError(error)}`,
            cause: error,
          });
        }
      }),
    );
  }

  async #deadLetter(invalid: Parsed['invalid']): Promise<void> {
    this.#deadLetters ??= new kafka.Producer({
      clientId: `${this.#o.clientId ?? 'auditkit-store-bridge'}-dead-letters`,
      bootstrapBrokers: this.#o.brokers,
      ...this.#o.client,
      idempotent: true,
      acks: kafka.ProduceAcks.ALL,
    }) as unknown as Producer;
    const messages: Outgoing[] = invalid.map(({ message, reason }) => ({
      topic: this.#o.deadLetterTopic!,
      key: message.key,
      value: message.value,
      headers: new Map([
        [REASON_HEADER, Buffer.from(reason)],
        [SOURCE_HEADER, Buffer.from(`${message.topic}/${message.partition}@${message.offset}`)],
      ]),
    }));
    await this.#deadLetters.send({ messages });
  }

  /** Runs `fn` until it succeeds (true) or the bridge is closed after a failure (false). */
  async #retrying(kind: 'store' | 'dead-letter', fn: () => Promise<unknown>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return true;
      } catch (error) {
        if (kind === 'store') this.#stats.storeFailures++;
        this.#report({
          kind,
          message: `${kind === 'store' ? 'store write' : 'dead-letter produce'} failed (attempt ${attempt}, not committed): ${describeKafkaError(error)}`,
          cause: error,
        });
        if (this.#closed) return false;
        await this.#sleep(backoffDelay(attempt, this.#retry));
        if (this.#closed) return false;
      }
    }
  }

  /** A wait that `close()` cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #report(error: KafkaBridgeError): void {
    this.#stats.lastError = error.message;
    if (this.#o.onError) {
      try {
        this.#o.onError(error);
      } catch {
        // A throwing onError must not stop the consumer.
      }
      return;
    }
    const now = Date.now();
    if (now - (this.#warned.get(error.kind) ?? 0) < WARN_INTERVAL_MS) return;
    this.#warned.set(error.kind, now);
    process.emitWarning(`auditkit kafka bridge: ${error.message}`, 'AuditkitKafkaWarning');
  }
}

/**
 * Reads audit events from a topic and writes them to a store, committing offsets only after the
 * store accepted the batch: many service instances -> Kafka -> a consumer group -> the store. Store
 * writes are idempotent by event id, so a record read twice (after a restart or a rebalance) is
 * stored once.
 */
export function kafkaToStore(options: KafkaToStoreOptions): KafkaToStore {
  if (!Array.isArray(options?.brokers) || options.brokers.length === 0)
    throw new TypeError('kafkaToStore: `brokers` (host:port strings) is required');
  if (typeof options.topic !== 'string' || options.topic === '')
    throw new TypeError('kafkaToStore: `topic` is required');
  if (typeof options.groupId !== 'string' || options.groupId === '')
    throw new TypeError('kafkaToStore: `groupId` is required');
  if (typeof options.store?.write !== 'function')
    throw new TypeError('kafkaToStore: `store` (an AuditStore) is required');
  return new Bridge(options);
}
