/** A worker of `verifyFiles`' threads: verifies the ranges of lines it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { type AuditFileRange, eachLine, readAuditRange } from '../sinks/tail';
import { ChainVerifier } from './verify';
import type { PartMessage, PartWorkerData } from './verify-parts';

const { publicKeys, progressEvery } = workerData as PartWorkerData;
const port = parentPort!;
const send = (m: PartMessage) => port.postMessage(m);

async function verifyRange(range: AuditFileRange): Promise<void> {
  const verifier = new ChainVerifier({ publicKeys }, true);
  let last = 0;
  let lines = 0;
  for await (const block of readAuditRange(range)) {
    const data = block.data;
    // Line numbers only name breaks, and a part with a break is verified again in one piece.
    last = eachLine(data, last, (start, end) => {
      verifier.addLineBytes(data, start, end);
      if (progressEvery !== undefined && ++lines === progressEvery) {
        send({ kind: 'progress', lines });
        lines = 0;
      }
    });
  }
  if (lines > 0 && progressEvery !== undefined) send({ kind: 'progress', lines });
  send({ kind: 'done', part: verifier.part() });
}

port.on('message', (range: AuditFileRange) => {
  verifyRange(range).catch((error: unknown) =>
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
