import { newEventId } from './ids';
import type { AuditEvent, DedupOptions } from './types';

/** Defaults of the `dedup` option; DEFAULTS.dedup in options.ts points here. */
export const DEDUP_DEFAULTS = {
  windowMs: 10_000,
  /**
   * What makes two events "the same". Wider than type/actor/resource on purpose: a summary repeats
   * the first event's content, so anything that may differ between repeats and matters to an
   * auditor (which record, which change, which error) must be part of the key.
   */
  fields: [
    'type',
    'category',
    'action',
    'outcome',
    'severity',
    'message',
    'actor.type',
    'actor.id',
    'tenant',
    'resource',
    'request.method',
    'request.route',
    'request.path',
    'request.status',
    'changes',
    'error',
  ],
  /** Each of these stays its own record: an attacker's hundredth attempt is evidence too. */
  excludeCategories: ['security', 'authentication'],
  maxKeys: 10_000,
} as const;

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

/** Validates `dedup` once at construction; undefined means off. */
export function resolveDedup(option: DedupOptions | boolean | undefined): DedupSettings | undefined {
  if (option === undefined || option === false) return undefined;
  const o: DedupOptions = option === true ? {} : option;
  if (o === null || typeof o !== 'object')
    throw new TypeError('auditkit: dedup must be an object or a boolean');
  const windowMs = o.windowMs ?? DEDUP_DEFAULTS.windowMs;
  if (typeof windowMs !== 'number' || !(windowMs > 0) || !Number.isFinite(windowMs))
    throw new RangeError(`auditkit: dedup.windowMs must be a finite number > 0, got ${String(windowMs)}`);
  const maxKeys = o.maxKeys ?? DEDUP_DEFAULTS.maxKeys;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new RangeError(`auditkit: dedup.maxKeys must be an integer >= 1, got ${String(maxKeys)}`);
  const fields = o.fields ?? DEDUP_DEFAULTS.fields;
  if (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== 'string' || f === ''))
    throw new TypeError('auditkit: dedup.fields must be a non-empty array of dot paths');
  const categories = o.categories ?? {};
  const strings = (name: string, v: unknown): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((c) => typeof c !== 'string'))
      throw new TypeError(`auditkit: dedup.categories.${name} must be an array of strings`);
    return v;
  };
  const include = strings('include', categories.include);
  const now = o.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('auditkit: dedup.now must be a function');
  return {
    windowMs,
    fields,
    include: include ? new Set(include) : undefined,
    exclude: new Set(strings('exclude', categories.exclude) ?? DEDUP_DEFAULTS.excludeCategories),
    maxKeys,
    now,
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

/** An open window: the recorded first occurrence and the repeats counted since. */
interface Window {
  readonly first: AuditEvent;
  readonly bytes: number;
  readonly openedAt: number;
  repeats: number;
  firstRepeat: string;
  lastRepeat: string;
}

/**
 * The dedup stage. Keys are the chosen fields joined with length prefixes: exact (two different
 * events never share a key, which a short hash could not promise) and hashed by the Map itself.
 * Windows live in a Map in opening order, so the oldest is always first: expiry and eviction are
 * O(1) per window.
 */
export class Deduplicator {
  readonly #s: DedupSettings;
  readonly #fields: Accessor[];
  readonly #emit: (summary: AuditEvent, bytes: number) => void;
  readonly #windows = new Map<string, Window>();
  #pending = 0;
  #summaries = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `emit` records a summary; it must not throw (the pipeline's enqueue never does). */
  constructor(settings: DedupSettings, emit: (summary: AuditEvent, bytes: number) => void) {
    this.#s = settings;
    this.#fields = settings.fields.map(accessor);
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
  keyOf(event: AuditEvent): string | undefined {
    const s = this.#s;
    if (s.exclude.has(event.category) || (s.include && !s.include.has(event.category))) return undefined;
    let key = '';
    for (const get of this.#fields) {
      const v = get(event);
      const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
      // Length prefixes keep ("ab","c") and ("a","bc") apart; the type mark keeps "1" and 1 apart.
      key += `${typeof v === 'string' ? 's' : 'j'}${text.length}:${text}`;
    }
    return key;
  }

  /** True when `event` repeats an open window: it is counted there and not recorded on its own. */
  repeat(key: string, event: AuditEvent): boolean {
    this.#expire(this.#s.now());
    const w = this.#windows.get(key);
    if (!w) {
      // Room for the window this event will open; the evicted summary precedes the event.
      if (this.#windows.size >= this.#s.maxKeys) this.#evictOldest();
      return false;
    }
    if (w.repeats === 0) {
      w.firstRepeat = event.time;
      this.#pending++;
    }
    w.repeats++;
    w.lastRepeat = event.time;
    return true;
  }

  /** Opens a window for an event that was just recorded. */
  remember(key: string, event: AuditEvent, bytes: number): void {
    if (this.#windows.size >= this.#s.maxKeys) this.#evictOldest();
    this.#windows.set(key, {
      first: event,
      bytes,
      openedAt: this.#s.now(),
      repeats: 0,
      firstRepeat: '',
      lastRepeat: '',
    });
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
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #evictOldest(): void {
    const [key, oldest] = this.#windows.entries().next().value as [string, Window];
    this.#windows.delete(key);
    this.#summarize(oldest);
  }

  /** Ends windows older than `windowMs`: the oldest come first in the Map. */
  #expire(now: number): void {
    const windowMs = this.#s.windowMs;
    for (const [key, w] of this.#windows) {
      if (now - w.openedAt < windowMs) break;
      this.#windows.delete(key);
      this.#summarize(w);
    }
  }

  #schedule(): void {
    if (this.#timer || this.#windows.size === 0) return;
    const oldest = this.#windows.values().next().value as Window;
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
    if (w.repeats === 0) return;
    const count = w.repeats;
    w.repeats = 0;
    this.#pending--;
    this.#summaries++;
    this.#emit(summaryOf(w.first, count, w.firstRepeat, w.lastRepeat), w.bytes + 120);
  }
}

/**
 * A copy of the first occurrence standing for `count` repeats. The ids that belong to one
 * occurrence (request id, correlation and trace ids, the seal) are left out: the repeats came from
 * other requests, and `repeatOf` links the summary to the first.
 */
function summaryOf(first: AuditEvent, count: number, from: string, to: string): AuditEvent {
  const summary = structuredClone(first);
  delete summary.integrity;
  delete summary.correlationId;
  delete summary.traceId;
  delete summary.spanId;
  if (summary.request) delete summary.request.id;
  summary.id = newEventId();
  summary.time = from;
  summary.lastTime = to;
  summary.count = count;
  summary.repeatOf = first.id;
  return summary;
}
