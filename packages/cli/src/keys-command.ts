import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateSigningKeys, SIGNING_KEY_ENV } from '@auditkit/core';
import { makeDir } from '@auditkit/core/store';
import { type CliIO, EXIT } from './io';

export async function keysGenerateCommand(
  options: { out?: string; name?: string },
  io: CliIO,
): Promise<number> {
  const dir = resolve(options.out ?? '.');
  const name = options.name ?? 'auditkit-signing';
  const pair = generateSigningKeys();
  await makeDir(dir, 0o700);
  const privatePath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);
  // Never overwrite a key someone may still need to verify old checkpoints.
  for (const path of [privatePath, publicPath])
    if (existsSync(path)) {
      io.err(
        `auditkit: ${path} already exists and is never overwritten: choose another --out directory or --name\n`,
      );
      return EXIT.error;
    }
  // flag 'wx': the same, should another process create it in between.
  await writeFile(privatePath, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(publicPath, pair.publicKeyPem, { mode: 0o644, flag: 'wx' });
  io.out(
    `Ed25519 key ${pair.kid}\n  private: ${privatePath} (mode 0600: give it to the writers only)\n  public:  ${publicPath} (give it to whoever verifies)\n\n` +
      `Writers: ${SIGNING_KEY_ENV}=${privatePath}   Verify: auditkit verify ./audit-logs --key ${publicPath}\n`,
  );
  return EXIT.ok;
}
