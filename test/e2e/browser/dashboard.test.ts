// Browser tests of the dashboard (issue 7, "Browser tests"): headless Chromium through playwright-core
// against the real API serving the built dashboard, with a few days of fleet history in a SQLite store
// and one user per role. Screenshots go to reports/screenshots/.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE,
  ROOT,
  SCREENSHOTS,
  count,
  cspViolations,
  launchChromium,
  logIn as logInAs,
  shot,
  text,
} from './support/browser.js';
import { ensureDashboardBuilt } from './support/dashboard-build.js';
import {
  type DashboardServer,
  LIVE,
  ROLES,
  type Role,
  startDashboardServer,
} from './support/dashboard-server.js';

let server: DashboardServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  const dashboardDist = await ensureDashboardBuilt(join(ROOT, 'dashboard'));
  await mkdir(SCREENSHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'qtled-browser-'));
  server = await startDashboardServer({ dataDir, dashboardDir: dashboardDist, nowMs: Date.now() });
  browser = await launchChromium();
});

afterAll(async () => {
  // Whatever beforeAll got to start is stopped, even when it failed half-way.
  await (browser as Browser | undefined)?.close();
  await (server as DashboardServer | undefined)?.stop();
  if ((dataDir as string | undefined) !== undefined) await rm(dataDir, { recursive: true, force: true });
});

const logIn = (role: Role, viewport?: { width: number; height: number }): Promise<Page> =>
  logInAs(browser, server, role, viewport);

/** Page-side code is passed as strings: this test program has no DOM types (it runs in Node). */
const scrollWidth = (page: Page): Promise<number> =>
  page.evaluate<number>('document.documentElement.scrollWidth');

describe('dashboard in the browser', () => {
  it.each(ROLES)('logs in as %s and shows what that role may use', async (role) => {
    const page = await logIn(role);
    const nav = await Promise.all(
      (await page.locator('nav a[data-nav]').all()).map((a) => a.getAttribute('data-nav')),
    );
    expect(await text(page, '#who')).toContain(server.users[role].username);
    if (role === 'partner') {
      expect(nav).toEqual(['emissions', 'packages']);
      await page.waitForSelector('#emissions-fleet');
      // A partner who has chosen no language on this device reads Japanese.
      expect(await page.getAttribute('html', 'lang')).toBe('ja');
      // The fleet page is not for partners: the dashboard says so (and the API refuses the data).
      await page.goto(`${server.url}/#/fleet`);
      await page.waitForSelector('main[data-page="fleet"] .error');
      expect(await text(page, 'main .error')).toBe('このページを開く権限がありません。');
    } else {
      expect(await page.getAttribute('html', 'lang')).toBe('vi');
      expect(nav).toEqual(
        role === 'officer'
          ? ['fleet', 'alarms']
          : role === 'analyst'
            ? ['fleet', 'alarms', 'emissions', 'packages']
            : ['fleet', 'alarms', 'emissions', 'packages', 'admin'],
      );
      await page.waitForSelector('#fleet-table tbody tr');
      expect(await count(page, '#fleet-table tbody tr')).toBe(40);
    }
    await shot(page, `login-${role}`);
    await page.context().close();
  });

  it('shows the fleet on the map and in the table, in Vietnamese by default', async () => {
    const page = await logIn('officer');
    await page.waitForSelector('#fleet-table tbody tr');
    expect(await text(page, 'main h1')).toBe('Tổng quan đội tàu');
    const silent = server.history.silent.vesselId;
    const row = `#fleet-table tr[data-vessel="${silent}"]`;
    expect(await page.getAttribute(row, 'data-status')).toBe('silent-possible-fault');
    expect(await text(page, `${row} .status`)).toBe('Mất liên lạc, có thể hỏng');
    // Every boat has a position, so every boat has a marker, coloured by its status.
    expect(await count(page, '.coast-map .marker')).toBe(40);
    expect(await page.getAttribute(`.coast-map .marker[data-vessel="${silent}"] circle`, 'fill')).toBe(
      '#b91c1c',
    );
    expect(await page.locator('.coast-map .port-label').allTextContents()).toContain('Cửa Việt');
    // The coastline is drawn from the packaged Natural Earth extract, not a placeholder shape.
    expect((await page.getAttribute('.coast-map path.land', 'd'))?.length ?? 0).toBeGreaterThan(500);
    await shot(page, 'fleet-vi');
    await page.context().close();
  });

  it('switches to Japanese and back to Vietnamese, and remembers the choice', async () => {
    const page = await logIn('analyst');
    await page.waitForSelector('#fleet-table tbody tr');
    await page.selectOption('#language', 'ja');
    await page.waitForSelector('html[lang="ja"]');
    await page.waitForSelector('#fleet-table tbody tr');
    expect(await text(page, 'main h1')).toBe('船団の概況');
    expect(await text(page, 'nav a[data-nav="alarms"]')).toBe('アラーム');
    const silent = server.history.silent.vesselId;
    expect(await text(page, `#fleet-table tr[data-vessel="${silent}"] .status`)).toBe(
      '通信途絶（故障の可能性）',
    );
    expect(await text(page, '#fleet-summary')).toMatch(/^40 隻・/);
    await shot(page, 'fleet-ja');
    await page.reload();
    await page.waitForSelector('#fleet-table tbody tr');
    expect(await text(page, 'main h1')).toBe('船団の概況');
    await page.selectOption('#language', 'vi');
    await page.waitForSelector('html[lang="vi"]');
    await page.waitForSelector('#fleet-table tbody tr');
    expect(await text(page, 'main h1')).toBe('Tổng quan đội tàu');
    expect(await text(page, 'nav a[data-nav="alarms"]')).toBe('Cảnh báo');
    await page.context().close();
  });

  it('opens a vessel and draws its charts with data, breaking the lines where data is missing', async () => {
    const page = await logIn('officer');
    const { vesselId } = server.history.gap;
    await page.click(`#fleet-table tr[data-vessel="${vesselId}"] a.vessel-link`);
    await page.waitForSelector('#chart-power[data-points]');
    expect(await text(page, 'main h1')).toContain(vesselId);
    for (const id of ['chart-power', 'chart-energy', 'chart-fuel', 'chart-lamps']) {
      expect(Number(await page.getAttribute(`#${id}`, 'data-points'))).toBeGreaterThan(100);
    }
    // The four-hour hole in this boat's data is a break in both power lines, not a joined line.
    expect(Number(await page.getAttribute('#chart-power', 'data-gaps'))).toBeGreaterThanOrEqual(2);
    // Pixels in the measured-power colour (#0b4f6c) prove the line was painted, not just configured.
    const painted = await page.evaluate<number>(`(() => {
      const canvas = document.getElementById('chart-power');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - 0x0b) < 24 && Math.abs(data[i + 1] - 0x4f) < 24 && Math.abs(data[i + 2] - 0x6c) < 24) count++;
      }
      return count;
    })()`);
    expect(painted).toBeGreaterThan(200);
    expect(await count(page, '.track-panel .track-line')).toBeGreaterThan(0);
    expect(await count(page, '.heatmap .cell')).toBe(30);
    expect(await count(page, 'table.nights tbody tr')).toBeGreaterThanOrEqual(2);
    await shot(page, 'vessel-gap');

    // A boat with complete data has no break in its power line.
    await page.goto(`${server.url}/#/vessel/${encodeURIComponent(server.history.complete)}`);
    await page.waitForSelector('#chart-power[data-points]');
    expect(Number(await page.getAttribute('#chart-power', 'data-gaps'))).toBe(0);
    // Map, charts and heatmap drew under the Content-Security-Policy without a refusal.
    expect(cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('lets an officer acknowledge an alarm, and an analyst only read it', async () => {
    const analyst = await logIn('analyst');
    await analyst.click('nav a[data-nav="alarms"]');
    await analyst.waitForSelector('#alarms-table tbody tr');
    expect(await count(analyst, '#alarms-table button.ack')).toBe(0);
    await analyst.context().close();

    const page = await logIn('officer');
    await page.click('nav a[data-nav="alarms"]');
    const silent = server.history.silent.vesselId;
    const [alarm] = await server.fleetStatus.listAlarms({ state: 'raised', vesselId: silent, limit: 1 });
    expect(alarm?.type).toBe('gateway-silent');
    const row = `#alarms-table tr[data-alarm="${alarm?.id ?? ''}"]`;
    await page.waitForSelector(`${row}[data-state="raised"]`);
    expect(await text(page, `${row} td:first-child`)).toBe('Thiết bị truyền tin mất liên lạc');
    await page.click(`${row} button.ack`);
    await page.waitForSelector(`${row}[data-state="acknowledged"]`);
    expect(await text(page, row)).toContain('bởi officer.lan');
    const stored = await server.fleetStatus.getAlarm(alarm?.id ?? '');
    expect(stored).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer.lan' });
    await shot(page, 'alarm-acknowledged');
    await page.context().close();
  });

  it('shows the emission figures with a drill-down and downloads them as CSV', async () => {
    const page = await logIn('analyst');
    await page.click('nav a[data-nav="emissions"]');
    await page.waitForSelector('#emissions-fleet');
    const { vesselId } = server.history.gap;
    await page.click(`table.emissions button[data-vessel="${vesselId}"]`);
    await page.waitForSelector('#emissions-drill:not([hidden]) .intermediates');
    const drill = await text(page, '#emissions-drill');
    expect(drill).toContain(vesselId);
    expect(drill).toContain('Tỷ số công suất P_ref / P_led');
    expect(drill).toContain('Hệ số phát thải máy phát EF_gen');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(download.suggestedFilename()).toMatch(/^qtled-emissions_.*\.csv$/);
    const csvPath = join(dataDir, download.suggestedFilename());
    await download.saveAs(csvPath);
    const lines = (await readFile(csvPath, 'utf8')).trim().split(/\r?\n/);
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 2)).toEqual(['row_type', 'vessel_id']);
    expect(lines).toHaveLength(1 + 40 + 1);
    const fleet = lines.at(-1)?.split(',') ?? [];
    expect(fleet[0]).toBe('fleet');
    // The file says what the page says: the period's reported reductions.
    const reported = Number(fleet[header.indexOf('emission_reductions_reported_tCO2')]);
    const card = await text(page, '#emissions-fleet .card.strong .card-value');
    expect(card).toBe(
      `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 4 }).format(reported)} tấn CO₂`,
    );
    expect(lines.some((line) => line.startsWith(`vessel,${vesselId},`))).toBe(true);
    await shot(page, 'emissions-drill');
    expect(cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('fits a phone screen at the harbour (390 × 844)', async () => {
    const page = await logIn('officer', PHONE);
    await page.waitForSelector('#fleet-table tbody tr');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    const map = (await page.locator('.coast-map').boundingBox())?.width ?? 0;
    expect(map).toBeLessThanOrEqual(PHONE.width);
    expect(map).toBeGreaterThan(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-fleet.png') });
    await page.click(`#fleet-table tr[data-vessel="${server.history.gap.vesselId}"] a.vessel-link`);
    await page.waitForSelector('#chart-power[data-points]');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-vessel.png') });
    await page.context().close();
  });

  it('says the history is loading instead of showing faults, then shows the fleet once live', async () => {
    // 10:00 on 15 January 2025 in Viet Nam: where the simulated fleet has got to.
    const simulatedMs = Date.UTC(2025, 0, 15, 3, 0);
    const loading = {
      phase: 'history',
      simulatedMs,
      sampled: 420_000,
      acked: 400_000,
      pending: 20_000,
    } as const;
    server.setPlatformPhase({ ...loading, fraction: 0.42 });
    try {
      const page = await logIn('officer');
      await page.waitForSelector('#history-banner:not([hidden])');
      expect(await text(page, '#history-banner .phase-line')).toBe(
        'Đang tải lịch sử của đội tàu: thời gian mô phỏng 10:00 15 thg 1, 2025, 42%',
      );
      // The statuses served meanwhile are the simulated past's: none reads as a fault, nothing is counted.
      const silent = `#fleet-table tr[data-vessel="${server.history.silent.vesselId}"]`;
      expect(await count(page, '#fleet-table tr[data-status="history-loading"]')).toBe(40);
      expect(await text(page, `${silent} .status`)).toBe('Đang tải lịch sử');
      expect(await text(page, '#fleet-summary')).toBe('40 tàu · trạng thái sẽ hiển thị khi tải xong lịch sử');
      expect(await count(page, '.coast-map .marker[data-status="history-loading"]')).toBe(40);
      expect(await count(page, '.coast-map circle[fill="#b91c1c"]')).toBe(0);
      await shot(page, 'fleet-history-loading-vi');

      // Polled every 2 s: the banner follows the load.
      server.setPlatformPhase({ ...loading, fraction: 0.9, simulatedMs: simulatedMs + 86_400_000 });
      await page.locator('#history-banner .phase-line', { hasText: /90%$/ }).waitFor({ timeout: 10_000 });
      await page.selectOption('#language', 'ja');
      await page.waitForSelector('#history-banner:not([hidden])');
      expect(await text(page, '#history-banner .phase-line')).toBe(
        '船団の履歴を読み込み中：シミュレーション時刻 2025/01/16 10:00、90%',
      );
      await shot(page, 'fleet-history-loading-ja');

      // Live: the fleet reloaded, the banner gone, the faults back (the page was not reloaded).
      await page.evaluate('window.notReloaded = true');
      server.setPlatformPhase(LIVE);
      await page.waitForSelector('#history-banner[hidden]', { state: 'attached', timeout: 10_000 });
      await page.waitForSelector(`${silent}[data-status="silent-possible-fault"]`);
      expect(await text(page, '#fleet-summary')).toMatch(/要確認 1$/);
      expect(await page.evaluate<unknown>('window.notReloaded')).toBe(true);
      await page.context().close();
    } finally {
      server.setPlatformPhase(LIVE);
    }
  });

  it('updates a boat live when it reports again, without a reload', async () => {
    const page = await logIn('officer');
    const { vesselId } = server.history.silent;
    const row = `#fleet-table tr[data-vessel="${vesselId}"]`;
    await page.waitForSelector(`${row}[data-status="silent-possible-fault"]`);
    await page.waitForSelector('.live[data-state="open"]');
    await page.evaluate('window.notReloaded = true');
    // The gateway comes back: its reading is stored, published live, and the next evaluation clears it.
    const last = server.history.readings.filter((r) => r.vesselId === vesselId).at(-1);
    if (last === undefined) throw new Error('the silent boat has no readings');
    const now = Date.now();
    const reading = {
      ...last,
      seq: last.seq + 1_000,
      deviceTimeMs: now,
      receivedAtMs: now,
      ledPowerW: 0,
      lampsOn: 0,
    };
    await server.store.writeReadings([reading]);
    server.liveReadings.publish([reading]);
    await server.fleetStatus.evaluate();
    await page.waitForSelector(`${row}[data-status="in-port"]`);
    expect(await text(page, `${row} .status`)).toBe('Trong cảng');
    expect(await page.getAttribute(`.coast-map .marker[data-vessel="${vesselId}"]`, 'data-status')).toBe(
      'in-port',
    );
    // Same page, not reloaded.
    expect(await page.evaluate<unknown>('window.notReloaded')).toBe(true);
    await shot(page, 'fleet-live-update');
    await page.context().close();
  });
});
