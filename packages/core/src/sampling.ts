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
  const byCorrelationId = sample.byCorrelationId ?? false;
  return (event) => {
    if (keepFailures && event.outcome !== 'success') return true;
    if (keepSecurity && (event.category === 'security' || IMPORTANT_SEVERITIES.has(event.severity)))
      return true;
    if (keepSlow && (event.request?.durationMs ?? 0) >= slowThresholdMs) return true;
    const id = byCorrelationId ? event.correlationId : undefined;
    return (id ? unitHash(id) : random()) < rate;
  };
}

/** FNV-1a of a string mapped to [0, 1): the same id gives the same decision in every process. */
export function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x100000000;
}
