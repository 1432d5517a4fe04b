import { randomFillSync } from 'node:crypto';

// Random bytes come from a large pool: one getrandom call serves 4096 ids. uuid's own pool holds
// 16 ids, and that syscall was the largest single cost of log() on small VMs.
const POOL_IDS = 4096;
/** 4 bytes seed the counter when the millisecond changes, 6 fill the random tail. */
const BYTES_PER_ID = 10;
const pool = Buffer.allocUnsafe(POOL_IDS * BYTES_PER_ID);
/** The pool as hex, converted once per refill: slicing it is cheaper than formatting bytes per id. */
let poolHex = '';
let poolOffset = pool.length;

let lastMs = -1;
/** `xxxxxxxx-xxxx-7` for `lastMs`: formatted once per millisecond rather than once per id. */
let msPrefix = '';
/** 30-bit counter in rand_a and the top of rand_b: monotonic ids within one millisecond. */
let counter = 0;
/**
 * The id up to its last group (`msPrefix`, rand_a, variant and the counter's next 14 bits): the
 * same for 16 ids in a row, so formatted once for them. `headOf` is the counter it was made for.
 */
let head = '';
let headOf = -1;
const HEX = '0123456789abcdef';

function prefixOf(ms: number): string {
  const msHex = ms.toString(16).padStart(12, '0');
  return `${msHex.slice(0, 8)}-${msHex.slice(8)}-7`;
}

/**
 * A time-ordered UUIDv7 (RFC 9562 §5.7, with the §6.2 method 1 fixed-length counter), monotonic
 * within one process: 48-bit Unix ms, a 30-bit counter seeded at random each millisecond (rand_a
 * and the top of rand_b), 44 random bits.
 */
export function newEventId(): string {
  return eventIdAt(Date.now());
}

/**
 * `newEventId()` for a clock reading the caller already made (`ms`, from `Date.now()`). Ids stay
 * monotonic whatever `ms` is: a reading behind the last one counts on within the last millisecond.
 */
export function eventIdAt(ms: number): string {
  if (poolOffset + BYTES_PER_ID > pool.length) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += BYTES_PER_ID;
  if (ms > lastMs) {
    lastMs = ms;
    msPrefix = prefixOf(ms);
    headOf = -1;
    // Seeded in the lower half of the range, leaving room to count up within the millisecond.
    counter = pool.readUInt32BE(o) & 0x1fffffff;
  } else if (++counter > 0x3fffffff) {
    // Counter exhausted: borrow the next millisecond, as RFC 9562 §6.2 allows.
    lastMs += 1;
    msPrefix = prefixOf(lastMs);
    headOf = -1;
    counter = 0;
  }
  if (counter >>> 4 !== headOf) {
    headOf = counter >>> 4;
    const randA = counter >>> 18;
    const counterLow = counter & 0x3ffff;
    head = `${msPrefix}${randA.toString(16).padStart(3, '0')}-${(0x8000 | (counterLow >>> 4)).toString(16)}-`;
  }
  // The last group: the counter's low 4 bits, then the 11 hex digits of bytes o+4..o+10 without their first.
  return head + (HEX[counter & 0xf] + poolHex.slice(2 * o + 9, 2 * o + 20));
}

/**
 * The ids of a request context that core made (the request id of a request that arrived without
 * one) or parsed to a fixed hex shape (`traceparent`). The event takes them without a detector
 * scan only while the context still holds these very values.
 */
export interface OwnIds {
  requestId: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
  /**
   * The `request` of the context's own event (`http.request`, `grpc.call`) as capture built it, once
   * built: its `id` is the context's request id, its other fields go through the scrubber as any.
   */
  request: object | undefined;
}

/**
 * An id for a request that arrived without one: a UUIDv7 like event ids (so request ids sort by
 * arrival), from the same entropy pool.
 */
export function newRequestId(): string {
  return newEventId();
}
