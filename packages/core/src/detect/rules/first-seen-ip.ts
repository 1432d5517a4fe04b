import { DEFAULTS } from '../../defaults';
import type { CommonThresholds, DetectionRule } from '../types';
import { asFirstSeen, checkRuleOptions, keyCache, requireNumbers } from './support';

export interface FirstSeenIpThresholds extends CommonThresholds {
  /** An actor's known IPs are forgotten after this long without activity (ms). Default 7776000000 (90 days). */
  ttlMs: number;
}

/**
 * A known actor acting from an IP it never used before. The very first IP of an actor is learnt
 * silently; from the second on, each new one is an anomaly.
 */
export function firstSeenIp(
  options: Partial<FirstSeenIpThresholds> = {},
): DetectionRule<FirstSeenIpThresholds> {
  const name = 'first-seen-ip';
  checkRuleOptions('firstSeenIp', options, DEFAULTS.detect.rules.firstSeenIp);
  const thresholds = { ...DEFAULTS.detect.rules.firstSeenIp, ...options };
  requireNumbers(name, thresholds, ['ttlMs']);
  const keyOf = keyCache(name, 'actor');
  return {
    name,
    severity: 'notice',
    thresholds,
    observe(e, t) {
      // Only what the actor did successfully: a failed login from a new IP is brute force's business.
      if (!e.actor.id || !e.actor.ip || e.outcome === 'failure') return undefined;
      return [{ op: 'firstSeen', key: keyOf(e.tenant, e.actor.id), member: e.actor.ip, ttlMs: t.ttlMs }];
    },
    decide(e, results) {
      const r = asFirstSeen(results[0]);
      if (!r.isNew || r.known === 0) return undefined;
      return {
        subject: { type: 'actor', id: e.actor.id! },
        message: `actor ${e.actor.id} seen for the first time from IP ${e.actor.ip}`,
        evidence: { count: 1, ip: e.actor.ip, knownIps: r.known, sampleEventIds: [e.id] },
      };
    },
  };
}
