/** A delivery failure; `retryable: false` tells the pipeline not to send the same batch again. */
export class SiemDeliveryError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SiemDeliveryError';
    this.retryable = options.retryable;
    this.status = options.status;
  }
}

/** 408, 429 and 5xx are worth another try; other statuses will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Names the destination in error messages. */
  sink: string;
}

export interface PostResult {
  status: number;
  text: string;
}

/** POSTs and returns status and body; network errors and time-outs become retryable errors. */
export async function post(options: PostOptions): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new SiemDeliveryError(`${options.sink}: request to ${redactUrl(options.url)} failed: ${reason}`, {
      retryable: true,
      cause: error,
    });
  }
  return { status: response.status, text: await response.text().catch(() => '') };
}

/** Throws the right error for a non-2xx response. */
export function failOnStatus(result: PostResult, sink: string, url: string): void {
  if (result.status >= 200 && result.status < 300) return;
  throw new SiemDeliveryError(
    `${sink}: ${redactUrl(url)} answered ${result.status}: ${result.text.slice(0, 300)}`,
    { retryable: isRetryableStatus(result.status), status: result.status },
  );
}

/** URLs may carry credentials (`https://user:pass@host`); they never reach an error message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    u.search = '';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}

/**
 * Validates a URL option at construction, so a typo fails at startup and not per batch. Credentials
 * in it (`https://user:pass@host`) move to a Basic `authorization` header: fetch refuses them in URLs.
 */
export function endpoint(value: unknown, option: string): { url: URL; auth: Record<string, string> } {
  const url = requireUrl(value, option);
  if (!url.username && !url.password) return { url, auth: {} };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url, auth: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

function requireUrl(value: unknown, option: string): URL {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`auditkit: ${option} is required`);
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new TypeError(`auditkit: ${option} must be an http(s) URL, got "${value}"`);
  }
}
