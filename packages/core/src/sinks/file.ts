/**
 * JSON Lines file sink: one event per line, one `write(2)` per batch, straight on an fd.
 * Batches are coalesced upstream (the delivery loop collects the next batch while one is written),
 * so a buffering layer (sonic-boom) would only add a copy. A batch on an open file goes to the
 * kernel through one callback, not a chain of promises: under HTTP load batches hold a few dozen
 * events, and what each write costs is paid that often.
 */
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify, types } from 'node:util';
import { batchBytes } from '../deliver/batch';
import { markWritesLines } from '../deliver/line-sinks';
import { markMovable } from '../deliver/worker/sink-recipe';
import { makeDir, makeDirSync } from '../make-dir';
import { AuditOptionError, describeValue } from '../option-check';
import { eventsAround } from '../query';
import type {
  AuditAround,
  AuditAroundQuery,
  AuditEvent,
  AuditIterateQuery,
  AuditLinesPage,
  AuditPage,
  AuditQuery,
  AuditRetentionInfo,
  AuditStatsQuery,
  AuditStore,
  AuditStoreStats,
  Batch,
  ChainHead,
  RetentionResult,
} from '../types';
import { oldestEvent } from '../verify/store-support';
import { resolveAuditFiles } from '../verify/verify';
import {
  type AuditFiles,
  chainEventsOfFiles,
  chainHeadsOfFiles,
  getFromFiles,
  iterateFiles,
  queryFiles,
  queryLinesOfFiles,
  statsOfFiles,
} from './file-query';
import {
  exists,
  formatStamp,
  gzipFile,
  listAuditFiles,
  listRotated,
  pruneRotated,
  type RotationKey,
  rotatedPath,
  utcDay,
} from './file-rotation';
import { lastAuditLine } from './tail';

export { listAuditFiles };

export interface FileSinkOptions {
  /** File appended to, e.g. `./audit-logs/audit.jsonl`; missing parent directories are created with mode 0o700. Required. */
  path: string;
  /** Sink name in stats and health. Default `file`. */
  name?: string;
  /** Permissions of the files the sink creates (the umask still applies). Default `0o600`. */
  mode?: number;
  /** Rotate before a batch would grow the current file beyond this many bytes; 0 turns size rotation off. A batch is never split. Default 100 MiB. */
  maxSize?: number;
  /** Rotate when the UTC day of the current file's last write is not today's. Default true. */
  rotateDaily?: boolean;
  /** Keep at most this many rotated files, deleting the oldest; 0 keeps all (audit files are records, deleting them is opt-in). Default 0. */
  maxFiles?: number;
  /**
   * Compress rotated files to `.gz` in the background, then remove the plain copy. `true` uses zlib
   * level 1: on audit JSON its files are about 10% larger than level 6's for less than half the CPU,
   * which every event pays. A number from 1 to 9 picks the level; `false` keeps files plain.
   * Default true.
   */
  gzip?: boolean | number;
  /** fsync after every batch, so a write resolves only once the batch is on stable storage. Default false. */
  fsync?: boolean;
  /**
   * Receives errors of background work (compression, pruning, a failed rotation; the batch is
   * then still written to the current file). Default: the next `flush()` or `close()` rejects
   * with the first such error.
   */
  onError?: (error: Error) => void;
  /** Clock for daily rotation and rotated file names; injectable for tests. Default `() => new Date()`. */
  now?: () => Date;
}

/**
 * A JSON Lines file sink. One process (one sink) per path. It is also an `AuditStore`: `query`,
 * `get`, `stats` and `chainHeads` scan its files (rotated and gzipped ones included); retention
 * is `maxFiles`, so `applyRetention` rejects (`retention()` says so).
 */
export interface FileSink extends AuditStore {
  open(): Promise<void>;
  write(batch: Batch): Promise<void>;
  writeSync(batch: Batch): void;
  flush(): Promise<void>;
  lastSealed(): Promise<AuditEvent | undefined>;
  chainEvents(chain: string): AsyncIterable<AuditEvent>;
  /** Absolute path of the current file. */
  readonly path: string;
  /** Bytes written by this sink, across rotations. */
  readonly bytesWritten: number;
}

interface ResolvedFileOptions {
  name: string;
  mode: number;
  maxSize: number;
  rotateDaily: boolean;
  maxFiles: number;
  /** The zlib level rotated files are compressed at; 0 leaves them plain. */
  gzipLevel: number;
  fsync: boolean;
  onError: ((error: Error) => void) | undefined;
  now: () => Date;
}

/** One batch on its way to the file. `queued` until handed to the kernel. */
interface Pending {
  readonly data: Buffer;
  state: 'queued' | 'issued' | 'done';
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  /** Size of the file before this batch: a torn write is cut back to it. */
  start: number;
  /** Bytes of `data` the kernel has taken. */
  offset: number;
}

const MIB = 1024 * 1024;
const noop = (): void => {};

const openAsync = promisify(fs.open);
const fstatAsync = promisify(fs.fstat);
const closeAsync = promisify(fs.close);

function resolveFileOptions(options: FileSinkOptions): ResolvedFileOptions {
  return {
    name: options.name ?? 'file',
    mode: options.mode ?? 0o600,
    maxSize: options.maxSize ?? 100 * MIB,
    rotateDaily: options.rotateDaily ?? true,
    maxFiles: options.maxFiles ?? 0,
    gzipLevel: gzipLevel(options.gzip),
    fsync: options.fsync ?? false,
    onError: options.onError,
    now: options.now ?? (() => new Date()),
  };
}

/** The fastest zlib level: audit lines repeat their keys, so it already compresses them ~11×. */
const DEFAULT_GZIP_LEVEL = 1;

function gzipLevel(gzip: FileSinkOptions['gzip']): number {
  if (gzip === undefined || gzip === true) return DEFAULT_GZIP_LEVEL;
  if (gzip === false) return 0;
  if (Number.isInteger(gzip) && (gzip as number) >= 1 && (gzip as number) <= 9) return gzip as number;
  throw new AuditOptionError(
    `fileSink: \`gzip\` must be true, false or a zlib level from 1 to 9, got ${describeValue(gzip)}`,
    'gzip',
  );
}

function pending(data: Buffer): Pending {
  let resolve = noop;
  let reject: (error: unknown) => void = noop;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { data, state: 'queued', promise, resolve, reject, start: 0, offset: 0 };
}

/** Settles with the write, never rejects: what flush and close wait on. */
const settled = (p: Pending | undefined): Promise<void> | undefined => p?.promise.then(noop, noop);

/** Errors from node internals may come from another realm (jest, vm): `instanceof` misses them. */
function toError(error: unknown): Error {
  return error instanceof Error || types.isNativeError(error) ? error : new Error(String(error));
}

/** Appends all of `data` to a file of `start` bytes; a torn batch is cut off again, as in `#issue`. */
function appendSync(fd: number, data: Buffer, start: number): void {
  let offset = 0;
  try {
    while (offset < data.length) offset += fs.writeSync(fd, data, offset);
  } catch (error) {
    if (offset > 0) {
      try {
        fs.ftruncateSync(fd, start);
      } catch {
        // Best effort: the original error is what matters.
      }
    }
    throw error;
  }
}

class JsonlFileSink implements FileSink {
  readonly name: string;
  readonly path: string;
  readonly #o: ResolvedFileOptions;
  #fd: number | undefined;
  /** Bytes in the current file. */
  #size = 0;
  /** Time (ms) of the current file's last write: its mtime when it was opened. */
  #lastWrite = 0;
  #bytesWritten = 0;
  #queue: Pending[] = [];
  #pumping = false;
  /** The batch handed to the kernel, until its write (and fsync) answered. */
  #current: Pending | undefined;
  #scanned = false;
  #lastRotation: RotationKey | undefined;
  /** Compression and pruning, one job at a time so pruning sees finished archives. */
  #background: Promise<void> = Promise.resolve();
  #backgroundError: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** The files queries read: this sink's own, or every set in a directory (`fileStore`). */
  readonly #files: AuditFiles;

  constructor(path: string, options: ResolvedFileOptions, files?: AuditFiles) {
    this.name = options.name;
    this.path = resolve(path);
    this.#o = options;
    this.#files = files ?? (() => listAuditFiles(this.path));
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  query(filter?: AuditQuery): Promise<AuditPage> {
    return queryFiles(this.#files, filter);
  }

  queryLines(filter?: AuditQuery): Promise<AuditLinesPage> {
    return queryLinesOfFiles(this.#files, filter);
  }

  iterate(query?: AuditIterateQuery): AsyncIterable<AuditEvent> {
    return iterateFiles(this.#files, query);
  }

  get(id: string, options?: { tenant?: string }): Promise<AuditEvent | undefined> {
    return getFromFiles(this.#files, id, options);
  }

  around(id: string, query: AuditAroundQuery): Promise<AuditAround | undefined> {
    return eventsAround(this, id, query, 'fileSink');
  }

  stats(filter?: AuditStatsQuery): Promise<AuditStoreStats> {
    return statsOfFiles(this.#files, filter);
  }

  chainHeads(): Promise<ChainHead[]> {
    return chainHeadsOfFiles(this.#files);
  }

  chainEvents(chain: string): AsyncIterable<AuditEvent> {
    return chainEventsOfFiles(this.#files, chain);
  }

  /** Audit files are append-only records: they are pruned whole, by `maxFiles`, never rewritten. */
  applyRetention(): Promise<RetentionResult> {
    return Promise.reject(
      new Error('fileSink: retention is by whole files (the maxFiles option); events are never rewritten'),
    );
  }

  async retention(options?: { tenant?: string }): Promise<AuditRetentionInfo> {
    const { maxFiles, maxSize, rotateDaily } = this.#o;
    const oldest = await oldestEvent(this, options?.tenant);
    return {
      files: { maxFiles, maxFileBytes: maxSize, rotateDaily },
      enforcement:
        maxFiles > 0
          ? `whole files: the oldest rotated file is deleted when more than ${maxFiles} are kept`
          : 'every file is kept: rotated files are never deleted (maxFiles 0)',
      ...(oldest ? { oldest } : {}),
    };
  }

  write(batch: Batch): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    let data: Buffer;
    try {
      data = batchBytes(batch);
    } catch (error) {
      return Promise.reject(error);
    }
    if (data.length === 0) return Promise.resolve();
    const item = pending(data);
    this.#queue.push(item);
    this.#pump();
    return item.promise;
  }

  /**
   * Process exit: writes batches still queued here, then this one, synchronously and in call
   * order. A write already handed to the kernel may land before or after it, as whole lines.
   * Never rotates (the file may overshoot `maxSize` by what is drained at exit).
   */
  writeSync(batch: Batch): void {
    if (this.#closed) throw this.#closedError();
    const taken = this.#takeQueued();
    try {
      const data = Buffer.concat([...taken.map((p) => p.data), batchBytes(batch)]);
      const fd = this.#openSync();
      appendSync(fd, data, this.#size);
      if (this.#o.fsync) fs.fsyncSync(fd);
      this.#account(data.length);
    } catch (error) {
      for (const p of taken) p.reject(error);
      throw error;
    }
    for (const p of taken) p.resolve();
  }

  /** Creates the directory and opens the file now, so a path that cannot be written is known at startup. */
  async open(): Promise<void> {
    if (this.#closed) return;
    await this.#open();
  }

  /** The last event of the newest file (rotated and gzipped ones included), when it is sealed. */
  async lastSealed(): Promise<AuditEvent | undefined> {
    const line = await lastAuditLine(await listAuditFiles(this.path));
    if (line === undefined) return undefined;
    try {
      const event = JSON.parse(line) as AuditEvent;
      return event?.integrity ? event : undefined;
    } catch {
      return undefined; // a torn last line: the writer starts a new chain
    }
  }

  /** Resolves when every write issued so far has settled; compression may still be running. */
  async flush(): Promise<void> {
    await settled(this.#queue.at(-1));
    this.#throwBackgroundError();
  }

  /** Waits for pending writes and background jobs, then closes the file. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    await settled(this.#queue.at(-1));
    await this.#background;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeAsync(fd);
    this.#throwBackgroundError();
  }

  #closedError(): Error {
    return new Error(`file sink "${this.name}" is closed; the batch for ${this.path} was not written`);
  }

  /**
   * Writes queued batches one at a time, in call order: straight to the file when it is open and
   * needs no rotation, else once it is opened or rotated. Never throws.
   */
  #pump(): void {
    if (this.#pumping) return;
    const item = this.#queue[0];
    if (item === undefined) return;
    this.#pumping = true;
    const fd = this.#fd;
    if (fd !== undefined && !this.#shouldRotate(item.data.length)) {
      this.#issue(item, fd);
      return;
    }
    this.#prepare(item).then(
      () => {
        // writeSync may have written it meanwhile (process exit).
        if (item.state === 'queued') this.#issue(item, this.#fd!);
        else this.#next(item, undefined);
      },
      (error: unknown) => this.#next(item, error),
    );
  }

  async #prepare(item: Pending): Promise<void> {
    await this.#open();
    if (this.#shouldRotate(item.data.length)) await this.#rotateOrReport();
  }

  /** Hands a batch to the kernel; `#wrote` goes on until all of it is written (and synced when asked). */
  #issue(item: Pending, fd: number): void {
    item.state = 'issued';
    item.start = this.#size;
    item.offset = 0;
    this.#current = item;
    this.#writeRest(fd, item);
  }

  #writeRest(fd: number, item: Pending): void {
    try {
      fs.write(fd, item.data, item.offset, item.data.length - item.offset, null, this.#wrote);
    } catch (error) {
      this.#failed(fd, item, error);
    }
  }

  readonly #wrote = (error: NodeJS.ErrnoException | null, written: number): void => {
    const item = this.#current!;
    const fd = this.#fd!;
    if (error) {
      this.#failed(fd, item, error);
      return;
    }
    item.offset += written;
    if (item.offset < item.data.length) this.#writeRest(fd, item);
    else if (this.#o.fsync) fs.fsync(fd, this.#synced);
    else this.#written(item);
  };

  readonly #synced = (error: NodeJS.ErrnoException | null): void => {
    const item = this.#current!;
    if (error) this.#failed(this.#fd!, item, error);
    else this.#written(item);
  };

  #written(item: Pending): void {
    this.#current = undefined;
    item.state = 'done';
    this.#account(item.data.length);
    this.#next(item, undefined);
  }

  /** A failed append: a torn batch is cut off again so a retry does not follow half a line. */
  #failed(fd: number, item: Pending, error: unknown): void {
    this.#current = undefined;
    if (item.offset > 0 && item.offset < item.data.length)
      fs.ftruncate(fd, item.start, () => this.#next(item, error));
    else this.#next(item, error);
  }

  /** Settles a batch and goes on with the next one. */
  #next(item: Pending, error: unknown): void {
    if (error === undefined) item.resolve();
    else item.reject(error);
    // writeSync may have taken the item (and others) out of the queue meanwhile.
    if (this.#queue[0] === item) this.#queue.shift();
    this.#pumping = false;
    this.#pump();
  }

  #takeQueued(): Pending[] {
    const taken = this.#queue.filter((p) => p.state === 'queued');
    this.#queue = this.#queue.filter((p) => p.state !== 'queued');
    for (const p of taken) p.state = 'done';
    return taken;
  }

  #account(bytes: number): void {
    this.#size += bytes;
    this.#bytesWritten += bytes;
    this.#lastWrite = this.#o.now().getTime();
  }

  async #open(): Promise<void> {
    if (this.#fd !== undefined) return;
    await makeDir(dirname(this.path), 0o700);
    const fd = await openAsync(this.path, 'a', this.#o.mode);
    let stat: fs.Stats;
    try {
      stat = await fstatAsync(fd);
    } catch (error) {
      await closeAsync(fd).catch(noop);
      throw error;
    }
    if (this.#fd !== undefined) {
      // writeSync opened the file while we waited (process exit): keep its fd.
      fs.close(fd, noop);
      return;
    }
    this.#fd = fd;
    this.#size = stat.size;
    this.#lastWrite = stat.size > 0 ? stat.mtimeMs : this.#o.now().getTime();
    if (!this.#scanned) await this.#scanRotated();
  }

  #openSync(): number {
    if (this.#fd !== undefined) return this.#fd;
    makeDirSync(dirname(this.path), 0o700);
    const fd = fs.openSync(this.path, 'a', this.#o.mode);
    this.#size = fs.fstatSync(fd).size;
    this.#fd = fd;
    return fd;
  }

  /** Once per sink: learn the last rotation, finish compression a previous process left undone. */
  async #scanRotated(): Promise<void> {
    this.#scanned = true;
    try {
      const rotated = await listRotated(this.path);
      this.#lastRotation = rotated.at(-1);
      if (this.#o.gzipLevel > 0) {
        for (const f of rotated) if (f.plain) this.#compressLater(rotatedPath(this.path, f, false));
      }
      if (this.#o.maxFiles > 0) this.#pruneLater();
    } catch (error) {
      this.#report(error);
    }
  }

  #shouldRotate(bytes: number): boolean {
    if (this.#size === 0) return false;
    if (this.#o.maxSize > 0 && this.#size + bytes > this.#o.maxSize) return true;
    return this.#o.rotateDaily && utcDay(this.#lastWrite) !== utcDay(this.#o.now().getTime());
  }

  /** A failed rotation must not stop auditing: report it and keep appending to the current file. */
  async #rotateOrReport(): Promise<void> {
    try {
      await this.#rotate();
    } catch (error) {
      this.#report(error);
    }
    await this.#open();
  }

  async #rotate(): Promise<void> {
    const target = rotatedPath(this.path, await this.#nextKey(), false);
    // Renamed while still open: anything writeSync appends meanwhile lands in the rotated file.
    await fs.promises.rename(this.path, target);
    const fd = this.#fd;
    this.#fd = undefined;
    this.#size = 0;
    if (this.#o.gzipLevel > 0) this.#compressLater(target);
    if (this.#o.maxFiles > 0) this.#pruneLater();
    if (fd !== undefined) await closeAsync(fd);
  }

  /** Stamped with the last write; never sorts before an earlier rotation, even if the clock went back. */
  async #nextKey(): Promise<RotationKey> {
    const stamp = formatStamp(new Date(this.#lastWrite));
    const last = this.#lastRotation;
    let key: RotationKey =
      last && stamp <= last.stamp ? { stamp: last.stamp, n: last.n + 1 } : { stamp, n: 0 };
    while (
      (await exists(rotatedPath(this.path, key, false))) ||
      (await exists(rotatedPath(this.path, key, true)))
    ) {
      key = { stamp: key.stamp, n: key.n + 1 };
    }
    this.#lastRotation = key;
    return key;
  }

  #compressLater(file: string): void {
    this.#later(() => gzipFile(file, this.#o.gzipLevel, this.#o.mode, this.#o.fsync));
  }

  #pruneLater(): void {
    this.#later(() => pruneRotated(this.path, this.#o.maxFiles));
  }

  #later(job: () => Promise<void>): void {
    this.#background = this.#background.then(job).catch((error: unknown) => this.#report(error));
  }

  #report(error: unknown): void {
    const err = toError(error);
    if (!this.#o.onError) {
      this.#backgroundError ??= err;
      return;
    }
    try {
      this.#o.onError(err);
    } catch {
      // A throwing callback must not turn into an unhandled rejection.
    }
  }

  #throwBackgroundError(): void {
    const error = this.#backgroundError;
    this.#backgroundError = undefined;
    if (error) throw error;
  }
}

/**
 * Appends batches as JSON Lines to `options.path`, rotating by size and UTC day, compressing and
 * (when asked) pruning rotated files. Errors reject the write with the original error; nothing
 * is thrown synchronously.
 */
export function fileSink(options: FileSinkOptions): FileSink {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new TypeError('fileSink: the `path` option is required');
  }
  const sink = markWritesLines(new JsonlFileSink(options.path, resolveFileOptions(options)));
  // With no callbacks its options are plain data: the `worker` option can make it again there.
  if (options.onError === undefined && options.now === undefined)
    markMovable(sink, { factory: 'fileSink', options: { ...options, path: sink.path } });
  return sink;
}

export interface FileStoreOptions extends Omit<FileSinkOptions, 'path'> {
  /** File name written in a directory store. Default `audit.jsonl`. */
  file?: string;
}

/**
 * The file sink as a store over a directory or one file. A directory (or a path that does not
 * exist and does not end in `.jsonl`) is read whole, every `*.jsonl` set in it (one per producing
 * process, rotated and gzipped files included), and written at `<dir>/<file>`; a file is `fileSink`.
 */
export function fileStore(path: string, options: FileStoreOptions = {}): FileSink {
  if (typeof path !== 'string' || path === '')
    throw new TypeError('fileStore: a directory or file path is required');
  const { file = 'audit.jsonl', ...rest } = options;
  let directory: boolean;
  try {
    directory = fs.statSync(path).isDirectory();
  } catch {
    directory = !path.endsWith('.jsonl');
  }
  if (!directory) return fileSink({ ...rest, path });
  if (typeof file !== 'string' || file.includes('/') || !file.endsWith('.jsonl'))
    throw new TypeError(
      `fileStore: \`file\` must be a file name ending in .jsonl, got ${JSON.stringify(file)}`,
    );
  const dir = resolve(path);
  return markWritesLines(
    new JsonlFileSink(join(dir, file), resolveFileOptions({ ...rest, path: join(dir, file) }), () =>
      exists(dir).then((yes) => (yes ? resolveAuditFiles([dir]) : [])),
    ),
  );
}
