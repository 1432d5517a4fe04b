/**
 * Debian's chromium driven by playwright-core, for the dashboard's tests: installed with apt when
 * missing (a fresh machine needs nothing by hand), launched headless with nothing that reaches
 * the network, and a folder for the screenshots a person looks at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import CHROMIUM_ARGS from '../../../../bench/chromium-args.json';

const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', 'artifacts');

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    env,
  });
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
}

/** Saves a full-page screenshot as test/artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Opens the dashboard and signs in with `key`. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/ui/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
}

/** Pins the checkpoint public key on the Integrity screen. */
export async function pinKey(page: Page, pem: string): Promise<void> {
  await page.getByRole('link', { name: 'Integrity' }).click();
  await page.getByLabel('Public key (PEM)').fill(pem);
  await page.getByRole('button', { name: 'Pin key' }).click();
  await page.locator('.keys code').first().waitFor();
}
