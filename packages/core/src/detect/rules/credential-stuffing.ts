import { DEFAULTS } from '../../defaults';
import type { CommonThresholds, DetectionRule } from '../types';
import { asWindow, checkRuleOptions, duration, isLoginFailure, requireNumbers, stateKey } from './support';

export interface CredentialStuffingThresholds extends CommonThresholds {
  /** Distinct actor ids failing to log in from one IP within the window. Default 10. */
  distinctActors: number;
  /** Sliding window (ms). Default 600000 (10 min). */
  windowMs: number;
}

/** Credential stuffing / password spraying: many distinct actors failing to log in from one IP. */
export function credentialStuffing(
  options: Partial<CredentialStuffingThresholds> = {},
): DetectionRule<CredentialStuffingThresholds> {
  const name = 'credential-stuffing';
  checkRuleOptions('credentialStuffing', options, DEFAULTS.detect.rules.credentialStuffing);
  const thresholds = { ...DEFAULTS.detect.rules.credentialStuffing, ...options };
  requireNumbers(name, thresholds, ['distinctActors', 'windowMs']);
  return {
    name,
    severity: 'error',
    thresholds,
    observe(e, t) {
      if (!isLoginFailure(e) || !e.actor.ip || !e.actor.id) return undefined;
      // The set's members are actor ids: the count is how many different accounts were tried.
      return [
        {
          op: 'window',
          key: stateKey(name, e.tenant, 'ip', e.actor.ip),
          windowMs: t.windowMs,
          member: e.actor.id,
          sample: e.id,
        },
      ];
    },
    decide(e, results, t) {
      const w = asWindow(results[0]);
      if (w.count < t.distinctActors) return undefined;
      return {
        subject: { type: 'ip', id: e.actor.ip! },
        message: `credential stuffing: ${w.count} different accounts failed to log in from IP ${e.actor.ip} within ${duration(t.windowMs)}`,
        evidence: {
          count: w.count,
          threshold: t.distinctActors,
          windowMs: t.windowMs,
          sampleEventIds: w.samples,
        },
      };
    },
  };
}
