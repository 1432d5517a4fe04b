/** Saved searches: named in this browser, kept across reloads, opened as links, deleted. */
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(60_000);

let c: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startConsole({ keys: { auditor: { tenant: '*', scopes: ['read'] } } });
  await c.seed([
    { type: 'auth.login', outcome: 'failure', actor: { id: 'mallory' } },
    { type: 'auth.login', outcome: 'failure', actor: { id: 'mallory' } },
    { type: 'auth.login', actor: { id: 'u-alice' } },
    { type: 'order.updated', actor: { id: 'u-alice' } },
  ]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 700 } });
  await signIn(page, c.url, c.keys.auditor!);
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

describe('saved searches', () => {
  it('saves the current filter and range under a name, and keeps it across a reload', async () => {
    await page.getByLabel('Filter').fill('type:auth.login outcome:failure');
    await page.getByLabel('Time range').selectOption('7d');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('2 events', { exact: true }).waitFor();
    await page.getByText('Saved searches (0)').click();
    page.once('dialog', (dialog) => {
      expect(dialog.defaultValue()).toBe('type:auth.login outcome:failure');
      void dialog.accept('failed logins');
    });
    await page.getByRole('button', { name: 'Save this search' }).click();
    await page.getByText('Saved searches (1)').waitFor();
    await screenshot(page, 'saved-searches');
    // The key is in memory only: a reload asks for it again, the saved search is still there.
    await page.reload();
    await signIn(page, c.url, c.keys.auditor!);
    await page.getByText('Saved searches (1)').click();
    await expect(page.locator('.saved code').textContent()).resolves.toBe(
      'type:auth.login outcome:failure since:7d',
    );
    expect(await page.evaluate(() => localStorage.getItem('auditkit.savedSearches'))).not.toContain(
      c.keys.auditor!,
    );
  });

  it('opens a saved search as a link that carries its filter and range', async () => {
    await page.getByLabel('Filter').fill('actor:u-alice');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // The page already shows two events (the saved search's): wait for u-alice's own rows.
    await page.locator('.vrow', { hasText: 'order.updated' }).waitFor();
    await page.getByRole('link', { name: 'failed logins' }).click();
    // Both searches match two events: wait for the saved one's rows, not for the count.
    await page.locator('.vrow', { hasText: 'mallory' }).nth(1).waitFor();
    await expect(page.getByLabel('Filter').inputValue()).resolves.toBe('type:auth.login outcome:failure');
    await expect(page.getByLabel('Time range').inputValue()).resolves.toBe('7d');
    expect(decodeURIComponent(page.url())).toContain('q=type:auth.login+outcome:failure&range=7d');
    await expect(page.locator('.vrow').count()).resolves.toBe(2);
  });

  it('replaces a search saved under the same name, and deletes one', async () => {
    await page.getByLabel('Filter').fill('type:order.*');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('1 event', { exact: true }).waitFor();
    if (!(await page.locator('details.saved').evaluate((d) => (d as HTMLDetailsElement).open)))
      await page.getByText(/Saved searches/).click();
    page.once('dialog', (dialog) => void dialog.accept('failed logins'));
    await page.getByRole('button', { name: 'Save this search' }).click();
    await expect(page.locator('.saved code').textContent()).resolves.toBe('type:order.* since:7d');
    await expect(page.getByText('Saved searches (1)').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Delete saved search failed logins' }).click();
    await page.getByText('Saved searches (0)').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('auditkit.savedSearches'))).toBe('[]');
  });
});
