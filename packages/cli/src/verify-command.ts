import { type VerifyProgress, type VerifyReport, verifyFiles } from '@auditkit/core';
import { type CliIO, EXIT } from './io';
import { checkPublicKeyFiles } from './key-files';

export interface VerifyCommandOptions {
  key?: string[];
  closed?: boolean;
  json?: boolean;
  allowEmpty?: boolean;
  maxUnsigned?: string;
  threads?: string;
}

function describe(report: VerifyReport): string {
  const lines: string[] = [];
  // A trail whose chains have no checkpoint at all was checked by its hashes alone: say so first.
  const hashesOnly = report.chains.length > 0 && report.chains.every((c) => c.checkpoints === 0);
  const mark = report.ok ? (hashesOnly ? 'OK (hash chain only)' : 'OK') : 'BROKEN';
  const keys = report.signaturesChecked
    ? 'checkpoint signatures checked'
    : 'signatures NOT checked (no --key given)';
  lines.push(`${mark}: ${report.events} events in ${report.chains.length} chain(s); ${keys}`);
  for (const c of report.chains) {
    const cp = c.lastCheckpoint
      ? `last checkpoint covers ${c.lastCheckpoint.size} events (${c.lastCheckpoint.time}, key ${c.lastCheckpoint.kid})`
      : 'no checkpoint';
    const tail = c.uncovered > 0 ? `; ${c.uncovered} newer events not yet covered by a checkpoint` : '';
    lines.push(
      `  ${c.ok ? 'ok    ' : 'BROKEN'} ${c.chain}: ${c.events} events, seq ${c.firstSeq}..${c.lastSeq}, ${c.checkpoints} checkpoint(s), ${cp}${tail}`,
    );
  }
  for (const n of report.notices) lines.push(`  note: ${n}`);
  for (const b of report.breaks) {
    const where = [
      b.file && `${b.file}${b.line ? `:${b.line}` : ''}`,
      b.chain && `chain ${b.chain}`,
      b.seq !== undefined && `seq ${b.seq}`,
      b.eventId && `event ${b.eventId}`,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${b.kind}: ${b.message}${where ? `\n    at ${where}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A flag's text as a number when it is one; otherwise the text, so core's error quotes what was typed. */
function asNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return text.trim() !== '' && !Number.isNaN(n) ? n : (text as unknown as number);
}

export async function verifyCommand(
  paths: string[],
  options: VerifyCommandOptions,
  io: CliIO,
): Promise<number> {
  checkPublicKeyFiles(options.key);
  // A status line rewritten in place, on a terminal only; cleared before the report.
  const progress = !options.json && io.errIsTTY ? (text: string) => io.err(`\r\x1b[2K${text}`) : undefined;
  const report = await verifyFiles(paths, {
    publicKeys: options.key ?? [],
    expectClosed: options.closed ?? false,
    allowEmpty: options.allowEmpty ?? false,
    maxUnsigned: asNumber(options.maxUnsigned),
    threads: asNumber(options.threads),
    ...(progress && {
      onProgress: (p: VerifyProgress) =>
        progress(`verifying: ${p.lines.toLocaleString('en')} lines read, file ${p.fileIndex} of ${p.files}`),
    }),
  });
  progress?.('');
  io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return report.ok ? EXIT.ok : EXIT.failed;
}
