import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAuditLogger, fileSink } from '@auditkit/core';
import { auditkit, bin, cli } from './run-cli';

const exec = promisify(execFile);
let dir: string;
let trail: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditkit-cli-errors-'));
  expect((await cli('keys', 'generate', '--out', join(dir, 'keys'))).code).toBe(0);
  trail = join(dir, 'audit', 'audit.jsonl');
  const logger = createAuditLogger({
    service: 'orders',
    flushOnExit: false,
    sinks: [fileSink({ path: trail })],
  });
  logger.log({ type: 'order.created' });
  await logger.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditkit errors: one sentence naming the file, one prefix', () => {
  it('a corrupt .gz says which file is not gzip', async () => {
    const corrupt = join(dir, 'audit', 'audit.2026-01-01.1.jsonl.gz');
    writeFileSync(corrupt, 'this was never gzipped\n');
    const r = await cli('verify', corrupt);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`auditkit: ${corrupt} is not a readable gzip file (incorrect header check)\n`);
    rmSync(corrupt);
  });

  it('a JSON file given as the public key gets a sentence, not a decoder code', async () => {
    const json = join(dir, 'key.json');
    writeFileSync(json, '{"kid":"abc"}');
    const r = await cli('verify', trail, '--key', json);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `auditkit: public key (${json}) is not a PEM key (no "-----BEGIN" line); pass the .pub file that \`auditkit keys generate\` wrote\n`,
    );
    expect(r.err).not.toMatch(/DECODER|error:[0-9A-F]{8}/);
  });

  it('a private key where the public key belongs is named as such, for verify and verify-proof', async () => {
    const privateKey = join(dir, 'keys', 'auditkit-signing.key');
    const sentence = `auditkit: ${privateKey} is a private key; --key takes the public key (the .pub file from \`auditkit keys generate\`). Keep the private key with the writers only.\n`;
    expect(await cli('verify', trail, '--key', privateKey)).toEqual({ code: 2, out: '', err: sentence });
    const proof = join(dir, 'proof.json');
    writeFileSync(proof, '{}');
    expect(await cli('verify-proof', proof, '--key', privateKey)).toEqual({
      code: 2,
      out: '',
      err: sentence,
    });
  });

  it('a proof file that is not JSON, or not a proof, is named', async () => {
    const key = join(dir, 'keys', 'auditkit-signing.pub');
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, 'hello');
    const a = await cli('verify-proof', notJson, '--key', key);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(new RegExp(`^auditkit: cannot read the proof ${notJson}: `));
    const notProof = join(dir, 'not-proof.json');
    writeFileSync(notProof, '{"hello":1}');
    expect((await cli('verify-proof', notProof, '--key', key)).err).toBe(
      `auditkit: ${notProof} is not a proof from \`auditkit prove\` (it needs event, proof and checkpoint)\n`,
    );
  });

  it('the signing key env var pointing at a public key is named too, with one prefix', async () => {
    const bin = join(__dirname, '..', '..', 'core', 'dist', 'index.js');
    const pub = join(dir, 'keys', 'auditkit-signing.pub');
    const script = `require(${JSON.stringify(bin)}).createAuditLogger({ service: 's', sinks: [], flushOnExit: false })`;
    const failed = await exec(process.execPath, ['-e', script], {
      env: { ...process.env, AUDITKIT_SIGNING_KEY: pub },
    }).catch((error: { stderr: string }) => error);
    expect((failed as { stderr: string }).stderr).toContain(
      `auditkit: the AUDITKIT_SIGNING_KEY environment variable (${pub}) is a public key; the writers sign with the private key (the .key file), the public one is for verifying`,
    );
  });

  it('the installed bin prints the prefix once', async () => {
    const json = join(dir, 'key.json');
    const failed = (await exec(process.execPath, [bin, 'verify', trail, '--key', json]).catch(
      (error: { code: number; stderr: string }) => error,
    )) as { code: number; stderr: string };
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/^auditkit: public key \(/);
    expect(failed.stderr).not.toContain('auditkit: auditkit:');
  });

  it('a missing file is named once, without the system error code', async () => {
    const missing = join(dir, 'no-such-trail');
    expect(await cli('verify', missing)).toEqual({
      code: 2,
      out: '',
      err: `auditkit: ${missing}: no such file or directory\n`,
    });
    const manifest = join(dir, 'no-such-manifest.json');
    const r = await cli(
      'verify-export',
      trail,
      '--manifest',
      manifest,
      '--key',
      join(dir, 'keys', 'auditkit-signing.pub'),
    );
    expect(r).toEqual({ code: 2, out: '', err: `auditkit: ${manifest}: no such file or directory\n` });
    const key = join(dir, 'no-such.pub');
    expect((await cli('verify', trail, '--key', key)).err).toBe(
      `auditkit: cannot read the key file ${key}: no such file or directory\n`,
    );
  });

  // Node's recursive mkdir retries a missing parent forever under /proc (Linux only).
  const linux = process.platform === 'linux' ? it : it.skip;
  linux(
    'a directory that cannot be made ends with its path, for a signing key and for an API key',
    async () => {
      expect(await cli('keys', 'generate', '--out', '/proc/auditkit-nope')).toEqual({
        code: 2,
        out: '',
        err: 'auditkit: /proc/auditkit-nope: no such file or directory\n',
      });
      const r = await cli(
        'keys',
        'create-api-key',
        '--keys',
        '/proc/auditkit-nope/keys.json',
        '--tenant',
        'acme',
        '--scopes',
        'read',
      );
      expect(r).toEqual({
        code: 2,
        out: '',
        err: 'auditkit: /proc/auditkit-nope: no such file or directory\n',
      });
    },
    10_000,
  );

  it('tail names a --server that is not a URL', async () => {
    expect(await auditkit(['tail', '--server', 'notaurl'], { AUDITKIT_API_KEY: 'akc_x' })).toEqual({
      code: 2,
      out: '',
      err: 'auditkit: --server must be an http:// or https:// URL, got "notaurl"\n',
    });
  });
});
