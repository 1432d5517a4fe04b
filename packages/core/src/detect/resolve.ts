import { DEFAULTS } from '../options';
import { memoryDetectionStore } from './memory-store';
import { defaultRules } from './rules';
import type { CommonThresholds, DetectionRule, DetectionStore, DetectOptions, RuleStats } from './types';

/** A rule with the thresholds in force for one tenant (or the defaults). */
export interface BoundRule {
  rule: DetectionRule;
  thresholds: CommonThresholds;
  cooldownMs: number;
  stats: RuleStats;
}

export interface ResolvedDetect {
  rules: BoundRule[];
  /** Only tenants with overrides have an entry; the rest use `rules`. */
  tenants: Map<string, BoundRule[]>;
  store: DetectionStore;
  now: () => number;
  maxPending: number;
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
    throw new RangeError(`auditkit: ${name} must be a finite number >= 0, got ${String(value)}`);
  return value;
}

/** Validates the `detect` option and binds every rule to its thresholds, per tenant, once. */
export function resolveDetect(options: DetectOptions | true | undefined): ResolvedDetect | undefined {
  if (options === undefined) return undefined;
  const o: DetectOptions = options === true ? {} : options;
  if (o === null || typeof o !== 'object') throw new TypeError('auditkit: detect must be an object');
  const rules = o.rules ?? defaultRules();
  if (!Array.isArray(rules)) throw new TypeError('auditkit: detect.rules must be an array');
  const names = new Set<string>();
  for (const rule of rules) {
    if (
      !rule ||
      typeof rule.name !== 'string' ||
      typeof rule.observe !== 'function' ||
      typeof rule.decide !== 'function'
    )
      throw new TypeError('auditkit: every detection rule needs a name, observe() and decide()');
    if (names.has(rule.name))
      throw new TypeError(`auditkit: detection rule names must be unique: "${rule.name}"`);
    names.add(rule.name);
  }
  const cooldownMs = nonNegative('detect.cooldownMs', o.cooldownMs ?? DEFAULTS.detect.cooldownMs);
  const stats = new Map(rules.map((r) => [r.name, { fired: 0, suppressed: 0 }]));
  const bind = (
    rule: DetectionRule,
    overrides: Record<string, unknown> | undefined,
    where: string,
  ): BoundRule => {
    const defaults = rule.thresholds as Record<string, unknown>;
    const thresholds: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(overrides ?? {})) {
      if (!(k in defaults) && k !== 'cooldownMs')
        throw new TypeError(`auditkit: ${where}: rule "${rule.name}" has no threshold "${k}"`);
      if (typeof defaults[k] === 'number' || k === 'cooldownMs') nonNegative(`${where}.${k}`, v);
      thresholds[k] = v;
    }
    return {
      rule,
      thresholds,
      cooldownMs: (thresholds.cooldownMs as number | undefined) ?? cooldownMs,
      stats: stats.get(rule.name)!,
    };
  };
  const tenants = new Map<string, BoundRule[]>();
  for (const [tenant, perRule] of Object.entries(o.tenants ?? {})) {
    if (perRule === null || typeof perRule !== 'object')
      throw new TypeError(`auditkit: detect.tenants.${tenant} must be an object`);
    for (const name of Object.keys(perRule))
      if (!names.has(name))
        throw new TypeError(`auditkit: detect.tenants.${tenant}: no rule named "${name}"`);
    const bound: BoundRule[] = [];
    for (const rule of rules) {
      const over = perRule[rule.name];
      if (over === false) continue;
      bound.push(bind(rule, over, `detect.tenants.${tenant}.${rule.name}`));
    }
    tenants.set(tenant, bound);
  }
  const store = o.state ?? memoryDetectionStore();
  if (!store || typeof store.apply !== 'function')
    throw new TypeError('auditkit: detect.state must have apply()');
  if (o.now !== undefined && typeof o.now !== 'function')
    throw new TypeError('auditkit: detect.now must be a function');
  return {
    rules: rules.map((r) => bind(r, undefined, 'detect')),
    tenants,
    store,
    now: o.now ?? Date.now,
    maxPending: nonNegative('detect.maxPending', o.maxPending ?? DEFAULTS.detect.maxPending),
  };
}
