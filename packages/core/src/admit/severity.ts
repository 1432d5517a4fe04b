import type { Severity } from '../types';

/** Severities in increasing order; the index is the rank. */
export const SEVERITIES: readonly Severity[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical'];

const RANK = new Map<string, number>(SEVERITIES.map((s, i) => [s, i]));

/** Rank of a severity, or -1 for an unknown one. */
export function severityRank(severity: string): number {
  return RANK.get(severity) ?? -1;
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && RANK.has(value);
}
