import { DEFAULTS } from '../../defaults';
import type { Anomaly, CommonThresholds, DetectionRule, StateOp } from '../types';
import {
  asWindow,
  checkRuleOptions,
  duration,
  isLoginFailure,
  requireNumbers,
  stateKey,
  windowAdd,
} from './support';

export interface BruteForceThresholds extends CommonThresholds {
  /** Failed logins for one actor id within the window. Default 5. */
  maxFailuresPerActor: number;
  /** Failed logins from one IP within the window (higher: many users can share an IP). Default 20. */
  maxFailuresPerIp: number;
  /** Sliding window (ms). Default 300000 (5 min). */
  windowMs: number;
}

/** N failed logins for one actor, or from one IP, within a window. */
export function bruteForce(options: Partial<BruteForceThresholds> = {}): DetectionRule<BruteForceThresholds> {
  const name = 'brute-force';
  checkRuleOptions('bruteForce', options, DEFAULTS.detect.rules.bruteForce);
  const thresholds = { ...DEFAULTS.detect.rules.bruteForce, ...options };
  requireNumbers(name, thresholds, ['maxFailuresPerActor', 'maxFailuresPerIp', 'windowMs']);
  return {
    name,
    severity: 'error',
    thresholds,
    observe(e, t) {
      if (!isLoginFailure(e)) return undefined;
      const ops: StateOp[] = [];
      // A request id as member: a login failure recorded twice for one request counts once.
      const member = e.request?.id ?? e.id;
      if (e.actor.id)
        ops.push(windowAdd(stateKey(name, e.tenant, 'actor', e.actor.id), t.windowMs, e, member));
      if (e.actor.ip) ops.push(windowAdd(stateKey(name, e.tenant, 'ip', e.actor.ip), t.windowMs, e, member));
      return ops.length > 0 ? ops : undefined;
    },
    decide(e, results, t) {
      const found: Anomaly[] = [];
      let i = 0;
      const check = (type: 'actor' | 'ip', id: string, threshold: number) => {
        const w = asWindow(results[i++]);
        if (w.count < threshold) return;
        found.push({
          subject: { type, id },
          message: `brute force: ${w.count} failed logins ${type === 'actor' ? 'for actor' : 'from IP'} ${id} within ${duration(t.windowMs)}`,
          evidence: { count: w.count, threshold, windowMs: t.windowMs, sampleEventIds: w.samples },
        });
      };
      if (e.actor.id) check('actor', e.actor.id, t.maxFailuresPerActor);
      if (e.actor.ip) check('ip', e.actor.ip, t.maxFailuresPerIp);
      return found;
    },
  };
}
