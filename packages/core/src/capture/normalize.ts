import { isSeverity } from '../admit/severity';
import type { Action, AuditInput, Category, Outcome, Severity } from '../types';

const CATEGORY_BY_PREFIX = new Map<string, Category>(
  Object.entries({
    auth: 'authentication',
    authn: 'authentication',
    authz: 'authorization',
    access: 'authorization',
    http: 'api',
    grpc: 'api',
    api: 'api',
    data: 'data',
    security: 'security',
    admin: 'admin',
    system: 'system',
    audit: 'system',
    compliance: 'compliance',
  }),
);

const ACTION_BY_WORD = new Map<string, Action>(
  Object.entries({
    create: 'create',
    created: 'create',
    add: 'create',
    read: 'read',
    view: 'read',
    viewed: 'read',
    get: 'read',
    list: 'read',
    update: 'update',
    updated: 'update',
    change: 'update',
    changed: 'update',
    delete: 'delete',
    deleted: 'delete',
    remove: 'delete',
    removed: 'delete',
    login: 'login',
    logout: 'logout',
    export: 'export',
    exported: 'export',
  }),
);

const OUTCOMES = new Set<string>(['success', 'failure', 'unknown']);
const TYPE_MAX = 200;

/**
 * Types auditkit writes itself (`audit.checkpoint`, `audit.chain.started`). Verifiers read an event
 * of such a type as the pipeline's own, so a caller's event never takes one: it is recorded under
 * `custom.` + its type, and counted as repaired.
 */
export const RESERVED_TYPE_PREFIX = 'audit.';
const RENAMED_PREFIX = 'custom.';

/** The scalar fields of an event after defaults; `repaired` says an input value was unusable. */
export interface Scalars {
  type: string;
  category: Category;
  action: Action;
  outcome: Outcome;
  severity: Severity;
  repaired: boolean;
}

function word(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined;
}

/** Fills in category, action, outcome and severity from the type and error when not given. */
export function normalizeScalars(input: AuditInput): Scalars {
  let repaired = false;
  let type = word(input.type, TYPE_MAX);
  if (type === undefined) {
    type = 'custom.event';
    repaired = true;
  } else if (type.startsWith(RESERVED_TYPE_PREFIX)) {
    type = (RENAMED_PREFIX + type).slice(0, TYPE_MAX);
    repaired = true;
  }
  // Derived from the type's first and last segments only when the caller did not say.
  const category =
    word(input.category, 64) ?? CATEGORY_BY_PREFIX.get(type.slice(0, type.indexOf('.') >>> 0)) ?? 'business';
  const action =
    word(input.action, 64) ?? ACTION_BY_WORD.get(type.slice(type.lastIndexOf('.') + 1)) ?? 'execute';
  let outcome: Outcome;
  if (input.outcome !== undefined && OUTCOMES.has(input.outcome)) outcome = input.outcome;
  else {
    if (input.outcome !== undefined) repaired = true;
    outcome = input.error !== undefined ? 'failure' : 'success';
  }
  let severity: Severity;
  if (isSeverity(input.severity)) severity = input.severity;
  else {
    if (input.severity !== undefined) repaired = true;
    severity = input.error !== undefined ? 'error' : outcome === 'failure' ? 'warning' : 'info';
  }
  return { type, category, action, outcome, severity, repaired };
}

let nowMs = -1;
let nowIso = '';
/** Whether an event id took the last `isoNow()`'s clock reading (`nowMs`) already (`takeIsoNowMs`). */
let nowMsTaken = true;

/** The current time as ISO-8601; formatted once per millisecond, however many events share it. */
export function isoNow(): string {
  const ms = Date.now();
  nowMsTaken = false;
  if (ms !== nowMs) {
    nowMs = ms;
    nowIso = new Date(ms).toISOString();
  }
  return nowIso;
}

/**
 * The clock reading behind `time` when `time` is what the last `isoNow()` returned and no event id
 * took that reading yet: the event built next gets its id from the same reading as its time, one
 * clock read instead of two (a clock read is about 0.1 µs on some virtual machines).
 */
export function takeIsoNowMs(time: string): number | undefined {
  if (nowMsTaken || time !== nowIso) return undefined;
  nowMsTaken = true;
  return nowMs;
}

/** Event time from an input override, or now. Invalid overrides fall back to now. */
export function eventTime(time: AuditInput['time']): { time: string; repaired: boolean } {
  if (time === undefined) return { time: isoNow(), repaired: false };
  const d = time instanceof Date ? time : new Date(String(time));
  if (Number.isNaN(d.getTime())) return { time: isoNow(), repaired: true };
  return { time: d.toISOString(), repaired: false };
}
