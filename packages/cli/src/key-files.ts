import { readFileSync } from 'node:fs';

/**
 * Public keys given with --key, checked before use: the CLI only ever verifies, so a private key
 * there is a mistake to name (it would also work, and teach people to pass the secret around).
 */
export function checkPublicKeyFiles(paths: readonly string[] = []): void {
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the key file ${path}: ${(error as Error).message}`);
    }
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
      throw new Error(
        `${path} is a private key; --key takes the public key (the .pub file from \`auditkit keys generate\`). Keep the private key with the writers only.`,
      );
  }
}
