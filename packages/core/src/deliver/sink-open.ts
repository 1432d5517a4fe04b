import type { AuditSink } from '../types';

/**
 * Startup check: calls every sink's `open()` at once, each bounded by `timeoutMs` (a hung mount
 * must not hold anything up), and tells `failed` about each one that cannot write, with its error
 * (path and errno for a file). Resolves with the sinks that failed.
 */
export async function openSinks(
  sinks: readonly AuditSink[],
  timeoutMs: number,
  failed: (sink: AuditSink, error: unknown) => void,
): Promise<Set<AuditSink>> {
  const out = new Set<AuditSink>();
  await Promise.all(
    sinks.map(async (sink) => {
      if (typeof sink.open !== 'function') return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(() => sink.open!()),
          new Promise<never>((_, reject) => {
            if (timeoutMs <= 0) return;
            timer = setTimeout(() => reject(new Error(`did not open within ${timeoutMs} ms`)), timeoutMs);
            timer.unref();
          }),
        ]);
      } catch (error) {
        out.add(sink);
        failed(sink, error);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return out;
}
