/**
 * A deterministic set of events for the store contract tests: three tenants, many events sharing
 * a millisecond (so `(time, id)` ties are paged by id), and values that are hostile to SQL, LIKE
 * and regular expressions, stored literally so a query for them must find exactly these.
 */
import type { AuditEvent, AuditStore } from '@auditkit/core';
import { createBatch } from '@auditkit/core';

/** Values an injection would use; each is also stored as an actor id, so exact matches are checkable. */
export const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  "x' OR 'a'='a",
  '%',
  '_',
  'a%b',
  'a_b',
  '\\',
  'back\\slash',
  '.*',
  '(a+)+$',
  '[abc]',
  '$ne',
  '{"$gt":""}',
  'a"b',
  'ünï ✓',
];

export const TENANTS = ['acme', 'globex', 'initech'] as const;
export const TYPES = [
  'auth.login',
  'auth.logout',
  'auth.mfa.challenge',
  'data.update',
  'data.export',
  'authz.denied',
];
export const ACTORS = ['u-alice', 'u-bob', 'svc-billing', ...HOSTILE_STRINGS];
const RESOURCES = ['invoice', 'user', 'report'];
const OUTCOMES = ['success', 'failure', 'unknown'] as const;
const CATEGORIES = ['authentication', 'data', 'security'];
const SEVERITIES = ['info', 'warning', 'error'] as const;

/** A small deterministic generator (mulberry32), so every store sees the same events. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CONTRACT_START = Date.UTC(2026, 0, 1);

/** `count` events over a few days; ids are random hex, so id order differs from write order. */
export function contractEvents(count: number, seed = 7): AuditEvent[] {
  const r = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const events: AuditEvent[] = [];
  for (let i = 0; i < count; i++) {
    // Several events per millisecond: ties broken by id.
    const time = new Date(CONTRACT_START + Math.floor(r() * (count / 3)) * 60_000).toISOString();
    const id = Array.from({ length: 4 }, () =>
      Math.floor(r() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('-');
    const e: AuditEvent = {
      v: 1,
      id,
      time,
      type: pick(TYPES),
      category: pick(CATEGORIES),
      action: pick(['create', 'read', 'update', 'login']),
      outcome: pick(OUTCOMES),
      severity: pick(SEVERITIES),
      actor: { type: r() < 0.8 ? 'user' : 'service', id: pick(ACTORS) },
      source: { service: 'contract' },
      message: r() < 0.1 ? 'Refund APPROVED by manager' : `routine ${i}`,
    } as AuditEvent;
    if (r() < 0.95) e.tenant = pick(TENANTS);
    if (r() < 0.9) e.resource = { type: pick(RESOURCES), id: `r-${Math.floor(r() * 20)}` };
    if (r() < 0.5) e.correlationId = `c-${Math.floor(r() * 30)}`;
    if (r() < 0.3) e.traceId = `t-${Math.floor(r() * 10)}`;
    events.push(e);
  }
  return events;
}

/** Writes events in batches of 500, as the pipeline would. */
export async function writeAll(store: AuditStore, events: readonly AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) await store.write(createBatch(events.slice(i, i + 500)));
}

/** Events sorted by `(time, id)` in `order`, as every store pages. */
export function sorted(events: readonly AuditEvent[], order: 'asc' | 'desc'): AuditEvent[] {
  const out = [...events].sort((a, b) => {
    const c = a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return order === 'asc' ? c : -c;
  });
  return out;
}

/** Every event of a query, page by page through the cursors. */
export async function allPages(
  store: AuditStore,
  query: Parameters<AuditStore['query']>[0],
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.query({ ...query, cursor });
    pages++;
    ids.push(...page.events.map((e) => e.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { ids, pages };
}
