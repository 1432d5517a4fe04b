import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLogger, fileSink, memorySink } from '../src';

describe('worker option: what cannot move is refused at startup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-worker-options-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the option and the sink that cannot move to the worker thread', () => {
    expect(() => createAuditLogger({ sinks: [memorySink()], worker: true })).toThrow(
      /option worker: sink "memory" cannot move to a worker thread/,
    );
    const withCallback = fileSink({ path: join(dir, 'a.jsonl'), onError: () => {} });
    expect(() => createAuditLogger({ sinks: [withCallback], worker: { ringBytes: 1 << 20 } })).toThrow(
      /sink "file" cannot move.*only a fileSink without onError or now/,
    );
  });

  it('checks the worker settings', () => {
    const sinks = [fileSink({ path: join(dir, 'a.jsonl') })];
    expect(() => createAuditLogger({ sinks, worker: { ringBytes: 1000 } })).toThrow(/worker\.ringBytes/);
    expect(() => createAuditLogger({ sinks, worker: { exitTimeoutMs: -1 } })).toThrow(
      /worker\.exitTimeoutMs/,
    );
    expect(() => createAuditLogger({ sinks, worker: { ring: 1 } as never })).toThrow(/worker\.ring/);
  });
});
