import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, type ViewportSize, chromium } from 'playwright-core';
import { expect } from 'vitest';
import type { DashboardServer, Role } from './dashboard-server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const SCREENSHOTS = join(ROOT, 'reports', 'screenshots');
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Debian's Chromium, headless, without the background requests a test has no use for. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim(),
    args: ['--no-sandbox', '--disable-background-networking'],
  });
}

/** A fresh browser context (own sessionStorage and localStorage), logged in as `role`. */
export function logIn(
  browser: Browser,
  server: DashboardServer,
  role: Role,
  viewport: ViewportSize = DESKTOP,
): Promise<Page> {
  return logInWith(browser, server.url, server.users[role], viewport);
}

/** The same, for any account (one a test created through the API). */
export async function logInWith(
  browser: Browser,
  url: string,
  account: { username: string; password: string },
  viewport: ViewportSize = DESKTOP,
): Promise<Page> {
  const context = await browser.newContext({
    viewport,
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  watchCsp(page);
  await page.goto(url);
  await page.fill('#username', account.username);
  await page.fill('#password', account.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('main[data-page]');
  expect(errors).toEqual([]);
  expect(cspViolations(page)).toEqual([]);
  return page;
}

const violations = new WeakMap<Page, string[]>();

/** Collects what the page's Content-Security-Policy refused (Chromium reports each on the console). */
export function watchCsp(page: Page): void {
  const list: string[] = [];
  violations.set(page, list);
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy'))
      list.push(message.text());
  });
}

/** The CSP violations seen on the page so far: none, for a dashboard that works under its policy. */
export const cspViolations = (page: Page): readonly string[] => violations.get(page) ?? [];

export const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

export const text = async (page: Page, selector: string): Promise<string> =>
  (await page.textContent(selector))?.trim() ?? '';

export const count = (page: Page, selector: string): Promise<number> => page.locator(selector).count();
