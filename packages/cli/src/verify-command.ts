import { type VerifyReport, verifyFiles } from '@auditkit/core';
import { type CliIO, EXIT } from './io';

export interface VerifyCommandOptions {
  key?: string[];
  closed?: boolean;
  json?: boolean;
}

function describe(report: VerifyReport): string {
  const lines: string[] = [];
  const mark = report.ok ? 'OK' : 'BROKEN';
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

export async function verifyCommand(
  paths: string[],
  options: VerifyCommandOptions,
  io: CliIO,
): Promise<number> {
  const report = await verifyFiles(paths, {
    publicKeys: options.key ?? [],
    expectClosed: options.closed ?? false,
  });
  io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return report.ok ? EXIT.ok : EXIT.failed;
}
