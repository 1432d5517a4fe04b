import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUEST_AUDIT_OPTIONS } from '@auditkit/core';
import { auditMiddleware } from '@auditkit/express';

// The child runs the built packages, as an application would (npm test builds first).
const root = join(__dirname, '..', '..', '..');
const built = existsSync(join(root, 'packages', 'express', 'dist', 'index.js'));

describe('express: configuration errors surface when the middleware is created', () => {
  it('refuses unknown and mistyped options in auditMiddleware(), naming them', () => {
    expect(() => auditMiddleware({ exlcude: ['/health'] } as never)).toThrow(
      'auditkit: auditMiddleware option exlcude is unknown (got an array of 1 item); did you mean exclude?',
    );
    expect(() => auditMiddleware({ excludeMethods: ['GET', 7] } as never)).toThrow(
      'auditkit: auditMiddleware option excludeMethods[1] must be a non-empty string, got the number 7',
    );
    expect(() => auditMiddleware({ sample: { rate: '0.5' } } as never)).toThrow(
      /option sample\.rate must be a number from 0 to 1, got the string "0\.5"$/,
    );
    expect(() => auditMiddleware({ logger: {} } as never)).toThrow(/option logger must be an AuditLogger/);
  });

  it('checks every option: a value no option accepts is refused, naming that option', () => {
    for (const name of Object.keys(REQUEST_AUDIT_OPTIONS)) {
      expect(() => auditMiddleware({ [name]: Symbol('nothing accepts this') } as never)).toThrow(
        new RegExp(`^auditkit: auditMiddleware option ${name} must be .*, got a symbol$`),
      );
    }
  });

  (built ? it : it.skip)(
    'a broken AUDITKIT_SIGNING_KEY stops a zero-config app at startup, before it serves a request',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'auditkit-badkey-'));
      try {
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bad-key-app', version: '1.0.0' }));
        const child = fork(join(__dirname, 'fixtures', 'bad-signing-key-app.js'), {
          cwd: dir,
          env: { ...process.env, NODE_PATH: join(root, 'node_modules'), AUDITKIT_SIGNING_KEY: 'garbage' },
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        const messages: Array<{ step: string; port?: number; id?: unknown; dropped?: number }> = [];
        let stderr = '';
        child.stderr!.on('data', (chunk) => {
          stderr += chunk;
        });
        const exited = once(child, 'exit');
        child.on('message', (m: { step: string; port?: number }) => {
          messages.push(m);
          // Were it to start, a request is what used to bring it down.
          if (m.step === 'listening') void fetch(`http://127.0.0.1:${m.port}/`).catch(() => {});
        });
        const [code] = await exited;
        expect(messages).toEqual([{ step: 'logged', id: null, dropped: 1 }]);
        expect(code).toBe(1);
        expect(stderr).toContain(
          'auditkit: the AUDITKIT_SIGNING_KEY environment variable must be PEM text or the path of a PEM file',
        );
        expect(stderr).not.toContain('garbage');
        // Thrown by auditMiddleware() itself, on the app's startup path.
        expect(stderr).toMatch(/at auditMiddleware \(/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
