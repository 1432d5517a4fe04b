import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateSigningKeys } from '@auditkit/core';

// Runs the built package in a child process (npm test builds first).
const exec = promisify(execFile);
const fixture = join(__dirname, 'fixtures', 'zero-config.js');
const suite = existsSync(join(__dirname, '..', 'dist', 'index.js')) ? describe : describe.skip;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-notice-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(env: NodeJS.ProcessEnv): Promise<string> {
  const { AUDITKIT_SIGNING_KEY: _, ...rest } = process.env;
  const { stderr } = await exec(process.execPath, [fixture], { cwd: dir, env: { ...rest, ...env } });
  return stderr;
}

suite('the zero-config logger without a signing key', () => {
  it('says once at startup that checkpoints are off and how to make a key', async () => {
    const stderr = await run({});
    const notices = stderr.split('\n').filter((l) => l.includes('AUDITKIT_NO_SIGNING_KEY'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('auditkit: checkpoints are off: no signing key (AUDITKIT_SIGNING_KEY)');
    expect(notices[0]).toContain('`npx -p @auditkit/cli auditkit keys generate`');
  });

  it('says nothing of it with a key', async () => {
    const key = join(dir, 'signing.key');
    writeFileSync(key, generateSigningKeys().privateKeyPem);
    expect(await run({ AUDITKIT_SIGNING_KEY: key })).not.toContain('AUDITKIT_NO_SIGNING_KEY');
  });
});
