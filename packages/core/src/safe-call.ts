/**
 * Runs a user callback so that a throw can never reach the request: the error goes to `onError`
 * and `fallback` is returned instead.
 */
export function safeCall<A extends unknown[], R>(
  fn: (...args: A) => R,
  args: A,
  fallback: R,
  onError: (error: unknown) => void,
): R {
  try {
    return fn(...args);
  } catch (error) {
    onError(error);
    return fallback;
  }
}
