/** `auditkit verify-export`: an export file against its signed manifest, offline, with the console's public key. */
import { readFile } from 'node:fs/promises';
import { type ExportManifest, verifyExportManifest } from '@auditkit/server';
import { type CliIO, EXIT } from './io';

export async function verifyExportCommand(
  file: string,
  options: { manifest: string; key?: string[] },
  io: CliIO,
): Promise<number> {
  if (!options.key?.length) {
    io.err('verify-export needs the public key of the console that signed the manifest: --key <pem>\n');
    return EXIT.error;
  }
  const manifest = JSON.parse(await readFile(options.manifest, 'utf8')) as ExportManifest;
  const result = await verifyExportManifest(file, manifest, options.key);
  if (!result.ok) {
    io.out(`FAILED: ${result.reason}\n`);
    return EXIT.failed;
  }
  const m = result.manifest;
  io.out(
    `OK: ${file} is the complete, unchanged export ${m.exportId}: ${m.count} events (${m.firstId ?? '-'} … ${m.lastId ?? '-'}), ` +
      `${m.bytes} bytes, SHA-256 ${m.sha256.slice(0, 16)}…, filter "${m.filter}", tenant ${m.tenant ?? '*'}, signed by key ${m.kid}\n`,
  );
  return EXIT.ok;
}
