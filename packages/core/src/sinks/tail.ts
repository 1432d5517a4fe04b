/** Reading audit files back: every line in order, or just the last one, plain or gzipped. */
import { createReadStream, promises as fsp } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

export interface AuditLine {
  file: string;
  /** 1-based line number within the file. */
  line: number;
  text: string;
}

/** Every non-empty line of `files`, in order; `.gz` files are decompressed on the fly. */
export async function* readAuditLines(files: readonly string[]): AsyncGenerator<AuditLine> {
  for (const file of files) {
    const raw = createReadStream(file);
    const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    let n = 0;
    try {
      for await (const text of lines) {
        n++;
        if (text.length > 0) yield { file, line: n, text };
      }
    } catch (error) {
      throw readError(file, error);
    } finally {
      lines.close();
      raw.destroy();
    }
  }
}

/** Whole lines of one file as bytes: `data` ends after a line break, or at the end of the file. */
export interface AuditBlock {
  file: string;
  data: Buffer;
}

const BLOCK_BYTES = 1024 * 1024;
const CHUNK = 64 * 1024;

/**
 * A part of an audit file: the lines that start at an offset in `[start, end)` of its bytes as read
 * (decompressed, for `.gz`). Parts that meet at any offsets share no line and miss none.
 */
export interface AuditFileRange {
  file: string;
  start: number;
  end: number;
}

/**
 * The bytes of `files` in blocks of whole lines, in order; `.gz` files are decompressed on the
 * fly. For readers that go through lines faster than a string per line allows (verification).
 */
export async function* readAuditBlocks(files: readonly string[]): AsyncGenerator<AuditBlock> {
  for (const file of files) yield* blocksOf({ file, start: 0, end: Number.POSITIVE_INFINITY });
}

/** The bytes of the lines of one part of a file, in blocks of whole lines. */
export function readAuditRange(range: AuditFileRange): AsyncGenerator<AuditBlock> {
  return blocksOf(range);
}

/**
 * The file's bytes from the first line that starts at or after `start` to the end of the last one
 * that starts before `end`. A gzipped file is decompressed from its beginning (the part before
 * `start` is read and dropped); a plain one is read from the byte before `start`, which says
 * whether a line starts there.
 */
async function* rangeBytes(range: AuditFileRange): AsyncGenerator<Buffer> {
  const { file, start, end } = range;
  if (end <= start) return;
  const gzipped = file.endsWith('.gz');
  const from = gzipped ? 0 : Math.max(0, start - 1);
  const raw = createReadStream(file, { highWaterMark: BLOCK_BYTES, start: from });
  const input = gzipped ? raw.pipe(createGunzip({ chunkSize: BLOCK_BYTES })) : raw;
  // Offset of the chunk's first byte; whether the first line is found (a line starts at 0).
  let offset = from;
  let begun = start === 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const at = offset;
      offset += chunk.length;
      let data = chunk;
      if (!begun) {
        // The first line break at or after `start - 1` ends the line before the part.
        if (offset < start) continue;
        const nl = chunk.indexOf(0x0a, Math.max(0, start - 1 - at));
        if (nl === -1) continue;
        begun = true;
        if (at + nl + 1 >= end) return;
        data = chunk.subarray(nl + 1);
      }
      const dataAt = offset - data.length;
      if (offset < end) {
        if (data.length > 0) yield data;
        continue;
      }
      // The line that holds `end - 1` is the part's last.
      const nl = data.indexOf(0x0a, Math.max(0, end - 1 - dataAt));
      if (nl === -1) {
        if (data.length > 0) yield data;
        continue;
      }
      yield data.subarray(0, nl + 1);
      return;
    }
  } catch (error) {
    throw readError(file, error);
  } finally {
    raw.destroy();
  }
}

/** Whole lines of `range` in blocks: only the line split between two chunks is copied together. */
async function* blocksOf(range: AuditFileRange): AsyncGenerator<AuditBlock> {
  const { file } = range;
  let carry: Buffer | undefined;
  for await (const chunk of rangeBytes(range)) {
    let data = chunk;
    if (carry) {
      const first = chunk.indexOf(0x0a) + 1;
      if (first === 0) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      yield { file, data: Buffer.concat([carry, chunk.subarray(0, first)]) };
      data = chunk.subarray(first);
    }
    const cut = data.lastIndexOf(0x0a) + 1;
    carry = cut < data.length ? data.subarray(cut) : undefined;
    if (cut > 0) yield { file, data: cut < data.length ? data.subarray(0, cut) : data };
  }
  if (carry) yield { file, data: carry };
}

/**
 * Calls `line(start, end, number)` for each non-empty line of `data`, numbered on from `after`
 * (the lines before it in its file), splitting where `readAuditLines` does: at `\n`, `\r\n` and
 * a lone `\r`. Returns the number of the last line.
 */
export function eachLine(
  data: Buffer,
  after: number,
  line: (start: number, end: number, number: number) => void,
): number {
  let n = after;
  let start = 0;
  if (data.indexOf(0x0d) === -1) {
    while (start < data.length) {
      let end = data.indexOf(0x0a, start);
      if (end === -1) end = data.length;
      n++;
      if (end > start) line(start, end, n);
      start = end + 1;
    }
    return n;
  }
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c !== 0x0a && c !== 0x0d) continue;
    n++;
    if (i > start) line(start, i, n);
    if (c === 0x0d && data[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  if (start < data.length) line(start, data.length, ++n);
  return n;
}

/** A read error that names the file: zlib's "incorrect header check" alone names nothing. */
function readError(file: string, error: unknown): Error {
  const { message, code } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && code.startsWith('Z_'))
    return new Error(`${file} is not a readable gzip file (${message})`, { cause: error });
  if (message?.includes(file)) return error as Error;
  return new Error(`${file}: ${message ?? String(error)}`, { cause: error });
}

/** The last non-empty line of a plain file, read backwards in chunks; undefined for an empty file. */
async function lastLineOfPlain(file: string): Promise<string | undefined> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    let end = size;
    let tail = Buffer.alloc(0);
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - start);
      await handle.read(chunk, 0, chunk.length, start);
      tail = Buffer.concat([chunk, tail]);
      end = start;
      const text = tail.toString('utf8').replace(/\n+$/, '');
      const nl = text.lastIndexOf('\n');
      if (nl !== -1 || end === 0) return text.slice(nl + 1) || undefined;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The last non-empty line of the newest of `files` that has one (files oldest first). */
export async function lastAuditLine(files: readonly string[]): Promise<string | undefined> {
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i]!;
    let last: string | undefined;
    if (file.endsWith('.gz')) {
      for await (const l of readAuditLines([file])) last = l.text;
    } else {
      last = await lastLineOfPlain(file);
    }
    if (last !== undefined) return last;
  }
  return undefined;
}
