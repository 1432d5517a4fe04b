import { DEFAULTS } from '../defaults';
import { type AuditOptionError, checkOption, nearestKey, option, optionProblem } from '../option-check';
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

const WHERE = 'createAuditLogger';
const AMOUNT = option.number({ min: 0 });

/** A name that is not among `known` (rules, thresholds), with the nearest one when it is close. */
function unknownName(
  path: string,
  problem: string,
  name: string,
  known: readonly string[],
): AuditOptionError {
  const near = nearestKey(name, known);
  const hint = near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`;
  return optionProblem(WHERE, path, `${path} is unknown: ${problem}; ${hint}`);
}

/** Binds every rule to its thresholds, per tenant, once; the option's shape was checked by `checkOptions`. */
export function resolveDetect(options: DetectOptions | true | undefined): ResolvedDetect | undefined {
  if (options === undefined) return undefined;
  const o: DetectOptions = options === true ? {} : options;
  const rules = o.rules ?? defaultRules();
  const names = new Set<string>();
  rules.forEach((rule, i) => {
    if (names.has(rule.name))
      throw optionProblem(
        WHERE,
        `detect.rules[${i}]`,
        `detect.rules[${i}] repeats the rule name "${rule.name}"; rule names must be unique`,
      );
    names.add(rule.name);
  });
  const cooldownMs = o.cooldownMs ?? DEFAULTS.detect.cooldownMs;
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
        throw unknownName(`${where}.${k}`, `rule "${rule.name}" has no threshold "${k}"`, k, [
          ...Object.keys(defaults),
          'cooldownMs',
        ]);
      if (typeof defaults[k] === 'number' || k === 'cooldownMs')
        checkOption(v, AMOUNT, `${where}.${k}`, WHERE);
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
    for (const name of Object.keys(perRule))
      if (!names.has(name))
        throw unknownName(`detect.tenants.${tenant}.${name}`, `no rule named "${name}"`, name, [...names]);
    const bound: BoundRule[] = [];
    for (const rule of rules) {
      const over = perRule[rule.name];
      if (over === false) continue;
      bound.push(bind(rule, over, `detect.tenants.${tenant}.${rule.name}`));
    }
    tenants.set(tenant, bound);
  }
  return {
    rules: rules.map((r) => bind(r, undefined, 'detect')),
    tenants,
    store: o.state ?? memoryDetectionStore(),
    now: o.now ?? Date.now,
    maxPending: o.maxPending ?? DEFAULTS.detect.maxPending,
  };
}
