/**
 * A long result read from both ends: a jump to the end shows the oldest events at once (read in
 * reverse, not by paging through everything before them), and the middle, read afterwards,
 * joins both ends into one list with every event once, in order.
 */
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(90_000);

const N = 2600; // five pages of 500 and some
let c: RunningConsole;
let browser: Browser;
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  c = await startConsole({ keys: { auditor: { tenant: '*', scopes: ['read'] } } });
  for (let i = 0; i < N; i += 500)
    await c.seed(
      Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ type: 'seeded', message: `event ${i + k}` })),
    );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 700 } });
  page.on('request', (r) => {
    if (r.url().includes('/api/events?')) requests.push(decodeURIComponent(r.url()));
  });
  await signIn(page, c.url, c.keys.auditor!);
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

/** Scrolls row `i` into view and returns its message. */
async function messageAt(i: number): Promise<string> {
  await page.evaluate((row) => {
    document.querySelector('.vlist')!.scrollTop = row * 32;
  }, i);
  const cell = page.locator(`#row-${i} .c-message`);
  await cell.filter({ hasText: /^event \d+$/ }).waitFor({ timeout: 20_000 });
  return (await cell.textContent())!;
}

describe('a long result', () => {
  it('shows the oldest events after one reverse page when End is pressed', async () => {
    await page.goto(`${c.url}/ui/#/search?q=type%3Aseeded&range=all`);
    await page.getByText(`${N.toLocaleString('en-US')} events`, { exact: true }).waitFor();
    const grid = page.getByRole('grid', { name: 'Search results' });
    await grid.focus();
    requests.length = 0;
    await page.keyboard.press('End');
    await expect(grid.getAttribute('aria-activedescendant')).resolves.toBe(`row-${N - 1}`);
    await page
      .locator(`#row-${N - 1} .c-message`)
      .filter({ hasText: 'event 0' })
      .waitFor();
    await expect(page.locator(`#row-${N - 2} .c-message`).textContent()).resolves.toBe('event 1');
    await screenshot(page, 'search-end');
    expect(requests.filter((u) => u.includes('order=asc'))).toHaveLength(1);
    expect(requests.filter((u) => u.includes('order=desc'))).toHaveLength(0);
  });

  it('joins both ends where they meet: every event once, newest first', async () => {
    for (const i of [0, 1299, 1300, 2099, 2100, 2101, N - 1])
      await expect(messageAt(i)).resolves.toBe(`event ${N - 1 - i}`);
    await expect(
      page.getByRole('grid', { name: 'Search results' }).getAttribute('aria-rowcount'),
    ).resolves.toBe(String(N));
    await expect(page.locator('.count').textContent()).resolves.toBe(`${N.toLocaleString('en-US')} events`);
  });
});
