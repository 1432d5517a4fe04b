/**
 * The typed client of the console's API, with the key in the Authorization header. The API lives
 * beside the dashboard: `<prefix>/ui/` is served next to `<prefix>/api/`.
 */
import { apiKey, signOut } from './state';
import type { InclusionProof, SealedEvent } from './verify/verify-event';

export const API_BASE = `${location.pathname.replace(/\/ui(\/.*)?$/, '')}/api`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AuditEvent extends SealedEvent {
  time: string;
  type: string;
  category: string;
  action: string;
  outcome: string;
  severity: string;
  message?: string;
  tenant?: string;
  actor?: { type?: string; id?: string; email?: string; ip?: string; roles?: string[] };
  resource?: { type?: string; id?: string; name?: string };
  correlationId?: string;
  changes?: {
    before?: unknown;
    after?: unknown;
    diff?: Array<{ op: string; path: string; from?: unknown; to?: unknown }>;
  };
  details?: Record<string, unknown>;
}

export interface EventsPage {
  events: AuditEvent[];
  nextCursor?: string;
}

export interface Stats {
  total: number;
  byType: Record<string, number>;
  byOutcome: Record<string, number>;
  byCategory: Record<string, number>;
  byActor: Record<string, number>;
  byResource?: Record<string, number>;
  overTime: Array<{ start: string; count: number; byOutcome: Record<string, number> }>;
  store: { name: string };
}

export interface ChainStatus {
  chain: string;
  ok: boolean;
  events: number;
  firstSeq: number;
  lastSeq: number;
  checkpoints: number;
  uncovered: number;
  lastCheckpoint?: { seq: number; time: string; signatureChecked?: boolean };
  firstBreak?: { kind: string; message: string; seq?: number; eventId?: string };
}

export interface Integrity {
  ok: boolean;
  signaturesChecked: boolean;
  chains: ChainStatus[];
}

export interface Around {
  event: AuditEvent;
  around?: { by: string; before: AuditEvent[]; after: AuditEvent[] };
}

function headers(extra: Record<string, string> = {}, key = apiKey.value): Record<string, string> {
  return key ? { authorization: `Bearer ${key}`, ...extra } : extra;
}

/** Fetches a path under the API; a 401 signs the user out with the server's reason. */
export async function request(path: string, init: RequestInit = {}, key?: string): Promise<Response> {
  const response = await fetch(API_BASE + path, {
    ...init,
    headers: headers(init.headers as Record<string, string> | undefined, key ?? apiKey.value),
    cache: 'no-store',
  });
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { message?: string };
    if (body.message) message = body.message;
  } catch {
    // not JSON
  }
  if (response.status === 401 && key === undefined) signOut(message);
  throw new ApiError(response.status, message);
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return (await response.json()) as T;
}

const qs = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();

export const api = {
  events: (q: string, cursor?: string, limit = 500, order?: 'asc' | 'desc') =>
    getJson<EventsPage>(`/events?${qs({ q, cursor, limit, order })}`),
  event: (id: string, around?: string) =>
    getJson<Around>(
      `/events/${encodeURIComponent(id)}${around ? `?${qs({ around, before: 5, after: 5 })}` : ''}`,
    ),
  stats: (q: string, bucket: string) => getJson<Stats>(`/stats?${qs({ q, bucket })}`),
  integrity: () => getJson<Integrity>('/integrity'),
  proof: (id: string) => getJson<InclusionProof>(`/proof/${encodeURIComponent(id)}`),
  exportUrl: (format: string, q: string) => `/export?${qs({ format, q })}`,
  qs,
};

/** The filter text with the time range appended as a `since:` term. */
export function withRange(q: string, range: string): string {
  const text = q.trim();
  if (!range || range === 'all') return text;
  return text ? `${text} since:${range}` : `since:${range}`;
}
