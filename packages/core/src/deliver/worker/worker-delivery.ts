/**
 * The `worker` option, on the caller's side: each admitted, protected event is serialized here
 * (so it leaves the caller redacted and encrypted) and copied into the shared ring; the worker
 * seals and writes. With sealing on, the event goes as its canonical text (see `ringRecord`),
 * which the worker seals as it is, without parsing it. Same surface as the in-thread
 * `DeliveryLoop`, so the pipeline wires either.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { optionProblem } from '../../option-check';
import type { ResolvedOptions } from '../../options';
import { CHECKPOINT_TYPE, eventRecordIn, eventText } from '../../seal/sealer';
import type { AuditEvent, AuditStats } from '../../types';
import type { DeliveryHooks } from '../delivery-loop';
import {
  type FromWorker,
  JSON_RECORD,
  TEXT_RECORD,
  type ToWorker,
  type WorkerCounts,
  type WorkerRequest,
  type WorkerSettings,
} from './protocol';
import { createRingBuffers, type RingBuffers, RingWriter, SLOT } from './ring';
import { recipeOf } from './sink-recipe';

/** Records written before the worker is woken even though the caller's turn goes on. */
const WAKE_EVERY = 256;
/** How long a caller waiting for room sleeps before it looks again. */
const ROOM_POLL_MS = 2;
const WAKE: ToWorker = { type: 'wake' };

/** The compiled worker entry; from the sources (tests), the build's copy of it. */
function workerEntry(): string {
  const here = join(__dirname, 'worker-main.js');
  if (existsSync(here)) return here;
  const built = join(__dirname, '..', '..', '..', 'dist', 'deliver', 'worker', 'worker-main.js');
  if (existsSync(built)) return built;
  throw optionProblem('createAuditLogger', 'worker', `worker: the worker script is missing (${here})`);
}

/** The options the worker needs, as plain data; throws at startup for what cannot move. */
function workerSettings(o: ResolvedOptions, ring: RingBuffers): WorkerSettings {
  const sinks = o.sinks.map((sink) => {
    const recipe = recipeOf(sink);
    if (!recipe)
      throw optionProblem(
        'createAuditLogger',
        'worker',
        `worker: sink "${sink.name}" cannot move to a worker thread; only a fileSink without onError or now can (leave the worker option off to use this sink)`,
      );
    return { recipe, primary: !o.bestEffort.has(sink) };
  });
  const i = o.integrity;
  return {
    ring,
    source: o.source,
    sinks,
    queue: o.queue,
    batch: o.batch,
    retry: o.retry,
    breaker: o.breaker,
    spool: o.spool,
    durable: o.durable,
    integrity: i && {
      every: i.every,
      intervalMs: i.intervalMs,
      keyPem: i.key?.export({ format: 'pem', type: 'pkcs8' }).toString(),
      file: i.file,
      resume: i.resume,
    },
  };
}

/**
 * An event as a ring record: when `asText`, its canonical halves, which the worker seals from as
 * they are; else its JSON, which the worker parses. Throws what serializing throws.
 */
function ringRecord(event: AuditEvent, asText: boolean): string {
  const text = asText ? eventText(event) : undefined;
  return text ? `${TEXT_RECORD}${text.head}\n${text.tail}` : `${JSON_RECORD}${JSON.stringify(event)}`;
}

/** Writes an event's text record into the ring's memory at `data[start, end)`: see `RingWriter.writeIn`. */
const fillRecord = (event: AuditEvent, data: Buffer, start: number, end: number): number =>
  eventRecordIn(event, TEXT_RECORD, data, start, end);

interface Asked {
  upTo: number;
  resolve: (ok: boolean) => void;
}

export class WorkerDelivery {
  readonly #o: ResolvedOptions;
  readonly #hooks: DeliveryHooks;
  readonly #writer: RingWriter;
  readonly #state: Int32Array;
  readonly #worker: Worker;
  /** The worker seals: events go to it as canonical text. */
  readonly #sealed: boolean;
  /** Records put on the ring. */
  #written = 0;
  /** Records on the ring the worker has answered for (a flush, stored or close covering them). */
  #confirmed = 0;
  /** `block` and `spill`: events waiting on the caller for room on the ring. */
  #pending: string[] = [];
  #pendingHead = 0;
  /** Their UTF-16 length: the queue's byte limit applies to them. */
  #pendingBytes = 0;
  #waitingForRoom = false;
  #wakeScheduled = false;
  #sinceWake = 0;
  #ownDropped = 0;
  #last: WorkerCounts;
  #exited = false;
  #nextId = 1;
  readonly #asked = new Map<number, Asked>();
  #writableWaiters: Array<() => void> = [];
  readonly #wakeLater = (): void => {
    this.#wakeScheduled = false;
    this.#sinceWake = 0;
    this.#wake();
  };

  constructor(o: ResolvedOptions, hooks: DeliveryHooks) {
    this.#o = o;
    this.#hooks = hooks;
    this.#sealed = o.integrity !== undefined;
    const ring = createRingBuffers(o.worker!.ringBytes);
    const settings = workerSettings(o, ring);
    this.#writer = new RingWriter(ring);
    this.#state = this.#writer.state;
    this.#last = {
      queued: 0,
      dropped: 0,
      stats: {
        queue: { events: 0, bytes: 0 },
        sinks: o.sinks.map((s) => ({
          name: s.name,
          delivered: 0,
          failed: 0,
          retries: 0,
          consecutiveFailures: 0,
        })),
      },
    };
    this.#worker = new Worker(workerEntry(), { workerData: settings, name: 'auditkit delivery' });
    this.#worker.on('message', (m: FromWorker) => this.#onMessage(m));
    this.#worker.on('error', (error) =>
      hooks.report({ kind: 'sink', cause: error, message: `audit worker failed: ${String(error)}` }),
    );
    this.#worker.on('exit', () => this.#onExit());
    // Like the in-thread timers: an idle logger never keeps the process alive (after the
    // listeners: adding one refs the port again).
    this.#worker.unref();
  }

  /** The worker starts on its own; nothing to wait for. */
  get ready(): undefined {
    return undefined;
  }

  get counts(): Readonly<{ queued: number; dropped: number }> {
    return {
      queued: this.#written + this.#pendingCount() - this.#last.dropped,
      dropped: this.#ownDropped + this.#last.dropped,
    };
  }

  get busy(): boolean {
    return this.#written + this.#pendingCount() > this.#confirmed;
  }

  /** The events waiting on the caller for room on the ring fill the queue's limits. */
  get full(): boolean {
    return this.#overLimits(0);
  }

  #overLimits(incoming: number): boolean {
    const q = this.#o.queue;
    return this.#pendingCount() >= q.maxEvents || this.#pendingBytes + incoming > q.maxBytes;
  }

  #pendingCount(): number {
    return this.#pending.length - this.#pendingHead;
  }

  /**
   * Whether the event goes to the worker as its canonical text: with sealing on, and with the
   * logger's own source (the worker's sealer repeats it in checkpoints, which never go as text).
   */
  #asText(event: AuditEvent): boolean {
    return this.#sealed && event.source === this.#o.source && event.type !== CHECKPOINT_TYPE;
  }

  enqueue(event: AuditEvent, _bytes: number): boolean {
    if (this.#exited) return this.#drop('the audit worker has stopped; the event was not recorded');
    // The common case: the serializer writes the event's canonical text straight into the ring's
    // memory, never made a string or copied on this thread. Anything else (no room, a record
    // larger than the ring takes, a value the serializer leaves to the generic path) takes the
    // string path below.
    const asText = this.#asText(event);
    if (asText && this.#pendingCount() === 0 && this.#writer.writeIn(fillRecord, event)) {
      this.#written++;
      this.#wakeSoon();
      return true;
    }
    let text: string;
    try {
      text = ringRecord(event, asText);
    } catch (error) {
      return this.#drop(`event could not be serialized and was not recorded: ${String(error)}`, 'invalid');
    }
    if (this.#pendingCount() === 0 && this.#writer.write(text)) {
      this.#written++;
      this.#wakeSoon();
      return true;
    }
    if (text.length * 3 > this.#writer.maxRecord && Buffer.byteLength(text) > this.#writer.maxRecord)
      return this.#drop(
        `event of ${Buffer.byteLength(text)} bytes is larger than half of worker.ringBytes; it was not recorded`,
        'invalid',
      );
    // The ring is full (or the worker still starting): the event waits here, in order, within the
    // queue's limits; beyond them the overflow policy decides (`block` and `spill` keep waiting).
    if (this.#o.queue.overflow === 'drop' && this.#overLimits(text.length)) {
      const q = this.#o.queue;
      return this.#drop(
        `audit queue full (${this.#pendingCount()} events waiting for the worker; queue.maxEvents ${q.maxEvents}, queue.maxBytes ${q.maxBytes}); events are being dropped`,
      );
    }
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    this.#awaitRoom();
    return true;
  }

  #drop(message: string, kind: 'dropped' | 'invalid' = 'dropped'): false {
    this.#ownDropped++;
    this.#hooks.report({ kind, message });
    return false;
  }

  /** One wake-up per turn of the caller (or per WAKE_EVERY records), not one per event. */
  #wakeSoon(): void {
    if (++this.#sinceWake >= WAKE_EVERY) this.#wakeLater();
    else if (!this.#wakeScheduled) {
      this.#wakeScheduled = true;
      queueMicrotask(this.#wakeLater);
    }
  }

  /** Wakes the worker if it sleeps: a message (a few µs), and only then. */
  #wake(): void {
    if (this.#writer.takeSleeper() && !this.#exited) this.#worker.postMessage(WAKE);
  }

  #awaitRoom(): void {
    if (this.#waitingForRoom) return;
    this.#waitingForRoom = true;
    this.#wake();
    setTimeout(() => {
      this.#waitingForRoom = false;
      this.#movePending();
    }, ROOM_POLL_MS).unref();
  }

  /** Moves waiting events onto the ring as far as there is room. */
  #movePending(): boolean {
    while (this.#pendingCount() > 0 && !this.#exited) {
      const text = this.#pending[this.#pendingHead]!;
      if (!this.#writer.write(text)) break;
      this.#pending[this.#pendingHead++] = '';
      this.#pendingBytes -= text.length;
      this.#written++;
    }
    this.#wake();
    if (!this.full) this.releaseWriters();
    if (this.#pendingCount() > 0 && !this.#exited) {
      this.#awaitRoom();
      return false;
    }
    this.#pending = [];
    this.#pendingHead = 0;
    this.#pendingBytes = 0;
    return true;
  }

  stored(): Promise<boolean> {
    return this.#ask('stored');
  }

  deliverSoon(_delayMs: number): void {
    this.#wake();
  }

  whenWritable(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.#writableWaiters.push(resolve));
  }

  releaseWriters(): void {
    const waiters = this.#writableWaiters;
    this.#writableWaiters = [];
    for (const w of waiters) w();
  }

  async flush(): Promise<void> {
    await this.#ask('flush');
  }

  startClosing(): void {
    // Nothing to hurry on this side: the close request makes the worker deliver at once.
  }

  async close(): Promise<void> {
    await this.#ask('close');
    await this.#worker.terminate();
  }

  /** Sends a request covering every event accepted so far; resolves with the worker's answer. */
  #ask(type: WorkerRequest['type']): Promise<boolean> {
    if (this.#exited) return Promise.resolve(this.#written + this.#pendingCount() === this.#confirmed);
    const upTo = this.#written + this.#pendingCount();
    const id = this.#nextId++;
    // While someone waits for the worker, the process stays up for it.
    if (this.#asked.size === 0) this.#worker.ref();
    const answer = new Promise<boolean>((resolve) => this.#asked.set(id, { upTo, resolve }));
    this.#wake();
    this.#worker.postMessage({ type, id, upTo } satisfies ToWorker);
    return answer;
  }

  /** Whether kept batches come back to this thread (`subscribeSealed` listeners). */
  watchSealed(on: boolean): void {
    if (!this.#exited) this.#worker.postMessage({ type: 'sealed', on } satisfies ToWorker);
  }

  #onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'done': {
        this.#last = m.counts;
        const asked = this.#asked.get(m.id);
        if (!asked) return;
        this.#asked.delete(m.id);
        if (this.#asked.size === 0) this.#worker.unref();
        this.#confirmed = Math.max(this.#confirmed, asked.upTo);
        asked.resolve(m.ok);
        return;
      }
      case 'counts':
        this.#last = m.counts;
        return;
      case 'error':
        this.#hooks.report({ kind: m.kind, message: m.message, ...(m.sink ? { sink: m.sink } : {}) });
        return;
      case 'sealed':
        this.#hooks.kept(m);
        return;
    }
  }

  /** The worker is gone: what it had not answered for is lost, and counted. */
  #onExit(): void {
    if (this.#exited) return;
    this.#exited = true;
    const lost = this.#written + this.#pendingCount() - this.#confirmed;
    if (lost > 0) {
      this.#ownDropped += lost;
      this.#hooks.report({
        kind: 'dropped',
        message: `the audit worker stopped with ${lost} events not confirmed written`,
      });
    }
    for (const asked of this.#asked.values()) asked.resolve(false);
    this.#asked.clear();
    this.releaseWriters();
  }

  /**
   * Process exit: the caller's thread waits (up to `worker.exitTimeoutMs`) while the worker takes
   * what is left, seals it, writes it and closes its sinks with a final checkpoint; it keeps
   * running while this thread waits. What it has not confirmed by then is reported.
   */
  drainSync(): void {
    // Even with nothing waiting: the worker's close signs the final checkpoint, as the
    // caller-thread exit drain does.
    if (this.#exited) return;
    const state = this.#state;
    const deadline = Date.now() + this.#o.worker!.exitTimeoutMs;
    // The worker now reads whatever its queue holds: the process is ending.
    Atomics.store(state, SLOT.EXIT, 1);
    this.#worker.postMessage(WAKE);
    while (this.#pendingCount() > 0 && Date.now() < deadline) {
      const read = Atomics.load(state, SLOT.READ);
      if (this.#movePendingSync()) break;
      Atomics.wait(state, SLOT.READ, read, Math.max(1, Math.min(50, deadline - Date.now())));
    }
    Atomics.store(state, SLOT.EXIT, 2);
    while (Atomics.load(state, SLOT.EXIT) !== 3) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(state, SLOT.EXIT, Atomics.load(state, SLOT.EXIT), left);
    }
    const done = Atomics.load(state, SLOT.EXIT) === 3;
    const confirmed = done ? this.#written : this.#confirmedAtExit();
    const lost = this.#written + this.#pendingCount() - confirmed;
    this.#confirmed = confirmed;
    if (lost > 0) {
      this.#ownDropped += lost;
      this.#hooks.report({
        kind: 'dropped',
        message: `process exit: the audit worker did not finish within ${this.#o.worker!.exitTimeoutMs} ms; up to ${lost} events may be missing`,
      });
    }
  }

  #movePendingSync(): boolean {
    while (this.#pendingCount() > 0) {
      const text = this.#pending[this.#pendingHead]!;
      if (!this.#writer.write(text)) return false;
      this.#pendingHead++;
      this.#pendingBytes -= text.length;
      this.#written++;
    }
    return true;
  }

  /** The worker's last confirmation, widened from its 32-bit slot to this side's count. */
  #confirmedAtExit(): number {
    const slot = Atomics.load(this.#state, SLOT.CONFIRMED) >>> 0;
    const behind = (this.#written - slot) >>> 0;
    return Math.max(this.#confirmed, this.#written - behind);
  }

  stats(): Pick<AuditStats, 'queue' | 'sinks' | 'integrity'> {
    const taken = Atomics.load(this.#state, SLOT.TAKEN) >>> 0;
    const onRing = (this.#written - taken) >>> 0;
    const s = this.#last.stats;
    return {
      ...s,
      queue: { ...s.queue, events: s.queue.events + onRing + this.#pendingCount() },
    };
  }
}
