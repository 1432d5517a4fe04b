/**
 * A compliance person's session in a real Chromium against the example Express app and the
 * console on ephemeral ports: sign in, watch the live tail, filter, open a data change, see it
 * verified, export CSV. Screenshots of each screen go to test/artifacts.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type AuditLogger, createAuditLogger, fileSink, fileStore } from '@auditkit/core';
import { createApp } from '@auditkit/example-express-app';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, pinKey, screenshot, signIn } from './chromium';

jest.setTimeout(60_000);

let c: RunningConsole;
let appLogger: AuditLogger;
let app: Server;
let appUrl: string;
let browser: Browser;
let page: Page;

async function call(method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(appUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await r.json().catch(() => ({}))) as Record<string, string>;
}

beforeAll(async () => {
  c = await startConsole({
    keys: { auditor: { tenant: '*', scopes: ['read', 'export'] } },
    store: (dir) => fileStore(dir, { file: 'console.jsonl' }),
    follow: true,
  });
  appLogger = createAuditLogger({
    service: 'orders',
    instance: 'app-1',
    flushOnExit: false,
    batch: { maxWaitMs: 1 },
    sinks: [fileSink({ path: join(c.dir, 'audit.jsonl') })],
    integrity: { signingKey: c.signing.privateKeyPem, checkpointEvery: 4 },
  });
  app = createApp({ logger: appLogger }).listen(0, '127.0.0.1');
  await once(app, 'listening');
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const alice = (await call('POST', '/login', { username: 'alice', password: 'correct horse' })).token!;
  const order = await call('POST', '/orders', { item: 'laptop', quantity: 2 }, alice);
  await call('PATCH', `/orders/${order.id}`, { status: 'shipped' }, alice);
  for (let i = 0; i < 3; i++) await call('POST', '/login', { username: 'mallory', password: `guess-${i}` });
  await appLogger.flush();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
});

afterAll(async () => {
  await browser?.close();
  app?.close();
  await appLogger?.close();
  await c?.close();
});

describe('the dashboard in Chromium', () => {
  it('signs in with an API key that never reaches the URL, and refuses a wrong one', async () => {
    await page.goto(`${c.url}/ui/`);
    await screenshot(page, 'signin');
    await page.getByLabel('API key').fill('akc_nope_nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/unknown or revoked/);
    await signIn(page, c.url, c.keys.auditor!);
    expect(page.url()).not.toContain(c.keys.auditor!);
    await expect(page.getByRole('heading', { name: 'Search' }).isVisible()).resolves.toBe(true);
  });

  it('shows an event in the live tail within a second of the request to the app', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    await page.locator('.stream-status.live').waitFor();
    const started = Date.now();
    await call('POST', '/login', { username: 'bob', password: 'battery staple' });
    await page.locator('.vrow', { hasText: 'u-bob' }).first().waitFor({ timeout: 5000 });
    const elapsed = Date.now() - started;
    await screenshot(page, 'live');
    expect(elapsed).toBeLessThan(1000);
    await page.getByRole('button', { name: 'Pause' }).click();
    await call('POST', '/login', { username: 'bob', password: 'battery staple' });
    await page.getByRole('button', { name: /Resume \(\d+ new\)/ }).waitFor({ timeout: 5000 });
    await screenshot(page, 'live-paused');
    await page.getByRole('button', { name: /Resume/ }).click();
  });

  it('filters with the filter language, keeps the filter in a shareable URL, and opens a data change with its diff', async () => {
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel('Filter').fill('type:order.updated');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 event', { exact: true }).waitFor();
    expect(decodeURIComponent(page.url())).toContain('q=type:order.updated');
    await screenshot(page, 'search');
    await page.locator('.vrow', { hasText: 'order.updated' }).click();
    await page.getByRole('heading', { name: 'Data change' }).waitFor();
    const before = await page.locator('figure', { hasText: 'Before' }).locator('pre').textContent();
    const after = await page.locator('figure', { hasText: 'After' }).locator('pre').textContent();
    expect(JSON.parse(before!)).toMatchObject({ status: 'open', item: 'laptop' });
    expect(JSON.parse(after!)).toMatchObject({ status: 'shipped', item: 'laptop' });
    const diff = page.getByRole('table', { name: /^Diff/ });
    await expect(diff.getByRole('row', { name: /status/ }).textContent()).resolves.toMatch(
      /"open".*"shipped"/,
    );
  });

  it('verifies the event in the browser against the pinned key', async () => {
    const eventUrl = page.url();
    await pinKey(page, c.signing.publicKeyPem);
    await screenshot(page, 'integrity');
    await page.goto(eventUrl);
    const verdict = page.locator('.verdict');
    await page.locator('.verdict:not(.checking)').waitFor();
    await expect(verdict.getAttribute('data-verdict')).resolves.toBe('verified');
    await expect(verdict.textContent()).resolves.toMatch(/Verified.*signed by key/);
    await screenshot(page, 'event');
  });

  it("shows the store's retention and opens the oldest event held", async () => {
    await page.getByRole('link', { name: 'Integrity' }).click();
    const retention = page.getByRole('region', { name: 'Retention' });
    await retention.getByText('Oldest event held').waitFor();
    await expect(retention.textContent()).resolves.toMatch(
      /Storefile.*every rotated file kept; files rotate at 100 MiB and daily.*never deleted/,
    );
    const oldest = (await c.store.query({ order: 'asc', limit: 1 })).events[0]!;
    await retention.getByRole('link', { name: 'Open the oldest event held' }).click();
    await page.locator('.verdict').waitFor();
    expect(page.url()).toContain(`#/event/${oldest.id}`);
    await page.goBack();
    await page.locator('table.chains').waitFor();
    await screenshot(page, 'integrity-retention');
  });

  it('exports the current filter as CSV whose rows parse and whose manifest matches', async () => {
    await page.goto(`${c.url}/ui/#/search?q=type%3Aauth.login&range=24h`);
    await page.getByText(/^\d+ events$/).waitFor();
    const downloaded = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const csv = readFileSync((await (await downloaded).path())!, 'utf8');
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.every((r) => r.type === 'auth.login')).toBe(true);
    expect(rows.filter((r) => r.outcome === 'failure')).toHaveLength(3);
    await page
      .getByRole('status')
      .filter({ hasText: /manifest/ })
      .waitFor();
    await expect(page.getByText(/SHA-256 matches the file/).isVisible()).resolves.toBe(true);
    await screenshot(page, 'export');
  });

  it('draws the charts from the server over the selected range', async () => {
    await page.getByRole('link', { name: 'Charts' }).click();
    await page.locator('.timechart canvas').waitFor();
    await expect(page.getByRole('region', { name: 'Top actors' }).textContent()).resolves.toContain(
      'u-alice',
    );
    await screenshot(page, 'charts');
  });

  it('is usable from the keyboard: labelled controls, tab to the results, arrows and Enter open an event', async () => {
    await page.goto(`${c.url}/ui/#/search?q=type%3Aauth.login&range=24h`);
    await page.getByText(/^\d+ events$/).waitFor();
    for (const label of ['Filter', 'Time range', 'Export format'])
      await expect(page.getByLabel(label).count()).resolves.toBe(1);
    const grid = page.getByRole('grid', { name: 'Search results' });
    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await expect(grid.getAttribute('aria-activedescendant')).resolves.toBe('row-1');
    await page.keyboard.press('Enter');
    await page.locator('.verdict').waitFor();
    expect(page.url()).toMatch(/#\/event\//);
    await page.getByRole('button', { name: '← Back' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('grid', { name: 'Search results' }).waitFor();
  });
});
