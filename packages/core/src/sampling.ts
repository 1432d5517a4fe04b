import type { AuditEvent, SampleFunction, SampleOptions } from './types';

/** Decides whether a routine event is kept. Compiled once from the `sample` option. */
export type Sampler = (event: AuditEvent) => boolean;

const KEEP_ALL: Sampler = () => true;
const IMPORTANT_SEVERITIES = new Set(['warning', 'error', 'critical']);

export function compileSampler(
  sample: SampleOptions | SampleFunction | undefined,
  slowThresholdMs: number,
): Sampler {
  if (sample === undefined) return KEEP_ALL;
  if (typeof sample === 'function') return sample;
  const rate = sample.rate ?? 1;
  if (typeof rate !== 'number' || Number.isNaN(rate) || rate < 0 || rate > 1) {
    throw new RangeError(`auditkit: sample.rate must be a number from 0 to 1, got ${String(rate)}`);
  }
  if (rate >= 1) return KEEP_ALL;
  const keepFailures = sample.keepFailures ?? true;
  const keepSecurity = sample.keepSecurity ?? true;
  const keepSlow = sample.keepSlow ?? true;
  const random = sample.random ?? Math.random;
  return (event) => {
    if (keepFailures && event.outcome !== 'success') return true;
    if (keepSecurity && (event.category === 'security' || IMPORTANT_SEVERITIES.has(event.severity)))
      return true;
    if (keepSlow && (event.request?.durationMs ?? 0) >= slowThresholdMs) return true;
    return random() < rate;
  };
}
