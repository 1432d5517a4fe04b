import { DEFAULTS } from '../defaults';
import { compileFilter, type EventPredicate } from '../detect/filter';
import type { DetectionStore } from '../detect/types';
import { type AuditOptionError, asList, definedOnly, optionProblem } from '../option-check';
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
  closeGraceMs: number;
  now: (() => number) | undefined;
}

const WHERE = 'createAuditLogger';

/** A cross-reference problem (names that must be unique or must exist), at `path`. */
function invalid(path: string, problem: string): AuditOptionError {
  return optionProblem(WHERE, path, `${path} ${problem}`);
}

/** Links routes to their channels, once; the option's shape was checked by `checkOptions`. */
export function resolveAlerts(options: AlertOptions | undefined): ResolvedAlerts | undefined {
  if (options === undefined) return undefined;
  const { channels, routes } = options;
  const byName = new Map<string, AlertChannel>();
  channels.forEach((c, i) => {
    if (byName.has(c.name)) throw invalid(`alerts.channels[${i}]`, `repeats the channel name "${c.name}"`);
    byName.set(c.name, c);
  });
  const channelsOf = (names: string | string[], path: string): AlertChannel[] => {
    const list = asList(names);
    if (list.length === 0) throw invalid(path, 'must name at least one channel');
    return list.map((n) => {
      const c = byName.get(n);
      if (!c) throw invalid(path, `names no known channel: "${n}"`);
      return c;
    });
  };
  const cooldownMs = options.cooldownMs ?? DEFAULTS.alerts.cooldownMs;
  const groupWindowMs = options.groupWindowMs ?? DEFAULTS.alerts.groupWindowMs;
  const names = new Set<string>();
  const resolved = routes.map((r, i): ResolvedRoute => {
    const where = `alerts.routes[${i}]`;
    if (names.has(r.name)) throw invalid(`${where}.name`, `repeats the route name "${r.name}"`);
    names.add(r.name);
    if (r.kinds === undefined && r.match === undefined) throw invalid(where, 'needs kinds or match');
    return {
      name: r.name,
      kinds: r.kinds === '*' ? '*' : r.kinds !== undefined ? new Set(asList(r.kinds)) : undefined,
      match: r.match !== undefined ? compileFilter(r.match) : undefined,
      channels: channelsOf(r.channels, `${where}.channels`),
      cooldownMs: r.cooldownMs ?? cooldownMs,
      rateLimit: r.rateLimit ? { max: r.rateLimit.max, windowMs: r.rateLimit.windowMs } : undefined,
      groupWindowMs: r.groupWindowMs ?? groupWindowMs,
      escalate: r.escalate
        ? {
            afterMs: r.escalate.afterMs,
            channels: channelsOf(r.escalate.channels, `${where}.escalate.channels`),
          }
        : undefined,
      subject: r.subject,
    };
  });
  return {
    channels,
    routes: resolved,
    retry: { ...DEFAULTS.alerts.retry, ...definedOnly(options.retry) },
    state: options.state,
    maxAlerts: options.maxAlerts ?? DEFAULTS.alerts.maxAlerts,
    closeGraceMs: options.closeGraceMs ?? DEFAULTS.alerts.closeGraceMs,
    now: options.now,
  };
}
