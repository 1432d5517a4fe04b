/** fileStore over a directory: every producing process's file set is read; its own writes go to one file. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditLogger, fileSink, fileStore } from '../src';
import { tempDir } from './sink-helpers';

describe('fileStore', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('reads every *.jsonl set in a directory, rotated files included, and writes its own file', async () => {
    const dir = join(tmp.dir, 'trail');
    for (const [service, count] of [
      ['api', 30],
      ['worker', 20],
    ] as const) {
      const logger = createAuditLogger({
        service,
        flushOnExit: false,
        sinks: [fileSink({ path: join(dir, `${service}.jsonl`), maxSize: 2048 })],
      });
      for (let i = 0; i < count; i++) logger.log({ type: `${service}.did`, tenant: 'acme' });
      await logger.close();
    }
    const store = fileStore(dir);
    expect((await store.stats({ tenant: 'acme' })).byType).toEqual({ 'api.did': 30, 'worker.did': 20 });
    const seen: string[] = [];
    for await (const e of store.iterate({ filter: 'type:*.did', pageSize: 7 })) seen.push(e.id);
    expect(new Set(seen).size).toBe(50);

    const logger = createAuditLogger({ service: 'console', flushOnExit: false, sinks: [store] });
    logger.log({ type: 'console.search', tenant: 'acme' });
    await logger.close();
    expect(existsSync(join(dir, 'audit.jsonl'))).toBe(true);
    expect((await fileStore(dir).query({ filter: 'type:console.*' })).events).toHaveLength(1);
  });

  it('answers empty for a directory that does not exist yet, and stays a file store for a .jsonl path', async () => {
    const missing = fileStore(join(tmp.dir, 'nothing-here'));
    expect(await missing.query({ tenant: 'acme' })).toEqual({ events: [] });
    expect(existsSync(join(tmp.dir, 'nothing-here'))).toBe(false);
    expect(fileStore(join(tmp.dir, 'one.jsonl')).path).toBe(join(tmp.dir, 'one.jsonl'));
    expect(() => fileStore(tmp.dir, { file: '../escape.jsonl' })).toThrow(/file name ending in .jsonl/);
  });
});
