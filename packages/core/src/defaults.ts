/**
 * Every default in one place. JSDoc on each option in types.ts repeats these. Imports nothing, so any
 * module can read a default without pulling in option resolution.
 */
export const DEFAULTS = {
  service: 'unknown-service',
  logDir: './audit-logs',
  logFile: 'audit.jsonl',
  minSeverity: 'debug',
  slowThresholdMs: 1000,
  /** Used when `dedup` is on (it is off by default). */
  dedup: {
    windowMs: 10_000,
    /**
     * What makes two events "the same". Wider than type/actor/resource on purpose: a summary repeats
     * the first event's content, so anything that may differ between repeats and matters to an
     * auditor (which record, which change, which error) must be part of the key.
     */
    fields: [
      'type',
      'category',
      'action',
      'outcome',
      'severity',
      'message',
      'actor.type',
      'actor.id',
      'tenant',
      'resource',
      'request.method',
      'request.route',
      'request.path',
      'request.status',
      'changes',
      'error',
    ],
    /** Each of these stays its own record: an attacker's hundredth attempt is evidence too. */
    excludeCategories: ['security', 'authentication'],
    maxKeys: 10_000,
  },
  redact: { censor: '[REDACTED]', cardNumbers: true },
  limits: {
    maxStringLength: 8192,
    maxDepth: 8,
    maxArrayLength: 100,
    maxDetailsBytes: 16_384,
    maxBodyBytes: 4096,
  },
  queue: { maxEvents: 100_000, maxBytes: 64 * 1024 * 1024, overflow: 'drop' },
  batch: { maxEvents: 1000, maxWaitMs: 0 },
  retry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 5000, timeoutMs: 10_000 },
  breaker: { failureThreshold: 3, cooldownMs: 5000 },
  spool: { maxBytes: 1024 * 1024 * 1024, segmentBytes: 16 * 1024 * 1024, fsync: true },
  durable: false,
  worker: { ringBytes: 8 * 1024 * 1024, exitTimeoutMs: 5000 },
  /** Adapters' `holdResponse`, when it is on (it is off by default). */
  holdResponse: { timeoutMs: 5000 },
  flushOnExit: true,
  integrity: { checkpointEvery: 1000, checkpointIntervalMs: 60_000, resume: true },
  /** Problems of one kind are announced at most this often. */
  warnIntervalMs: 10_000,
  detect: {
    cooldownMs: 15 * 60_000,
    maxPending: 10_000,
    maxKeys: 100_000,
    maxMembers: 1000,
    privilegeTypes: ['**role**', '**privilege**', '**permission**'],
    rules: {
      bruteForce: { maxFailuresPerActor: 5, maxFailuresPerIp: 20, windowMs: 5 * 60_000 },
      credentialStuffing: { distinctActors: 10, windowMs: 10 * 60_000 },
      accessDenied: { threshold: 10, windowMs: 60_000 },
      largeExport: {
        maxRecords: 10_000,
        maxBytes: 50 * 1024 * 1024,
        maxRecordsPerWindow: 100_000,
        maxBytesPerWindow: 500 * 1024 * 1024,
        windowMs: 3_600_000,
      },
      rateSpike: { bucketMs: 60_000, buckets: 60, factor: 5, minCount: 30, minHistory: 10 },
      businessHours: { timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' },
      firstSeenIp: { ttlMs: 90 * 24 * 3_600_000 },
      privilegeEscalation: { windowMs: 30 * 60_000 },
    },
  },
  alerts: {
    cooldownMs: 15 * 60_000,
    groupWindowMs: 0,
    maxAlerts: 1000,
    retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000, timeoutMs: 10_000 },
    closeGraceMs: 2000,
    /** How long acknowledgement markers stay in the state store (they stop escalation fleet-wide). */
    stateTtlMs: 7 * 24 * 3_600_000,
  },
} as const;
