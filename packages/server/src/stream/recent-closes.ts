/**
 * Why the server ended a stream, kept for a short while under the stream's session id (a random
 * id the client picks per tab), so that the next connection of that session learns it in its
 * `subscribed` message. A reader far behind never receives the `closing` message: it sits behind
 * the unsent backlog when the socket is cut. Entries are scoped by API key (a session id alone
 * reveals nothing to another key or tenant), read once, expire, and their number is capped with
 * the oldest evicted first, so session ids cannot be used to grow memory.
 */

/** What the next connection of the session is told. */
export interface PreviousClose {
  /** slow, revoked or shutdown, as in the `closing` message. */
  reason: string;
  /** The close code sent with it (4008 for slow). */
  code: number;
  /** When the server ended the stream (ISO-8601). */
  time: string;
  /** Events the server handed to that connection in all. */
  events: number;
  /** Of those, events still waiting to be written to the network when it was dropped. */
  unwritten: number;
}

/** The form a session id must have: 8 to 64 letters, digits, `-` or `_` (a UUID fits). */
export const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

export class RecentCloses {
  /** Insertion order is time order: the first entry is always the oldest. */
  readonly #closes = new Map<string, PreviousClose & { expires: number }>();
  readonly #max: number;
  readonly #ttlMs: number;

  constructor(max: number, ttlMs: number) {
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#closes.size;
  }

  remember(keyId: string, session: string, close: PreviousClose): void {
    if (this.#max === 0) return;
    const id = `${keyId}\n${session}`;
    this.#closes.delete(id);
    this.#closes.set(id, { ...close, expires: Date.now() + this.#ttlMs });
    this.#prune();
    while (this.#closes.size > this.#max) this.#closes.delete(this.#closes.keys().next().value as string);
  }

  /** The session's last close under this key, once; undefined when none is remembered. */
  take(keyId: string, session: string): PreviousClose | undefined {
    this.#prune();
    const id = `${keyId}\n${session}`;
    const entry = this.#closes.get(id);
    if (!entry) return undefined;
    this.#closes.delete(id);
    const { expires: _, ...close } = entry;
    return close;
  }

  #prune(): void {
    const now = Date.now();
    for (const [id, entry] of this.#closes) {
      if (entry.expires > now) break;
      this.#closes.delete(id);
    }
  }
}
