import { checkOptions, type OptionShape, option, optionError } from '../../option-check';
import type { AuditEvent } from '../../types';
import type {
  AnomalySubject,
  BaselineResult,
  FirstSeenResult,
  StateOp,
  StateResult,
  WindowResult,
} from '../types';

/** Type of the events the detect stage emits; rules never look at them. */
export const ANOMALY_TYPE = 'security.anomaly';

/** A failed login, whatever the event type: `auth.login` or any event with action `login`. */
/** Who an event is about: the actor when it has an id, else the IP it came from. */
export function actorOrIp(e: AuditEvent): AnomalySubject | undefined {
  if (e.actor.id) return { type: 'actor', id: e.actor.id };
  return e.actor.ip ? { type: 'ip', id: e.actor.ip } : undefined;
}

export function isLoginFailure(e: AuditEvent): boolean {
  return e.outcome === 'failure' && (e.action === 'login' || e.type === 'auth.login');
}

/** State key of one rule, tenant and subject. `|` cannot be confused: parts are joined, never parsed. */
export function stateKey(rule: string, tenant: string | undefined, part: string, id?: string): string {
  return id === undefined ? `${rule}|${tenant ?? ''}|${part}` : `${rule}|${tenant ?? ''}|${part}|${id}`;
}

/** Adds the event to a sliding window keyed by `key`; `member` defaults to the event id. */
export function windowAdd(
  key: string,
  windowMs: number,
  e: AuditEvent,
  member = e.id,
  weight?: number,
): StateOp {
  return weight === undefined
    ? { op: 'window', key, windowMs, member, sample: e.id }
    : { op: 'window', key, windowMs, member, sample: e.id, weight };
}

export function asWindow(r: StateResult | undefined): WindowResult {
  return r !== undefined && typeof r === 'object' && 'count' in r
    ? r
    : { count: 0, sum: 0, samples: [], added: false };
}

export function asFirstSeen(r: StateResult | undefined): FirstSeenResult {
  return r !== undefined && typeof r === 'object' && 'isNew' in r ? r : { isNew: false, known: 0 };
}

export function asBaseline(r: StateResult | undefined): BaselineResult {
  return r !== undefined && typeof r === 'object' && 'mean' in r ? r : { current: 0, mean: 0, history: 0 };
}

const AMOUNT = option.number({ min: 0 });
const ANY = option.custom('any value', () => true);

/**
 * Refuses option names a rule factory does not know (a typo would silently keep the default
 * threshold), with the nearest known name. Values are checked by the factory itself.
 */
export function checkRuleOptions(
  factory: string,
  options: unknown,
  defaults: object,
  extra: readonly string[] = [],
): void {
  const shape: OptionShape = Object.fromEntries(
    [...Object.keys(defaults), 'cooldownMs', ...extra].map((key) => [key, ANY]),
  );
  checkOptions(options, shape, factory);
}

/** Checks a rule's numeric thresholds at construction, so a typo fails at startup. */
export function requireNumbers(rule: string, thresholds: object, names: readonly string[]): void {
  for (const name of names) {
    const v = (thresholds as Record<string, unknown>)[name];
    if (!AMOUNT.accepts(v)) throw optionError(rule, name, AMOUNT.expected, v);
  }
}

/** `5 min`, `90 s`, `2 h`: windows in messages. */
export function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/**
 * State keys of one rule, built once per tenant and subject. Per-event rules would otherwise make a
 * new string for every event, and the store would hash it again; a cached key keeps its hash.
 */
export function keyCache(
  rule: string,
  part: string,
  max = 10_000,
): (tenant: string | undefined, id: string) => string {
  const byTenant = new Map<string, Map<string, string>>();
  let size = 0;
  return (tenant, id) => {
    const t = tenant ?? '';
    let ids = byTenant.get(t);
    if (!ids) {
      ids = new Map();
      byTenant.set(t, ids);
    }
    let key = ids.get(id);
    if (key === undefined) {
      if (size >= max) {
        byTenant.clear();
        size = 0;
        ids = new Map();
        byTenant.set(t, ids);
      }
      key = stateKey(rule, tenant, part, id);
      ids.set(id, key);
      size++;
    }
    return key;
  };
}
