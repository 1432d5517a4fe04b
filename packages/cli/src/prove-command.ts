import { readFile, writeFile } from 'node:fs/promises';
import { type InclusionProof, proveEvent, verifyInclusionProof } from '@auditkit/core';
import { type CliIO, EXIT } from './io';

export async function proveCommand(
  eventId: string,
  paths: string[],
  options: { out?: string },
  io: CliIO,
): Promise<number> {
  const proof = await proveEvent(paths, eventId);
  const text = `${JSON.stringify(proof, null, 2)}\n`;
  if (options.out) {
    await writeFile(options.out, text);
    io.err(
      `proof of event ${eventId} (position ${proof.index} of ${proof.checkpoint.checkpoint.size}) written to ${options.out}\n`,
    );
  } else io.out(text);
  return EXIT.ok;
}

export async function verifyProofCommand(
  file: string,
  options: { key?: string[] },
  io: CliIO,
): Promise<number> {
  if (!options.key?.length) {
    io.err('verify-proof needs the public key that signs checkpoints: --key <pem>\n');
    return EXIT.error;
  }
  const proof = JSON.parse(await readFile(file, 'utf8')) as InclusionProof;
  const result = verifyInclusionProof(proof, options.key);
  if (result.ok) {
    io.out(
      `OK: event ${proof.event.id} is entry ${proof.index} of the ${proof.checkpoint.checkpoint.size} events checkpoint ${proof.checkpoint.checkpoint.merkleRoot.slice(0, 16)}… of chain ${proof.checkpoint.checkpoint.chain} commits to\n`,
    );
    return EXIT.ok;
  }
  io.out(`FAILED: ${result.reason}\n`);
  return EXIT.failed;
}
