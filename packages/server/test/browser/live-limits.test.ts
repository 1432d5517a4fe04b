/**
 * The live tail at its limits, in a real Chromium against a real console: a tab too busy to read
 * is dropped by the server and says so in the server's words, then reconnects and follows again; a tail longer than the
 * view keeps says how many events left it, and pausing counts every event that arrived.
 */
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(120_000);

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 700 } });
});
afterAll(() => browser?.close());

async function openLive(c: RunningConsole, key: string): Promise<void> {
  await signIn(page, c.url, key);
  await page.getByRole('link', { name: 'Live' }).click();
  await page.locator('.stream-status.live').waitFor();
}

describe('a tab too slow to read the stream', () => {
  let c: RunningConsole;
  beforeAll(async () => {
    c = await startConsole({
      keys: { watcher: { tenant: '*', scopes: ['read'] } },
      // Small bounds, so a busy tab falls behind within a few megabytes.
      server: { stream: { maxBuffered: 200, maxSocketBytes: 256 * 1024 } },
    });
  });
  afterAll(() => c?.close());

  it('is dropped by the server, says so, and follows again after Reconnect', async () => {
    await openLive(c, c.keys.watcher!);
    // The tab's CPU runs 50 times slower (a weak machine, a heavy page) while batches of 8 KB
    // events arrive faster than it reads them; once the server dropped it, it runs at full speed.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 50 });
    const padding = 'x'.repeat(8 * 1024);
    for (let batch = 0; batch < 500 && c.server.streamStats().droppedSlow === 0; batch++)
      await c.seed(Array.from({ length: 20 }, () => ({ type: 'bulk.write', details: { padding } })));
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    expect(c.server.streamStats().droppedSlow).toBe(1);
    // The server's reason reaches a tab that drains its backlog within a second of the drop; one
    // further behind learns it from how far behind it had fallen.
    const status = page.getByRole('status').filter({ hasText: /too slowly|fast enough/ });
    await status.waitFor({ timeout: 15_000 });
    await expect(status.textContent()).resolves.toMatch(
      /^(Dropped by the server: this tab was not reading events fast enough|Cut off by the server: this tab had fallen \d+ s behind the stream, so it was most likely dropped for reading too slowly)\. Events sent meanwhile are not shown here; Search has them all\.$/,
    );
    // It is the server's word, not the tab's guess: told in time, or asked for after the cut.
    await expect(status.textContent()).resolves.toBe(
      'Dropped by the server: this tab was not reading events fast enough. Events sent meanwhile are not shown here; Search has them all.',
    );
    const missed = page.locator('.note', { hasText: 'on that connection' });
    if ((await missed.count()) > 0)
      await expect(missed.textContent()).resolves.toMatch(
        /^The server had sent [\d,]+ events on that connection; [\d,]+ of them never reached this tab\.$/,
      );
    await screenshot(page, 'live-slow');
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.locator('.stream-status.live').waitFor();
    await c.seed([{ type: 'after.reconnect', actor: { id: 'u-back' } }]);
    await page.locator('.vrow', { hasText: 'after.reconnect' }).waitFor({ timeout: 5000 });
  });
});

describe('a tail longer than the view keeps', () => {
  let c: RunningConsole;
  beforeAll(async () => {
    c = await startConsole({ keys: { watcher: { tenant: '*', scopes: ['read'] } } });
  });
  afterAll(() => c?.close());

  it('counts what arrived while paused, and says how many events left the view', async () => {
    await openLive(c, c.keys.watcher!);
    await page.getByLabel('Filter').fill('type:burst');
    await page.getByRole('button', { name: 'Follow' }).click();
    await page.locator('.stream-status.live').waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    for (let i = 0; i < 11; i++)
      await c.seed(
        Array.from({ length: 500 }, (_, k) => ({ type: 'burst', message: `burst ${i * 500 + k}` })),
      );
    await page.getByRole('button', { name: 'Resume (5,500 new)' }).waitFor({ timeout: 20_000 });
    const limit = page.getByRole('status').filter({ hasText: 'keeps the newest' });
    await expect(limit.textContent()).resolves.toBe(
      'This view keeps the newest 5,000 events: 500 older ones left it. Search has them all.',
    );
    await page.getByRole('button', { name: /Resume/ }).click();
    await expect(limit.textContent()).resolves.toContain(': 500 older ones left it.');
    await expect(page.getByRole('grid', { name: 'Live events' }).getAttribute('aria-rowcount')).resolves.toBe(
      '5000',
    );
    // The newest is on top; the 500 oldest are the ones that left.
    await expect(page.locator('#row-0').textContent()).resolves.toContain('burst 5499');
    await expect(limit.getByRole('link', { name: 'Search' }).getAttribute('href')).resolves.toBe(
      '#/search?q=type%3Aburst&range=24h',
    );
    await screenshot(page, 'live-limit');
  });
});
