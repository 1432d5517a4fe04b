import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { bin } from './run-cli';

const exec = promisify(execFile);
let dir: string;
let trail: string;

/** A trail long enough for progress: 25,000 sealed events. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-progress-'));
  trail = join(dir, 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'orders',
    flushOnExit: false,
    sinks: [fileSink({ path: trail })],
  });
  for (let i = 0; i < 25_000; i++)
    logger.log({ type: 'order.read', resource: { type: 'order', id: String(i) } });
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit verify progress', () => {
  it('shows a progress line on a terminal and clears it before the report', async () => {
    // `script` gives the command a pseudo-terminal, as an interactive shell would.
    const { stdout } = await exec('script', [
      '-qec',
      `${process.execPath} ${bin} verify ${trail}`,
      '/dev/null',
    ]);
    expect(stdout).toContain('\r\x1b[2Kverifying: 10,000 lines read, file 1 of 1');
    expect(stdout).toContain('verifying: 20,000 lines read, file 1 of 1');
    expect(stdout).toContain('\r\x1b[2KOK (hash chain only): 25000 events in 1 chain(s)');
  });

  it('stays quiet when stderr is not a terminal, and with --json', async () => {
    const plain = await exec(process.execPath, [bin, 'verify', trail]);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toMatch(/^OK \(hash chain only\): 25000 events/);
    const json = await exec('script', [
      '-qec',
      `${process.execPath} ${bin} verify ${trail} --json`,
      '/dev/null',
    ]);
    expect(json.stdout).not.toContain('verifying:');
  });
});
