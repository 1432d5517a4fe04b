import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs the built packages in a real child process, as an application would (npm test builds first).
const root = join(__dirname, '..', '..');
const built = existsSync(join(root, 'packages', 'express', 'dist', 'index.js'));

(built ? describe : describe.skip)('zero-config Express middleware', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-zero-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'orders-api', version: '3.1.0' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'writes JSON Lines under ./audit-logs and flushes on %s',
    async (signal) => {
      const child = fork(join(__dirname, 'fixtures', 'zero-config-app.js'), {
        cwd: dir,
        env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      });
      const [{ port }] = (await once(child, 'message')) as [{ port: number }];
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST' });
        expect(res.status).toBe(201);
        expect(res.headers.get('x-request-id')).toBeTruthy();
      }
      child.kill(signal);
      const [code, sig] = await once(child, 'exit');
      expect(code).toBeNull();
      expect(sig).toBe(signal);
      const file = join(dir, 'audit-logs', 'audit.jsonl');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const events = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(events).toHaveLength(50);
      expect(events.filter((e) => e.type === 'order.created')).toHaveLength(25);
      for (const e of events) expect(e.source).toMatchObject({ service: 'orders-api', version: '3.1.0' });
      const created = events.find((e) => e.type === 'order.created');
      const http = events.find((e) => e.type === 'http.request' && e.request.id === created.request.id);
      expect(http).toMatchObject({
        request: { method: 'POST', route: '/orders', status: 201 },
        outcome: 'success',
      });
    },
  );
});
