import { DEFAULTS } from '../defaults';
import {
  type BaselineResult,
  type DetectionStore,
  type FirstSeenResult,
  SAMPLE_LIMIT,
  type StateOp,
  type StateResult,
  type WindowResult,
} from './types';

export interface MemoryDetectionStoreOptions {
  /** Keys kept at most; past it the oldest are forgotten (counted in `evicted`). Default 100000. */
  maxKeys?: number;
  /** Members a first-seen set remembers at most per key. Default 1000. */
  maxMembers?: number;
}

interface WindowState {
  kind: 'window';
  expires: number;
  /** Insertion-ordered: the oldest member is first, so pruning stops at the first young one. */
  members: Map<string, { t: number; w: number }>;
  sum: number;
  samples: Array<{ t: number; id: string }>;
}

interface SetState {
  kind: 'set';
  expires: number;
  members: Set<string>;
}

interface BaselineState {
  kind: 'baseline';
  expires: number;
  first: number;
  /** Latest bucket seen: a gap longer than the ring starts the history again. */
  last: number;
  /** Total of the complete buckets before `totalFor`: they cannot change, so it is summed once per bucket. */
  total: number;
  totalFor: number;
  /** Ring of `buckets + 1` slots: bucket index and its count. */
  index: number[];
  counts: number[];
}

interface ClaimState {
  kind: 'claim';
  expires: number;
}

type Entry = WindowState | SetState | BaselineState | ClaimState;

/** The in-process store: every answer is synchronous, so memory mode decides on the caller's stack. */
export interface MemoryDetectionStore extends DetectionStore {
  readonly sync: true;
  /** Keys held now. */
  readonly size: number;
  /** Keys forgotten because `maxKeys` was reached. */
  readonly evicted: number;
  apply(ops: readonly StateOp[], now: number): StateResult[];
}

/** Expired keys are swept after this many operations: cheap amortised, bounded memory. */
const SWEEP_EVERY = 10_000;

export function memoryDetectionStore(options: MemoryDetectionStoreOptions = {}): MemoryDetectionStore {
  const maxKeys = options.maxKeys ?? DEFAULTS.detect.maxKeys;
  const maxMembers = options.maxMembers ?? DEFAULTS.detect.maxMembers;
  const entries = new Map<string, Entry>();
  let evicted = 0;
  let ops = 0;

  function sweep(now: number): void {
    for (const [key, e] of entries) if (e.expires <= now) entries.delete(key);
    // Still too many: forget the oldest keys (Map order is insertion order).
    if (entries.size <= maxKeys) return;
    for (const key of entries.keys()) {
      entries.delete(key);
      evicted++;
      if (entries.size <= maxKeys * 0.9) break;
    }
  }

  function live<K extends Entry['kind']>(
    key: string,
    kind: K,
    now: number,
  ): Extract<Entry, { kind: K }> | undefined {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.kind !== kind || e.expires <= now) {
      entries.delete(key);
      return undefined;
    }
    return e as Extract<Entry, { kind: K }>;
  }

  function windowOp(op: Extract<StateOp, { op: 'window' }>, now: number): WindowResult {
    let w = live(op.key, 'window', now);
    const cutoff = now - op.windowMs;
    if (w) {
      for (const [member, m] of w.members) {
        if (m.t > cutoff) break;
        w.members.delete(member);
        w.sum -= m.w;
      }
      while (w.samples.length > 0 && w.samples[0]!.t <= cutoff) w.samples.shift();
    }
    let added = false;
    if (op.member !== undefined) {
      if (!w) {
        w = { kind: 'window', expires: 0, members: new Map(), sum: 0, samples: [] };
        entries.set(op.key, w);
      }
      if (!w.members.has(op.member) && (op.limit === undefined || w.members.size < op.limit)) {
        const weight = op.weight ?? 1;
        w.members.set(op.member, { t: now, w: weight });
        w.sum += weight;
        added = true;
      }
      if (op.sample !== undefined && (added || op.limit === undefined)) {
        w.samples.push({ t: now, id: op.sample });
        if (w.samples.length > SAMPLE_LIMIT) w.samples.shift();
      }
      w.expires = now + op.windowMs;
    }
    if (!w) return { count: 0, sum: 0, samples: [], added };
    return { count: w.members.size, sum: w.sum, samples: w.samples.map((s) => s.id), added };
  }

  function firstSeenOp(op: Extract<StateOp, { op: 'firstSeen' }>, now: number): FirstSeenResult {
    let s = live(op.key, 'set', now);
    if (!s) {
      s = { kind: 'set', expires: 0, members: new Set() };
      entries.set(op.key, s);
    }
    s.expires = now + op.ttlMs;
    if (s.members.has(op.member)) return { isNew: false, known: s.members.size - 1 };
    const known = s.members.size;
    if (known < maxMembers) s.members.add(op.member);
    return { isNew: true, known };
  }

  function baselineOp(op: Extract<StateOp, { op: 'baseline' }>, now: number): BaselineResult {
    const idx = Math.floor(now / op.bucketMs);
    const slots = op.buckets + 1;
    let b = live(op.key, 'baseline', now);
    if (!b || b.index.length !== slots || idx - b.last > op.buckets) {
      b = {
        kind: 'baseline',
        expires: 0,
        first: idx,
        last: idx,
        total: 0,
        totalFor: -1,
        index: new Array<number>(slots).fill(-1),
        counts: new Array<number>(slots).fill(0),
      };
      entries.set(op.key, b);
    }
    b.last = idx;
    // Expiry only frees memory; the reset above is what decides (as in every other store).
    b.expires = now + op.bucketMs * (slots + 1);
    const slot = idx % slots;
    if (b.index[slot] !== idx) {
      b.index[slot] = idx;
      b.counts[slot] = 0;
    }
    const current = ++b.counts[slot]!;
    const history = Math.min(op.buckets, idx - b.first);
    if (b.totalFor !== idx) {
      let total = 0;
      for (let i = idx - history; i < idx; i++) {
        const s = i % slots;
        if (b.index[s] === i) total += b.counts[s]!;
      }
      b.total = total;
      b.totalFor = idx;
    }
    return { current, mean: history > 0 ? b.total / history : 0, history };
  }

  function claimOp(op: Extract<StateOp, { op: 'claim' }>, now: number): boolean {
    if (live(op.key, 'claim', now)) return false;
    entries.set(op.key, { kind: 'claim', expires: now + op.ttlMs });
    return true;
  }

  return {
    name: 'memory',
    sync: true,
    get size() {
      return entries.size;
    },
    get evicted() {
      return evicted;
    },
    apply(list, now) {
      const results: StateResult[] = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const op = list[i]!;
        if (op.op === 'window') results[i] = windowOp(op, now);
        else if (op.op === 'firstSeen') results[i] = firstSeenOp(op, now);
        else if (op.op === 'baseline') results[i] = baselineOp(op, now);
        else if (op.op === 'claim') results[i] = claimOp(op, now);
        else results[i] = live(op.key, 'claim', now) !== undefined;
      }
      ops += list.length;
      if (ops >= SWEEP_EVERY || entries.size > maxKeys) {
        ops = 0;
        sweep(now);
      }
      return results;
    },
    close: async () => {
      entries.clear();
    },
  };
}
