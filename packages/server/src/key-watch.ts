/**
 * The keys in force, reloaded when the keys file changes, so a revoked key stops working (and its
 * open streams close) without a restart. Polling (`fs.watchFile`) sees the atomic rename
 * `createApiKey`/`revokeApiKey` do, which `fs.watch` can miss.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { ApiKeyRing, readKeysFile } from './api-keys';

export class WatchedKeys {
  #ring: ApiKeyRing;
  readonly #path: string;
  readonly #listeners = new Set<(ring: ApiKeyRing) => void>();
  #poll: (() => void) | undefined;
  #loading: Promise<void> = Promise.resolve();

  private constructor(path: string, ring: ApiKeyRing) {
    this.#path = path;
    this.#ring = ring;
  }

  /** Loads the file (a missing one is empty: every request is refused until a key is created). */
  static async open(path: string, pollMs: number, onError: (error: unknown) => void): Promise<WatchedKeys> {
    let ring: ApiKeyRing;
    try {
      ring = new ApiKeyRing(await readKeysFile(path));
    } catch (error) {
      throw new TypeError(`createAuditServer: keys: ${(error as Error).message}`);
    }
    const keys = new WatchedKeys(path, ring);
    keys.#poll = () => {
      keys.#loading = keys.#loading.then(() => keys.#reload(onError));
    };
    watchFile(path, { interval: pollMs, persistent: false }, keys.#poll);
    return keys;
  }

  get ring(): ApiKeyRing {
    return this.#ring;
  }

  /** Called with the new ring after every reload. */
  onChange(listener: (ring: ApiKeyRing) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #reload(onError: (error: unknown) => void): Promise<void> {
    try {
      this.#ring = new ApiKeyRing(await readKeysFile(this.#path));
    } catch (error) {
      // A broken file keeps the keys as they were: better than locking everybody out or in.
      onError(error);
      return;
    }
    for (const listener of this.#listeners) listener(this.#ring);
  }

  close(): void {
    // Only this listener: another server in the process may watch the same file.
    if (this.#poll) unwatchFile(this.#path, this.#poll);
    this.#poll = undefined;
    this.#listeners.clear();
  }
}
