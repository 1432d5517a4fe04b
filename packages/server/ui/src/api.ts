/**
 * The typed client of the console's API, with the key in the Authorization header. The API lives
 * beside the dashboard: `<prefix>/ui/` is served next to `<prefix>/api/`.
 */
import type {
  AlertReplyT,
  EventQueryT,
  EventReplyT,
  EventsPageT,
  EventsQueryT,
  IntegrityReplyT,
  ManifestReplyT,
  ProofReplyT,
  RetentionReplyT,
  StatsQueryT,
  StatsReplyT,
} from '../../src/api-types';
import { apiKey, signOut } from './state';

export const API_BASE = `${location.pathname.replace(/\/ui(\/.*)?$/, '')}/api`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Every request and reply type comes from the server's route schemas (the same ones that
// validate requests and publish OpenAPI): a reply that changes shape fails this type check.
export type AuditEvent = EventsPageT['events'][number];
export type EventsPage = EventsPageT;
export type Stats = StatsReplyT;
export type Integrity = IntegrityReplyT;
export type ChainStatus = IntegrityReplyT['chains'][number];
export type Around = EventReplyT;
export type AroundBy = NonNullable<EventQueryT['around']>;
export type Retention = RetentionReplyT;
export type Manifest = ManifestReplyT;
export type AlertChange = AlertReplyT;

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

async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

/**
 * Like getJson, but the body is parsed when the page is idle (within 100 ms): a page of events
 * arriving mid-scroll is parsed between frames, not inside one.
 */
async function getJsonWhenIdle<T>(path: string): Promise<T> {
  const text = await (await request(path)).text();
  return new Promise<T>((resolve, reject) =>
    requestIdleCallback(
      () => {
        try {
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(error);
        }
      },
      { timeout: 100 },
    ),
  );
}

async function postJson<T>(path: string, body: unknown): Promise<T> {
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
  events: (q: string, cursor?: string, limit = 500, order?: EventsQueryT['order']) =>
    getJsonWhenIdle<EventsPage>(`/events?${qs({ q, cursor, limit, order } satisfies EventsQueryT)}`),
  event: (id: string, around?: AroundBy) =>
    getJson<Around>(
      `/events/${encodeURIComponent(id)}${around ? `?${qs({ around, before: 5, after: 5 } satisfies EventQueryT)}` : ''}`,
    ),
  stats: (q: string, bucket: StatsQueryT['bucket']) =>
    getJson<Stats>(`/stats?${qs({ q, bucket } satisfies StatsQueryT)}`),
  integrity: () => getJson<Integrity>('/integrity'),
  retention: () => getJson<Retention>('/retention'),
  proof: (id: string) => getJson<ProofReplyT>(`/proof/${encodeURIComponent(id)}`),
  manifest: (path: string) => getJson<Manifest>(path),
  alert: (id: string, action: 'acknowledge' | 'resolve', note?: string) =>
    postJson<AlertChange>(`/alerts/${encodeURIComponent(id)}/${action}`, note ? { note } : {}),
  exportUrl: (format: string, q: string) => `/export?${qs({ format, q })}`,
  qs,
};

/** The filter text with the time range appended as a `since:` term. */
export function withRange(q: string, range: string): string {
  const text = q.trim();
  if (!range || range === 'all') return text;
  return text ? `${text} since:${range}` : `since:${range}`;
}
