import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  createAuditLogger,
  fileSink,
  generateSigningKeys,
  memorySink,
  subscribeSealed,
  verifyFiles,
} from '../src';
import { sealedLine } from '../src/seal/sealer';
import { awkwardInput } from './helpers';

describe('sealed lines as bytes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditkit-sealed-bytes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    // A chain named outside ASCII takes the seal's text path, and verify's byte path reads its name as UTF-8.
    ['an ASCII service, delivered directly', 'orders', false],
    ['a service named in Unicode, delivered directly', 'bestellungen-ü', false],
    ['an ASCII service, through the durable spool', 'orders', true],
  ])(
    '%s: the file holds byte for byte the lines listeners and memory sinks get',
    async (_, service, durable) => {
      const keys = generateSigningKeys();
      const file = join(dir, 'audit.jsonl');
      const memory = memorySink();
      const logger = createAuditLogger({
        service: service as string,
        instance: 'one',
        flushOnExit: false,
        sinks: [fileSink({ path: file }), memory],
        batch: { maxWaitMs: 1, maxEvents: 16 },
        integrity: { signingKey: keys.privateKeyPem, checkpointEvery: 10 },
        ...(durable ? { durable: true, spool: { dir: join(dir, 'spool') } } : {}),
      });
      const heard: string[] = [];
      subscribeSealed(logger, (_events, lines) => heard.push(...lines!));
      for (let i = 0; i < 40; i++) logger.log(awkwardInput(i));
      await logger.flush();
      await logger.close();

      const stored = readFileSync(file);
      const lines = stored.toString('utf8').split('\n');
      expect(lines.pop()).toBe('');
      // Listeners hear every line but the final checkpoint's, which close() writes after they left.
      expect(heard.length).toBeGreaterThanOrEqual(44);
      expect(Buffer.from(`${heard.join('\n')}\n`)).toEqual(
        stored.subarray(0, Buffer.byteLength(`${heard.join('\n')}\n`)),
      );
      expect(memory.events.map((e) => JSON.parse(JSON.stringify(e)))).toEqual(
        lines.map((l) => JSON.parse(l)),
      );
      // Each line is what the seal stage's text path makes of the event it holds.
      for (const line of lines) {
        const { integrity, ...event } = JSON.parse(line) as AuditEvent;
        expect(sealedLine(event as AuditEvent, integrity!.chain, integrity!.seq, integrity!.prev).line).toBe(
          line,
        );
      }
      const report = await verifyFiles([file], { publicKeys: [keys.publicKeyPem], expectClosed: true });
      expect(report.breaks).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.chains.map((c) => c.chain.split('#')[0])).toEqual([`${service}@one`]);
    },
  );
});
