/** A channel failure; `retryable: false` tells the router not to send the same notification again. */
export class ChannelError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, { cause });
    this.name = 'ChannelError';
    this.retryable = retryable;
  }
}

/** Validates a URL option at construction, so a typo fails at startup rather than at the first alert. */
export function requireHttpUrl(value: unknown, option: string): string {
  if (typeof value !== 'string') throw new TypeError(`auditkit: ${option} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`auditkit: ${option} must be an http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`auditkit: ${option} must be an http(s) URL`);
  return url.toString();
}

/** The URL without credentials or query (a Slack webhook URL is itself a secret: only its host is shown). */
function shown(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** POSTs JSON; 408, 429, 5xx and network errors are retryable, other statuses are not. */
export async function postJson(
  channel: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const signals = timeoutMs > 0 ? [AbortSignal.timeout(timeoutMs)] : [];
  if (signal) signals.push(signal);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
    });
  } catch (error) {
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new ChannelError(`${channel}: request to ${shown(url)} failed: ${reason}`, true, error);
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 200 && response.status < 300) return;
  const s = response.status;
  throw new ChannelError(
    `${channel}: ${shown(url)} answered ${s}: ${text.slice(0, 200)}`,
    s === 408 || s === 429 || s >= 500,
  );
}
