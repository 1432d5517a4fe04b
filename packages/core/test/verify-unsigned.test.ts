import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKPOINT_TYPE,
  ChainVerifier,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  type VerifyOptions,
} from '@auditkit/core';
import { forgeWithoutCheckpoints } from '@auditkit/test-utils';

/**
 * With public keys, a chain may hold at most `maxUnsigned` events after its last valid checkpoint:
 * a re-hashed rewrite has to strip the checkpoints it can no longer sign, and that shows.
 */
const keys = generateSigningKeys();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-verify-unsigned-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `n` events from a writer signing every `checkpointEvery` (default: the writers' default). */
async function trail(name: string, n: number, checkpointEvery?: number, close = true): Promise<string[]> {
  const path = join(dir, `${name}.jsonl`);
  const logger = createAuditLogger({
    service: 'billing',
    instance: name,
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path })],
    integrity: { signingKey: keys.privateKeyPem, checkpointEvery, checkpointIntervalMs: 0 },
  });
  for (let i = 0; i < n; i++) logger.log({ type: 'invoice.paid', details: { amount: i } });
  if (close) await logger.close();
  else await logger.flush();
  return readFileSync(path, 'utf8').trim().split('\n');
}

function verify(lines: readonly string[], options: VerifyOptions) {
  const v = new ChainVerifier(options);
  for (const [i, text] of lines.entries()) v.addLine(text, { line: i + 1 });
  return v.finish();
}

const raise = (e: { details?: Record<string, unknown> }) => {
  if (e.details?.amount === 7) e.details.amount = 7_000_000;
};

describe('verify: events after the last valid checkpoint', () => {
  it('a rewritten trail with its checkpoints stripped fails with keys at the default limit', async () => {
    const lines = await trail('default', 2500);
    const options = { publicKeys: [keys.publicKeyPem] };
    expect(verify(lines, options)).toMatchObject({ ok: true, breaks: [] });
    const forged = forgeWithoutCheckpoints(lines, raise);
    expect(forged.length).toBe(2500);
    const report = verify(forged, options);
    expect(report.ok).toBe(false);
    expect(report.breaks).toEqual([
      expect.objectContaining({
        kind: 'unsigned',
        message: expect.stringMatching(
          /^2500 events and not one valid checkpoint, more than the 1000 a writer leaves unsigned/,
        ),
      }),
    ]);
    // Without keys nothing could tell a forger's hashes from the writer's: no limit by default.
    expect(verify(forged, {}).ok).toBe(true);
  });

  it('holds a live writer to its own checkpointEvery: a rewrite after its first checkpoint shows', async () => {
    const lines = await trail('live', 57, 10, false);
    const isCheckpoint = (l: string) => l.includes(`"type":"${CHECKPOINT_TYPE}"`);
    expect(lines.length - 1 - lines.findLastIndex(isCheckpoint)).toBe(7); // not covered yet, and fine
    const options = { publicKeys: [keys.publicKeyPem], maxUnsigned: 10 };
    expect(verify(lines, options)).toMatchObject({ ok: true });
    // Everything after the first checkpoint rewritten, linked to it, the later checkpoints gone.
    const forged = forgeWithoutCheckpoints(lines, raise, lines.findIndex(isCheckpoint) + 1);
    expect(forged.filter(isCheckpoint)).toHaveLength(1);
    const report = verify(forged, options);
    expect(report.breaks).toEqual([
      expect.objectContaining({
        kind: 'unsigned',
        message: expect.stringMatching(
          /^47 events after the last valid checkpoint \(seq 10\), more than the 10/,
        ),
      }),
    ]);
    // The default limit suits writers with the default checkpointEvery, not this one.
    expect(verify(forged, { publicKeys: [keys.publicKeyPem] }).ok).toBe(true);
  });

  it('rejects a maxUnsigned that is not a whole number >= 0, naming what was given', () => {
    expect(() => new ChainVerifier({ maxUnsigned: -1 })).toThrow(
      'verify: maxUnsigned must be a whole number >= 0, got -1',
    );
    expect(() => new ChainVerifier({ maxUnsigned: 'ten' as unknown as number })).toThrow(
      /got the string "ten"/,
    );
    expect(() => new ChainVerifier({ maxUnsigned: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
