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

/** A read error that names the file: zlib's "incorrect header check" alone names nothing. */
function readError(file: string, error: unknown): Error {
  const { message, code } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && code.startsWith('Z_'))
    return new Error(`${file} is not a readable gzip file (${message})`, { cause: error });
  if (message?.includes(file)) return error as Error;
  return new Error(`${file}: ${message ?? String(error)}`, { cause: error });
}

const CHUNK = 64 * 1024;

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
