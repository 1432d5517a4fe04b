/**
 * Holding an HTTP response until its audit events are stored. Wrapping `res.end` is how
 * middleware changes how a node response ends (compression, on-headers do the same): the body
 * and status are final, nothing has been sent, and the client is told only after the wait.
 */

/** A node:http response, as far as holding its end goes. */
export interface EndableResponse {
  end: (...args: never[]) => unknown;
}

type End = (...args: unknown[]) => unknown;

/**
 * Makes `res.end(...)` wait for `before()` (which must never reject, and is bounded by the
 * caller's timeout) and then end the response with the same arguments. Only the first end
 * waits; a later call made while it waits runs after it, in order, as it would have.
 */
export function holdResponseEnd(res: EndableResponse, before: () => Promise<void>): void {
  const end = res.end as End;
  let waiting: Promise<void> | undefined;
  let released = false;
  res.end = function heldEnd(this: EndableResponse, ...args: unknown[]): unknown {
    if (released) return end.apply(this, args);
    const release = (): void => {
      released = true;
      end.apply(res, args);
    };
    waiting = waiting ? waiting.then(release) : before().then(release, release);
    return this;
  } as EndableResponse['end'];
}
