import { randomUUID } from 'node:crypto';
import { v7 } from 'uuid';

/** A time-ordered UUIDv7 (RFC 9562), monotonic within one process. */
export function newEventId(): string {
  return v7();
}

/** A random request id for requests that arrive without one. */
export function newRequestId(): string {
  return randomUUID();
}
