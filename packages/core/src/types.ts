import type { KeyObject } from 'node:crypto';
import type { AlertControl, AlertOptions, AlertStats } from './alerts/types';
import type { DetectionStats, DetectOptions } from './detect/types';

/**
 * Public types of @auditkit/core. Everything here is part of the contract and documented;
 * anything internal lives in internal-types.ts and is never exported.
 */

/** Severity levels, lowest first. */
export type Severity = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical';

/** Whether the audited action succeeded. */
export type Outcome = 'success' | 'failure' | 'unknown';

/** Well-known categories; any other string is allowed for custom categories. */
export type Category =
  | 'authentication'
  | 'authorization'
  | 'data'
  | 'api'
  | 'security'
  | 'system'
  | 'admin'
  | 'compliance'
  | 'business'
  | (string & {});

/** Well-known actions; any other string is allowed. */
export type Action =
  | 'create'
  | 'read'
  | 'update'
  | 'delete'
  | 'login'
  | 'logout'
  | 'export'
  | 'execute'
  | (string & {});

export type ActorType = 'user' | 'service' | 'system' | 'anonymous';

/** Who did it. */
export interface Actor {
  type: ActorType;
  id?: string;
  email?: string;
  roles?: string[];
  ip?: string;
  userAgent?: string;
  sessionId?: string;
}

/** What it was done to. */
export interface Resource {
  type: string;
  id?: string;
  name?: string;
}

/** The transport-level request an event belongs to. */
export interface RequestInfo {
  id?: string;
  protocol?: 'http' | 'grpc';
  method?: string;
  path?: string;
  route?: string;
  status?: number;
  grpcCode?: number;
  durationMs?: number;
  bytesIn?: number;
  bytesOut?: number;
  /** True when the client went away before the response was complete. */
  aborted?: boolean;
  /** Allow-listed request headers, redacted. */
  headers?: Record<string, string>;
  /** Captured request body, redacted and size-capped. */
  body?: unknown;
}

export interface ChangeOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface Changes {
  before?: unknown;
  after?: unknown;
  diff?: ChangeOp[];
}

/** The producing service. */
export interface Source {
  service: string;
  version?: string;
  environment?: string;
  host?: string;
  instance?: string;
}

/** Filled in by the seal stage (hash chain). */
export interface Integrity {
  chain: string;
  seq: number;
  prev: string | null;
  hash: string;
  /**
   * Seal version: 2 = `hash` is SHA-256(0x00 ‖ the event's canonical JSON without `hash`), which is
   * also its RFC 6962 Merkle leaf; absent = version 1, SHA-256 of that JSON alone.
   */
  v?: 2;
}

/** Filled in by the protect stage (field encryption). */
export interface Protected {
  kid: string;
  alg: string;
  fields: string[];
}

/** Error details recorded for failures. */
export interface ErrorInfo {
  name?: string;
  message?: string;
  code?: string;
}

/** One audit event as stored (schema version 1). */
export interface AuditEvent {
  /** Schema version of this event. */
  v: 1;
  /** UUIDv7: time ordered, unique, the idempotency key everywhere. */
  id: string;
  /** ISO-8601 UTC with millisecond precision. */
  time: string;
  /** Dotted name such as `auth.login`, `data.update`, `http.request`. */
  type: string;
  category: Category;
  action: Action;
  outcome: Outcome;
  severity: Severity;
  message?: string;
  actor: Actor;
  tenant?: string;
  resource?: Resource;
  request?: RequestInfo;
  changes?: Changes;
  source: Source;
  correlationId?: string;
  traceId?: string;
  spanId?: string;
  error?: ErrorInfo;
  details?: Record<string, unknown>;
  compliance?: string[];
  integrity?: Integrity;
  protected?: Protected;
  /**
   * Set on a dedup summary: how many repeats of the event `repeatOf` it stands for (that event was
   * recorded on its own). Absent on every other event, meaning 1.
   */
  count?: number;
  /** Dedup summary: `time` of the last repeat counted (`time` is the first). */
  lastTime?: string;
  /** Dedup summary: id of the first occurrence, recorded when the window opened. */
  repeatOf?: string;
}

/** What callers pass to `audit.log()`. Only `type` is required; the rest is filled in. */
export interface AuditInput {
  type: string;
  category?: Category;
  action?: Action;
  outcome?: Outcome;
  severity?: Severity;
  message?: string;
  /** Merged over the actor from the request context. */
  actor?: Partial<Actor>;
  tenant?: string;
  resource?: Resource;
  request?: RequestInfo;
  changes?: Changes;
  correlationId?: string;
  /** An Error (or anything) describing why the action failed; implies outcome `failure`. */
  error?: unknown;
  details?: Record<string, unknown>;
  compliance?: string[];
  /** Overrides the event time (a Date or an ISO string). Defaults to now. */
  time?: Date | string;
}

/**
 * A batch handed to sinks. The same batch object is shared by all sinks, so its JSON Lines
 * encoding is computed at most once.
 */
export interface Batch {
  readonly events: readonly AuditEvent[];
  /** The events as JSON Lines: one event per line, each line ending in `\n`. */
  jsonl(): string;
  /**
   * `jsonl()` as UTF-8 bytes, made once and shared by every sink (do not change them); batches
   * the logger makes have it, and hold sealed lines only as these bytes until a string is asked for.
   */
  bytes?(): Buffer;
  /**
   * Each event's JSON line (no newline), when the batch already holds them (the sealed lines, as
   * hashed): a store that writes line by line takes them without joining and splitting `jsonl()`.
   */
  readonly lines?: readonly string[];
}

/**
 * What the delivery loop tells a sink that commits in order (`AuditSink.writesInFlight` above 1)
 * about the write before this one, when that one is still in flight.
 */
export interface WriteOrder {
  /**
   * Resolves once the write before this one is stored; rejects when it failed. The sink makes
   * this batch durable only after it resolved, and when it rejects stores nothing of this batch
   * and rejects this write too (the loop then tries both again, in order).
   */
  readonly after: Promise<void>;
}

/**
 * Where events go. `write` may be called again only after the previous call settled, unless the
 * sink declares `writesInFlight`. A rejected or timed-out write is retried with backoff, unless
 * the error has `retryable: false` (it would fail the same way again: counted as failed at once);
 * the sink must be idempotent by event id where it can (stores), or accept rare duplicates (files)
 * after a failure.
 */
export interface AuditSink {
  readonly name: string;
  /**
   * How many writes may be in flight at once, for a sink that commits them in order: while one is
   * written the next is handed over with a `WriteOrder`, and the sink must not make it durable
   * before the one ahead is, nor at all when that one failed. A crash then cuts what the sink holds
   * short, never leaves a gap; retries run in order, one at a time. With a spool (or `durable`)
   * writes stay one at a time; with several sinks, the lowest figure holds. Default 1.
   */
  readonly writesInFlight?: number;
  /**
   * Prepares the destination (creates the file, checks access); the logger calls it once at startup
   * and reports a failure with its cause at once, so a path that cannot be written is known then.
   */
  open?(): Promise<void>;
  /** `order` is given only to a sink with `writesInFlight` above 1, while the write ahead is in flight. */
  write(batch: Batch, order?: WriteOrder): Promise<void> | void;
  /** Synchronous write used only while the process is exiting, when no more I/O callbacks run. */
  writeSync?(batch: Batch): void;
  /** The newest sealed event this sink holds, so a restarted writer continues its hash chain. */
  lastSealed?(): Promise<AuditEvent | undefined>;
  /** Pushes buffered data to its destination. */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sink with its delivery role. Primary sinks must get every event: a batch one cannot take
 * (after retries, or at once while its circuit is open) goes to the disk spool, when one is
 * configured, and is replayed in order when the sink answers again. A best-effort sink's
 * failures are counted and reported only.
 */
export interface SinkEntry {
  sink: AuditSink;
  /** Default true. */
  primary?: boolean;
}

/** `drop` and `block` as described on `QueueOptions.overflow`; `spill` sends overflow to the disk spool. */
export type OverflowPolicy = 'drop' | 'block' | 'spill';

/** The local disk spool: batches primary sinks could not take, queue overflow (`spill`) and durable events. */
export interface SpoolOptions {
  /** Directory of the spool (one subdirectory per primary sink); one process per directory. Required. */
  dir: string;
  /**
   * Cap on unconsumed bytes per subdirectory. Beyond it batches are refused: counted as failed,
   * reported through `onError` (kind `spool`) and `health()` turns `failing`. Default 1 GiB.
   */
  maxBytes?: number;
  /** Size at which a new segment file is started; consumed segments are deleted. Default 16 MiB. */
  segmentBytes?: number;
  /** fsync every group commit, so spooled data survives power loss as well as a crash. Default true. */
  fsync?: boolean;
}

/** The circuit breaker each sink has. */
export interface BreakerOptions {
  /** Consecutive failed batches (each after its retries) that open the circuit; 0 never opens it. Default 3. */
  failureThreshold?: number;
  /** How long an open circuit stays open before one probe write is tried (ms). Default 5000. */
  cooldownMs?: number;
}

/**
 * Which events a sampling rule covers. Every criterion given must match; a list matches any of
 * its entries. Patterns are exact strings, globs (`*` one segment, `**` any) or RegExps.
 */
export interface SampleMatch {
  /** `request.route` (`/orders/:id`), `/`-separated globs. */
  route?: string | RegExp | Array<string | RegExp>;
  /** `request.path` without query string, `/`-separated globs. */
  path?: string | RegExp | Array<string | RegExp>;
  /** `request.method`, case-insensitive. */
  method?: string | string[];
  /** Event type, `.`-separated globs (`http.*`). */
  type?: string | RegExp | Array<string | RegExp>;
  /** Event category, exact. */
  category?: string | string[];
}

/** A sampling rate for the events a rule matches; the first matching rule decides. */
export interface SampleRule {
  /** Name in `stats().sampling`. Default `rule <index>`. */
  name?: string;
  match: SampleMatch;
  /** Fraction of matching routine events kept, 0..1. Required. */
  rate: number;
  /** Keep matching events whose outcome is not `success`. Default: the top-level `keepFailures`. */
  keepFailures?: boolean;
  /** Keep matching security / warning-and-above events. Default: the top-level `keepSecurity`. */
  keepSecurity?: boolean;
  /** Keep matching slow requests. Default: the top-level `keepSlow`. */
  keepSlow?: boolean;
}

/** Sampling of routine events; failures, security events and slow requests are kept by default. */
export interface SampleOptions {
  /** Fraction of routine events kept when no rule matches, 0..1. Default 1. */
  rate?: number;
  /** Per route / path / method / type / category rates, tried in order; the first match decides. Default none. */
  rules?: SampleRule[];
  /** Keep every event whose outcome is not `success`. Default true. */
  keepFailures?: boolean;
  /** Keep every event of category `security` or severity warning and above. Default true. */
  keepSecurity?: boolean;
  /** Keep requests slower than `slowThresholdMs`. Default true. */
  keepSlow?: boolean;
  /** Source of randomness in [0, 1); injectable for tests. Default Math.random. */
  random?: () => number;
  /**
   * Decide by a hash of the event's correlation id, so every event of one request, across all
   * services, is kept or dropped together. Events without one fall back to `random`. Default false.
   */
  byCorrelationId?: boolean;
}

/** A sampling decision made by the caller: return true to keep the event. */
export type SampleFunction = (event: AuditEvent) => boolean;

export interface RedactOptions {
  /**
   * Extra key names masked at any depth (case-insensitive, `-`/`_` ignored). Added to the
   * defaults: authorization, cookie, set-cookie, password, passwd, token, access/refresh/id
   * tokens, secret, client secret, api key, private key, x-api-key.
   */
  keys?: string | string[];
  /**
   * Exact paths to mask, dot separated from the event root, `*` matching one level:
   * `details.user.ssn`, `changes.*.dob`, `request.body.items.*.iban`.
   */
  paths?: string | string[];
  /** Mask card numbers (Luhn-checked, 13-19 digits) found in any string value. Default true. Same as `detectors.card`. */
  cardNumbers?: boolean;
  /**
   * Detectors that find secrets and personal data by shape in any string value, each with its
   * action: `mask` (`****1234`), `remove`, `hash` (HMAC-SHA256 pseudonym, needs `hashKey`) or
   * `false`. Default: card, jwt, bearer, awsAccessKey masked; privateKey removed; email and
   * phone off.
   */
  detectors?: Partial<
    Record<
      'card' | 'jwt' | 'bearer' | 'awsAccessKey' | 'privateKey' | 'email' | 'phone',
      'mask' | 'remove' | 'hash' | false
    >
  >;
  /** Key for the `hash` detector action (at least 16 bytes); keep it secret, or pseudonyms can be reversed by guessing. */
  hashKey?: string | Buffer;
  /** Replacement for masked keys. Default `[REDACTED]`. */
  censor?: string;
  /** Turn off the default key list (paths and `keys` still apply). Default false. */
  disableDefaultKeys?: boolean;
}

/** Caps that keep hostile payloads from costing memory or time. */
export interface LimitOptions {
  /** Longer strings are truncated with a marker. Default 8192. */
  maxStringLength?: number;
  /** Deeper values are replaced with a marker. Default 8. */
  maxDepth?: number;
  /** Longer arrays keep their first items and a marker. Default 100. */
  maxArrayLength?: number;
  /** Approximate serialized budget for `details` (bytes); the rest is dropped with a marker. Default 16384. */
  maxDetailsBytes?: number;
  /** Approximate serialized budget for a captured request body (bytes). Default 4096. */
  maxBodyBytes?: number;
}

export interface QueueOptions {
  /** Maximum events waiting for delivery. Default 100000. */
  maxEvents?: number;
  /** Maximum approximate bytes waiting for delivery. Default 64 MiB. */
  maxBytes?: number;
  /**
   * What happens when the queue is full. Default `drop` (counted and reported); `block` (adapters
   * hold new requests); `spill` (new events go to a file under the spool and come back in order
   * when the queue has room; needs `spool`).
   */
  overflow?: OverflowPolicy;
}

/** The `worker` option: sealing and sink writes on a worker thread. */
export interface WorkerOptions {
  /**
   * Size of the shared buffer events cross to the worker in (bytes, at least 64 KiB). When it is
   * full the queue's `overflow` policy applies: `drop` counts the event as dropped; `block` and
   * `spill` keep it on the caller until there is room (adapters wait, as for a full queue).
   * Default 8 MiB.
   */
  ringBytes?: number;
  /**
   * How long process exit waits for the worker to seal and write what is left (ms); events it has
   * not confirmed by then are reported as possibly lost. Default 5000.
   */
  exitTimeoutMs?: number;
}

export interface BatchOptions {
  /** Largest batch handed to a sink. Default 1000. */
  maxEvents?: number;
  /** Longest time an event waits for its batch to fill (ms). Default 50. */
  maxWaitMs?: number;
}

export interface RetryOptions {
  /** Attempts per sink per batch, including the first. Default 5. */
  attempts?: number;
  /** First backoff delay (ms), doubled each attempt, with full jitter. Default 100. */
  baseDelayMs?: number;
  /** Longest backoff delay (ms). Default 5000. */
  maxDelayMs?: number;
  /** A write that takes longer counts as failed (ms). Default 10000. */
  timeoutMs?: number;
}

/** The seal stage: every event is chained by hash; checkpoints sign the chain's head and Merkle root. */
export interface IntegrityOptions {
  /** Sign a checkpoint after this many events; 0 turns count-based checkpoints off. Default 1000. */
  checkpointEvery?: number;
  /** Sign a checkpoint at the first batch this long after the previous one (ms); 0 turns it off. Default 60000. */
  checkpointIntervalMs?: number;
  /**
   * Ed25519 private key for checkpoints: PEM text, a PEM file path or a KeyObject (`auditkit keys
   * generate` makes one). Default: the `AUDITKIT_SIGNING_KEY` environment variable (PEM or path);
   * without either there are no checkpoints (an unsigned one could be recomputed by whoever edits
   * the file): the chain still shows edits, deletions and reordering, but not a cut tail or a
   * re-hashed rewrite.
   */
  signingKey?: string | KeyObject;
  /** Also append every checkpoint as a JSON line to this file; keep it away from the events. Default none. */
  checkpointFile?: string;
  /** Continue the chain from the newest sealed event a sink holds (`lastSealed`). Default true. */
  resume?: boolean;
}

/** Options for `createAuditLogger`. Resolved once at construction. */
export interface AuditLoggerOptions {
  /** Service name recorded in `source.service`. Default: the nearest package.json name, else `unknown-service`. */
  service?: string;
  /** Service version. Default: the nearest package.json version. */
  version?: string;
  /** Deployment environment. Default `process.env.NODE_ENV`. */
  environment?: string;
  /** Instance id (part of the chain id). Default `<hostname>:<pid>`. */
  instance?: string;
  /**
   * Where events go: sinks, or `{ sink, primary: false }` for a best-effort one. Default: a file
   * sink at `./audit-logs/audit.jsonl`.
   */
  sinks?: Array<AuditSink | SinkEntry>;
  /** Local disk spool for primary sinks, `spill` and `durable`. Default none: a primary batch that fails is lost (counted). */
  spool?: SpoolOptions;
  /** Circuit breaker per sink. Default `{ failureThreshold: 3, cooldownMs: 5000 }`. */
  breaker?: BreakerOptions;
  /**
   * Durable mode: every event is sealed as it is logged and written (group-committed, fsynced) to
   * the spool of each primary sink; primary sinks are fed from there. `logDurable()` resolves only
   * once the event is on disk. Needs `spool`. Default false.
   */
  durable?: boolean;
  /** Events below this severity are not recorded. Default `debug` (everything). */
  minSeverity?: Severity;
  /** Event types never recorded; exact names or globs (`debug.*`). Default none. */
  excludeTypes?: string | RegExp | Array<string | RegExp>;
  /** Sampling of routine events. Default: keep everything. */
  sample?: SampleOptions | SampleFunction;
  /** Collapse repeats of identical events within a window into one summary with `count`. Default off; `true` uses the defaults of `DedupOptions`. */
  dedup?: DedupOptions | boolean;
  /** Requests slower than this (ms) are kept by sampling and flagged. Default 1000. */
  slowThresholdMs?: number;
  redact?: RedactOptions;
  limits?: LimitOptions;
  queue?: QueueOptions;
  batch?: BatchOptions;
  retry?: RetryOptions;
  /**
   * Flush at process exit: on `beforeExit` asynchronously, and on `exit` synchronously into sinks
   * that support it. Default true.
   */
  flushOnExit?: boolean;
  /**
   * Flush on these signals, then let the process end as it would have (re-raising the signal when
   * nobody else listens for it). Default none; the zero-config logger uses SIGTERM and SIGINT.
   */
  flushOnSignals?: NodeJS.Signals | NodeJS.Signals[];
  /**
   * Field encryption after redaction: `encrypt` paths under a keyring key, `personal` paths under
   * the data subject's key (crypto-shredding). See `ProtectOptions`. Default none.
   */
  protect?: import('./protect/encrypt').ProtectOptions;
  /** Hash chain, Merkle tree and signed checkpoints (the seal stage); `false` turns sealing off. Default on. */
  integrity?: IntegrityOptions | false;
  /** Called with problems auditing had (sink failures, dropped events, throwing callbacks). Default: a process warning, at most once per 10 s per kind. */
  onError?: (error: AuditError) => void;
  /**
   * Seal and write on a worker thread (as pino's transports do): the caller captures, admits,
   * redacts and encrypts each event, then copies its JSON into a shared buffer; hashing, Merkle
   * tree, checkpoint signing and sink writes run on the worker. Every sink must be able to move
   * there (`fileSink` without `onError` or `now`); other sinks are an error at startup. `true`
   * uses the defaults of `WorkerOptions`. Default off.
   */
  worker?: WorkerOptions | boolean;
  /**
   * The detect stage: rules with per-tenant thresholds raise sealed `security.anomaly` events;
   * `true` runs the built-in rules with their defaults in memory. See `DetectOptions`. Default off.
   */
  detect?: DetectOptions | true;
  /** Alerting: channels and routes for anomalies and matching events. See `AlertOptions`. Default off. */
  alerts?: AlertOptions;
}

/**
 * Dedup: the first event of a window is recorded at once; identical events (equal on `fields`)
 * within `windowMs` are counted instead, and when the window ends (or on flush/close, or when the
 * window is evicted) one summary event is recorded: the first repeat, with `count` (repeats it
 * stands for), `time` / `lastTime` of the first and last repeat and `repeatOf` (the first event's
 * id); its request, correlation and trace ids are left out, since the repeats came from other
 * requests. Fields are compared by a 53-bit hash.
 */
export interface DedupOptions {
  /** How long after the first occurrence repeats are collapsed (ms). Default 10000. */
  windowMs?: number;
  /**
   * Fields (dot paths) that make two events identical. Default: type, category, action, outcome,
   * severity, message, actor.type, actor.id, tenant, resource, request.method, request.route,
   * request.path, request.status, changes, error.
   */
  fields?: string | string[];
  /**
   * Categories deduplicated: `include` (default all) minus `exclude` (default `security`,
   * `authentication`: each of those events stays its own record).
   */
  categories?: { include?: string | string[]; exclude?: string | string[] };
  /** Most open windows held; the oldest is closed (its summary recorded) to make room. Default 10000. */
  maxKeys?: number;
  /** Clock in ms; injectable for tests. Default Date.now. */
  now?: () => number;
}

export type AuditErrorKind =
  | 'sink'
  | 'dropped'
  | 'callback'
  | 'invalid'
  | 'closed'
  | 'detect'
  | 'alert'
  | 'spool'
  | 'hold';

/** A problem the audit pipeline had; never thrown into the application. */
export interface AuditError {
  kind: AuditErrorKind;
  message: string;
  sink?: string;
  cause?: unknown;
}

/**
 * One sink's counters. For a primary sink they balance: `queued` = `delivered` + `failed` +
 * `spooled` + `inFlight` (what was spooled and later written is counted again in `replayed`).
 */
export interface SinkStats {
  name: string;
  /** Events handed to this sink by this process (the checkpoints sealing adds included). */
  queued?: number;
  /** Events the sink took straight from the pipeline (not from the spool: see `replayed`). */
  delivered: number;
  /** Events lost for this sink: every attempt failed and no spool took them. */
  failed: number;
  retries: number;
  consecutiveFailures: number;
  lastError?: string;
  lastErrorAt?: string;
  lastSuccessAt?: string;
  /** Whether the sink is primary (spooled on failure) or best-effort. */
  primary?: boolean;
  /** Circuit breaker state. */
  breaker?: 'closed' | 'open' | 'half-open';
  /** Events written to this sink's spool. */
  spooled?: number;
  /** Events replayed from the spool into the sink. */
  replayed?: number;
  /** Events not tried because the circuit was open (best-effort sinks); included in `failed`. */
  skipped?: number;
  /** Events handed to the sink whose write or spooling has not finished. */
  inFlight?: number;
  /** How long the sink has not answered the outstanding write (ms); absent when none is outstanding. */
  writingMs?: number;
  /** This sink's spool: unconsumed records, events and bytes; corrupt and torn records found; refused events. */
  spool?: { records: number; events: number; bytes: number; corrupt: number; torn: number; refused: number };
}

/**
 * Counters since the logger was created. Every event is accounted for, once:
 * `logged` = `filtered` + `sampledOut` + `deduplicated` + `dropped` + `queued` (once dedup's open
 * windows are flushed).
 */
export interface AuditStats {
  /** Events passed to `log()` (and those detection recorded). */
  logged: number;
  /** Events admitted into the queue and not lost since (waiting, in flight, or taken by a primary sink or its spool). */
  queued: number;
  /** Events left out by minSeverity or excludeTypes (by design, not lost). */
  filtered: number;
  /** Events left out by sampling (by design, not lost). */
  sampledOut: number;
  /**
   * Repeats collapsed by dedup and not recorded on their own (by design, not lost): a window's first
   * repeat becomes its summary event, whose `count` covers them all.
   */
  deduplicated: number;
  /**
   * Events not recorded: the queue was full, the logger was closed, the event could not be
   * protected, or no primary sink (nor its spool) took it.
   */
  dropped: number;
  /** Inputs that needed repair (missing type, bad severity, ...); they were still recorded. */
  repaired: number;
  /** User callbacks and hooks that threw. */
  callbackErrors: number;
  /** Events currently waiting; `spilled` of them (overflow policy `spill`) on disk. */
  queue: { events: number; bytes: number; spilled?: number };
  sinks: SinkStats[];
  /** Per sampling rule (logger and adapter rules), kept and sampled-out counts. Absent when nothing is sampled. */
  sampling?: { rules: SamplingRuleStats[] };
  /** Dedup: windows open now and summary events recorded. Absent when dedup is off. */
  dedup?: { open: number; summaries: number };
  /** The hash chain: its id, the last sealed sequence number, checkpoints signed. Absent when sealing is off. */
  integrity?: { chain: string; seq: number; checkpoints: number; lastCheckpointSeq: number };
  /**
   * Responses held until their events were stored (adapters' `holdResponse`): `expired` were
   * released at the time limit, `lost` when the events could not be stored. Absent until one is held.
   */
  hold?: { held: number; expired: number; lost: number };
  /** Anomaly detection: events observed, anomalies fired and suppressed by cooldown, state errors. Absent when off. */
  detection?: DetectionStats;
  /** Alerting: alerts opened, suppressed, escalated, and each channel's deliveries and failures. Absent when off. */
  alerts?: AlertStats;
}

/** Counts of one sampling rule; `default` is the global rate. `scope` says whose `sample` option it came from. */
export interface SamplingRuleStats {
  name: string;
  scope?: 'logger' | 'request';
  kept: number;
  sampledOut: number;
}

export type HealthStatus = 'ok' | 'degraded' | 'failing';

export interface AuditHealth {
  status: HealthStatus;
  /** Human-readable reasons for anything but `ok`. */
  reasons: string[];
  stats: AuditStats;
}

/** The logger returned by `createAuditLogger`. */
export interface AuditLogger {
  readonly service: string;
  /**
   * Records an event. Never throws; returns the event id, or undefined when the event was
   * filtered, sampled out, deduplicated or dropped (see `stats()`).
   */
  log(input: AuditInput): string | undefined;
  /**
   * Records an event and resolves with its id once it is safe: in `durable` mode, on disk in the
   * spool of every primary sink (fsynced); otherwise once it was delivered (or failed), as
   * `flush()`. Resolves undefined when it was filtered, dropped or could not be spooled. Never rejects.
   */
  logDurable(input: AuditInput): Promise<string | undefined>;
  /** True while the queue is full under overflow `block`: adapters then hold new requests until `whenWritable()`. */
  readonly congested: boolean;
  /** Resolves when the queue is below its limits again. */
  whenWritable(): Promise<void>;
  /** Resolves when every event logged before the call was delivered (or failed) and sinks flushed. */
  flush(): Promise<void>;
  /** Flushes, closes every sink and stops accepting events. Idempotent. */
  close(): Promise<void>;
  stats(): AuditStats;
  health(): AuditHealth;
  /** The alerts this logger raised and their state (acknowledge, resolve); present when `alerts` is configured. */
  readonly alerts?: AlertControl;
}

/** Request context carried in AsyncLocalStorage for everything a request does. */
export interface AuditContext {
  requestId?: string;
  correlationId?: string;
  traceId?: string;
  spanId?: string;
  /** W3C trace flags, two hex digits. */
  traceFlags?: string;
  actor?: Partial<Actor>;
  tenant?: string;
  ip?: string;
  userAgent?: string;
  request?: Pick<RequestInfo, 'protocol' | 'method' | 'path' | 'route'>;
  /** The logger serving this request, so `audit.log()` anywhere reaches it. */
  logger?: AuditLogger;
}

/** Options shared by every HTTP/RPC adapter (Express, Fastify, NestJS, gRPC), so configuration moves between them unchanged. `Req` is the framework's request type. */
export interface RequestAuditOptions<Req = unknown> {
  /** The logger to record into. Default: one shared zero-config logger (JSON Lines under ./audit-logs, flushed on exit, SIGTERM and SIGINT). */
  logger?: AuditLogger;
  /** Paths never recorded: exact strings, globs (`/static/**`) or RegExps, matched against the path without its query string. Default none. */
  exclude?: string | RegExp | Array<string | RegExp>;
  /** Methods never recorded: one, or a list. Default `['OPTIONS']`. */
  excludeMethods?: string | string[];
  /** Sampling of routine requests; failures (4xx/5xx), aborted and slow requests are kept unless told otherwise. Default: keep all. */
  sample?: SampleOptions | SampleFunction;
  /** Requests slower than this (ms) are always kept by sampling. Default 1000. */
  slowThresholdMs?: number;
  /** Who is acting. Called when an event is recorded, so it sees what auth middleware set (`req.user`). Default: anonymous. */
  actor?: (req: Req) => Partial<Actor> | undefined;
  /** The tenant (organization) of the request. Default: none. */
  tenant?: (req: Req) => string | undefined;
  /** Header carrying the incoming request id; it is also echoed on the response. Default `x-request-id`. */
  requestIdHeader?: string;
  /** Echo the request id on the response. Default true. */
  echoRequestId?: boolean;
  /** Header carrying the correlation id shared across services. Default `x-correlation-id`. */
  correlationIdHeader?: string;
  /** Request headers recorded (allowlist, case-insensitive; secrets still masked). Default none. */
  captureHeaders?: string | string[];
  /** Record the parsed request body (redacted, capped at `limits.maxBodyBytes` of the logger). Default false. */
  captureBody?: boolean;
  /** Record the parsed query string (redacted). Default false. */
  captureQuery?: boolean;
  /** Event type of the per-request event. Default `http.request` (`grpc.call` for gRPC). */
  eventType?: string;
  /**
   * Hold each response (the gRPC status) until the request's audit events are stored: in
   * `durable` mode fsynced in the spool, otherwise taken by every primary sink (or spooled).
   * The wait is bounded by `timeoutMs`; a response released at the limit is counted in
   * `stats().hold.expired` and reported by `health()`. `true` uses the default limit. Default false.
   */
  holdResponse?: boolean | HoldResponseOptions;
}

/** The bounded wait of `holdResponse`. */
export interface HoldResponseOptions {
  /** Longest a response waits for its events (ms); then it is sent anyway and counted. Default 5000. */
  timeoutMs?: number;
}

/** Fields the filter language tests; dotted names follow the event (`actor` is the actor's id). */
export type AuditFilterField =
  | 'id'
  | 'type'
  | 'category'
  | 'action'
  | 'outcome'
  | 'severity'
  | 'actor'
  | 'actor.type'
  | 'tenant'
  | 'resource.type'
  | 'resource.id'
  | 'correlation'
  | 'request'
  | 'trace'
  | 'chain';

/**
 * One value a term accepts: a string matched exactly (case-sensitive), or `{ wildcard }` whose `*`
 * stands for any run of characters (every other character is literal, `%`, `_`, `.` included).
 */
export type AuditFilterValue = string | { wildcard: string };

/** `field` equals one of `values`; with `negate`, equals none of them (an absent field included). */
export interface AuditFilterTerm {
  field: AuditFilterField;
  /** At least one value. */
  values: AuditFilterValue[];
  negate?: boolean;
}

/**
 * A validated filter: what `parseAuditFilter()` returns and every store, stream and export accepts.
 * Every term must hold; absent parts match everything.
 */
export interface AuditFilter {
  terms: AuditFilterTerm[];
  /** Inclusive lower bound on `time`, ISO-8601. */
  since?: string;
  /** Exclusive upper bound on `time`, ISO-8601. */
  until?: string;
  /** Words that must each occur, case-insensitively, in the message, type, actor id or resource id. */
  text?: string[];
}

/** `desc`: newest first (the default); `asc`: oldest first. Either way by `(time, id)`. */
export type AuditOrder = 'desc' | 'asc';

/**
 * The shorthand fields of the first query API. Each is the same as a filter term (`types` is
 * `type:a,b`, `actorId` is `actor:x`, `from`/`to` are `since`/`until`); they narrow `filter`.
 */
export interface AuditQueryShorthand {
  /** Inclusive lower bound on `time` (ISO string or Date). */
  from?: string | Date;
  /** Exclusive upper bound on `time` (ISO string or Date). */
  to?: string | Date;
  types?: string[];
  categories?: string[];
  actions?: string[];
  outcomes?: Outcome[];
  severities?: Severity[];
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  correlationId?: string;
  /** Case-insensitive substring of message, type, actor id or resource id. */
  text?: string;
}

/** Which events: a filter (text in the filter language, or parsed) inside a tenant wall. */
export interface AuditSelection extends AuditQueryShorthand {
  /** Text in the filter language (`actor:u-alice -outcome:success since:24h`) or a parsed filter. */
  filter?: AuditFilter | string;
  /**
   * The tenant wall: only this tenant's events. A server sets it from the caller's credentials; a
   * `tenant:` term in `filter` can only narrow it. Absent: every tenant.
   */
  tenant?: string;
}

/** A page request. Every value is checked before it reaches a database: a wrong type throws a TypeError. */
export interface AuditQuery extends AuditSelection {
  /** Page size, an integer from 1 to 1000. Default 100. */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`, for the same filter, tenant and order. */
  cursor?: string;
  /** Default `desc` (newest first). */
  order?: AuditOrder;
}

/** One page of a query, in the query's order. */
export interface AuditPage {
  events: AuditEvent[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * One page of a query as the store holds it: each event's stored JSON text, in the query's order.
 * For events auditkit wrote, each line is exactly `JSON.stringify` of the event `query` returns.
 */
export interface AuditLinesPage {
  lines: string[];
  /** As `AuditPage.nextCursor`. */
  nextCursor?: string;
}

/** Every match of a selection, for exports: read page by page, so memory stays flat. */
export interface AuditIterateQuery extends AuditSelection {
  /** Default `asc` (oldest first, as an export reads). */
  order?: AuditOrder;
  /** Start after this cursor (from a page or an interrupted export). */
  cursor?: string;
  /** Events read per round trip, 1 to 1000. Default 1000. */
  pageSize?: number;
}

/** The events next to one event that share its actor, resource or correlation id. */
export interface AuditAroundQuery {
  by: 'actor' | 'resource' | 'correlation';
  /** How many events before it, 0 to 1000. Default 10. */
  before?: number;
  /** How many events after it, 0 to 1000. Default 10. */
  after?: number;
  /** The tenant wall: an event of another tenant is not found. */
  tenant?: string;
}

export interface AuditAround {
  event: AuditEvent;
  /** Up to `before` events before it, oldest first. Empty when the event has no such field. */
  before: AuditEvent[];
  /** Up to `after` events after it, oldest first. */
  after: AuditEvent[];
}

/** Counts over the events a selection holds. */
export interface AuditStoreStats {
  total: number;
  byType: Record<string, number>;
  byOutcome: Record<string, number>;
  byCategory: Record<string, number>;
  byActor: Record<string, number>;
  /** Counts by `resource.id`, for the busiest resources. */
  byResource: Record<string, number>;
  /** Per time bucket that holds events, oldest first; `start` is the bucket's ISO start time. */
  overTime: Array<{ start: string; count: number; byOutcome: Record<string, number> }>;
}

export interface AuditStatsQuery extends AuditSelection {
  /** Width of the `overTime` buckets. Default `hour`. */
  bucket?: 'minute' | 'hour' | 'day';
}

/** How long events are kept, per category (days); `default` covers the rest. Absent = forever. */
/** How long events are kept, in days: per category, and `default` for every other category. */
export interface RetentionPolicy {
  /** Days to keep events of categories not named in `categories`; absent: kept forever. */
  default?: number;
  /** Days to keep events, per category (`security: 2555`, `api: 90`). */
  categories?: Record<string, number>;
  /** Reference time for age computation. Default now. */
  now?: Date;
}

export interface RetentionResult {
  deleted: number;
}

/** What a store keeps, as it enforces or is configured to, and the oldest event it holds. */
export interface AuditRetentionInfo {
  /** Days events are kept, per category and for every other category (`default`); absent: no age limit. */
  maxAgeDays?: { default?: number; categories?: Record<string, number> };
  /** A file store's bound: whole rotated files kept besides the current one (0: all), rotating at `maxFileBytes` (0: no size rotation). */
  files?: { maxFiles: number; maxFileBytes: number; rotateDaily: boolean };
  /** How the limits are applied, in one sentence for the people who read it. */
  enforcement: string;
  /** The oldest event held (inside the tenant wall, if one was given); absent when there is none. */
  oldest?: { id: string; time: string };
}

/** The newest sealed event of one chain, as a store knows it. */
export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
  eventId: string;
  time: string;
}

/**
 * A sink that can also answer questions. Writes are idempotent by event id: replaying a batch
 * never duplicates an event.
 */
export interface AuditStore extends AuditSink {
  /** One page of the events a filter selects, by `(time, id)` keyset: constant cost per page. */
  query(query?: AuditQuery): Promise<AuditPage>;
  /**
   * `query`, answered with the stored JSON text of each event instead of parsed events, so a
   * server can write a page without parsing and re-serializing it. Optional: `queryLines()` from
   * `@auditkit/core/store` serializes `query`'s page for a store without it.
   */
  queryLines?(query?: AuditQuery): Promise<AuditLinesPage>;
  /**
   * Which of `ids` the store holds (any tenant), in one round trip: what ingest asks before it
   * seals. Optional: `storedIds()` from `@auditkit/core/store` asks `query` for a store without it.
   */
  storedIds?(ids: readonly string[]): Promise<Set<string>>;
  /** Every match in order, read page by page (memory stays flat), for exports. */
  iterate(query?: AuditIterateQuery): AsyncIterable<AuditEvent>;
  /** One event by id; `undefined` when absent or, with `tenant`, another tenant's. */
  get(id: string, options?: { tenant?: string }): Promise<AuditEvent | undefined>;
  /** The event and its neighbours by actor, resource or correlation id; `undefined` as `get`. */
  around(id: string, query: AuditAroundQuery): Promise<AuditAround | undefined>;
  stats(query?: AuditStatsQuery): Promise<AuditStoreStats>;
  applyRetention(policy: RetentionPolicy): Promise<RetentionResult>;
  /** The retention the store applies and the oldest event it holds. Optional while stores adopt it. */
  retention?(options?: { tenant?: string }): Promise<AuditRetentionInfo>;
  /** The last sealed event per chain, so a restarted producer resumes its chain. */
  chainHeads(): Promise<ChainHead[]>;
  /**
   * The events of one chain in `seq` order, in constant memory: what verification and inclusion
   * proofs over a store read (`verifyStore`, `proveStoredEvent`). Optional while stores adopt it.
   */
  chainEvents?(chain: string): AsyncIterable<AuditEvent>;
}
