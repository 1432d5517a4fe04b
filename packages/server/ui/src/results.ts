/**
 * The events one search selects, newest first, loaded page by page with the server's cursors as
 * the list scrolls. The total comes from the server's stats over the same filter, so the scrollbar
 * covers the whole result from the start. Rows near the end are read from the other end (the same
 * filter, oldest first) instead of paging through everything before them: a jump to the end costs
 * one page, and the two ends are joined, by their order, where they meet.
 */
import { signal } from '@preact/signals';
import { type AuditEvent, api } from './api';

/** Rows per page: small enough that parsing one fits between two frames. */
const PAGE = 500;

/** Whether `a` comes before `b` newest first: by time, then id, as the server orders pages. */
function newerThan(a: AuditEvent, b: AuditEvent): boolean {
  return a.time === b.time ? a.id > b.id : a.time > b.time;
}

/** One end of the result: pages read in its own order, each through the cursor of the last. */
class End {
  readonly events: AuditEvent[] = [];
  cursor: string | undefined;
  done = false;

  constructor(readonly order: 'desc' | 'asc') {}
}

export class Results {
  /** Bumped whenever rows arrive: what the list renders on (the rows themselves are not signals). */
  readonly version = signal(0);
  readonly total = signal<number | undefined>(undefined);
  readonly error = signal<unknown>(undefined);
  readonly loading = signal(false);
  /** Newest first: row i is head.events[i]. */
  #head = new End('desc');
  /** Oldest first: row count - 1 - k is tail.events[k]. */
  #tail = new End('asc');
  #want = { first: 0, last: PAGE / 2 };
  #running = false;
  #stopped = false;

  constructor(readonly q: string) {
    api
      .stats(q, 'day')
      .then((s) => {
        if (this.#stopped) return;
        this.total.value = s.total;
        this.#run();
      })
      .catch((error: unknown) => {
        if (!this.#stopped) this.error.value = error;
      });
    this.#run();
  }

  /** Rows loaded so far, from either end. */
  get loaded(): number {
    return this.#head.events.length + this.#tail.events.length;
  }

  /** The count the list shows: exact once the ends met, else the server's total (or what is loaded). */
  get count(): number {
    if (this.#head.done) return this.#head.events.length;
    return Math.max(this.total.value ?? 0, this.loaded);
  }

  /** Row `i`, newest first; undefined while it is not loaded. */
  at(i: number): AuditEvent | undefined {
    const head = this.#head.events;
    if (i < head.length) return head[i];
    if (this.#head.done) return undefined;
    return this.#tail.events[this.count - 1 - i];
  }

  /** Loads what rows `first` to `last` need, from the nearer end. */
  want(first: number, last: number): void {
    this.#want = { first, last };
    this.#run();
  }

  stop(): void {
    this.#stopped = true;
  }

  /** The end to read the next page from for the wanted rows, or none when they are all here. */
  #next(): End | undefined {
    if (this.#head.done) return undefined;
    const { first, last } = this.#want;
    const count = this.count;
    const headMissing = last - this.#head.events.length; // rows past the head's end
    if (headMissing < 0) return undefined;
    // Without a total, where the end is is unknown: read on from the start.
    if (this.total.value === undefined) return this.#head;
    const tailStart = count - this.#tail.events.length; // first row the tail holds
    if (first >= tailStart) return undefined;
    const fromHead = Math.max(0, first - this.#head.events.length);
    const fromTail = Math.max(0, tailStart - 1 - last);
    return fromTail < fromHead && !this.#tail.done ? this.#tail : this.#head;
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.loading.value = true;
    try {
      for (let end = this.#next(); end && !this.#stopped; end = this.#next()) {
        const page = await api.events(this.q, end.cursor, PAGE, end.order);
        if (this.#stopped) return;
        for (const e of page.events) end.events.push(e);
        end.cursor = page.nextCursor;
        if (!page.nextCursor) end.done = true;
        this.#join();
        this.version.value++;
      }
    } catch (error) {
      this.error.value = error;
    } finally {
      this.#running = false;
      this.loading.value = false;
    }
  }

  /**
   * When the ends overlap (the head reached an event the tail holds, or either end ran out), the
   * result is one list, newest first: the head, then the tail's events older than the head's last.
   */
  #join(): void {
    const head = this.#head;
    const tail = this.#tail;
    const lastHead = head.events.at(-1);
    const newestTail = tail.events.at(-1);
    const met = tail.done || head.done || (lastHead && newestTail && !newerThan(lastHead, newestTail));
    if (!met) return;
    if (tail.done && head.events.length === 0) {
      head.events.push(...tail.events.reverse());
    } else {
      for (let k = tail.events.length - 1; k >= 0; k--) {
        const e = tail.events[k]!;
        if (!lastHead || newerThan(lastHead, e)) head.events.push(e);
      }
    }
    tail.events.length = 0;
    head.done = true;
    this.total.value = head.events.length;
  }
}
