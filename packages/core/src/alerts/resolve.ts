import { compileFilter, type EventPredicate } from '../detect/filter';
import type { DetectionStore } from '../detect/types';
import { DEFAULTS } from '../options';
import type { AuditEvent } from '../types';
import type { AlertChannel, AlertOptions } from './types';

export interface ResolvedRoute {
  name: string;
  /** `*` or the kinds taken; undefined for a filter-only route. */
  kinds: Set<string> | '*' | undefined;
  match: EventPredicate | undefined;
  channels: AlertChannel[];
  cooldownMs: number;
  rateLimit: { max: number; windowMs: number } | undefined;
  groupWindowMs: number;
  escalate: { afterMs: number; channels: AlertChannel[] } | undefined;
  subject: ((event: AuditEvent) => string | undefined) | undefined;
}

export interface ResolvedAlerts {
  channels: AlertChannel[];
  routes: ResolvedRoute[];
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
  state: DetectionStore | undefined;
  maxAlerts: number;
  now: (() => number) | undefined;
}

function ms(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
    throw new RangeError(`auditkit: ${name} must be a finite number >= 0, got ${String(value)}`);
  return value;
}

/** Validates the `alerts` option and links routes to their channels, once. */
export function resolveAlerts(options: AlertOptions | undefined): ResolvedAlerts | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object')
    throw new TypeError('auditkit: alerts must be an object');
  const { channels, routes } = options;
  if (!Array.isArray(channels)) throw new TypeError('auditkit: alerts.channels must be an array');
  if (!Array.isArray(routes)) throw new TypeError('auditkit: alerts.routes must be an array');
  const byName = new Map<string, AlertChannel>();
  for (const c of channels) {
    if (!c || typeof c.name !== 'string' || typeof c.send !== 'function')
      throw new TypeError('auditkit: every alert channel needs a name and send()');
    if (byName.has(c.name)) throw new TypeError(`auditkit: alert channel names must be unique: "${c.name}"`);
    byName.set(c.name, c);
  }
  const channelsOf = (names: unknown, where: string): AlertChannel[] => {
    if (!Array.isArray(names) || names.length === 0)
      throw new TypeError(`auditkit: ${where} must name at least one channel`);
    return names.map((n) => {
      const c = byName.get(n);
      if (!c) throw new TypeError(`auditkit: ${where}: no channel named "${String(n)}"`);
      return c;
    });
  };
  const cooldownMs = ms('alerts.cooldownMs', options.cooldownMs ?? DEFAULTS.alerts.cooldownMs);
  const groupWindowMs = ms('alerts.groupWindowMs', options.groupWindowMs ?? DEFAULTS.alerts.groupWindowMs);
  const names = new Set<string>();
  const resolved = routes.map((r, i): ResolvedRoute => {
    if (!r || typeof r.name !== 'string' || r.name.length === 0)
      throw new TypeError(`auditkit: alerts.routes[${i}] needs a name`);
    if (names.has(r.name)) throw new TypeError(`auditkit: alert route names must be unique: "${r.name}"`);
    names.add(r.name);
    const where = `alerts.routes.${r.name}`;
    if (r.kinds === undefined && r.match === undefined)
      throw new TypeError(`auditkit: ${where} needs kinds or match`);
    if (r.kinds !== undefined && r.kinds !== '*' && !Array.isArray(r.kinds))
      throw new TypeError(`auditkit: ${where}.kinds must be an array of anomaly kinds or '*'`);
    if (r.rateLimit !== undefined) {
      ms(`${where}.rateLimit.max`, r.rateLimit?.max);
      ms(`${where}.rateLimit.windowMs`, r.rateLimit?.windowMs);
    }
    if (r.subject !== undefined && typeof r.subject !== 'function')
      throw new TypeError(`auditkit: ${where}.subject must be a function`);
    return {
      name: r.name,
      kinds: r.kinds === '*' ? '*' : r.kinds ? new Set(r.kinds) : undefined,
      match: r.match !== undefined ? compileFilter(r.match, `${where}.match`) : undefined,
      channels: channelsOf(r.channels, `${where}.channels`),
      cooldownMs: ms(`${where}.cooldownMs`, r.cooldownMs ?? cooldownMs),
      rateLimit: r.rateLimit ? { max: r.rateLimit.max, windowMs: r.rateLimit.windowMs } : undefined,
      groupWindowMs: ms(`${where}.groupWindowMs`, r.groupWindowMs ?? groupWindowMs),
      escalate: r.escalate
        ? {
            afterMs: ms(`${where}.escalate.afterMs`, r.escalate.afterMs),
            channels: channelsOf(r.escalate.channels, `${where}.escalate.channels`),
          }
        : undefined,
      subject: r.subject,
    };
  });
  const retry = { ...DEFAULTS.alerts.retry, ...options.retry };
  for (const [k, v] of Object.entries(retry)) ms(`alerts.retry.${k}`, v);
  if (retry.attempts < 1) throw new RangeError('auditkit: alerts.retry.attempts must be >= 1');
  if (options.state !== undefined && typeof options.state?.apply !== 'function')
    throw new TypeError('auditkit: alerts.state must have apply()');
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new TypeError('auditkit: alerts.now must be a function');
  return {
    channels,
    routes: resolved,
    retry,
    state: options.state,
    maxAlerts: ms('alerts.maxAlerts', options.maxAlerts ?? DEFAULTS.alerts.maxAlerts),
    now: options.now,
  };
}
