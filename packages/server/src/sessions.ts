/**
 * Long-lived work done under a key (live streams, exports in flight). When the keys file changes,
 * every session whose key was revoked, removed, or lost the scope it needs is ended at once.
 */
import type { WatchedKeys } from './key-watch';
import type { ApiKeyInfo } from './types';

export type EndReason = 'revoked' | 'shutdown';

interface Session {
  key: ApiKeyInfo;
  end(reason: EndReason): void;
}

export class LiveSessions {
  readonly #sessions = new Set<Session>();

  constructor(keys: WatchedKeys) {
    keys.onChange((ring) => {
      for (const s of [...this.#sessions]) {
        if (!ring.stillValid(s.key)) this.#end(s, 'revoked');
      }
    });
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Registers a session; the returned function unregisters it (when it ends on its own). */
  add(key: ApiKeyInfo, end: (reason: EndReason) => void): () => void {
    const session = { key, end };
    this.#sessions.add(session);
    return () => this.#sessions.delete(session);
  }

  endAll(reason: EndReason): void {
    for (const s of [...this.#sessions]) this.#end(s, reason);
  }

  #end(s: Session, reason: EndReason): void {
    this.#sessions.delete(s);
    try {
      s.end(reason);
    } catch {
      // Ending is best effort: a socket already gone has nothing left to close.
    }
  }
}
