/**
 * The screens besides Search, used from the keyboard alone: the navigation, the live tail, an
 * event and its neighbours, pinning a key, acknowledging an alert and generating a report; on
 * each, every control has a name a screen reader can say.
 */
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(90_000);

let c: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startConsole({ keys: { analyst: { tenant: '*', scopes: ['read', 'write', 'export'] } } });
  await c.seed([
    { type: 'order.updated', actor: { id: 'u-alice' }, resource: { type: 'order', id: 'o-1' } },
    { type: 'order.read', actor: { id: 'u-alice' }, resource: { type: 'order', id: 'o-1' } },
    {
      type: 'alert.opened',
      category: 'security',
      action: 'opened',
      severity: 'warning',
      message: 'alert opened: brute force against u-alice',
      resource: { type: 'alert', id: 'al-1' },
      details: { status: 'open' },
    },
  ]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 760 } });
  await signIn(page, c.url, c.keys.analyst!);
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

/** Visible buttons, fields and links without a name (label, aria-label or text). */
async function unnamedControls(): Promise<string[]> {
  return page
    .locator('main button, main input, main select, main textarea, main a, main [tabindex="0"]')
    .evaluateAll((els) =>
      els
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .filter((el) => {
          const labels = (el as HTMLInputElement).labels;
          const named =
            el.getAttribute('aria-label') ||
            el.getAttribute('aria-labelledby') ||
            (labels && labels.length > 0 && [...labels].some((l) => l.textContent?.trim())) ||
            (el.tagName !== 'INPUT' && el.textContent?.trim());
          return !named;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
}

/** Presses Tab until `name` (an accessible name or text) has the focus; fails after 40 presses. */
async function tabTo(name: RegExp): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const labels = (el as HTMLInputElement | null)?.labels;
      return (el?.getAttribute('aria-label') || labels?.[0]?.textContent || el?.textContent || '').trim();
    });
    if (name.test(focused)) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));

describe('from the keyboard alone', () => {
  it('skips to the content and moves between screens with the navigation', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await tabTo(/^Live$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Live tail' }).waitFor();
    await expect(page.getByRole('link', { name: 'Live' }).getAttribute('aria-current')).resolves.toBe('page');
  });

  it('follows the live tail, moves through it with the arrows and opens an event with Enter', async () => {
    await page.locator('.stream-status.live').waitFor();
    await c.seed([{ type: 'order.shipped', actor: { id: 'u-bob' }, resource: { type: 'order', id: 'o-2' } }]);
    await page.locator('.vrow', { hasText: 'order.shipped' }).waitFor();
    await c.seed([{ type: 'order.paid', actor: { id: 'u-bob' }, resource: { type: 'order', id: 'o-2' } }]);
    await page.locator('.vrow', { hasText: 'order.paid' }).waitFor();
    expect(await unnamedControls()).toEqual([]);
    await page.getByLabel('Filter').focus();
    await tabTo(/^Live events$/);
    await page.keyboard.press('ArrowDown');
    const grid = page.getByRole('grid', { name: 'Live events' });
    await expect(grid.getAttribute('aria-activedescendant')).resolves.toBe('row-1');
    await expect(page.locator('#row-1').textContent()).resolves.toContain('order.shipped');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /order\.shipped/ }).waitFor();
  });

  it('switches the events around it with the tabs, and goes back', async () => {
    await page.locator('.verdict').waitFor();
    expect(await unnamedControls()).toEqual([]);
    await tabTo(/^Same resource$/);
    await page.keyboard.press('Enter');
    await expect(
      page.getByRole('tab', { name: 'Same resource' }).getAttribute('aria-selected'),
    ).resolves.toBe('true');
    await page.locator('.around .vrow', { hasText: 'order.paid' }).waitFor();
    await screenshot(page, 'keyboard-event');
    await page.getByRole('button', { name: '← Back' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Live tail' }).waitFor();
  });

  it('pins a signing key on the Integrity screen', async () => {
    await page.goto(`${c.url}/ui/#/integrity`);
    await page.getByRole('heading', { name: 'Integrity' }).waitFor();
    await page.locator('table.chains').waitFor();
    expect(await unnamedControls()).toEqual([]);
    await tabTo(/Public key \(PEM\)/);
    await page.keyboard.insertText(c.signing.publicKeyPem);
    await tabTo(/^Pin key$/);
    await page.keyboard.press('Enter');
    await page.locator('.keys code').waitFor();
    await tabTo(/^Unpin key /);
    expect(await focusedLabel()).toMatch(/^Unpin key [0-9a-f]+$/);
  });

  it('acknowledges an alert', async () => {
    await page.goto(`${c.url}/ui/#/alerts`);
    await page.getByRole('row', { name: /brute force against u-alice/ }).waitFor();
    expect(await unnamedControls()).toEqual([]);
    await tabTo(/^Acknowledge$/);
    await page.keyboard.press('Enter');
    await page.getByRole('radio', { name: 'acknowledged' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('row', { name: /brute force against u-alice.*acknowledged/ }).waitFor();
    const recorded = await c.store.query({ filter: 'type:alert.acknowledged resource.id:al-1' });
    expect(recorded.events).toHaveLength(1);
  });

  it('chooses a report with the arrow keys and generates it with Enter', async () => {
    await page.goto(`${c.url}/ui/#/reports`);
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    expect(await unnamedControls()).toEqual([]);
    await page.getByRole('radio', { name: 'Period review' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('radio', { name: 'Data-subject access (GDPR)' }).isChecked()).resolves.toBe(
      true,
    );
    await tabTo(/Data subject/);
    await page.keyboard.type('u-alice');
    await tabTo(/^Generate/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Data-subject access report: u-alice' }).waitFor();
    await screenshot(page, 'keyboard-report');
  });
});
