/**
 * `holdResponse` survives SIGKILL: an Express server in durable mode answers requests only once
 * their events are fsynced; it is killed under load, restarted, and every answered request's
 * events are then in the file, once each, on a chain that verifies.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { verifyFiles } from '@auditkit/core';
import { tempDir } from './delivery/helpers';

function server(env: Record<string, string>): ChildProcess {
  return fork(join(__dirname, 'fixtures', 'held-server.js'), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** POSTs until `count` requests were answered 201, then kills the server; returns their request ids. */
async function answeredUntilKilled(child: ChildProcess, port: number, count: number): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const answered: string[] = [];
  let next = 0;
  const post = () =>
    new Promise<void>((resolve) => {
      const id = `pay-${next++}`;
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/payments/${id}`,
          headers: { 'x-request-id': id },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 201 && answered.length < count) {
              answered.push(id);
              if (answered.length === count) child.kill('SIGKILL');
            }
            resolve();
          });
          res.on('error', () => resolve());
        },
      );
      req.on('error', () => resolve());
      req.end();
    });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (answered.length < count) await post();
    }),
  );
  agent.destroy();
  return answered;
}

describe('holdResponse and SIGKILL', () => {
  it('every answered request has its events in the file after a restart, each once', async () => {
    const dir = tempDir('held');
    const env = { LOG_FILE: join(dir, 'audit.jsonl'), SPOOL_DIR: join(dir, 'spool') };
    const child = server(env);
    const exited = new Promise((r) => child.once('exit', r));
    const port = await new Promise<number>((resolve) =>
      child.once('message', (m: { port: number }) => resolve(m.port)),
    );
    const answered = await answeredUntilKilled(child, port, 1500);
    await exited;

    const restarted = server({ ...env, RECOVER: '1' });
    await new Promise((resolve) => restarted.on('message', (m: { done?: unknown }) => m.done && resolve(m)));
    await new Promise((r) => restarted.once('exit', r));

    const events = readFileSync(env.LOG_FILE, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { id: string; type: string; request?: { id?: string } });
    const requestEvents = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'http.request' && e.request?.id)
        requestEvents.set(e.request.id, (requestEvents.get(e.request.id) ?? 0) + 1);
    }
    // Counts checked: 1,500 answered; none missing; no event id twice; the file verifies.
    expect(answered).toHaveLength(1500);
    expect(answered.filter((id) => !requestEvents.has(id))).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect([...requestEvents.values()].every((n) => n === 1)).toBe(true);
    const report = await verifyFiles([env.LOG_FILE]);
    expect(report.breaks).toEqual([]);
  }, 60_000);
});
