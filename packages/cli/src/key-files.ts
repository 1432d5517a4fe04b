import { existsSync, readFileSync } from 'node:fs';
import { type DecryptKeys, fileSubjectKeys, keyringFromFile } from '@auditkit/core';

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

/**
 * The keys reports decrypt with, from --keyring and --subject-keys, as a function that reads the
 * subject keys file on every call: a long-running console then never decrypts with a subject key
 * that an erasure has since removed from the file. A missing file is named at once.
 */
export function decryptKeysFromFiles(
  keyringPath: string | undefined,
  subjectKeysPath: string | undefined,
): (() => DecryptKeys) | undefined {
  if (keyringPath === undefined && subjectKeysPath === undefined) return undefined;
  const keyring = keyringPath === undefined ? undefined : keyringFromFile(keyringPath);
  if (subjectKeysPath !== undefined && !existsSync(subjectKeysPath))
    throw new Error(`--subject-keys: no such file ${subjectKeysPath}`);
  return () => ({
    ...(keyring ? { keyring } : {}),
    ...(subjectKeysPath === undefined ? {} : { subjects: fileSubjectKeys(subjectKeysPath) }),
  });
}
