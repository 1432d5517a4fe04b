/**
 * A trail changed on disk after it was sealed: the browser recomputes the hash and shows the
 * event as failed, whatever the server says; the untouched events still verify.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSink } from '@auditkit/core';
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, pinKey, screenshot, signIn } from './chromium';

jest.setTimeout(60_000);

let original: RunningConsole;
let tampered: RunningConsole;
let ids: string[];
let dir: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  original = await startConsole();
  ids = await original.seed(
    Array.from({ length: 12 }, (_, i) => ({
      type: 'invoice.paid',
      actor: { id: 'u-carol' },
      resource: { type: 'invoice', id: `inv-${i}` },
      details: { amount: 100 + i },
    })),
  );
  await original.logger.close();
  dir = mkdtempSync(join(tmpdir(), 'auditkit-tampered-ui-'));
  const lines = readFileSync(join(original.dir, 'audit.jsonl'), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(ids[3]!));
  lines[at] = lines[at]!.replace('"amount":103', '"amount":1');
  writeFileSync(join(dir, 'audit.jsonl'), lines.join('\n'));
  tampered = await startConsole({
    keys: { auditor: { tenant: '*', scopes: ['read'] } },
    store: () => fileSink({ path: join(dir, 'audit.jsonl') }),
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await signIn(page, tampered.url, tampered.keys.auditor!);
  await pinKey(page, original.signing.publicKeyPem);
});

afterAll(async () => {
  await browser?.close();
  await tampered?.close();
  await original?.server.close();
  rmSync(original.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const verdictOf = async (id: string) => {
  await page.goto(`${tampered.url}/ui/#/event/${id}`);
  const verdict = page.locator(`.verdict[data-event="${id}"]:not(.checking)`);
  await verdict.waitFor();
  return verdict;
};

describe('verification in the browser of a tampered file store', () => {
  it('shows the changed event as failed, naming why', async () => {
    const verdict = await verdictOf(ids[3]!);
    await expect(verdict.getAttribute('data-verdict')).resolves.toBe('failed');
    await expect(verdict.textContent()).resolves.toMatch(/Failed verification.*changed after sealing/);
    await screenshot(page, 'event-tampered');
  });

  it('still verifies an untouched event of the same chain', async () => {
    const verdict = await verdictOf(ids[1]!);
    await expect(verdict.getAttribute('data-verdict')).resolves.toBe('verified');
  });

  it("shows the chain as broken on the Integrity screen, at the changed event's place", async () => {
    await page.getByRole('link', { name: 'Integrity' }).click();
    const row = page.locator('tr.broken');
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/broken.*modified at seq \d+/);
    await screenshot(page, 'integrity-broken');
  });
});
