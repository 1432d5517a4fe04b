import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  type AuditEvent,
  createAuditLogger,
  fileSink,
  fileStore,
  generateSigningKeys,
  listAuditFiles,
  verifyFiles,
} from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { createApiKey, createAuditServer } from '@auditkit/server';

const logPath = resolve(process.env.AUDIT_LOG ?? './audit-logs/audit.jsonl');

/** The demo's checkpoint signing key pair, made on first run. Real deployments keep the private key elsewhere. */
async function demoKeys(): Promise<{ privateKey: string; publicKey: string }> {
  const dir = join(dirname(logPath), 'keys');
  const privateKey = join(dir, 'demo-signing.key');
  const publicKey = join(dir, 'demo-signing.pub');
  if (!existsSync(privateKey)) {
    const pair = generateSigningKeys();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(privateKey, pair.privateKeyPem, { mode: 0o600 });
    await writeFile(publicKey, pair.publicKeyPem);
  }
  return { privateKey, publicKey };
}

async function main(): Promise<void> {
  const keys = await demoKeys();
  const audit = createAuditLogger({
    service: 'orders-demo',
    version: '1.0.0',
    instance: 'demo',
    sinks: [fileSink({ path: logPath })],
    integrity: { signingKey: keys.privateKey },
  });
  const server = createApp({ logger: audit }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const before = await countLines();

  const call = async (method: string, path: string, body?: unknown, token?: string, ip?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (ip) headers['x-forwarded-for'] = ip;
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
  };

  console.log('Driving traffic against the example Express app...');
  for (let i = 0; i < 3; i++) await call('POST', '/login', { username: 'mallory', password: `guess-${i}` });
  const alice = (await call('POST', '/login', { username: 'alice', password: 'correct horse' })).json
    .token as string;
  const bob = (await call('POST', '/login', { username: 'bob', password: 'battery staple' })).json
    .token as string;
  const created = await call('POST', '/orders', { item: 'laptop', quantity: 2 }, alice);
  await call('POST', '/orders', { item: 'monitor', quantity: 1, card: '4111 1111 1111 1111' }, bob);
  await call('GET', `/orders/${created.json.id}`, undefined, bob);
  await call('PATCH', `/orders/${created.json.id}`, { status: 'shipped' }, alice);
  await call('DELETE', `/orders/${created.json.id}`, undefined, bob);
  await call('GET', '/orders-export', undefined, alice);
  await call('GET', '/orders/999', undefined, alice);
  await call('GET', '/orders/1');
  await call('GET', '/health');
  await call('DELETE', `/orders/${created.json.id}`, undefined, alice);

  server.close();
  await audit.close();

  const lines = (await readFile(logPath, 'utf8')).trim().split('\n');
  const events = lines.slice(before).map((l) => JSON.parse(l) as AuditEvent);
  const stats = audit.stats();
  console.log(`\nRecorded ${events.length} audit events (${stats.dropped} dropped) into ${logPath}`);
  const files = await listAuditFiles(logPath);
  if (files.length > 1) console.log(`Audit files, oldest first: ${files.join(', ')}`);
  const byType = new Map<string, number>();
  for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  console.log('\nEvents by type:');
  for (const [type, n] of [...byType].sort()) console.log(`  ${type.padEnd(16)} ${n}`);
  console.log('\nA few of them:');
  const pick = (f: (e: AuditEvent) => boolean) => events.find(f);
  for (const e of [
    pick((e) => e.type === 'auth.login' && e.outcome === 'failure'),
    pick((e) => e.type === 'order.updated'),
    pick((e) => e.type === 'access.denied'),
    pick((e) => e.type === 'order.exported'),
    pick((e) => e.type === 'http.request' && e.request?.method === 'POST' && e.request.path === '/orders'),
  ]) {
    if (e) console.log(JSON.stringify(e, null, 2));
  }
  const report = await verifyFiles([logPath], { publicKeys: [keys.publicKey], expectClosed: true });
  const chain = report.chains.at(-1);
  console.log(
    `\nIntegrity: ${report.ok ? 'verified' : 'BROKEN'}: ${report.events} events in ${report.chains.length} hash chain(s)` +
      (chain?.lastCheckpoint
        ? `, last signed checkpoint covers ${chain.lastCheckpoint.size} events of ${chain.chain}`
        : ''),
  );
  for (const b of report.breaks) console.log(`  ${b.kind}: ${b.message} (${b.file}:${b.line})`);
  console.log(`\nEvery event is one JSON line in ${logPath}; try: tail -n 3 ${logPath}`);
  console.log(`Verify it yourself: npx auditkit verify ${dirname(logPath)} --key ${keys.publicKey} --closed`);
  // CI and scripts run and exit; people get the console on the trail they just made.
  if (process.argv.includes('--exit') || process.env.CI) return;
  await serveConsole(keys);
}

/** The audit console over the demo's trail, until Ctrl-C: its URL, a fresh demo key and the key to pin. */
async function serveConsole(keys: { privateKey: string; publicKey: string }): Promise<void> {
  const dir = dirname(logPath);
  const store = fileStore(dir, { file: 'console.jsonl' });
  const logger = createAuditLogger({
    service: 'auditkit-console',
    instance: 'demo',
    sinks: [store],
    integrity: { signingKey: keys.privateKey },
  });
  const keysPath = join(dir, 'console-keys.json');
  const { key } = await createApiKey(keysPath, {
    tenant: '*',
    scopes: ['read', 'export', 'write'],
    name: 'demo',
  });
  const server = await createAuditServer({
    store,
    logger,
    keys: keysPath,
    signingKey: keys.privateKey,
    publicKeys: [keys.publicKey],
    follow: [dir],
  });
  const port = Number(process.env.AUDITKIT_CONSOLE_PORT ?? 7070);
  const url = await server.listen({ port }).catch(() => server.listen({ port: 0 }));
  const pem = (await readFile(keys.publicKey, 'utf8')).trim();
  console.log(`\nThe audit console is serving this trail: ${url}/ui/`);
  console.log(`  sign in with the demo API key: ${key}`);
  console.log(`  to see events verified in your browser, pin this public key (Integrity screen):\n`);
  console.log(pem);
  console.log('\nRun `npm run demo` again in another terminal to add traffic. Ctrl-C stops the console.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  await logger.close();
}

async function countLines(): Promise<number> {
  try {
    return (await readFile(logPath, 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
