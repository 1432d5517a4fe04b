/**
 * The events one search selects, loaded page by page with the server's cursors as the list
 * scrolls; the total comes from the server's stats over the same filter, so the scrollbar covers
 * the whole result from the start, not only the pages loaded.
 */
import { signal } from '@preact/signals';
import { type AuditEvent, api } from './api';

const PAGE = 1000;

export class Results {
  readonly events = signal<AuditEvent[]>([]);
  readonly total = signal<number | undefined>(undefined);
  readonly error = signal<unknown>(undefined);
  readonly loading = signal(false);
  #cursor: string | undefined;
  #done = false;
  #wanted = 0;
  #running = false;
  #stopped = false;

  constructor(readonly q: string) {
    api
      .stats(q, 'day')
      .then((s) => {
        if (!this.#stopped) this.total.value = s.total;
      })
      .catch((error: unknown) => {
        if (!this.#stopped) this.error.value = error;
      });
    this.want(PAGE / 2);
  }

  /** The count the list shows: the server's total once known, else what is loaded (and one page more while loading). */
  get count(): number {
    const loaded = this.events.value.length;
    if (this.#done) return loaded;
    return Math.max(this.total.value ?? loaded, loaded);
  }

  /** Loads pages until row `index` is in memory. */
  want(index: number): void {
    this.#wanted = Math.max(this.#wanted, index);
    if (!this.#running) void this.#run();
  }

  stop(): void {
    this.#stopped = true;
  }

  async #run(): Promise<void> {
    this.#running = true;
    this.loading.value = true;
    try {
      while (!this.#stopped && !this.#done && this.events.value.length <= this.#wanted) {
        const page = await api.events(this.q, this.#cursor, PAGE);
        if (this.#stopped) return;
        this.events.value = this.events.value.concat(page.events);
        this.#cursor = page.nextCursor;
        if (!page.nextCursor) {
          this.#done = true;
          this.total.value = this.events.value.length;
        }
      }
    } catch (error) {
      this.error.value = error;
    } finally {
      this.#running = false;
      this.loading.value = false;
    }
  }
}
