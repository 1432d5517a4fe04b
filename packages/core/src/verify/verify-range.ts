/** One part of a trail verified on the calling thread: the work each of `verifyFiles`' threads does. */
import type { KeyObject } from 'node:crypto';
import { type AuditFileRange, eachLine, readAuditRange } from '../sinks/tail';
import { ChainVerifier, type TrailPart } from './verify';

/** Progress of a part: `lines(n)` after every `every` lines, and for the rest at the end. */
export interface RangeProgress {
  every: number;
  lines: (n: number) => void;
}

/** What the lines of `range` hold, or undefined when something in them is broken. */
export async function verifyRange(
  range: AuditFileRange,
  publicKeys: ReadonlyArray<string | KeyObject>,
  progress?: RangeProgress,
): Promise<TrailPart | undefined> {
  const verifier = new ChainVerifier({ publicKeys }, true, true);
  const every = progress?.every ?? Number.POSITIVE_INFINITY;
  let lines = 0;
  for await (const block of readAuditRange(range)) {
    const data = block.data;
    // Line numbers only name breaks, and a part with a break is verified again in one piece.
    eachLine(data, 0, (start, end) => {
      verifier.addLineBytes(data, start, end);
      if (++lines === every) {
        progress!.lines(lines);
        lines = 0;
      }
    });
  }
  if (lines > 0) progress?.lines(lines);
  return verifier.part();
}
