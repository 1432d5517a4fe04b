import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// These run the built package in a child process (npm test builds first).
const built = existsSync(join(__dirname, '..', 'dist', 'index.js'));
const suite = built ? describe : describe.skip;

suite('dedup at process exit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-dedup-exit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['natural', 'exit'])('writes the pending summary when the process ends (%s)', async (mode) => {
    const file = join(dir, 'audit.jsonl');
    const child = fork(join(__dirname, 'fixtures', 'dedup-exit.js'), {
      env: { ...process.env, LOG_FILE: file, MODE: mode },
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.count])).toEqual([
      ['exit.poll', undefined],
      ['exit.poll', 9],
    ]);
  });
});
