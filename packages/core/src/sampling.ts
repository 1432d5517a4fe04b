import { compilePatterns, type Pattern } from './matcher';
import type {
  AuditEvent,
  SampleFunction,
  SampleMatch,
  SampleOptions,
  SampleRule,
  SamplingRuleStats,
} from './types';

/** Decides whether a routine event is kept. Compiled once from the `sample` option. */
export interface Sampler {
  keep(event: AuditEvent): boolean;
  /** Kept / sampled-out counts per rule (the last entry is `default`); absent when nothing is sampled. */
  stats(): SamplingRuleStats[] | undefined;
}

const KEEP_ALL: Sampler = { keep: () => true, stats: () => undefined };
const IMPORTANT_SEVERITIES = new Set(['warning', 'error', 'critical']);
const MATCH_KEYS = new Set(['route', 'path', 'method', 'type', 'category']);

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

function checkRate(name: string, rate: unknown): number {
  if (typeof rate !== 'number' || Number.isNaN(rate) || rate < 0 || rate > 1) {
    throw new RangeError(`auditkit: ${name} must be a number from 0 to 1, got ${String(rate)}`);
  }
  return rate;
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? value : [value as T];
}

/** Every criterion given must match (AND); a criterion given as a list matches any entry (OR). */
function compileMatch(match: SampleMatch, name: string): (event: AuditEvent) => boolean {
  if (match === null || typeof match !== 'object')
    throw new TypeError(`auditkit: ${name}.match must be an object`);
  for (const key of Object.keys(match)) {
    if (!MATCH_KEYS.has(key))
      throw new TypeError(
        `auditkit: ${name}.match has unknown key "${key}" (route, path, method, type, category)`,
      );
  }
  const tests: Array<(event: AuditEvent) => boolean> = [];
  const patterns = (value: Pattern | readonly Pattern[], separator: '/' | '.') =>
    compilePatterns(list(value), separator);
  if (match.route !== undefined) {
    const route = patterns(match.route, '/');
    tests.push((e) => typeof e.request?.route === 'string' && route(e.request.route));
  }
  if (match.path !== undefined) {
    const path = patterns(match.path, '/');
    tests.push((e) => typeof e.request?.path === 'string' && path(e.request.path));
  }
  if (match.method !== undefined) {
    const methods = new Set(list(match.method).map((m) => String(m).toUpperCase()));
    tests.push((e) => typeof e.request?.method === 'string' && methods.has(e.request.method.toUpperCase()));
  }
  if (match.type !== undefined) {
    const type = patterns(match.type, '.');
    tests.push((e) => type(e.type));
  }
  if (match.category !== undefined) {
    const categories = new Set(list(match.category).map(String));
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
  if (sample === null || typeof sample !== 'object')
    throw new TypeError('auditkit: sample must be an object or a function');
  const rate = checkRate('sample.rate', sample.rate ?? 1);
  const rules = sample.rules ?? [];
  if (!Array.isArray(rules)) throw new TypeError('auditkit: sample.rules must be an array');
  if (rate >= 1 && rules.length === 0) return KEEP_ALL;
  const fallback = policy('default', rate, sample);
  const compiled: CompiledRule[] = rules.map((rule: SampleRule, i) => {
    const name = `sample.rules[${i}]`;
    if (rule === null || typeof rule !== 'object') throw new TypeError(`auditkit: ${name} must be an object`);
    return {
      matches: compileMatch(rule.match, name),
      policy: policy(rule.name ?? `rule ${i}`, checkRate(`${name}.rate`, rule.rate), rule, fallback),
    };
  });
  const random = sample.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('auditkit: sample.random must be a function');
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
