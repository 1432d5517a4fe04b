import { newEventId } from '../capture/ids';
import { DEFAULTS } from '../defaults';
import { asList, optionError } from '../option-check';
import { hashValues } from '../seal/hash';
import type { AuditEvent, DedupOptions } from '../types';

/** Defaults of the `dedup` option (kept in defaults.ts with every other default). */
export const DEDUP_DEFAULTS = DEFAULTS.dedup;

/** Timer granularity: windows end at most this late, so a busy logger wakes at most 10×/s for them. */
const SWEEP_MS = 100;

/** The `dedup` option after defaults and validation. */
export interface DedupSettings {
  windowMs: number;
  fields: readonly string[];
  include: ReadonlySet<string> | undefined;
  exclude: ReadonlySet<string>;
  maxKeys: number;
  now: () => number;
}

/** Resolves `dedup` (its shape checked by `checkOptions`) once at construction; undefined means off. */
export function resolveDedup(option: DedupOptions | boolean | undefined): DedupSettings | undefined {
  if (option === undefined || option === false) return undefined;
  const o: DedupOptions = option === true ? {} : option;
  const fields = o.fields === undefined ? DEDUP_DEFAULTS.fields : asList(o.fields);
  if (fields.length === 0)
    throw optionError('createAuditLogger', 'dedup.fields', 'a non-empty list of dot paths', o.fields);
  const categories = o.categories ?? {};
  return {
    windowMs: o.windowMs ?? DEDUP_DEFAULTS.windowMs,
    fields,
    include: categories.include === undefined ? undefined : new Set(asList(categories.include)),
    exclude: new Set(
      categories.exclude === undefined ? DEDUP_DEFAULTS.excludeCategories : asList(categories.exclude),
    ),
    maxKeys: o.maxKeys ?? DEDUP_DEFAULTS.maxKeys,
    now: o.now ?? Date.now,
  };
}

type Accessor = (event: AuditEvent) => unknown;

function accessor(path: string): Accessor {
  const parts = path.split('.');
  if (parts.length === 1) return (e) => (e as unknown as Record<string, unknown>)[path];
  return (e) => {
    let v: unknown = e;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

/**
 * An open window: the id of the recorded first occurrence and the repeats counted since. The
 * summary is made from the first repeat (equal on every key field), so a window without repeats
 * holds no event: ten thousand open windows cost little memory and little garbage collection.
 */
interface Window {
  readonly key: number;
  readonly firstId: string;
  readonly openedAt: number;
  repeats: number;
  /** The first repeat since the last summary, not yet protected; it becomes the next summary. */
  template: AuditEvent | undefined;
  bytes: number;
  lastRepeat: string;
}

/**
 * The dedup stage. Keys are a 53-bit hash of the chosen fields. Holding the fields themselves (as
 * a string) for ten thousand windows made the garbage collector the largest cost of log();
 * the price is that two different events may collapse when their hashes collide, about once in
 * 10^12 events with 10,000 windows open.
 * Windows are also kept in an array in opening order, so the oldest is always at its head: expiry
 * and eviction are O(1) per window. (Not the Map's own order: V8 leaves deleted Map entries in
 * place until a rehash, and walking to the first live one made every log() slower.)
 */
export class Deduplicator {
  readonly #s: DedupSettings;
  readonly #fields: Accessor[];
  /** Reused for every key: nothing is allocated to hash an event. */
  readonly #values: unknown[];
  readonly #emit: (summary: AuditEvent, bytes: number) => void;
  readonly #windows = new Map<number, Window>();
  /** Windows in opening order from `#head`; entries before it are closed. */
  #order: Window[] = [];
  #head = 0;
  #pending = 0;
  #summaries = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `emit` protects and records a summary; it must not throw. */
  constructor(settings: DedupSettings, emit: (summary: AuditEvent, bytes: number) => void) {
    this.#s = settings;
    this.#fields = settings.fields.map(accessor);
    this.#values = new Array(this.#fields.length);
    this.#emit = emit;
  }

  /** Windows holding repeats that no summary has reported yet. */
  get pending(): number {
    return this.#pending;
  }

  get stats(): { open: number; summaries: number } {
    return { open: this.#windows.size, summaries: this.#summaries };
  }

  /** The event's dedup key, or undefined when its category is not deduplicated. */
  keyOf(event: AuditEvent): number | undefined {
    const s = this.#s;
    if (s.exclude.has(event.category) || (s.include && !s.include.has(event.category))) return undefined;
    const values = this.#values;
    for (let i = 0; i < values.length; i++) values[i] = this.#fields[i]!(event);
    return hashValues(values);
  }

  /**
   * True when `event` repeats an open window: it is counted there and not recorded on its own.
   * `bytes` is its size estimate, kept in case it becomes the summary.
   */
  repeat(key: number, event: AuditEvent, bytes: number): boolean {
    this.#expire(this.#s.now());
    const w = this.#windows.get(key);
    if (!w) {
      // Room for the window this event will open; the evicted summary precedes the event.
      if (this.#windows.size >= this.#s.maxKeys) this.#evictOldest();
      return false;
    }
    if (w.repeats === 0) {
      w.template = event;
      w.bytes = bytes;
      this.#pending++;
    }
    w.repeats++;
    w.lastRepeat = event.time;
    return true;
  }

  /** Opens a window for an event that was just recorded. */
  remember(key: number, event: AuditEvent): void {
    if (this.#windows.size >= this.#s.maxKeys) this.#evictOldest();
    const w: Window = {
      key,
      firstId: event.id,
      openedAt: this.#s.now(),
      repeats: 0,
      template: undefined,
      bytes: 0,
      lastRepeat: '',
    };
    this.#windows.set(key, w);
    this.#order.push(w);
    this.#schedule();
  }

  /** Records a summary for every window with repeats; the windows stay open for later repeats. */
  flush(): void {
    for (const w of this.#windows.values()) this.#summarize(w);
  }

  /** Records what is pending and forgets every window (the logger is closing). */
  close(): void {
    this.flush();
    this.#windows.clear();
    this.#order = [];
    this.#head = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Closes the oldest window, recording its summary. */
  #shift(): void {
    const w = this.#order[this.#head]!;
    this.#order[this.#head++] = undefined as never;
    // Reclaim the closed head of the array once it is most of it.
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    this.#windows.delete(w.key);
    this.#summarize(w);
  }

  #evictOldest(): void {
    if (this.#head < this.#order.length) this.#shift();
  }

  /** Ends windows older than `windowMs`, oldest first. */
  #expire(now: number): void {
    const windowMs = this.#s.windowMs;
    while (this.#head < this.#order.length && now - this.#order[this.#head]!.openedAt >= windowMs)
      this.#shift();
  }

  #schedule(): void {
    if (this.#timer || this.#head >= this.#order.length) return;
    const oldest = this.#order[this.#head]!;
    const due = oldest.openedAt + this.#s.windowMs - this.#s.now();
    // Unref'd: open windows never keep the process alive; beforeExit flushes them.
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#expire(this.#s.now());
        this.#schedule();
      },
      Math.max(due, Math.min(SWEEP_MS, this.#s.windowMs)),
    );
    this.#timer.unref();
  }

  #summarize(w: Window): void {
    if (w.repeats === 0 || !w.template) return;
    const summary = w.template;
    summary.count = w.repeats;
    summary.lastTime = w.lastRepeat;
    summary.repeatOf = w.firstId;
    summary.id = newEventId();
    // The ids of one occurrence are left out: the repeats came from other requests.
    delete summary.correlationId;
    delete summary.traceId;
    delete summary.spanId;
    if (summary.request) delete summary.request.id;
    w.repeats = 0;
    w.template = undefined;
    this.#pending--;
    this.#summaries++;
    this.#emit(summary, w.bytes + 120);
  }
}
