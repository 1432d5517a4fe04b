import { DEFAULTS } from '../../defaults';
import type { CommonThresholds, DetectionRule } from '../types';
import { asBaseline, checkRuleOptions, duration, keyCache, requireNumbers } from './support';

export interface RateSpikeThresholds extends CommonThresholds {
  /** Width of one rate bucket (ms). Default 60000. */
  bucketMs: number;
  /** Buckets in the rolling baseline. Default 60. */
  buckets: number;
  /** A bucket this many times the actor's mean is a spike. Default 5. */
  factor: number;
  /** Fewer events than this in a bucket are never a spike. Default 30. */
  minCount: number;
  /** Buckets of history an actor needs before it can spike (its baseline must mean something). Default 10. */
  minHistory: number;
}

/** A request-rate spike: an actor's events per bucket far above its own rolling baseline. */
export function rateSpike(options: Partial<RateSpikeThresholds> = {}): DetectionRule<RateSpikeThresholds> {
  const name = 'rate-spike';
  checkRuleOptions('rateSpike', options, DEFAULTS.detect.rules.rateSpike);
  const thresholds = { ...DEFAULTS.detect.rules.rateSpike, ...options };
  requireNumbers(name, thresholds, ['bucketMs', 'buckets', 'factor', 'minCount', 'minHistory']);
  if (thresholds.bucketMs < 1 || thresholds.buckets < 1)
    throw new RangeError('auditkit: rate-spike.bucketMs and buckets must be >= 1');
  const keyOf = keyCache(name, 'actor');
  return {
    name,
    severity: 'warning',
    thresholds,
    observe(e, t) {
      // Per-request events (category `api`): business events inside a request would count it twice.
      const id = e.actor.id;
      if (!id || e.category !== 'api') return undefined;
      return [{ op: 'baseline', key: keyOf(e.tenant, id), bucketMs: t.bucketMs, buckets: t.buckets }];
    },
    decide(e, results, t) {
      const b = asBaseline(results[0]);
      if (b.current < t.minCount || b.history < t.minHistory || b.current <= b.mean * t.factor)
        return undefined;
      const mean = Math.round(b.mean * 100) / 100;
      return {
        subject: { type: 'actor', id: e.actor.id! },
        message: `request-rate spike: actor ${e.actor.id} made ${b.current} requests in ${duration(t.bucketMs)}, ${t.factor}x above its baseline of ${mean}`,
        evidence: {
          count: b.current,
          windowMs: t.bucketMs,
          baselinePerWindow: mean,
          factor: t.factor,
          historyWindows: b.history,
          sampleEventIds: [e.id],
        },
      };
    },
  };
}
