import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainVerifier, type VerifyOptions, type VerifyReport } from '@auditkit/core';
import { verifyInParts } from '../src/verify/verify-parts';

/**
 * A closed trail of chain `orders@node-a#…`, sealed under seal version 1 (no `integrity.v`) by a
 * build of core from before version 2 (fixtures/seal-v1/make.js): 12 events, checkpoints every 5,
 * signed with the key in signing.pub.
 */
export const V1_TRAIL = join(__dirname, 'fixtures', 'seal-v1', 'audit.jsonl');
export const V1_PUBLIC_KEY = readFileSync(join(__dirname, 'fixtures', 'seal-v1', 'signing.pub'), 'utf8');
export const v1Lines = (): string[] => readFileSync(V1_TRAIL, 'utf8').trimEnd().split('\n');

/**
 * The report of every line parsed in full, one by one, as read from `file`: what the byte paths
 * must agree with.
 */
export function lineByLine(
  lines: readonly string[],
  options: VerifyOptions = {},
  file?: string,
): VerifyReport {
  const verifier = new ChainVerifier(options);
  for (const [i, line] of lines.entries())
    verifier.addLine(line, file === undefined ? {} : { file, line: i + 1 });
  return verifier.finish();
}

/**
 * The reports of `file` (holding `lines`) verified in two parts, cut after each line but the last
 * in turn: each must equal the single-thread report.
 */
export async function reportsCutAtEveryLine(
  file: string,
  lines: readonly string[],
  options: VerifyOptions,
): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = [];
  let at = 0;
  for (const line of lines.slice(0, -1)) {
    at += Buffer.byteLength(line) + 1;
    const parts = [
      { file, start: 0, end: at },
      { file, start: at, end: Number.POSITIVE_INFINITY },
    ];
    reports.push(await verifyInParts(parts, [file], 2, options));
  }
  return reports;
}
