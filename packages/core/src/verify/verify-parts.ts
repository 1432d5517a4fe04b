/**
 * Verification in parts on several threads: the files are cut into contiguous ranges of lines
 * (see part-plan.ts), each range is verified on a worker or on this thread, and the parts are
 * joined in order on this thread, which checks the seams: each chain must go on where
 * the part before left it, and the first checkpoint after a seam must sum up the events before it.
 * A trail with anything broken in it is verified again in one piece, so its report is exactly
 * the single-threaded one.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditFileRange } from '../sinks/tail';
import { ChainVerifier, type TrailPart, type VerifyOptions, type VerifyReport } from './verify';
import { verifyRange } from './verify-range';

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
 * The report of `parts` verified on this thread and `threads - 1` workers and joined here, or
 * undefined when the trail must be verified in one piece (something in it is broken, or a worker
 * failed). The workers start first, so they boot while this thread verifies the first part.
 */
export async function verifyInParts(
  parts: readonly AuditFileRange[],
  files: readonly string[],
  threads: number,
  options: VerifyOptions,
): Promise<VerifyReport | undefined> {
  const { onProgress } = options;
  const data: PartWorkerData = {
    publicKeys: publicKeyTexts(options.publicKeys),
    progressEvery: onProgress ? (options.progressEvery ?? 10_000) : undefined,
  };
  const script = threads > 1 ? workerScript() : '';
  const workers = Array.from(
    { length: Math.min(threads, parts.length) - 1 },
    () => new Worker(script, { workerData: data }),
  );
  const joined = new ChainVerifier(options);
  const done: (TrailPart | undefined)[] = [];
  let next = 0;
  let adopted = 0;
  let failed = false;
  let lines = 0;

  /** Joins the parts verified so far, in order, as far as they reach without a gap. */
  const join = () => {
    while (!failed && adopted < next && done[adopted] !== undefined) {
      if (!joined.adoptPart(done[adopted]!)) failed = true;
      done[adopted++] = undefined;
    }
  };
  /** The next part to verify, or -1 when there is none (or no point going on). */
  const take = () => (failed || next >= parts.length ? -1 : next++);
  const finished = (index: number, part: TrailPart | undefined) => {
    if (part === undefined) failed = true;
    else {
      done[index] = part;
      join();
    }
  };
  /** Lines read by any thread: onProgress is called at every multiple of progressEvery, as on one thread. */
  const progress = (index: number, n: number) => {
    const every = data.progressEvery!;
    const file = parts[index]!.file;
    for (let k = Math.floor(lines / every) + 1; k * every <= lines + n; k++)
      onProgress?.({ lines: k * every, file, fileIndex: files.indexOf(file) + 1, files: files.length });
    lines += n;
  };

  const onWorker = (worker: Worker) =>
    new Promise<void>((resolve) => {
      let current = -1;
      const finish = () => {
        worker.removeAllListeners();
        resolve();
      };
      const give = () => {
        current = take();
        if (current < 0) finish();
        else worker.postMessage(parts[current]);
      };
      worker.on('message', (m: PartMessage) => {
        if (m.kind === 'progress') progress(current, m.lines);
        else {
          finished(current, m.kind === 'done' ? m.part : undefined);
          give();
        }
      });
      const stop = () => {
        failed = true;
        finish();
      };
      worker.once('error', stop);
      worker.once('exit', stop);
      give();
    });

  const here = async () => {
    for (let index = take(); index >= 0; index = take()) {
      const report =
        data.progressEvery === undefined
          ? undefined
          : { every: data.progressEvery, lines: (n: number) => progress(index, n) };
      try {
        finished(index, await verifyRange(parts[index]!, data.publicKeys, report));
      } catch {
        // The single-threaded path reports what could not be read.
        finished(index, undefined);
      }
    }
  };

  try {
    await Promise.all([here(), ...workers.map(onWorker)]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  join();
  if (failed || adopted < parts.length) return undefined;
  return joined.finish();
}
