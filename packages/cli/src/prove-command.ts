import { readFile, writeFile } from 'node:fs/promises';
import { type InclusionProof, PROOF_NOT_FOUND, proveEvent, verifyInclusionProof } from '@auditkit/core';
import { type CliIO, EXIT, errorMessage } from './io';
import { checkPublicKeyFiles } from './key-files';

export async function proveCommand(
  eventId: string,
  paths: string[],
  options: { out?: string },
  io: CliIO,
): Promise<number> {
  let proof: InclusionProof;
  try {
    proof = await proveEvent(paths, eventId);
  } catch (error) {
    // Nothing to prove is an answer (exit 1), not a usage error.
    if ((error as { code?: unknown }).code !== PROOF_NOT_FOUND) throw error;
    io.err(`auditkit: ${errorMessage(error)}\n`);
    return EXIT.failed;
  }
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
  checkPublicKeyFiles(options.key);
  const proof = await readProof(file);
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

async function readProof(file: string): Promise<InclusionProof> {
  let proof: Partial<InclusionProof>;
  try {
    proof = JSON.parse(await readFile(file, 'utf8')) as Partial<InclusionProof>;
  } catch (error) {
    throw new Error(`cannot read the proof ${file}: ${errorMessage(error)}`);
  }
  if (!proof?.event || !proof.checkpoint || !Array.isArray(proof.proof))
    throw new Error(`${file} is not a proof from \`auditkit prove\` (it needs event, proof and checkpoint)`);
  return proof as InclusionProof;
}
