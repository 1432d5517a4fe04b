/**
 * The delivery worker: reads events off the shared ring (their canonical text, sealed as it is,
 * or their JSON) and runs the same queue → seal → deliver loop the caller's thread runs without
 * the `worker` option, so the trail it writes is the same, line for line. Answers flush, stored
 * and close requests once it has taken the events they cover; on process exit it finishes while
 * the caller's thread waits.
 */
import { createPrivateKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedOptions } from '../../options';
import { EventBytes, Sealer } from '../../seal/sealer';
import { type FileSinkOptions, fileSink } from '../../sinks/file';
import type { AuditError, AuditEvent } from '../../types';
import { DeliveryLoop } from '../delivery-loop';
import {
  type FromWorker,
  TEXT_RECORD,
  type ToWorker,
  type WorkerCounts,
  type WorkerSettings,
} from './protocol';
import { RingReader, SLOT } from './ring';

/** Records taken per turn, so sealing and the sinks' callbacks run between reads. */
const CHUNK = 1024;
/** Longest sleep between looks at the ring; a missed wake-up costs at most this. */
const IDLE_MS = 1000;
/**
 * An empty ring is looked at again this often, this many times, before the worker sleeps until
 * woken: a caller logging steadily then never pays for a wake-up message (tens of µs each on a
 * busy machine), and an idle worker costs nothing.
 */
const POLL_MS = 1;
const POLLS = 20;
/** While the process exits, how often the ring is looked at for the caller's last events. */
const EXIT_POLL_MS = 2;
/** Counters go to the caller at most this often while batches are delivered. */
const COUNTS_EVERY_MS = 100;

const settings = workerData as WorkerSettings;
const port = parentPort!;
const send = (message: FromWorker): void => port.postMessage(message);
const report = (e: AuditError): void =>
  send({ type: 'error', kind: e.kind, message: e.message, sink: e.sink });

const sinks = settings.sinks.map((s) => fileSink(s.recipe.options as unknown as FileSinkOptions));
const integrity = settings.integrity && {
  ...settings.integrity,
  key: settings.integrity.keyPem ? createPrivateKey(settings.integrity.keyPem) : undefined,
};
// The delivery stages read only these options; the caller's thread keeps the rest.
const options = {
  source: settings.source,
  sinks,
  bestEffort: new Set(sinks.filter((_, i) => !settings.sinks[i]!.primary)),
  queue: settings.queue,
  batch: settings.batch,
  retry: settings.retry,
  breaker: settings.breaker,
  spool: settings.spool,
  durable: settings.durable,
  integrity,
} as unknown as ResolvedOptions;

const sealer =
  integrity &&
  new Sealer({
    source: settings.source,
    every: integrity.every,
    intervalMs: integrity.intervalMs,
    key: integrity.key,
    file: integrity.file,
    onError: (error) => report({ kind: 'sink', cause: error, message: `checkpoint file: ${String(error)}` }),
  });

let forwardSealed = false;
let countsSentAt = 0;
/** Events the worker could not read back (not reachable: the caller wrote them with JSON.stringify). */
let unreadable = 0;

const loop = new DeliveryLoop(options, sealer, {
  report,
  kept: (batch) => {
    // Events sealed from text are parsed from their lines only for listeners on the caller's side.
    if (forwardSealed) send({ type: 'sealed', events: batch.events as AuditEvent[] });
    const now = Date.now();
    if (now - countsSentAt >= COUNTS_EVERY_MS) {
      countsSentAt = now;
      send({ type: 'counts', counts: counts() });
    }
  },
});

function counts(): WorkerCounts {
  const c = loop.counts;
  return {
    queued: c.queued,
    dropped: c.dropped + unreadable,
    stats: { ...loop.stats(), ...(sealer ? { integrity: sealer.stats } : {}) },
  };
}

const reader = new RingReader(settings.ring);
const state = reader.state;

const TEXT = TEXT_RECORD.charCodeAt(0);

/** Takes a record copied off the ring (`RingReader.readCopied`): `bytes` stay valid. */
function take(bytes: Buffer, start: number, end: number): void {
  if (bytes[start] === TEXT) {
    // Sealed from the bytes as copied, never decoded on the way to the file.
    loop.enqueue(new EventBytes(bytes.subarray(start + 1, end)), end - start);
    return;
  }
  let event: AuditEvent;
  try {
    event = JSON.parse(bytes.toString('utf8', start + 1, end)) as AuditEvent;
  } catch (error) {
    unreadable++;
    report({ kind: 'invalid', message: `an event could not be read back on the worker: ${String(error)}` });
    return;
  }
  loop.enqueue(event, end - start);
}

/** Waiters for the ring to have given up `upTo` records. */
let takenWaiters: Array<{ upTo: number; resolve: () => void }> = [];

function untilTaken(upTo: number): Promise<void> {
  if (reader.taken >= upTo) return Promise.resolve();
  return new Promise((resolve) => takenWaiters.push({ upTo, resolve }));
}

function wakeTaken(): void {
  if (takenWaiters.length === 0) return;
  const taken = reader.taken;
  takenWaiters = takenWaiters.filter((w) => {
    if (w.upTo > taken) return true;
    w.resolve();
    return false;
  });
}

/** Reads the ring while the queue has room (`spill` always has: the loop spills to disk). */
function pump(): void {
  if (Atomics.load(state, SLOT.EXIT) !== 0) {
    void exitDrain();
    return;
  }
  if (settings.queue.overflow !== 'spill' && loop.full) {
    // The queue is full: leave events on the ring, so the caller's overflow policy applies there.
    void loop.whenWritable().then(pump);
    return;
  }
  const n = reader.readCopied(CHUNK, take);
  if (n > 0) {
    reader.release();
    wakeTaken();
    polls = 0;
    setImmediate(pump);
    return;
  }
  if (polls < POLLS) {
    polls++;
    poller = setTimeout(poll, POLL_MS);
    return;
  }
  polls = 0;
  if (!reader.sleep()) {
    setImmediate(pump);
    return;
  }
  sleeper = setTimeout(wakeUp, IDLE_MS);
}

/** Looks at the empty ring since it last had records. */
let polls = 0;
let poller: NodeJS.Timeout | undefined;

function poll(): void {
  poller = undefined;
  pump();
}

/** The pending sleep of `pump`, ended by the caller's wake-up message. */
let sleeper: NodeJS.Timeout | undefined;

function wakeUp(): void {
  if (poller !== undefined) {
    // A request or the process exit: look now rather than at the next poll.
    clearTimeout(poller);
    poll();
    return;
  }
  if (sleeper === undefined) return;
  clearTimeout(sleeper);
  sleeper = undefined;
  pump();
}

let closing: Promise<void> | undefined;

function close(): Promise<void> {
  closing ??= (async () => {
    loop.startClosing();
    await loop.flush();
    await loop.close();
    loop.releaseWriters();
  })();
  return closing;
}

function confirm(upTo: number): void {
  Atomics.store(state, SLOT.CONFIRMED, upTo | 0);
}

/** Process exit: take everything the caller writes until it is done, seal, write, close, answer. */
async function exitDrain(): Promise<void> {
  for (;;) {
    while (reader.readCopied(Number.POSITIVE_INFINITY, take) > 0) reader.release();
    if (Atomics.load(state, SLOT.EXIT) === 2) {
      if (reader.readCopied(Number.POSITIVE_INFINITY, take) > 0) reader.release();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
  wakeTaken();
  await close();
  confirm(reader.taken);
  Atomics.store(state, SLOT.EXIT, 3);
  Atomics.notify(state, SLOT.EXIT);
}

port.on('message', (m: ToWorker) => {
  // Any message ends a sleep: a request covers events the ring may hold.
  wakeUp();
  if (m.type === 'wake') return;
  if (m.type === 'sealed') {
    forwardSealed = m.on;
    return;
  }
  void (async () => {
    await untilTaken(m.upTo);
    let ok = true;
    if (m.type === 'flush') await loop.flush();
    else if (m.type === 'stored') ok = await loop.stored();
    else await close();
    confirm(m.upTo);
    send({ type: 'done', id: m.id, ok, counts: counts() });
    if (m.type === 'close') port.close();
  })();
});

pump();
