/**
 * Holding an HTTP response until its audit events are stored. Wrapping `res.end` is how
 * middleware changes how a node response ends (compression, on-headers do the same): the body
 * and status are final, nothing has been sent, and the client is told only after the wait.
 */
import type { ServerResponse } from 'node:http';

/**
 * Makes `res.end(...)` wait for `before()` (which must never reject, and is bounded by the
 * caller's timeout) and then end the response with the same arguments. Only the first end waits.
 */
export function holdResponseEnd(res: ServerResponse, before: () => Promise<void>): void {
  const end = res.end;
  let held = false;
  res.end = function heldEnd(this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (held) return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    held = true;
    const release = (): void => {
      (end as (...a: unknown[]) => ServerResponse).apply(res, args);
    };
    before().then(release, release);
    return this;
  } as ServerResponse['end'];
}
