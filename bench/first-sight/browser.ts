// The fleet page as a newcomer on a phone sees it: headless Chromium, 390×844, logging in through the
// dashboard's own form; timed from submitting the login to the fleet table's rows shown.
import { type Browser, chromium } from 'playwright-core';

export const PHONE_VIEWPORT = { width: 390, height: 844 } as const;

export interface FleetPageTiming {
  /** Submit → the first row of `#fleet-table` visible. */
  firstRowMs: number;
  /** Submit → a row for every vessel the API lists (the table rendered). */
  allRowsMs: number;
  rows: number;
}

let open: Browser | undefined;

/** Closes the browser if one is open (the bench's clean-up path). */
export async function closeBrowser(): Promise<void> {
  const browser = open;
  open = undefined;
  await browser?.close().catch(() => undefined);
}

export async function timeFleetPage(options: {
  url: string;
  username: string;
  password: string;
  vessels: number;
  timeoutMs: number;
}): Promise<FleetPageTiming> {
  open = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    timeout: options.timeoutMs,
  });
  try {
    const context = await open.newContext({ viewport: PHONE_VIEWPORT, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.setDefaultTimeout(options.timeoutMs);
    await page.goto(options.url, { waitUntil: 'load' });
    await page.waitForSelector('#login-form');
    await page.fill('#username', options.username);
    await page.fill('#password', options.password);
    const submitted = performance.now();
    await page.click('#login-form button[type="submit"]');
    await page.locator('#fleet-table tbody tr[data-vessel]').first().waitFor({ state: 'visible' });
    const firstRowMs = performance.now() - submitted;
    await page.waitForFunction(
      `document.querySelectorAll('#fleet-table tbody tr[data-vessel]').length >= ${options.vessels}`,
      undefined,
      { polling: 'raf' },
    );
    const allRowsMs = performance.now() - submitted;
    const rows = await page.locator('#fleet-table tbody tr[data-vessel]').count();
    return { firstRowMs, allRowsMs, rows };
  } finally {
    await closeBrowser();
  }
}
