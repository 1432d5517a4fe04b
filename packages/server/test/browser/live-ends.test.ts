/** The live tail says plainly why it stopped (a revoked key, the connection limit) and offers to reconnect. */
import { revokeApiKey } from '@auditkit/server';
import type { Browser, Page } from 'playwright-core';
import { openStream, type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(60_000);

let c: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startConsole({
    keys: { watcher: { tenant: '*', scopes: ['read'] }, other: { tenant: '*', scopes: ['read'] } },
    server: { stream: { maxConnections: 1 } },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 600 } });
  await signIn(page, c.url, c.keys.watcher!);
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

describe('the live tail when the stream ends', () => {
  it('says the server refused it at its connection limit, and reconnects once there is room', async () => {
    const holder = openStream(c.url, { key: c.keys.other });
    await holder.next((m) => m.type === 'subscribed');
    await page.getByRole('link', { name: 'Live' }).click();
    await page.getByText(/refused it \(it may be at its limit of live connections\)/).waitFor();
    await screenshot(page, 'live-refused');
    holder.ws.close();
    await holder.closed;
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.locator('.stream-status.live').waitFor();
  });

  it('says the key was revoked when it is cut off mid-stream', async () => {
    // The key id is the part after akc_, as the key shows it.
    await revokeApiKey(c.keysPath, c.keys.watcher!.split('_')[1]!);
    await page.getByText('the API key was revoked').waitFor({ timeout: 5000 });
    await expect(page.getByRole('button', { name: 'Reconnect' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'live-revoked');
  });
});
