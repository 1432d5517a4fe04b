/** The Reports screen: a period review generated from the dashboard, summarised, and downloaded as PDF and HTML. */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../helpers';
import { launchChromium, screenshot, signIn } from './chromium';

jest.setTimeout(60_000);

let c: RunningConsole;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startConsole({ keys: { auditor: { tenant: 'acme', scopes: ['read', 'export'] } } });
  await c.seed([
    {
      type: 'role.granted',
      tenant: 'acme',
      category: 'admin',
      action: 'grant',
      actor: { id: 'u-root', roles: ['admin'] },
      resource: { type: 'user', id: 'u-bob' },
    },
    {
      type: 'auth.login',
      tenant: 'acme',
      outcome: 'failure',
      actor: { id: 'mallory' },
      message: 'invalid credentials',
    },
    {
      type: 'patient.read',
      tenant: 'acme',
      actor: { id: 'u-nurse' },
      resource: { type: 'patient', id: 'p-17' },
      compliance: ['HIPAA'],
    },
    { type: 'retention.applied', tenant: 'acme', category: 'system', details: { deleted: 120 } },
    ...Array.from({ length: 4 }, (_, i) => ({ type: 'noise.tick', tenant: 'acme', details: { i } })),
  ]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await signIn(page, c.url, c.keys.auditor!);
});

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

describe('the Reports screen', () => {
  it('generates a period review, shows its summary and renders its PDF and printable page', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('radio', { name: 'Period review' }).check();
    const json = page.waitForEvent('download');
    await page.getByRole('button', { name: /Generate/ }).click();
    await json;
    const summary = page.getByRole('table').first();
    await expect(
      summary.getByRole('row', { name: /Privileged and administrative actions/ }).textContent(),
    ).resolves.toMatch(/1$/);
    await expect(
      summary.getByRole('row', { name: /Changes to retention and keys/ }).textContent(),
    ).resolves.toMatch(/1$/);
    await expect(summary.getByRole('row', { name: /Trail integrity/ }).textContent()).resolves.toMatch(
      /intact/,
    );
    await screenshot(page, 'reports');

    const pdf = page.waitForEvent('download');
    await page.getByRole('button', { name: 'PDF' }).click();
    const bytes = readFileSync((await (await pdf).path())!);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toMatch(/\/Type \/Page\b/);

    const html = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Printable HTML' }).click();
    const printable = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await printable.setContent(readFileSync((await (await html).path())!, 'utf8'));
    await screenshot(printable, 'report-printable');
    await expect(
      printable.getByRole('heading', { name: /Access to sensitive resources \(2\)/ }).isVisible(),
    ).resolves.toBe(true);
    await screenshot(printable, 'report-printable');
    await printable.close();
    const recorded = await c.consoleEvents();
    expect(recorded.filter((e) => e.type === 'console.report').map((e) => e.details?.format)).toEqual([
      'json',
      'pdf',
      'html',
    ]);
  });
});
