import { compilePatterns, type Pattern } from '../../admit/matcher';
import { DEFAULTS } from '../../defaults';
import { checkOption, option } from '../../option-check';
import { EVENT_FILTER } from '../../option-shapes';
import type { AuditEvent } from '../../types';
import { compileFilter, type EventPredicate } from '../filter';
import type { CommonThresholds, DetectionRule, EventFilter } from '../types';
import { asWindow, checkRuleOptions, duration, requireNumbers, stateKey, windowAdd } from './support';

export interface PrivilegeEscalationThresholds extends CommonThresholds {
  /** How long after a privilege change a sensitive access counts (ms). Default 1800000 (30 min). */
  windowMs: number;
}

export interface PrivilegeEscalationOptions extends Partial<PrivilegeEscalationThresholds> {
  /** Event types that change privileges. Default `**role**`, `**privilege**`, `**permission**`. */
  privilegeTypes?: Pattern | Pattern[];
  /** Sensitive access. Default: actions `export` and `delete`, and category `admin`. */
  sensitive?: EventFilter | EventPredicate;
}

const DEFAULT_SENSITIVE: EventPredicate = (e) =>
  e.action === 'export' || e.action === 'delete' || e.category === 'admin';

/** Whose privileges changed: the user the change was made to, else the actor who made it. */
function grantee(e: AuditEvent): string | undefined {
  return e.resource?.type === 'user' && e.resource.id ? e.resource.id : e.actor.id;
}

/** A privilege change followed, within a window, by a sensitive access by the same actor. */
export function privilegeEscalation(
  options: PrivilegeEscalationOptions = {},
): DetectionRule<PrivilegeEscalationThresholds> {
  const name = 'privilege-escalation';
  checkRuleOptions('privilegeEscalation', options, DEFAULTS.detect.rules.privilegeEscalation, [
    'privilegeTypes',
    'sensitive',
  ]);
  const { privilegeTypes, sensitive, ...rest } = options;
  const thresholds = { ...DEFAULTS.detect.rules.privilegeEscalation, ...rest };
  requireNumbers(name, thresholds, ['windowMs']);
  const matches = compilePatterns(privilegeTypes ?? DEFAULTS.detect.privilegeTypes, '.');
  // Event types are few and repeat: remember each answer instead of running the globs per event.
  const known = new Map<string, boolean>();
  const isPrivilegeChange = (type: string): boolean => {
    let hit = known.get(type);
    if (hit === undefined) {
      hit = matches(type);
      if (known.size < 1000) known.set(type, hit);
    }
    return hit;
  };
  checkOption(sensitive, option.anyOf(option.function(), EVENT_FILTER), 'sensitive', 'privilegeEscalation');
  const isSensitive = sensitive ? compileFilter(sensitive) : DEFAULT_SENSITIVE;
  return {
    name,
    severity: 'error',
    thresholds,
    observe(e, t) {
      if (e.outcome !== 'success') return undefined;
      if (isPrivilegeChange(e.type)) {
        const who = grantee(e);
        // Remembered for the window; nothing to decide yet.
        return who ? [windowAdd(stateKey(name, e.tenant, who), t.windowMs, e)] : undefined;
      }
      if (!e.actor.id || !isSensitive(e)) return undefined;
      return [{ op: 'window', key: stateKey(name, e.tenant, e.actor.id), windowMs: t.windowMs }];
    },
    decide(e, results, t) {
      if (isPrivilegeChange(e.type)) return undefined;
      const w = asWindow(results[0]);
      if (w.count === 0) return undefined;
      return {
        subject: { type: 'actor', id: e.actor.id! },
        message: `privilege change followed by sensitive access: actor ${e.actor.id} ran ${e.type} within ${duration(t.windowMs)} of a privilege change`,
        evidence: {
          count: w.count,
          windowMs: t.windowMs,
          privilegeChangeEventIds: w.samples,
          sampleEventIds: [...w.samples, e.id],
        },
      };
    },
  };
}
