/** A worker of `verifyFiles`' threads: verifies the ranges of lines it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditFileRange } from '../sinks/tail';
import type { PartMessage, PartWorkerData } from './verify-parts';
import { verifyRange } from './verify-range';

const { publicKeys, progressEvery } = workerData as PartWorkerData;
const port = parentPort!;
const send = (m: PartMessage) => port.postMessage(m);
const progress =
  progressEvery === undefined
    ? undefined
    : { every: progressEvery, lines: (lines: number) => send({ kind: 'progress', lines }) };

port.on('message', (range: AuditFileRange) => {
  verifyRange(range, publicKeys, progress).then(
    (part) => send({ kind: 'done', part }),
    (error: unknown) =>
      send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
