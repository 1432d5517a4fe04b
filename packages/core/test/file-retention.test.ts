/** The file store's retention(): whole files by maxFiles, the size a file rotates at, the oldest event. */
import { join } from 'node:path';
import { createBatch, fileStore } from '../src';
import { auditEvents, tempDir } from './sink-helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('fileStore retention()', () => {
  it('describes its rotation bound and the oldest event across rotated files', async () => {
    const dir = join(tmp.dir, 'bounded');
    const store = fileStore(dir, { maxSize: 2000, maxFiles: 3, gzip: false });
    const events = auditEvents(1, 40);
    for (const e of events) await store.write(createBatch([e]));
    await store.flush();
    expect(await store.retention!()).toEqual({
      files: { maxFiles: 3, maxFileBytes: 2000, rotateDaily: true },
      enforcement: expect.stringMatching(/more than 3/),
      oldest: expect.objectContaining({ time: expect.any(String) }),
    });
    // maxFiles pruned the first files: the oldest event held is a later one, and is really there.
    const { oldest } = await store.retention!();
    expect(oldest!.id).not.toBe(events[0]!.id);
    expect((await store.get(oldest!.id))?.time).toBe(oldest!.time);
    expect((await store.query({ order: 'asc', limit: 1 })).events[0]!.id).toBe(oldest!.id);
    await store.close();
  });

  it('keeps every file by default and has no oldest event when empty', async () => {
    const store = fileStore(join(tmp.dir, 'empty'));
    expect(await store.retention!()).toEqual({
      files: { maxFiles: 0, maxFileBytes: 100 * 1024 * 1024, rotateDaily: true },
      enforcement: expect.stringMatching(/never deleted/),
    });
    await store.close();
  });
});
