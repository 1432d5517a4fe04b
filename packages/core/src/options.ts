import type { KeyObject } from 'node:crypto';
import { type DedupSettings, resolveDedup } from './admit/dedup';
import { compilePatterns } from './admit/matcher';
import { compileSampler, type Sampler } from './admit/sampling';
import { severityRank } from './admit/severity';
import { type ResolvedAlerts, resolveAlerts } from './alerts/resolve';
import { defaultInstance, findAppInfo, hostname } from './capture/app-info';
import { DEFAULTS } from './defaults';
import { type ResolvedDetect, resolveDetect } from './detect/resolve';
import { asList, checkOptions, definedOnly, optionProblem } from './option-check';
import { LOGGER_OPTIONS } from './option-shapes';
import { Protector } from './protect/encrypt';
import { Scrubber } from './protect/scrub';
import { loadSigningKey } from './seal/keys';
import type {
  AuditError,
  AuditLoggerOptions,
  AuditSink,
  LimitOptions,
  OverflowPolicy,
  SinkEntry,
  Source,
} from './types';

export { DEFAULTS } from './defaults';

/** Options after defaults, validated and compiled; produced once per logger. */
export interface ResolvedOptions {
  source: Source;
  sinks: AuditSink[];
  /** Sinks marked `primary: false`. */
  bestEffort: ReadonlySet<AuditSink>;
  minRank: number;
  isExcludedType: (type: string) => boolean;
  sampler: Sampler;
  dedup: DedupSettings | undefined;
  slowThresholdMs: number;
  scrubber: Scrubber;
  limits: Required<LimitOptions>;
  queue: { maxEvents: number; maxBytes: number; overflow: OverflowPolicy };
  batch: { maxEvents: number; maxWaitMs: number };
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
  breaker: { failureThreshold: number; cooldownMs: number };
  spool: { dir: string; maxBytes: number; segmentBytes: number; fsync: boolean } | undefined;
  durable: boolean;
  flushOnExit: boolean;
  flushOnSignals: NodeJS.Signals[];
  protector: Protector | undefined;
  integrity:
    | {
        every: number;
        intervalMs: number;
        key: KeyObject | undefined;
        file: string | undefined;
        resume: boolean;
      }
    | undefined;
  onError: ((error: AuditError) => void) | undefined;
  detect: ResolvedDetect | undefined;
  alerts: ResolvedAlerts | undefined;
  /** Sealing and sink writes on a worker thread; undefined: on the caller's thread. */
  worker: { ringBytes: number; exitTimeoutMs: number } | undefined;
}

/**
 * Applies defaults and validates. Throws an `AuditOptionError` (a TypeError) naming the bad option:
 * a wrong configuration is a programming error and should fail at startup, not per request.
 */
export function resolveOptions(
  options: AuditLoggerOptions,
  defaultSinks: () => AuditSink[],
): ResolvedOptions {
  checkOptions(options, LOGGER_OPTIONS, WHERE);
  const app = options.service && options.version ? {} : findAppInfo();
  const minSeverity = options.minSeverity ?? DEFAULTS.minSeverity;
  const entries = options.sinks ?? defaultSinks();
  const bestEffort = new Set<AuditSink>();
  const sinks = entries.map((entry: AuditSink | SinkEntry) => {
    if (typeof (entry as Partial<AuditSink>).write === 'function') return entry as AuditSink;
    const { sink, primary } = entry as SinkEntry;
    if (primary === false) bestEffort.add(sink);
    return sink;
  });
  const names = new Set(sinks.map((s) => s.name));
  if (names.size !== sinks.length) throw optionProblem(WHERE, 'sinks', 'sinks: sink names must be unique');
  for (const sink of sinks) {
    const n = sink.writesInFlight;
    if (n !== undefined && !(Number.isInteger(n) && n >= 1))
      throw optionProblem(
        WHERE,
        'sinks',
        `sinks: sink "${sink.name}" declares writesInFlight ${String(n)}; it must be an integer >= 1`,
      );
  }
  const slowThresholdMs = options.slowThresholdMs ?? DEFAULTS.slowThresholdMs;
  const limits = { ...DEFAULTS.limits, ...definedOnly(options.limits) };
  const queue = { ...DEFAULTS.queue, ...definedOnly(options.queue) };
  const spool = options.spool && {
    dir: options.spool.dir,
    maxBytes: options.spool.maxBytes ?? DEFAULTS.spool.maxBytes,
    segmentBytes: options.spool.segmentBytes ?? DEFAULTS.spool.segmentBytes,
    fsync: options.spool.fsync !== false,
  };
  const durable = options.durable ?? DEFAULTS.durable;
  if ((durable || queue.overflow === 'spill') && !spool)
    throw optionProblem(
      WHERE,
      'spool',
      'spool is required: durable mode and queue.overflow "spill" need the `spool` option',
    );
  const breaker = { ...DEFAULTS.breaker, ...definedOnly(options.breaker) };
  const batch = { ...DEFAULTS.batch, ...definedOnly(options.batch) };
  const retry = { ...DEFAULTS.retry, ...definedOnly(options.retry) };
  // Keys in sorted order: events are hashed as canonical JSON, which sorts them.
  const environment = options.environment ?? process.env.NODE_ENV;
  const version = options.version ?? app.version;
  const source = {} as Source;
  if (environment) source.environment = environment;
  source.host = hostname();
  source.instance = options.instance ?? defaultInstance();
  source.service = options.service ?? app.name ?? DEFAULTS.service;
  if (version) source.version = version;
  // Shared by every event: frozen, so no sink can change it for the rest, and its text is written once.
  Object.freeze(source);
  const redact = { ...DEFAULTS.redact, ...definedOnly(options.redact) };
  return {
    source,
    sinks,
    bestEffort,
    minRank: severityRank(minSeverity),
    isExcludedType: compilePatterns(options.excludeTypes, '.'),
    sampler: compileSampler(options.sample, slowThresholdMs),
    dedup: resolveDedup(options.dedup),
    slowThresholdMs,
    scrubber: new Scrubber(redact, limits),
    limits,
    queue,
    batch,
    retry,
    breaker,
    spool,
    durable,
    flushOnExit: options.flushOnExit ?? DEFAULTS.flushOnExit,
    flushOnSignals: [...asList(options.flushOnSignals)],
    protector: options.protect ? new Protector(options.protect) : undefined,
    integrity: resolveIntegrity(options.integrity),
    onError: options.onError,
    detect: resolveDetect(options.detect),
    alerts: resolveAlerts(options.alerts),
    worker: options.worker
      ? { ...DEFAULTS.worker, ...definedOnly(options.worker === true ? {} : options.worker) }
      : undefined,
  };
}

/** The logger's options are all checked under this name. */
const WHERE = 'createAuditLogger';

function resolveIntegrity(options: AuditLoggerOptions['integrity']): ResolvedOptions['integrity'] {
  if (options === false) return undefined;
  const o = { ...DEFAULTS.integrity, ...definedOnly(options) };
  return {
    every: o.checkpointEvery,
    intervalMs: o.checkpointIntervalMs,
    key: loadSigningKey(options?.signingKey),
    file: options?.checkpointFile,
    resume: o.resume !== false,
  };
}
