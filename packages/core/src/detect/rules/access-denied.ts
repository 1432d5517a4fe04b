import { DEFAULTS } from '../../defaults';
import type { AuditEvent } from '../../types';
import type { CommonThresholds, DetectionRule } from '../types';
import {
  actorOrIp,
  asWindow,
  checkRuleOptions,
  duration,
  requireNumbers,
  stateKey,
  windowAdd,
} from './support';

export interface AccessDeniedThresholds extends CommonThresholds {
  /** Access-denied results for one subject (actor id, else IP) within the window. Default 10. */
  threshold: number;
  /** Sliding window (ms). Default 60000. */
  windowMs: number;
}

/** An authorization failure: a denied business event or a 403 response. */
function isDenied(e: AuditEvent): boolean {
  if (e.outcome !== 'failure') return false;
  return e.category === 'authorization' || e.type === 'access.denied' || e.request?.status === 403;
}

/** A burst of access-denied results for one actor (or one IP when anonymous). */
export function accessDeniedBurst(
  options: Partial<AccessDeniedThresholds> = {},
): DetectionRule<AccessDeniedThresholds> {
  const name = 'access-denied-burst';
  checkRuleOptions('accessDeniedBurst', options, DEFAULTS.detect.rules.accessDenied);
  const thresholds = { ...DEFAULTS.detect.rules.accessDenied, ...options };
  requireNumbers(name, thresholds, ['threshold', 'windowMs']);
  return {
    name,
    severity: 'warning',
    thresholds,
    observe(e, t) {
      if (!isDenied(e)) return undefined;
      const subject = actorOrIp(e);
      if (!subject) return undefined;
      // One denial per request: the `access.denied` event and the 403 response of one request count once.
      return [
        windowAdd(stateKey(name, e.tenant, subject.type, subject.id), t.windowMs, e, e.request?.id ?? e.id),
      ];
    },
    decide(e, results, t) {
      const w = asWindow(results[0]);
      const subject = actorOrIp(e)!;
      if (w.count < t.threshold) return undefined;
      return {
        subject,
        message: `${w.count} access-denied results for ${subject.type} ${subject.id} within ${duration(t.windowMs)}`,
        evidence: { count: w.count, threshold: t.threshold, windowMs: t.windowMs, sampleEventIds: w.samples },
      };
    },
  };
}
