// Browser tests of the partners' data packages page: an analyst issues a partner's month and sees it listed,
// a partner's account (speaking for NEDO) opens the page in Japanese, downloads the package's zip, and the
// zip verifies against the key the API publishes. Screenshots go to reports/screenshots/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackageFiles, verifyPackage } from '@qt-led/partner-packages';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE,
  ROOT,
  SCREENSHOTS,
  count,
  cspViolations,
  launchChromium,
  logIn,
  logInWith,
  shot,
  text,
} from './support/browser.js';
import { ensureDashboardBuilt } from './support/dashboard-build.js';
import { type DashboardServer, startDashboardServer } from './support/dashboard-server.js';

const HOUR_MS = 3_600_000;
/** Viet Nam is UTC+7 all year (no daylight saving). */
const VN_OFFSET_MS = 7 * HOUR_MS;

/** The current month in Viet Nam, its first instant, and the month before it (`YYYY-MM`). */
function months(nowMs: number): { startMs: number; previous: string } {
  const local = new Date(nowMs + VN_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const startMs = Date.UTC(year, month, 1) - VN_OFFSET_MS;
  const previous = new Date(Date.UTC(year, month - 1, 1)).toISOString().slice(0, 7);
  return { startMs, previous };
}

let server: DashboardServer;
let browser: Browser;
let dataDir: string;
let downloads: string;
const { startMs, previous: MONTH } = months(Date.now());
const PACKAGE_ID = `nedo-${MONTH}-v1`;
const PARTNER = { username: 'tanaka.nedo', password: 'nedo-led-kaiyo-2026' };

beforeAll(async () => {
  const dashboardDist = await ensureDashboardBuilt(join(ROOT, 'dashboard'));
  await mkdir(SCREENSHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'qtled-packages-'));
  downloads = join(dataDir, 'downloads');
  await mkdir(downloads);
  server = await startDashboardServer({
    dataDir,
    dashboardDir: dashboardDist,
    // The fleet's three days of history end an hour before this month began: last month has data, and
    // it has ended, so it may be issued.
    nowMs: startMs - HOUR_MS,
    // Nothing is issued by the schedule behind the test's back: the analyst issues the first version.
    env: { PACKAGES_SCHEDULE_HERE: 'false' },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (server as DashboardServer | undefined)?.stop();
  if ((dataDir as string | undefined) !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function api<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const raw = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)} ${raw}`);
  return (raw === '' ? undefined : JSON.parse(raw)) as T;
}

const tokenOf = async (account: { username: string; password: string }): Promise<string> =>
  (await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, account)).token;

async function openPackages(page: Page, ready: string): Promise<void> {
  await page.click('nav a[data-nav="packages"]');
  await page.waitForSelector(ready);
}

describe('partner data packages in the browser', () => {
  it('let an analyst issue a partner’s month, see it listed, and be told when nothing changed', async () => {
    const page = await logIn(browser, server, 'analyst');
    await openPackages(page, '#package-schedule tbody tr');
    expect(await text(page, 'main h1')).toBe('Gói dữ liệu cho các đối tác');
    expect(await count(page, '#schedule-table tbody tr')).toBe(2);
    expect(await text(page, '#schedule-table tr[data-partner="nedo"] td:nth-child(2)')).toBe(
      'Số liệu phát thải (JCM VN006)',
    );
    // Nothing issued yet; the month offered is the last one that has ended.
    expect(await count(page, '#packages-table')).toBe(0);
    expect(await text(page, '#packages-none')).toBe('Chưa có gói nào được phát hành.');
    expect(await page.inputValue('#issue-month')).toBe(MONTH);

    await page.selectOption('#issue-partner', 'nedo');
    await page.fill('#issue-month', MONTH);
    await page.click('#issue-form button[type=submit]');
    await page.waitForSelector('#issue-outcome[data-outcome="issued"]');
    expect(await text(page, '#issue-outcome')).toMatch(
      new RegExp(`^Đã phát hành ${PACKAGE_ID}: phiên bản 1 cho NEDO, `),
    );
    const row = `#packages-table tr[data-package="${PACKAGE_ID}"]`;
    await page.waitForSelector(row);
    expect(await page.getAttribute(row, 'data-current')).toBe('true');
    expect(await text(page, `${row} td:nth-child(2)`)).toBe('NEDO');
    expect(await text(page, `${row} td:nth-child(4)`)).toBe('v1');
    // Last month's last three days have readings: some, far from all, were received.
    const readings = Number((await text(page, `${row} td:nth-child(6)`)).replace(/\D/g, ''));
    expect(readings).toBeGreaterThan(0);
    expect(readings).toBeLessThan(50);
    // The issue is in NEDO's receipts.
    await page.waitForSelector('#package-receipts .receipts[data-partner="nedo"] tbody tr');
    expect(
      await text(
        page,
        '#package-receipts .receipts[data-partner="nedo"] tr[data-kind="issued"] td:nth-child(2)',
      ),
    ).toBe(PACKAGE_ID);

    // The same month again: the same figures, so no new version.
    await page.click('#issue-form button[type=submit]');
    await page.waitForSelector('#issue-outcome[data-outcome="unchanged"]');
    expect(await text(page, '#issue-outcome')).toBe(
      `Đã phát hành với đúng các số liệu này: ${PACKAGE_ID} (phiên bản 1). Không có gì mới được phát hành.`,
    );
    await page.waitForSelector(row);
    expect(await count(page, '#packages-table tbody tr')).toBe(1);

    // The month still running is refused, in the page's words and the server's.
    await page.evaluate(`document.getElementById('issue-month').removeAttribute('max')`);
    const current = new Date(startMs + VN_OFFSET_MS).toISOString().slice(0, 7);
    await page.fill('#issue-month', current);
    await page.click('#issue-form button[type=submit]');
    await page.waitForSelector('#issue-outcome[data-outcome="refused"]');
    expect(await text(page, '#issue-outcome')).toContain('has not ended yet');
    expect(await count(page, '#packages-table tbody tr')).toBe(1);
    await page.fill('#issue-month', MONTH);
    await page.click('#issue-form button[type=submit]');
    await page.waitForSelector('#issue-outcome[data-outcome="unchanged"]');

    const listed = await api<{ packages: { packageId: string }[] }>(
      'GET',
      '/api/v1/packages',
      await tokenOf(server.users.analyst),
    );
    expect(listed.packages.map((p) => p.packageId)).toEqual([PACKAGE_ID]);
    expect(cspViolations(page)).toEqual([]);
    await shot(page, 'packages-analyst-vi');
    await page.context().close();
  });

  it('let a partner speaking for NEDO download its package in Japanese, and the zip verifies', async () => {
    // An admin creates the partner's account, speaking for NEDO (the analyst's test issued its package).
    const admin = await tokenOf(server.users.admin);
    await api('POST', '/api/v1/users', admin, { ...PARTNER, role: 'partner', partner: 'nedo' });

    // A fresh device: no language chosen, so a partner reads Japanese.
    const page = await logInWith(browser, server.url, PARTNER);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    const nav = await page.locator('nav a[data-nav]').allTextContents();
    expect(nav).toEqual(['排出量', 'データパッケージ']);
    await openPackages(page, '#package-list');
    expect(await text(page, 'main h1')).toBe('パートナー向けデータパッケージ');
    expect(await text(page, '#package-list h2')).toBe('NEDO 向けパッケージ');
    // Its own package only; no schedule, issue form or receipts for a partner.
    expect(await count(page, '#packages-table tbody tr')).toBe(1);
    const row = `#packages-table tr[data-package="${PACKAGE_ID}"]`;
    expect(await text(page, `${row} td:nth-child(3)`)).toBe('第 1 版');
    expect(await count(page, '#package-schedule, #issue-form, #package-receipts')).toBe(0);

    // The fingerprint on the page is the key's the API publishes, and the command says how to verify.
    const key = await api<{ publicKeyPem: string; fingerprint: string; fingerprintGrouped: string }>(
      'GET',
      '/api/v1/packages/signing-key',
    );
    expect(await text(page, '#key-fingerprint')).toBe(key.fingerprintGrouped);
    expect(await text(page, '#verify-command')).toBe(
      `npx verify-package ${PACKAGE_ID}.zip --key package-signing-key.pub.pem --lang ja`,
    );
    await shot(page, 'packages-partner-ja');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`${row} button.download`),
    ]);
    expect(download.suggestedFilename()).toBe(`${PACKAGE_ID}.zip`);
    const zipPath = join(downloads, download.suggestedFilename());
    await download.saveAs(zipPath);
    const { files, unexpected } = await readPackageFiles(zipPath);
    const report = verifyPackage(files, { publicKeyPem: key.publicKeyPem }, unexpected);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.key?.fingerprint).toBe(key.fingerprint);
    expect(report.manifest).toMatchObject({ packageId: PACKAGE_ID, partner: 'nedo', language: 'ja' });

    // The download is in NEDO's receipts, by the partner's account.
    const receipts = await api<{
      receipts: { kind: string; by: string; packageId: string; detail?: string }[];
    }>('GET', '/api/v1/packages/receipts?partner=nedo', admin);
    expect(receipts.receipts.filter((r) => r.kind === 'download')).toEqual([
      expect.objectContaining({ by: PARTNER.username, packageId: PACKAGE_ID, detail: 'zip' }),
    ]);
    expect(cspViolations(page)).toEqual([]);
    await page.context().close();

    // An analyst sees it there too.
    const analyst = await logIn(browser, server, 'analyst');
    await openPackages(analyst, '#package-receipts .receipts[data-partner="nedo"] tr[data-kind="download"]');
    expect(
      await text(
        analyst,
        '#package-receipts .receipts[data-partner="nedo"] tr[data-kind="download"] td:nth-child(4)',
      ),
    ).toBe(PARTNER.username);
    await analyst.context().close();
  });

  it('fit a phone screen (390 × 844) for the partner', async () => {
    const page = await logInWith(browser, server.url, PARTNER, PHONE);
    await openPackages(page, `#packages-table tr[data-package="${PACKAGE_ID}"]`);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-packages-ja.png'), fullPage: true });
    await page.context().close();
  });

  it('keep a language the person chose, even for a partner', async () => {
    const page = await logInWith(browser, server.url, PARTNER);
    await page.selectOption('#language', 'en');
    await page.waitForSelector('html[lang="en"]');
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.fill('#username', PARTNER.username);
    await page.fill('#password', PARTNER.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('main[data-page]');
    await openPackages(page, '#package-list');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await text(page, 'main h1')).toBe('Data packages for the partners');
    await page.context().close();
  });
});
