/**
 * Verification in parts on worker threads: the files are cut into contiguous ranges of lines
 * (whole gzipped files, plain files at line breaks), each range is verified on a worker, and the
 * parts are joined in order on this thread, which checks the seams: each chain must go on where
 * the part before left it, and the first checkpoint after a seam must sum up the events before it.
 * A trail with anything broken in it is verified again in one piece, so its report is exactly
 * the single-threaded one.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type AuditFileRange, lineStartAfter } from '../sinks/tail';
import { ChainVerifier, type TrailPart, type VerifyOptions, type VerifyReport } from './verify';

/** About how much a gzipped audit file grows when read: for sizing the parts. */
const GZIP_RATIO = 8;
/** Smaller parts cost more in seams than they gain. */
const MIN_PART_BYTES = 64 * 1024;
/** Parts per thread: a few, so a thread that finishes early takes another. */
const PARTS_PER_THREAD = 4;

export interface PartPlan {
  parts: AuditFileRange[];
  /** The trail's size, gzipped files counted as read. */
  bytes: number;
}

/** The ranges `files` are verified in, oldest first. */
export async function planParts(files: readonly string[], threads: number): Promise<PartPlan> {
  let sizes: number[];
  try {
    sizes = await Promise.all(files.map(async (f) => (await fsp.stat(f)).size));
  } catch {
    // A file that cannot be read is reported by the single-threaded path, as it always was.
    return { parts: [], bytes: 0 };
  }
  const gzipped = (f: string) => f.endsWith('.gz');
  const bytes = files.reduce((sum, f, i) => sum + sizes[i]! * (gzipped(f) ? GZIP_RATIO : 1), 0);
  const partBytes = Math.max(MIN_PART_BYTES, Math.ceil(bytes / (threads * PARTS_PER_THREAD)));
  const parts: AuditFileRange[] = [];
  for (const [i, file] of files.entries()) {
    const size = sizes[i]!;
    if (gzipped(file)) {
      parts.push({ file, start: 0, end: Number.POSITIVE_INFINITY });
      continue;
    }
    let start = 0;
    while (start < size) {
      const end = start + partBytes >= size ? size : await lineStartAfter(file, start + partBytes, size);
      parts.push({ file, start, end });
      start = end;
    }
  }
  return { parts, bytes };
}

/** Messages from a worker. */
export type PartMessage =
  | { kind: 'progress'; lines: number }
  | { kind: 'done'; part: TrailPart | undefined }
  | { kind: 'failed'; message: string };

/** What a worker is given once. */
export interface PartWorkerData {
  publicKeys: string[];
  progressEvery: number | undefined;
}

/** The worker's code: the build beside this file; from the sources (a TypeScript runner), the package's build. */
function workerScript(): string {
  const beside = join(__dirname, 'verify-worker.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', '..', 'dist', 'verify', 'verify-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`verify: threads need the built worker (${beside}); build the package or use threads: 1`);
}

function publicKeyTexts(keys: VerifyOptions['publicKeys']): string[] {
  return (keys ?? []).map((k) =>
    typeof k === 'string'
      ? k
      : createPublicKey(k as KeyObject)
          .export({ type: 'spki', format: 'pem' })
          .toString(),
  );
}

/**
 * The report of `parts` verified on up to `threads` workers and joined here, or undefined when
 * the trail must be verified in one piece (something in it is broken, or a worker failed).
 */
export async function verifyInParts(
  parts: readonly AuditFileRange[],
  files: readonly string[],
  threads: number,
  options: VerifyOptions,
): Promise<VerifyReport | undefined> {
  const joined = new ChainVerifier(options);
  const done: (TrailPart | undefined)[] = [];
  let next = 0;
  let adopted = 0;
  let failed = false;
  let lines = 0;
  const { onProgress } = options;
  const data: PartWorkerData = {
    publicKeys: publicKeyTexts(options.publicKeys),
    progressEvery: onProgress ? (options.progressEvery ?? 10_000) : undefined,
  };

  /** Joins the parts verified so far, in order, as far as they reach without a gap. */
  const join = () => {
    while (!failed && adopted < next && done[adopted] !== undefined) {
      if (!joined.adoptPart(done[adopted]!)) failed = true;
      done[adopted++] = undefined;
    }
  };

  const run = (worker: Worker) =>
    new Promise<void>((resolve) => {
      let current = -1;
      const finish = () => {
        worker.removeAllListeners();
        resolve();
      };
      const take = () => {
        current = next++;
        if (failed || current >= parts.length) {
          finish();
          return;
        }
        worker.postMessage(parts[current]);
      };
      worker.on('message', (m: PartMessage) => {
        if (m.kind === 'progress') {
          // Called at every multiple of progressEvery lines, as on one thread.
          const every = data.progressEvery!;
          const file = parts[current]!.file;
          for (let k = Math.floor(lines / every) + 1; k * every <= lines + m.lines; k++)
            onProgress?.({ lines: k * every, file, fileIndex: files.indexOf(file) + 1, files: files.length });
          lines += m.lines;
          return;
        }
        if (m.kind === 'failed' || m.part === undefined) failed = true;
        else {
          done[current] = m.part;
          join();
        }
        take();
      });
      const stop = () => {
        failed = true;
        finish();
      };
      worker.once('error', stop);
      worker.once('exit', stop);
      take();
    });

  const script = workerScript();
  const workers = Array.from(
    { length: Math.min(threads, parts.length) },
    () => new Worker(script, { workerData: data }),
  );
  try {
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  join();
  if (failed || adopted < parts.length) return undefined;
  return joined.finish();
}
