/** `verifyFiles`: JSONL audit files verified on the calling thread, or in parts on several. */
import { availableParallelism } from 'node:os';
import { eachLine, readAuditBlocks } from '../sinks/tail';
import { planParts } from './part-plan';
import { ChainVerifier, resolveAuditFiles, type VerifyOptions, type VerifyReport } from './verify';
import { verifyInParts } from './verify-parts';

/** Below this many bytes of files, starting threads costs more than it saves. */
const THREADS_FROM_BYTES = 8 * 1024 * 1024;

/** `threads` as given; anything but a whole number ≥ 1 is a TypeError. */
function resolveThreads(options: VerifyOptions): number | undefined {
  const value = options.threads;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TypeError(
      `verify: threads must be a whole number >= 1, got ${typeof value === 'string' ? `the string "${value}"` : String(value)}`,
    );
  return value;
}

/** Verifies JSONL audit files (rotated and gzipped ones included). */
export async function verifyFiles(
  paths: readonly string[],
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const asked = resolveThreads(options);
  // Options are checked (and keys loaded) before any file is read.
  const verifier = new ChainVerifier(options, false, true);
  const files = await resolveAuditFiles(paths);
  const threads = asked ?? availableParallelism();
  if (threads > 1) {
    const plan = await planParts(files, threads);
    if (plan.parts.length > 1 && (asked !== undefined || plan.bytes >= THREADS_FROM_BYTES)) {
      const report = await verifyInParts(plan.parts, files, threads, options);
      if (report) return report;
    }
  }
  const report = await verifyOnThisThread(verifier, files, options);
  // A line taken on trust was not JSON: the line-by-line report, exactly.
  return verifier.strictRunNeeded ? verifyOnThisThread(new ChainVerifier(options), files, options) : report;
}

/** Every line in order, on the calling thread. */
async function verifyOnThisThread(
  verifier: ChainVerifier,
  files: readonly string[],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const { onProgress } = options;
  const every = options.progressEvery ?? 10_000;
  let lines = 0;
  let file = '';
  let last = 0;
  for await (const block of readAuditBlocks(files)) {
    if (block.file !== file) {
      file = block.file;
      last = 0;
    }
    const data = block.data;
    last = eachLine(data, last, (start, end, line) => {
      verifier.addLineBytes(data, start, end, file, line);
      if (onProgress && ++lines % every === 0)
        onProgress({ lines, file, fileIndex: files.indexOf(file) + 1, files: files.length });
    });
  }
  return verifier.finish();
}
