import { asList } from '../option-check';
import type {
  AuditEvent,
  SampleFunction,
  SampleMatch,
  SampleOptions,
  SampleRule,
  SamplingRuleStats,
} from '../types';
import { compilePatterns } from './matcher';

/** Decides whether a routine event is kept. Compiled once from the `sample` option. */
export interface Sampler {
  keep(event: AuditEvent): boolean;
  /** Kept / sampled-out counts per rule (the last entry is `default`); absent when nothing is sampled. */
  stats(): SamplingRuleStats[] | undefined;
}

const KEEP_ALL: Sampler = { keep: () => true, stats: () => undefined };

/** True for the sampler of an absent (or rate 1, rule-free) `sample` option: it keeps everything. */
export function keepsAll(sampler: Sampler): boolean {
  return sampler === KEEP_ALL;
}
const IMPORTANT_SEVERITIES = new Set(['warning', 'error', 'critical']);

/** One rate and its exceptions, with its counters: a rule, or the global `default`. */
interface Policy {
  readonly name: string;
  readonly rate: number;
  readonly keepFailures: boolean;
  readonly keepSecurity: boolean;
  readonly keepSlow: boolean;
  kept: number;
  sampledOut: number;
}

interface CompiledRule {
  readonly matches: (event: AuditEvent) => boolean;
  readonly policy: Policy;
}

/**
 * Every criterion given must match (AND); a criterion given as a list matches any entry (OR).
 * The option's shape was checked by `checkOptions` (SAMPLE_OPTION) before this runs.
 */
function compileMatch(match: SampleMatch): (event: AuditEvent) => boolean {
  const tests: Array<(event: AuditEvent) => boolean> = [];
  if (match.route !== undefined) {
    const route = compilePatterns(match.route, '/');
    tests.push((e) => typeof e.request?.route === 'string' && route(e.request.route));
  }
  if (match.path !== undefined) {
    const path = compilePatterns(match.path, '/');
    tests.push((e) => typeof e.request?.path === 'string' && path(e.request.path));
  }
  if (match.method !== undefined) {
    const methods = new Set(asList(match.method).map((m) => String(m).toUpperCase()));
    tests.push((e) => typeof e.request?.method === 'string' && methods.has(e.request.method.toUpperCase()));
  }
  if (match.type !== undefined) {
    const type = compilePatterns(match.type, '.');
    tests.push((e) => type(e.type));
  }
  if (match.category !== undefined) {
    const categories = new Set(asList(match.category).map(String));
    tests.push((e) => categories.has(e.category));
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  return (e) => {
    for (const t of tests) if (!t(e)) return false;
    return true;
  };
}

function policy(name: string, rate: number, from: SampleRule | SampleOptions, base?: Policy): Policy {
  return {
    name,
    rate,
    keepFailures: from.keepFailures ?? base?.keepFailures ?? true,
    keepSecurity: from.keepSecurity ?? base?.keepSecurity ?? true,
    keepSlow: from.keepSlow ?? base?.keepSlow ?? true,
    kept: 0,
    sampledOut: 0,
  };
}

/**
 * Compiles `sample` once: rules in order (the first that matches decides), else the global rate.
 * With `byCorrelationId` the decision is `hash(correlationId) < rate`, so a request's events are
 * kept together in every process, and an id kept at a lower rate is kept at every higher one.
 */
export function compileSampler(
  sample: SampleOptions | SampleFunction | undefined,
  slowThresholdMs: number,
): Sampler {
  if (sample === undefined) return KEEP_ALL;
  if (typeof sample === 'function') return { keep: sample, stats: () => undefined };
  const rate = sample.rate ?? 1;
  const rules = sample.rules ?? [];
  if (rate >= 1 && rules.length === 0) return KEEP_ALL;
  const fallback = policy('default', rate, sample);
  const compiled: CompiledRule[] = rules.map((rule: SampleRule, i) => ({
    matches: compileMatch(rule.match),
    policy: policy(rule.name ?? `rule ${i}`, rule.rate, rule, fallback),
  }));
  const random = sample.random ?? Math.random;
  const byCorrelationId = sample.byCorrelationId ?? false;

  const decide = (p: Policy, event: AuditEvent): boolean => {
    if (p.rate >= 1) return true;
    if (p.keepFailures && event.outcome !== 'success') return true;
    if (p.keepSecurity && (event.category === 'security' || IMPORTANT_SEVERITIES.has(event.severity)))
      return true;
    if (p.keepSlow && (event.request?.durationMs ?? 0) >= slowThresholdMs) return true;
    if (p.rate <= 0) return false;
    const id = byCorrelationId ? event.correlationId : undefined;
    return (id ? unitHash(id) : random()) < p.rate;
  };
  return {
    keep(event) {
      let p = fallback;
      for (const rule of compiled) {
        if (rule.matches(event)) {
          p = rule.policy;
          break;
        }
      }
      const kept = decide(p, event);
      if (kept) p.kept++;
      else p.sampledOut++;
      return kept;
    },
    stats: () =>
      [...compiled.map((r) => r.policy), fallback].map(({ name, kept, sampledOut }) => ({
        name,
        kept,
        sampledOut,
      })),
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
