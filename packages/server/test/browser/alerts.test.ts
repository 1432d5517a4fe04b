/** The Alerts screen: alerts from the trail's alert.* events, acknowledged and resolved by a person. */
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(60_000);

let c: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startConsole({ keys: { analyst: { tenant: 'acme', scopes: ['read', 'write'] } } });
  await c.seed(
    ['brute force against u-alice', 'export of 50,000 records by u-bob'].map((title, i) => ({
      type: 'alert.opened',
      category: 'security',
      action: 'opened',
      severity: 'warning' as const,
      tenant: 'acme',
      message: `alert opened: ${title}`,
      resource: { type: 'alert', id: `al-${i}` },
      details: { status: 'open', kind: i ? 'large-export' : 'brute-force' },
    })),
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 700 } });
  await signIn(page, c.url, c.keys.analyst!);
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

describe('the Alerts screen', () => {
  it('lists open alerts and records an acknowledgement made from it', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row', { name: /brute force against u-alice/ });
    await row.waitFor();
    await expect(page.getByRole('row').count()).resolves.toBe(3);
    await screenshot(page, 'alerts');
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('radio', { name: 'acknowledged' }).check();
    await page.getByRole('row', { name: /brute force against u-alice.*acknowledged/ }).waitFor();
    const recorded = await c.store.query({ filter: 'type:alert.acknowledged resource.id:al-0', limit: 5 });
    expect(recorded.events).toHaveLength(1);
    expect(recorded.events[0]!.actor?.id).toMatch(/^apikey:/);
  });
});
