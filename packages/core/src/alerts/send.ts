import { backoffDelay } from '../delivery';
import type { AlertChannel, AlertNotification, ChannelStats } from './types';

export interface SendPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

function timeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  if (ms <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`alert channel "${name}" did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Sends one notification to one channel with timeout, retries and backoff, keeping the channel's
 * counters. Resolves true when delivered, false when every attempt failed. Never rejects.
 */
export async function sendWithRetry(
  channel: AlertChannel,
  notification: AlertNotification,
  policy: SendPolicy,
  stats: ChannelStats,
  onFailure: (error: unknown, final: boolean) => void,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await timeout(
        Promise.resolve().then(() => channel.send(notification)),
        policy.timeoutMs,
        channel.name,
      );
      stats.sent++;
      stats.consecutiveFailures = 0;
      return true;
    } catch (error) {
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
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, policy)));
    }
  }
}
