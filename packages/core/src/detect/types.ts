import type { Pattern } from '../admit/matcher';
import type { AuditEvent, Outcome, Severity } from '../types';

/**
 * Public types of the detect stage: the state-store contract, the rule contract and the options.
 * Exported from the package root with the other public types.
 */

/**
 * One operation on detection state. Keys are built by the rules (rule, tenant, subject); a store
 * may prefix them. Times are the detection clock's milliseconds, passed to `apply`, so every
 * instance of a fleet and every test agrees on "now".
 */
export type StateOp =
  /**
   * Sliding-window set: adds `member` (once; a repeated member keeps its first time) with `weight`,
   * forgets members older than `windowMs`, and answers the distinct count, the sum of weights and
   * the latest sample ids. Without `member` it only reads. With `limit`, the member is added only
   * while the count is below it (`added` says whether it was).
   */
  | {
      op: 'window';
      key: string;
      windowMs: number;
      member?: string;
      weight?: number;
      sample?: string;
      limit?: number;
    }
  /** Remembers `member` in a set forgotten after `ttlMs` without activity; answers whether it was new. */
  | { op: 'firstSeen'; key: string; member: string; ttlMs: number }
  /** Counts one event in the current `bucketMs` bucket and answers it with the mean of the previous `buckets` buckets. */
  | { op: 'baseline'; key: string; bucketMs: number; buckets: number }
  /** Atomic "fire once per cooldown": true for exactly one caller until `ttlMs` has passed. */
  | { op: 'claim'; key: string; ttlMs: number }
  /** Whether a claim on `key` is still held. */
  | { op: 'peek'; key: string };

export interface WindowResult {
  /** Distinct members in the window (including the one just added). */
  count: number;
  /** Sum of the members' weights in the window. */
  sum: number;
  /** The latest sample ids in the window, oldest first (at most `SAMPLE_LIMIT`). */
  samples: string[];
  /** False when `limit` kept the member out. */
  added: boolean;
}

export interface FirstSeenResult {
  /** True when the member was not in the set. */
  isNew: boolean;
  /** Members the set held before this one. */
  known: number;
}

export interface BaselineResult {
  /** Events in the current bucket, this one included. */
  current: number;
  /** Mean events per bucket over the complete buckets before the current one (empty ones count as 0). */
  mean: number;
  /** Complete buckets of history behind the mean (at most `buckets`). */
  history: number;
}

/** The answer to each `StateOp`, in the same order: claim and peek answer a boolean. */
export type StateResult = WindowResult | FirstSeenResult | BaselineResult | boolean;

/** At most this many sample event ids are kept per window. */
export const SAMPLE_LIMIT = 10;

/**
 * Where detection state lives. The memory store answers synchronously (`sync: true`), so memory
 * mode decides on the caller's stack; any other store is asked in batches, off the hot path, and
 * shares what it knows across every instance that uses it (see `@auditkit/redis`).
 */
export interface DetectionStore {
  readonly name: string;
  /** True when `apply` returns its results directly rather than a promise. */
  readonly sync?: boolean;
  /** Runs the operations in order; `now` is the detection clock in ms. */
  apply(ops: readonly StateOp[], now: number): StateResult[] | Promise<StateResult[]>;
  /** Releases what the store owns (never a client the user passed in). */
  close?(): Promise<void>;
}

/** What an anomaly is about. */
export interface AnomalySubject {
  type: 'actor' | 'ip' | (string & {});
  id: string;
}

/** Why an anomaly was raised: counts, the window and a few of the events behind it. */
export interface AnomalyEvidence {
  count?: number;
  threshold?: number;
  windowMs?: number;
  /** Ids of events that made up the anomaly, oldest first. */
  sampleEventIds: string[];
  [key: string]: unknown;
}

/** What a rule's `decide` returns for each anomaly it finds. */
export interface Anomaly {
  subject: AnomalySubject;
  /** One human sentence. */
  message: string;
  evidence: AnomalyEvidence;
  /** Overrides the rule's severity. */
  severity?: Severity;
}

/** Settings every rule accepts next to its own thresholds. */
export interface CommonThresholds {
  /** One anomaly per subject per this many ms. Default `detect.cooldownMs`. */
  cooldownMs?: number;
}

/**
 * A detection rule. `observe` runs on the caller's stack for every admitted event and must be
 * cheap and synchronous: it says which state operations the event needs (or `undefined` when
 * the event is not relevant). `decide` gets their results, maybe later (Redis), and returns the
 * anomalies found. Thresholds are plain data so tenants can override them.
 */
export interface DetectionRule<T extends CommonThresholds = CommonThresholds> {
  /** Unique name; the anomaly `kind` and the key of per-tenant overrides. */
  readonly name: string;
  /** Severity of its anomalies. Default `warning`. */
  readonly severity?: Severity;
  /** Default thresholds; `detect.tenants[tenant][name]` is merged over them. */
  readonly thresholds: T;
  observe(event: AuditEvent, thresholds: T): StateOp[] | undefined;
  decide(
    event: AuditEvent,
    results: readonly StateResult[],
    thresholds: T,
  ): Anomaly | readonly Anomaly[] | undefined;
}

/** Selects events: every given field must match; arrays match any of their values. */
export interface EventFilter {
  /** Event types: exact names, globs (`auth.*`, `**.export`) or RegExps. */
  types?: Pattern | Pattern[];
  categories?: string | string[];
  actions?: string | string[];
  outcomes?: Outcome | Outcome[];
  /** Events at or above this severity. */
  minSeverity?: Severity;
  tenants?: string | string[];
}

/** Per-tenant overrides: thresholds merged over each rule's, `false` turns a rule off for the tenant. */
export type TenantOverrides = Record<string, Record<string, Record<string, unknown> | false>>;

/** The `detect` option of `createAuditLogger`. */
export interface DetectOptions {
  /** Rules to run. Default: every built-in rule except `businessHours` (which needs your hours). */
  rules?: DetectionRule[];
  /** Where state lives. Default an in-memory store for this process (`memoryDetectionStore()`). */
  state?: DetectionStore;
  /** Threshold overrides per tenant: `{ acme: { 'brute-force': { maxFailuresPerActor: 3 } } }`. Default none. */
  tenants?: TenantOverrides;
  /** One anomaly per rule and subject per this many ms. Default 900000 (15 min). */
  cooldownMs?: number;
  /** Observations waiting for an asynchronous store; beyond this they are dropped and counted. Default 10000. */
  maxPending?: number;
  /** Detection clock in ms; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

export interface RuleStats {
  fired: number;
  suppressed: number;
}

/** Detection counters in `stats().detection`. */
export interface DetectionStats {
  /** Events the rules looked at. */
  observed: number;
  /** Anomalies raised (each one a `security.anomaly` event). */
  fired: number;
  /** Anomalies not raised again because the subject was still in its cooldown. */
  suppressed: number;
  /** Observations lost because the state store failed. */
  stateErrors: number;
  /** Observations dropped because too many were waiting for the store. */
  overflow: number;
  /** Rules that threw (the event was still recorded). */
  ruleErrors: number;
  /** Observations waiting for the store. */
  pending: number;
  rules: Record<string, RuleStats>;
}
