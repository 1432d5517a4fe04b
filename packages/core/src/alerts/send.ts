import { backoffDelay } from '../deliver/delivery';
import type { AlertChannel, AlertNotification, ChannelStats } from './types';

export interface SendPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

/** Rejects after `ms` or when `signal` aborts; the timer never keeps the process alive. */
function bounded<T>(promise: Promise<T>, ms: number, name: string, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    if (ms > 0) {
      timer = setTimeout(
        () => reject(new Error(`alert channel "${name}" did not answer within ${ms} ms`)),
        ms,
      );
      timer.unref();
    }
    onAbort = () => reject(new Error(`alert channel "${name}": abandoned at close`));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, limit]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
  });
}

/** A backoff pause that ends early when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends one notification to one channel with timeout, retries and backoff, keeping the channel's
 * counters. Resolves true when delivered, false when every attempt failed or `signal` aborted
 * (the logger closed and gave up on it; the caller counts that). Never rejects.
 */
export async function sendWithRetry(
  channel: AlertChannel,
  notification: AlertNotification,
  policy: SendPolicy,
  stats: ChannelStats,
  onFailure: (error: unknown, final: boolean) => void,
  signal: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return false;
    try {
      await bounded(
        Promise.resolve().then(() => channel.send(notification, { signal })),
        policy.timeoutMs,
        channel.name,
        signal,
      );
      stats.sent++;
      stats.consecutiveFailures = 0;
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      stats.consecutiveFailures++;
      stats.lastError = error instanceof Error ? error.message : String(error);
      stats.lastErrorAt = new Date().toISOString();
      const final =
        attempt >= policy.attempts || (error as { retryable?: unknown } | null)?.retryable === false;
      onFailure(error, final);
      if (final) {
        stats.failed++;
        return false;
      }
      stats.retries++;
      await pause(backoffDelay(attempt, policy), signal);
    }
  }
}
