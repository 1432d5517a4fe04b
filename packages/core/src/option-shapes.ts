/**
 * Every option `createAuditLogger` and the adapters accept, declared once for `checkOptions`.
 * Cross-field rules (unique sink names, routes naming known channels) stay with the resolvers.
 */

import { SEVERITIES } from './admit/severity';
import type { AlertOptions, AlertRoute } from './alerts/types';
import type { DetectOptions, EventFilter } from './detect/types';
import { type OptionShape, type OptionSpec, option as o } from './option-check';
import { DEFAULT_DETECTORS } from './protect/detectors';
import type { ProtectOptions } from './protect/encrypt';
import type {
  AuditLoggerOptions,
  BatchOptions,
  BreakerOptions,
  DedupOptions,
  HoldResponseOptions,
  IntegrityOptions,
  LimitOptions,
  QueueOptions,
  RedactOptions,
  RequestAuditOptions,
  RetryOptions,
  SampleMatch,
  SampleOptions,
  SampleRule,
  SinkEntry,
  SpoolOptions,
  WorkerOptions,
} from './types';

/**
 * A spec for every key of `T`, and no other: the compiler keeps these shapes and the option types
 * in step, so an option added to a type must be declared here too.
 */
type ShapeOf<T> = { readonly [K in keyof Required<T>]: OptionSpec };

function hasMethods(value: unknown, ...methods: string[]): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const v = value as Record<string, unknown>;
  return methods.every((m) => typeof v[m] === 'function');
}

/** Milliseconds, byte and event counts: finite, not negative. */
const amount = o.number({ min: 0 });
const atLeastOne = o.number({ min: 1, integer: true });
const rate = o.number({ min: 0, max: 1 });
const severity = o.oneOf(SEVERITIES);

const sink = o.custom('a sink (an object with a name and write())', (v) => {
  if (!hasMethods(v, 'write')) return false;
  return typeof (v as { name?: unknown }).name === 'string';
});
const entryShape = o.object(
  { sink: o.required(sink), primary: o.boolean() } satisfies ShapeOf<SinkEntry>,
  'a { sink, primary } object',
);
/** Told apart from a sink by its `sink` key, so a broken sink is reported as one. */
const sinkEntry: OptionSpec = {
  ...entryShape,
  accepts: (v) => entryShape.accepts(v) && Object.hasOwn(v as object, 'sink'),
};

const sampleMatch = o.object({
  route: o.patterns(),
  path: o.patterns(),
  method: o.strings(),
  type: o.patterns(),
  category: o.strings(),
} satisfies ShapeOf<SampleMatch>);

const sampleRule = o.object({
  name: o.string(),
  match: o.required(sampleMatch),
  rate: o.required(rate),
  keepFailures: o.boolean(),
  keepSecurity: o.boolean(),
  keepSlow: o.boolean(),
} satisfies ShapeOf<SampleRule>);

/** `sample`, shared by the logger and every adapter. */
export const SAMPLE_OPTION: OptionSpec = o.anyOf(
  o.function(),
  o.object({
    rate,
    rules: o.arrayOf(sampleRule, 'an array of rule objects'),
    keepFailures: o.boolean(),
    keepSecurity: o.boolean(),
    keepSlow: o.boolean(),
    random: o.function(),
    byCorrelationId: o.boolean(),
  } satisfies ShapeOf<SampleOptions>),
);

const redact = o.object({
  keys: o.strings(),
  paths: o.strings({ nonEmpty: true }),
  cardNumbers: o.boolean(),
  detectors: o.object(
    Object.fromEntries(
      Object.keys(DEFAULT_DETECTORS).map((name) => [name, o.oneOf(['mask', 'remove', 'hash', false])]),
    ),
  ),
  hashKey: o.anyOf(
    o.string(),
    o.custom('a Buffer', (v) => Buffer.isBuffer(v)),
  ),
  censor: o.string(),
  disableDefaultKeys: o.boolean(),
} satisfies ShapeOf<RedactOptions>);

const limits = o.object({
  maxStringLength: amount,
  maxDepth: amount,
  maxArrayLength: amount,
  maxDetailsBytes: amount,
  maxBodyBytes: amount,
} satisfies ShapeOf<LimitOptions>);

const dedup = o.anyOf(
  o.boolean(),
  o.object({
    windowMs: o.number({ above: 0 }),
    fields: o.strings({ nonEmpty: true }),
    categories: o.object({ include: o.strings(), exclude: o.strings() }),
    maxKeys: atLeastOne,
    now: o.function(),
  } satisfies ShapeOf<DedupOptions>),
);

const keyObject = o.custom(
  'a KeyObject',
  (v) => v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string',
);

const integrity = o.anyOf(
  o.oneOf([false]),
  o.object({
    checkpointEvery: amount,
    checkpointIntervalMs: amount,
    signingKey: o.anyOf(o.string(), keyObject),
    checkpointFile: o.string({ nonEmpty: true }),
    resume: o.boolean(),
  } satisfies ShapeOf<IntegrityOptions>),
);

const protect = o.object({
  encrypt: o.strings({ nonEmpty: true }),
  keyring: o.custom('a keyring (current() and get())', (v) => hasMethods(v, 'current', 'get')),
  personal: o.strings({ nonEmpty: true }),
  subjects: o.custom('a subject key store (keyFor(), get(), erase())', (v) => hasMethods(v, 'keyFor', 'get')),
  subject: o.function(),
} satisfies ShapeOf<ProtectOptions>);

const detectionStore = o.custom('a detection store (an object with apply())', (v) => hasMethods(v, 'apply'));

const detect = o.anyOf(
  o.oneOf([true]),
  o.object({
    rules: o.arrayOf(
      o.custom(
        'a detection rule (name, observe() and decide())',
        (v) => hasMethods(v, 'observe', 'decide') && typeof (v as { name?: unknown }).name === 'string',
      ),
      'an array of detection rules',
    ),
    state: detectionStore,
    // Threshold names depend on the rules; resolveDetect checks them against each rule.
    tenants: o.recordOf(
      o.recordOf(
        o.custom(
          'an object of thresholds or false',
          (v) => v === false || (v !== null && typeof v === 'object'),
        ),
      ),
    ),
    cooldownMs: amount,
    maxPending: amount,
    now: o.function(),
  } satisfies ShapeOf<DetectOptions>),
);

const retryShape = {
  attempts: atLeastOne,
  baseDelayMs: amount,
  maxDelayMs: amount,
  timeoutMs: amount,
} satisfies ShapeOf<RetryOptions>;

/** An event filter (alert routes' `match`). */
export const EVENT_FILTER = o.object({
  types: o.patterns(),
  categories: o.strings(),
  actions: o.strings(),
  outcomes: o.strings(),
  minSeverity: severity,
  tenants: o.strings(),
} satisfies ShapeOf<EventFilter>);

const alerts = o.object({
  channels: o.required(
    o.arrayOf(
      o.custom(
        'an alert channel (a name and send())',
        (v) => hasMethods(v, 'send') && typeof (v as { name?: unknown }).name === 'string',
      ),
      'an array of alert channels',
    ),
  ),
  routes: o.required(
    o.arrayOf(
      o.object({
        name: o.required(o.string({ nonEmpty: true })),
        kinds: o.anyOf(o.oneOf(['*']), o.strings()),
        match: o.anyOf(o.function(), EVENT_FILTER),
        channels: o.required(o.strings({ nonEmpty: true })),
        cooldownMs: amount,
        rateLimit: o.object({ max: o.required(amount), windowMs: o.required(amount) }),
        groupWindowMs: amount,
        escalate: o.object({
          afterMs: o.required(amount),
          channels: o.required(o.strings({ nonEmpty: true })),
        }),
        subject: o.function(),
      } satisfies ShapeOf<AlertRoute>),
      'an array of route objects',
    ),
  ),
  cooldownMs: amount,
  groupWindowMs: amount,
  retry: o.object(retryShape),
  closeGraceMs: amount,
  state: detectionStore,
  maxAlerts: amount,
  now: o.function(),
} satisfies ShapeOf<AlertOptions>);

/** Every option of `createAuditLogger`. */
export const LOGGER_OPTIONS = {
  service: o.string({ nonEmpty: true }),
  version: o.string(),
  environment: o.string(),
  instance: o.string({ nonEmpty: true }),
  sinks: o.arrayOf(o.anyOf(sink, sinkEntry), 'an array of sinks'),
  spool: o.object({
    dir: o.required(o.string({ nonEmpty: true })),
    maxBytes: amount,
    segmentBytes: amount,
    fsync: o.boolean(),
  } satisfies ShapeOf<SpoolOptions>),
  breaker: o.object({ failureThreshold: amount, cooldownMs: amount } satisfies ShapeOf<BreakerOptions>),
  durable: o.boolean(),
  minSeverity: severity,
  excludeTypes: o.patterns(),
  sample: SAMPLE_OPTION,
  dedup,
  slowThresholdMs: amount,
  redact,
  limits,
  queue: o.object({
    maxEvents: amount,
    maxBytes: amount,
    overflow: o.oneOf(['drop', 'block', 'spill']),
  } satisfies ShapeOf<QueueOptions>),
  batch: o.object({ maxEvents: atLeastOne, maxWaitMs: amount } satisfies ShapeOf<BatchOptions>),
  retry: o.object(retryShape),
  flushOnExit: o.boolean(),
  flushOnSignals: o.strings({ nonEmpty: true }),
  protect,
  integrity,
  onError: o.function(),
  detect,
  alerts,
  worker: o.anyOf(
    o.boolean(),
    o.object({
      ringBytes: o.number({ min: 64 * 1024, integer: true }),
      exitTimeoutMs: amount,
    } satisfies ShapeOf<WorkerOptions>),
  ),
} satisfies ShapeOf<AuditLoggerOptions> as OptionShape;

/** Every option the HTTP/RPC adapters share (`RequestAuditOptions`); adapters add their own. */
export const REQUEST_AUDIT_OPTIONS = {
  logger: o.custom('an AuditLogger (from createAuditLogger)', (v) => hasMethods(v, 'log', 'flush')),
  exclude: o.patterns(),
  excludeMethods: o.strings({ nonEmpty: true }),
  sample: SAMPLE_OPTION,
  slowThresholdMs: amount,
  actor: o.function(),
  tenant: o.function(),
  requestIdHeader: o.string({ nonEmpty: true }),
  echoRequestId: o.boolean(),
  correlationIdHeader: o.string({ nonEmpty: true }),
  captureHeaders: o.strings({ nonEmpty: true }),
  captureBody: o.boolean(),
  captureQuery: o.boolean(),
  eventType: o.string({ nonEmpty: true }),
  holdResponse: o.anyOf(o.boolean(), o.object({ timeoutMs: amount } satisfies ShapeOf<HoldResponseOptions>)),
} satisfies ShapeOf<RequestAuditOptions> as OptionShape;
