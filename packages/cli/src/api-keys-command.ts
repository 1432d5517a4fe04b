/** `auditkit keys create-api-key | revoke-api-key | list-api-keys`: the console's API keys file. */
import { type ApiKeyScope, createApiKey, readKeysFile, revokeApiKey } from '@auditkit/server';
import { API_KEY_ENV } from './console-commands';
import { type CliIO, EXIT } from './io';

export async function createApiKeyCommand(
  options: { keys: string; tenant: string; scopes: string; name?: string },
  io: CliIO,
): Promise<number> {
  const scopes = options.scopes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as ApiKeyScope[];
  const { key, info } = await createApiKey(options.keys, {
    tenant: options.tenant,
    scopes,
    ...(options.name ? { name: options.name } : {}),
  });
  // The key alone on stdout, so `KEY=$(auditkit keys create-api-key …)` captures it; the rest on stderr.
  io.out(`${key}\n`);
  io.err(
    `API key ${info.id} for tenant ${info.tenant}, scopes ${info.scopes.join(', ')}, written to ${options.keys} (its hash only).\n` +
      'It is shown this once: store it now. Send it as Authorization: Bearer <key>, never in a URL;\n' +
      `auditkit tail reads it from ${API_KEY_ENV}. Revoke it with: auditkit keys revoke-api-key --keys ${options.keys} ${info.id}\n`,
  );
  return EXIT.ok;
}

export async function revokeApiKeyCommand(id: string, options: { keys: string }, io: CliIO): Promise<number> {
  const info = await revokeApiKey(options.keys, id);
  io.out(
    `revoked API key ${info.id} (tenant ${info.tenant}) at ${info.revoked}; running consoles drop it within a second\n`,
  );
  return EXIT.ok;
}

export async function listApiKeysCommand(
  options: { keys: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  const keys = (await readKeysFile(options.keys)).map(({ hash: _hash, ...info }) => info);
  if (options.json) {
    io.out(`${JSON.stringify(keys, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const k of keys)
    io.out(
      `${k.id}  ${k.tenant.padEnd(12)}  ${k.scopes.join(',').padEnd(22)}  ${k.revoked ? `revoked ${k.revoked}` : `created ${k.created}`}${k.name ? `  ${k.name}` : ''}\n`,
    );
  if (keys.length === 0) io.err(`no API keys in ${options.keys}\n`);
  return EXIT.ok;
}
