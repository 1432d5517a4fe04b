/**
 * A local disk spool: one directory of append-only segment files holding records of opaque bytes,
 * read back in order. Each record is framed `magic | length | crc32 | payload`, so a torn tail
 * (a crash mid-write) and corrupt bytes are told apart from good records, reported and
 * quarantined, never silently replayed or skipped. Appends are group-committed: everything
 * appended while one write + fsync is in flight shares the next one. A cursor file records how
 * far the records were consumed, so a restart replays each record once.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeDir } from '../../make-dir';
import { crc32 } from './crc32';

const MAGIC = 0x414b5350; // "AKSP"
const HEADER = 12;
const SEGMENT_RE = /^(\d{12})\.seg$/;
const CURSOR = 'cursor.json';
/** Most bytes one read takes during replay: large enough that a batch of records is one read. */
const READ_BYTES = 8 * 1024 * 1024;

const writeAsync = promisify(fs.write);
const readAsync = promisify(fs.read);
const fsyncAsync = promisify(fs.fsync);
const openAsync = promisify(fs.open);
const closeAsync = promisify(fs.close);
const ftruncateAsync = promisify(fs.ftruncate);
const noop = (): void => {};

export interface SpoolConfig {
  /** Directory of this spool; created with mode 0o700. One process per directory. */
  dir: string;
  /** Refuse appends beyond this many bytes of unconsumed records. */
  maxBytes: number;
  /** Start a new segment file beyond this size. */
  segmentBytes: number;
  /** fsync each group commit, so an acknowledged append survives power loss, not only a crash. */
  fsync: boolean;
  /** Torn tails and corrupt records found, quarantined and skipped. */
  onProblem: (problem: SpoolProblem) => void;
}

export interface SpoolProblem {
  kind: 'torn' | 'corrupt';
  message: string;
  /** Bytes set aside under `quarantine/`. */
  bytes: number;
  file: string;
}

export interface SpoolStats {
  /** Records and their events written but not consumed yet. */
  records: number;
  events: number;
  bytes: number;
  /** Records found corrupt (bad checksum or framing) and quarantined. */
  corrupt: number;
  /** Incomplete records found at the end of a segment (a crash mid-write), quarantined. */
  torn: number;
  /** Appends refused because the spool was at `maxBytes`. */
  refused: number;
}

interface Entry {
  seg: number;
  /** Offset of the record's header. */
  at: number;
  length: number;
  events: number;
}

interface PendingAppend {
  frame: Buffer;
  events: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** An append refused because the spool reached its size cap. */
export class SpoolFullError extends Error {
  readonly retryable = false;
  constructor(dir: string, maxBytes: number) {
    super(`spool ${dir} is full (${maxBytes} bytes); the batch could not be spooled`);
    this.name = 'SpoolFullError';
  }
}

function segName(seg: number): string {
  return `${String(seg).padStart(12, '0')}.seg`;
}

function countLines(payload: Buffer): number {
  let n = 0;
  for (let i = payload.indexOf(10); i !== -1; i = payload.indexOf(10, i + 1)) n++;
  return n;
}

export function frameRecord(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32BE(MAGIC, 0);
  frame.writeUInt32BE(payload.length, 4);
  frame.writeUInt32BE(crc32(payload), 8);
  payload.copy(frame, HEADER);
  return frame;
}

/** The length of the valid record at `pos` in `buf`, or -1 (-2: a header that runs past the end). */
function validAt(buf: Buffer, pos: number): number {
  if (buf.length - pos < HEADER) return -2;
  if (buf.readUInt32BE(pos) !== MAGIC) return -1;
  const length = buf.readUInt32BE(pos + 4);
  if (pos + HEADER + length > buf.length) return -2;
  return crc32(buf.subarray(pos + HEADER, pos + HEADER + length)) === buf.readUInt32BE(pos + 8) ? length : -1;
}

/** The next offset after `pos` where a valid record starts, or -1. */
function resync(buf: Buffer, pos: number): number {
  const magic = Buffer.from([0x41, 0x4b, 0x53, 0x50]);
  for (let i = buf.indexOf(magic, pos + 1); i !== -1; i = buf.indexOf(magic, i + 1)) {
    if (validAt(buf, i) >= 0) return i;
  }
  return -1;
}

export class Spool {
  readonly dir: string;
  readonly #o: SpoolConfig;
  readonly #entries: Entry[] = [];
  #head = 0;
  readonly #stats = { corrupt: 0, torn: 0, refused: 0 };
  #bytes = 0;
  #events = 0;
  #seg = 1;
  #segSize = 0;
  #fd: number | undefined;
  readonly #readFds = new Map<number, number>();
  #pending: PendingAppend[] = [];
  #pendingBytes = 0;
  #pendingEvents = 0;
  #committing: Promise<void> | undefined;
  #cursorWrite: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: SpoolConfig) {
    this.dir = options.dir;
    this.#o = options;
  }

  /** Opens (creating) the spool and scans what a previous process left: torn tails, corrupt records. */
  static async open(options: SpoolConfig): Promise<Spool> {
    const spool = new Spool(options);
    await spool.#scan();
    return spool;
  }

  /** Records written or being written but not consumed: new batches must queue behind them. */
  get backlog(): number {
    return this.#entries.length - this.#head + this.#pending.length + (this.#committing ? 1 : 0);
  }

  /** Records on disk ready to be read. */
  get readable(): number {
    return this.#entries.length - this.#head;
  }

  get stats(): SpoolStats {
    return {
      records: this.#entries.length - this.#head + this.#pending.length,
      events: this.#events + this.#pendingEvents,
      bytes: this.#bytes + this.#pendingBytes,
      ...this.#stats,
    };
  }

  /** Appends one record; resolves once it is written (and fsynced). Rejects with SpoolFullError at the cap. */
  append(payload: Buffer, events = countLines(payload)): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`spool ${this.dir} is closed`));
    const frame = frameRecord(payload);
    if (this.#bytes + this.#pendingBytes + frame.length > this.#o.maxBytes) {
      this.#stats.refused += events;
      return Promise.reject(new SpoolFullError(this.dir, this.#o.maxBytes));
    }
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ frame, events, resolve, reject });
      this.#pendingBytes += frame.length;
      this.#pendingEvents += events;
      this.#committing ??= this.#commitLoop();
    });
  }

  /** Group commit: whatever was appended during one write + fsync goes out in the next. */
  async #commitLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const group = this.#pending;
        this.#pending = [];
        const size = group.reduce((n, p) => n + p.frame.length, 0);
        const events = group.reduce((n, p) => n + p.events, 0);
        try {
          const fd = await this.#writeFd(size);
          const start = this.#segSize;
          const data =
            group.length === 1
              ? group[0]!.frame
              : Buffer.concat(
                  group.map((p) => p.frame),
                  size,
                );
          let offset = 0;
          try {
            while (offset < size)
              offset += (await writeAsync(fd, data, offset, size - offset, null)).bytesWritten;
            if (this.#o.fsync) await fsyncAsync(fd);
          } catch (error) {
            if (offset > 0) await ftruncateAsync(fd, start).catch(noop);
            throw error;
          }
          this.#pendingBytes -= size;
          this.#pendingEvents -= events;
          this.#index(group, start);
          for (const p of group) p.resolve();
        } catch (error) {
          this.#pendingBytes -= size;
          this.#pendingEvents -= events;
          for (const p of group) p.reject(error);
        }
      }
    } finally {
      this.#committing = undefined;
    }
  }

  #index(group: readonly PendingAppend[], start: number): void {
    let at = start;
    for (const p of group) {
      this.#entries.push({ seg: this.#seg, at, length: p.frame.length - HEADER, events: p.events });
      at += p.frame.length;
      this.#bytes += p.frame.length;
      this.#events += p.events;
    }
    this.#segSize = at;
  }

  async #writeFd(incoming: number): Promise<number> {
    if (this.#fd !== undefined && this.#segSize > 0 && this.#segSize + incoming > this.#o.segmentBytes) {
      const old = this.#fd;
      this.#fd = undefined;
      await closeAsync(old);
      this.#seg++;
      this.#segSize = 0;
    }
    this.#fd ??= await openAsync(join(this.dir, segName(this.#seg)), 'a', 0o600);
    return this.#fd;
  }

  /** Process exit: appends one record synchronously (after what is still waiting). Throws on failure. */
  appendSync(payload: Buffer, events = countLines(payload)): void {
    if (this.#closed) throw new Error(`spool ${this.dir} is closed`);
    const frame = frameRecord(payload);
    if (this.#bytes + this.#pendingBytes + frame.length > this.#o.maxBytes) {
      this.#stats.refused += events;
      throw new SpoolFullError(this.dir, this.#o.maxBytes);
    }
    let error: unknown;
    this.#pending.push({ frame, events, resolve: noop, reject: (e) => (error = e) });
    this.#pendingBytes += frame.length;
    this.#pendingEvents += events;
    this.flushSync();
    if (error !== undefined) throw error;
  }

  /** Process exit: writes what is still waiting synchronously. */
  flushSync(): void {
    // A commit already in flight has not acknowledged its callers; what waits behind it goes now.
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];
    try {
      this.#fd ??= fs.openSync(join(this.dir, segName(this.#seg)), 'a', 0o600);
      const data = Buffer.concat(group.map((p) => p.frame));
      let offset = 0;
      while (offset < data.length) offset += fs.writeSync(this.#fd, data, offset);
      if (this.#o.fsync) fs.fsyncSync(this.#fd);
      this.#pendingBytes -= data.length;
      this.#pendingEvents -= group.reduce((n, p) => n + p.events, 0);
      this.#index(group, fs.fstatSync(this.#fd).size - data.length);
      for (const p of group) p.resolve();
    } catch (error) {
      for (const p of group) p.reject(error);
    }
  }

  /**
   * Up to `maxEvents` events' worth of the oldest unconsumed records (at least one record).
   * Records lying next to each other in one segment are read with one read of up to READ_BYTES.
   */
  async peek(maxEvents: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let events = 0;
    let i = this.#head;
    while (i < this.#entries.length) {
      const first = this.#entries[i]!;
      if (out.length > 0 && events + first.events > maxEvents) break;
      // The run of adjacent records that fits the event and byte budgets.
      let end = i + 1;
      let runEvents = events + first.events;
      let runEnd = first.at + HEADER + first.length;
      while (end < this.#entries.length) {
        const e = this.#entries[end]!;
        if (e.seg !== first.seg || e.at !== runEnd) break;
        if (runEvents + e.events > maxEvents || runEnd + HEADER + e.length - first.at > READ_BYTES) break;
        runEvents += e.events;
        runEnd += HEADER + e.length;
        end++;
      }
      const buf = await this.#readRange(first.seg, first.at, runEnd - first.at);
      let bad = -1;
      for (let j = i; j < end; j++) {
        const e = this.#entries[j]!;
        const at = e.at - first.at;
        const frame = buf.subarray(at, Math.min(buf.length, at + HEADER + e.length));
        if (validAt(frame, 0) !== e.length) {
          bad = j;
          break;
        }
        out.push(frame.subarray(HEADER));
        events += e.events;
      }
      if (bad === -1) {
        i = end;
        continue;
      }
      // Changed on disk since it was written or scanned: set aside, reported, never replayed.
      const e = this.#entries[bad]!;
      const at = e.at - first.at;
      await this.#quarantine(
        e.seg,
        e.at,
        buf.subarray(at, Math.min(buf.length, at + HEADER + e.length)),
        'corrupt',
        'record no longer matches its checksum',
      );
      this.#entries.splice(bad, 1);
      this.#bytes -= HEADER + e.length;
      this.#events -= e.events;
      i = bad;
    }
    return out;
  }

  /** The newest record on disk not consumed yet, or undefined. */
  async lastRecord(): Promise<Buffer | undefined> {
    const e = this.#entries.at(-1);
    if (!e || this.readable === 0) return undefined;
    const frame = await this.#readRange(e.seg, e.at, HEADER + e.length);
    return validAt(frame, 0) === e.length ? frame.subarray(HEADER) : undefined;
  }

  /** `length` bytes of segment `seg` from `at` (fewer when the file is shorter). */
  async #readRange(seg: number, at: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    const fd = await this.#readFd(seg);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await readAsync(fd, buf, got, length - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  }

  /** Marks the oldest `records` records consumed and persists the cursor; drops finished segments. */
  async consume(records: number): Promise<void> {
    const end = Math.min(this.#head + records, this.#entries.length);
    if (end === this.#head) return;
    for (let i = this.#head; i < end; i++) {
      const e = this.#entries[i]!;
      this.#bytes -= HEADER + e.length;
      this.#events -= e.events;
    }
    const last = this.#entries[end - 1]!;
    this.#head = end;
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
    const cursor = { segment: last.seg, offset: last.at + HEADER + last.length };
    this.#cursorWrite = this.#cursorWrite.then(() => this.#writeCursor(cursor)).catch(noop);
    await this.#cursorWrite;
  }

  async #writeCursor(cursor: { segment: number; offset: number }): Promise<void> {
    const tmp = join(this.dir, `${CURSOR}.tmp`);
    await fs.promises.writeFile(tmp, JSON.stringify(cursor), { mode: 0o600 });
    await fs.promises.rename(tmp, join(this.dir, CURSOR));
    // Segments wholly before the cursor are done; the one being written is kept.
    for (const [seg, fd] of this.#readFds) {
      if (seg < cursor.segment) {
        this.#readFds.delete(seg);
        await closeAsync(fd).catch(noop);
      }
    }
    for (const name of await fs.promises.readdir(this.dir)) {
      const m = SEGMENT_RE.exec(name);
      if (m && Number(m[1]) < cursor.segment && Number(m[1]) !== this.#seg) {
        await fs.promises.rm(join(this.dir, name), { force: true });
      }
    }
  }

  async #readFd(seg: number): Promise<number> {
    let fd = this.#readFds.get(seg);
    if (fd === undefined) {
      fd = await openAsync(join(this.dir, segName(seg)), 'r');
      this.#readFds.set(seg, fd);
    }
    return fd;
  }

  async #readCursor(): Promise<{ segment: number; offset: number }> {
    try {
      const c = JSON.parse(await fs.promises.readFile(join(this.dir, CURSOR), 'utf8')) as {
        segment?: unknown;
        offset?: unknown;
      };
      if (Number.isInteger(c.segment) && Number.isInteger(c.offset))
        return { segment: c.segment as number, offset: c.offset as number };
      throw new Error('cursor has no segment and offset');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { segment: 0, offset: 0 };
      // An unreadable cursor replays from the start: a duplicate is recoverable (ids), a loss is not.
      this.#o.onProblem({
        kind: 'corrupt',
        message: `spool cursor unreadable (${String(error)}); replaying every record in ${this.dir}`,
        bytes: 0,
        file: join(this.dir, CURSOR),
      });
      return { segment: 0, offset: 0 };
    }
  }

  async #scan(): Promise<void> {
    await makeDir(this.dir, 0o700);
    const cursor = await this.#readCursor();
    const segs = (await fs.promises.readdir(this.dir))
      .map((n) => SEGMENT_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const seg of segs) {
      const file = join(this.dir, segName(seg));
      if (seg < cursor.segment) {
        await fs.promises.rm(file, { force: true });
        continue;
      }
      const buf = await fs.promises.readFile(file);
      const isLast = seg === segs.at(-1);
      let pos = seg === cursor.segment ? Math.min(cursor.offset, buf.length) : 0;
      while (pos < buf.length) {
        const length = validAt(buf, pos);
        if (length >= 0) {
          const events = countLines(buf.subarray(pos + HEADER, pos + HEADER + length));
          this.#entries.push({ seg, at: pos, length, events });
          this.#bytes += HEADER + length;
          this.#events += events;
          pos += HEADER + length;
          continue;
        }
        const next = resync(buf, pos);
        const end = next === -1 ? buf.length : next;
        const torn = next === -1 && length === -2 && isLast;
        await this.#quarantine(
          seg,
          pos,
          buf.subarray(pos, end),
          torn ? 'torn' : 'corrupt',
          torn ? 'incomplete record at the end (a write cut short)' : 'record fails its checksum or framing',
        );
        if (torn) {
          // Cut off, so new appends follow the last good record.
          await fs.promises.truncate(file, pos);
        }
        pos = end;
      }
      if (isLast) {
        this.#seg = seg;
        this.#segSize = (await fs.promises.stat(file)).size;
      }
    }
    if (segs.length === 0) this.#seg = Math.max(1, cursor.segment);
    // A brand-new segment after a cut tail is not needed: appends continue in the last one.
  }

  async #quarantine(
    seg: number,
    at: number,
    bytes: Buffer,
    kind: 'torn' | 'corrupt',
    why: string,
  ): Promise<void> {
    this.#stats[kind]++;
    const dir = join(this.dir, 'quarantine');
    const file = join(dir, `${segName(seg)}@${at}.${kind}`);
    try {
      await makeDir(dir, 0o700);
      await fs.promises.writeFile(file, bytes, { mode: 0o600 });
    } catch {
      // The report below still says what was found; the bytes stay in the segment when it is kept.
    }
    this.#o.onProblem({
      kind,
      message: `spool ${this.dir}: ${why}: ${bytes.length} bytes at ${segName(seg)}:${at} quarantined to ${file}`,
      bytes: bytes.length,
      file,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#committing;
    await this.#cursorWrite;
    const fds = [...this.#readFds.values(), ...(this.#fd === undefined ? [] : [this.#fd])];
    this.#readFds.clear();
    this.#fd = undefined;
    await Promise.all(fds.map((fd) => closeAsync(fd).catch(noop)));
  }
}
