/** `auditkit serve` (the audit console over a store) and `auditkit tail` (its live stream in a terminal). */
import { readFile } from 'node:fs/promises';
import { type AuditEvent, createAuditLogger } from '@auditkit/core';
import { openStore } from '@auditkit/open-store';
import { createAuditServer, readKeysFile } from '@auditkit/server';
import WebSocket from 'ws';
import { eventWriter } from './event-output';
import { type CliIO, EXIT } from './io';
import { decryptKeysFromFiles } from './key-files';

/** Environment variable holding the API key `auditkit tail` sends (a key in argv shows in `ps`). */
export const API_KEY_ENV = 'AUDITKIT_API_KEY';

/** Resolves on SIGINT or SIGTERM: how a long-running command is told to stop. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function port(value: string | undefined): number {
  const n = Number(value ?? '7070');
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new RangeError(`--port must be 0 to 65535, got "${value}"`);
  return n;
}

export interface ServeOptions {
  store: string;
  keys: string;
  host: string;
  port?: string;
  signingKey?: string;
  publicKey?: string[];
  migrate?: boolean;
  keyring?: string;
  subjectKeys?: string;
}

export async function serveCommand(
  options: ServeOptions,
  io: CliIO,
  stop: Promise<void> = untilSignal(),
): Promise<number> {
  const decryptKeys = decryptKeysFromFiles(options.keyring, options.subjectKeys);
  const opened = await openStore(options.store, {
    file: 'console.jsonl',
    migrate: options.migrate ?? false,
    // A mistyped directory must not be served as an empty trail.
    mustExist: true,
  });
  const logger = createAuditLogger({
    service: 'auditkit-console',
    sinks: [opened.store],
    ...(options.signingKey ? { integrity: { signingKey: options.signingKey } } : {}),
  });
  try {
    const server = await createAuditServer({
      store: opened.store,
      logger,
      keys: options.keys,
      ...(options.signingKey ? { signingKey: options.signingKey } : {}),
      ...(options.publicKey?.length ? { publicKeys: options.publicKey } : {}),
      ...(opened.kind === 'file' ? { follow: [opened.location] } : {}),
      ...(decryptKeys ? { decryptKeys } : {}),
    });
    const url = await server.listen({ port: port(options.port), host: options.host });
    const keys = (await readKeysFile(options.keys)).filter((k) => !k.revoked).length;
    io.out(`auditkit console listening on ${url}\n`);
    io.err(`  store: ${opened.location} (${opened.kind})\n  keys:  ${options.keys} (${keys} in force)\n`);
    if (keys === 0)
      io.err(
        `  no API keys yet: auditkit keys create-api-key --keys ${options.keys} --tenant <id|*> --scopes read\n`,
      );
    await stop;
    await server.close();
    return EXIT.ok;
  } finally {
    await logger.close();
    await opened.close();
  }
}

export interface TailOptions {
  server: string;
  keyFile?: string;
  format: string;
}

/** The stream URL of a console at `server` (`http://host:7070`, or a prefix it is mounted under). */
function streamUrl(server: string, filter: string | undefined): string {
  // URL.canParse: `new URL('localhost:7070')` throws a bare "Invalid URL" that names nothing.
  const base = URL.canParse(server) ? new URL(server) : undefined;
  if (base?.protocol !== 'http:' && base?.protocol !== 'https:')
    throw new TypeError(`--server must be an http:// or https:// URL, got "${server}"`);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/api/stream`;
  if (filter) base.searchParams.set('q', filter);
  return base.toString();
}

export async function tailCommand(
  filter: string | undefined,
  options: TailOptions,
  io: CliIO,
  stop: Promise<void> = untilSignal(),
): Promise<number> {
  const key = options.keyFile ? (await readFile(options.keyFile, 'utf8')).trim() : process.env[API_KEY_ENV];
  if (!key) {
    io.err(`tail needs an API key with the read scope: set ${API_KEY_ENV} or pass --key-file <file>\n`);
    return EXIT.error;
  }
  if (options.format !== 'table' && options.format !== 'json')
    throw new RangeError(`--format must be table or json, got "${options.format}"`);
  const table = eventWriter('table');
  const ws = new WebSocket(streamUrl(options.server, filter), ['auditkit.v1'], {
    headers: { authorization: `Bearer ${key}` },
  });
  return new Promise<number>((resolve) => {
    let code: number = EXIT.ok;
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      ws.close(1000);
    });
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => {
        let message = body;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {
          // not JSON: shown as it came
        }
        io.err(`auditkit tail: ${response.statusCode} ${message}\n`);
        resolve(EXIT.error);
      });
    });
    ws.on('error', (error) => {
      io.err(`auditkit tail: ${error.message}\n`);
      code = EXIT.error;
    });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as {
        type: string;
        events?: AuditEvent[];
        message?: string;
        reason?: string;
        tenant?: string;
      };
      if (m.type === 'subscribed') {
        io.err(
          `tailing ${options.server} (${filter || 'every event'}; tenant ${m.tenant}); Ctrl-C to stop\n`,
        );
        if (options.format === 'table') io.out(table.start());
      } else if (m.type === 'events' && m.events) {
        io.out(
          options.format === 'json'
            ? m.events.map((e) => `${JSON.stringify(e)}\n`).join('')
            : table.page(m.events),
        );
      } else if (m.type === 'error' || m.type === 'closing') {
        io.err(`auditkit tail: ${m.message ?? m.reason}\n`);
        code = EXIT.failed;
      }
    });
    ws.on('close', (closeCode) => {
      if (stopped) resolve(EXIT.ok);
      else
        resolve(
          closeCode === 4401 || closeCode === 4403 || closeCode === 4400 ? EXIT.error : code || EXIT.failed,
        );
    });
  });
}
