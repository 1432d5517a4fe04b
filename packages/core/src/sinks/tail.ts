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

/** A part of a plain audit file, `[start, end)` in bytes, cut at line breaks. */
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
  for (const file of files) yield* blocksOf(file);
}

/** The bytes of one part of a plain file in blocks of whole lines (the part starts at a line). */
export function readAuditRange(range: AuditFileRange): AsyncGenerator<AuditBlock> {
  return blocksOf(range.file, range.start, range.end);
}

async function* blocksOf(file: string, start = 0, end?: number): AsyncGenerator<AuditBlock> {
  if (end !== undefined && end <= start) return;
  const raw = createReadStream(file, {
    highWaterMark: BLOCK_BYTES,
    start,
    ...(end !== undefined && { end: end - 1 }),
  });
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: BLOCK_BYTES })) : raw;
  let carry: Buffer | undefined;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let data = chunk;
      if (carry) {
        // Only the line split between two chunks is copied together.
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
  } catch (error) {
    throw readError(file, error);
  } finally {
    raw.destroy();
  }
}

/**
 * Where the first line starting at or after `from` begins in a plain file (just after a `\n`),
 * or `size` when none does.
 */
export async function lineStartAfter(file: string, from: number, size: number): Promise<number> {
  if (from <= 0) return 0;
  const handle = await fsp.open(file, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK);
    // The byte before `from` may itself end a line.
    for (let at = from - 1; at < size; at += CHUNK) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, at);
      if (bytesRead === 0) break;
      const nl = chunk.subarray(0, bytesRead).indexOf(0x0a);
      if (nl !== -1) return Math.min(size, at + nl + 1);
    }
    return size;
  } catch (error) {
    throw readError(file, error);
  } finally {
    await handle.close();
  }
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
