import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';

/** Debian's Chromium, as .ci/run installs it; without it the studio's browser tests are skipped, not failed. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Everything the page said was wrong: console errors (a CSP refusal is one) and uncaught exceptions. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** How far the document is wider than the viewport (0: no horizontal scroll). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

export const WIDE = { width: 1400, height: 1000 };
export const PHONE = { width: 375, height: 812 };

/** Signs in at `${base}/` with the admin key, as a person would: the key field found by its label. */
export async function signInToStudio(page: Page, base: string, adminKey: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Admin API key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#sign-out').waitFor({ timeout: 60_000 });
}

/** The CSV text of a download, split into rows and naive comma-separated cells (for files without quoted commas). */
export async function csvRows(download: Download): Promise<string[][]> {
  const file = await download.path();
  if (!file) throw new Error(`download ${download.suggestedFilename()} has no file`);
  return (await readFile(file, 'utf8'))
    .trim()
    .split(/\r?\n/)
    .map((line) => line.split(','));
}
