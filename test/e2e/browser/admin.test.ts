// Browser tests of the administration pages: users, API tokens and ingest's operator view (with dead
// letters set aside by the real ingest pipeline, running in the API's process as under `npm start`), and
// the 503 answer of a deployment where ingest runs on its own. Screenshots go to reports/screenshots/.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_TOPIC_ROOT,
  EXAMPLE_PAYLOADS,
  type TelemetryBatch,
  encodePayload,
  topicFor,
} from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
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
  watchCsp,
} from './support/browser.js';
import { ensureDashboardBuilt } from './support/dashboard-build.js';
import { type DashboardServer, type Role, startDashboardServer } from './support/dashboard-server.js';

let server: DashboardServer;
let browser: Browser;
let dashboardDist: string;
const dataDirs: string[] = [];

async function startServer(ingest: boolean): Promise<DashboardServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'qtled-admin-'));
  dataDirs.push(dataDir);
  return startDashboardServer({ dataDir, dashboardDir: dashboardDist, nowMs: Date.now(), ingest });
}

beforeAll(async () => {
  dashboardDist = await ensureDashboardBuilt(join(ROOT, 'dashboard'));
  await mkdir(SCREENSHOTS, { recursive: true });
  server = await startServer(true);
  browser = await launchChromium();
});

afterAll(async () => {
  await (browser as Browser | undefined)?.close();
  await (server as DashboardServer | undefined)?.stop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

const logIn = (role: Role): Promise<Page> => logInAs(browser, server, role);

async function switchLanguage(page: Page, language: 'vi' | 'ja', ready: string): Promise<void> {
  await page.selectOption('#language', language);
  await page.waitForSelector(`html[lang="${language}"]`);
  await page.waitForSelector(ready);
}

async function api(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const raw = await response.text();
  return { status: response.status, body: raw === '' ? null : (JSON.parse(raw) as unknown) };
}

const canLogIn = async (username: string, password: string): Promise<boolean> =>
  (await api('POST', '/api/v1/auth/login', { body: { username, password } })).status === 200;

describe('administration pages', () => {
  it('are for admins only: the nav offers them to no other role, and the page refuses them', async () => {
    for (const role of ['officer', 'analyst', 'partner'] as const) {
      const page = await logIn(role);
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      expect(await count(page, 'nav a[data-nav="admin"]')).toBe(0);
      await page.goto(`${server.url}/#/admin/users`);
      await page.waitForSelector('main[data-page="admin"] .error');
      // Partners read Japanese until they choose otherwise; the others Vietnamese.
      expect(await text(page, 'main .error')).toBe(
        role === 'partner'
          ? 'このページを開く権限がありません。'
          : 'Vai trò của bạn không được mở trang này.',
      );
      // Nor is the admin code fetched for them.
      expect(requested.filter((url) => /\/assets\/admin-/.test(url))).toEqual([]);
      await page.context().close();
    }
  });

  it('load only when an admin opens them, not with the fleet page', async () => {
    const page = await logIn('admin');
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.waitForSelector('#fleet-table tbody tr');
    expect(requested.filter((url) => /\/assets\/admin-/.test(url))).toEqual([]);
    await page.click('nav a[data-nav="admin"]');
    await page.waitForSelector('#users-table tbody tr');
    expect(requested.some((url) => /\/assets\/admin-.*\.js$/.test(url))).toBe(true);
    await page.context().close();
  });

  it('let an admin create a user, change the role, reset the password, and say what the API refuses', async () => {
    const page = await logIn('admin');
    await page.click('nav a[data-nav="admin"]');
    await page.waitForSelector('#users-table tbody tr');
    expect(await text(page, 'main h1')).toBe('Quản trị');
    const admin = server.users.admin.username;
    expect(await count(page, '#users-table tbody tr')).toBe(4);
    expect(await text(page, `#users-table tr[data-user="${admin}"] td:first-child`)).toBe(`${admin} (bạn)`);

    // Create.
    await page.fill('#new-username', 'analyst.hoa');
    await page.selectOption('#new-role', 'analyst');
    await page.fill('#new-password', 'song-thach-han-2024');
    await page.click('#user-form button[type=submit]');
    const row = '#users-table tr[data-user="analyst.hoa"]';
    await page.waitForSelector(row);
    expect(await text(page, '#admin-notice')).toBe(
      'Đã tạo người dùng analyst.hoa với vai trò Chuyên viên phân tích.',
    );
    expect(await canLogIn('analyst.hoa', 'song-thach-han-2024')).toBe(true);
    // In username order: between admin and analyst.lan.
    const order = await Promise.all(
      (await page.locator('#users-table tbody tr').all()).map((tr) => tr.getAttribute('data-user')),
    );
    expect(order).toEqual([admin, 'analyst.hoa', 'analyst.lan', 'officer.lan', 'partner.lan']);

    // The same name again: the API's refusal, in Vietnamese and in the server's words.
    await page.fill('#new-username', 'analyst.hoa');
    await page.fill('#new-password', 'another-password-2024');
    await page.click('#user-form button[type=submit]');
    await page.waitForSelector('#admin-problem:not([hidden])');
    expect(await text(page, '#admin-problem .refusal')).toBe('Đã có người dùng với tên này.');
    expect(await text(page, '#admin-problem [data-code="USER_EXISTS"]')).toBe(
      'a user named analyst.hoa already exists',
    );

    // Change the role.
    await page.selectOption(`${row} select.role`, 'partner');
    await page.waitForSelector(`${row}[data-role="partner"]`);
    // A partner now, speaking for no partner yet: the notice says to choose one.
    expect(await text(page, '#admin-notice')).toBe(
      'analyst.hoa nay có vai trò Đối tác: hãy chọn đối tác mà tài khoản này đại diện.',
    );
    expect(await page.inputValue(`${row} select.partner`)).toBe('');
    const users = (await api('POST', '/api/v1/auth/login', { body: server.users.admin })).body as {
      token: string;
    };
    const listed = (await api('GET', '/api/v1/users', { token: users.token })).body as {
      users: { username: string; role: string }[];
    };
    expect(listed.users.find((u) => u.username === 'analyst.hoa')?.role).toBe('partner');

    // Reset the password: the new one works, the old one no longer does.
    await page.click(`${row} button.reset-password`);
    await page.waitForSelector('#reset-dialog[open]');
    await page.fill('#reset-password', 'cua-viet-harbour-2025');
    await page.click('#reset-dialog button[type=submit]');
    await page.waitForSelector('#reset-dialog', { state: 'detached' });
    await page.locator('#admin-notice', { hasText: /^Đã đặt mật khẩu mới/ }).waitFor();
    expect(await canLogIn('analyst.hoa', 'cua-viet-harbour-2025')).toBe(true);
    expect(await canLogIn('analyst.hoa', 'song-thach-han-2024')).toBe(false);

    // The only admin cannot be demoted: the role goes back to what it is.
    const adminRow = `#users-table tr[data-user="${admin}"]`;
    await page.selectOption(`${adminRow} select.role`, 'officer');
    await page.waitForSelector('#admin-problem [data-code="LAST_ADMIN"]');
    expect(await text(page, '#admin-problem .refusal')).toBe(
      'Đây là quản trị viên duy nhất: hãy cấp quyền quản trị cho một người dùng khác trước.',
    );
    expect(await page.inputValue(`${adminRow} select.role`)).toBe('admin');

    // Nobody deletes themselves.
    await page.click(`${adminRow} button.delete-user`);
    await page.waitForSelector('#delete-dialog[open]');
    await page.click('#delete-dialog button[type=submit]');
    await page.waitForSelector('#admin-problem [data-code="SELF_DELETE"]');
    expect(await text(page, '#admin-problem .refusal')).toBe(
      'Bạn không thể tự xóa tài khoản của mình: hãy nhờ một quản trị viên khác.',
    );
    expect(await text(page, '#admin-problem [lang="en"]')).toBe(
      'you cannot delete your own account; ask another admin',
    );
    await shot(page, 'admin-users-vi');

    // Deleting another user, after saying yes.
    await page.click(`${row} button.delete-user`);
    await page.waitForSelector('#delete-dialog[open]');
    expect(await text(page, '#delete-dialog p')).toContain('analyst.hoa');
    await page.click('#delete-dialog button[type=submit]');
    await page.waitForSelector(row, { state: 'detached' });
    expect(await canLogIn('analyst.hoa', 'cua-viet-harbour-2025')).toBe(false);

    await switchLanguage(page, 'ja', '#users-table tbody tr');
    expect(await text(page, 'main h1')).toBe('管理');
    expect(await text(page, '.admin-tabs a[data-tab="tokens"]')).toBe('API トークン');
    expect(await text(page, '#user-form h2')).toBe('新しいユーザー');
    await shot(page, 'admin-users-ja');
    await page.context().close();
  });

  it('let an admin create an API token, show its secret once with a copy button, and revoke it', async () => {
    const page = await logIn('admin');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(`${server.url}/#/admin/tokens`);
    await page.waitForSelector('#token-form');
    await switchLanguage(page, 'ja', '#token-form');
    await page.waitForSelector('#tokens-table', { state: 'attached' });
    await page.fill('#token-name', 'NEDO データパッケージ');
    await page.selectOption('#token-role', 'partner');
    await page.selectOption('#token-partner', 'nedo');
    await page.check('#token-form input[value="registry"]');
    await page.check('#token-form input[value="emissions"]');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#token-secret');
    const secret = await text(page, '#token-secret');
    expect(secret).toMatch(/^qtl_t_\S{20,}$/);
    expect(await text(page, '.secret .once')).toBe(
      '今すぐコピーしてください。表示されるのはこの一度だけです。プラットフォームはトークンの指紋しか保存しておらず、再表示はできません。',
    );
    await page.click('#copy-token');
    await page.waitForSelector('#token-copied:not(:empty)');
    expect(await text(page, '#token-copied')).toBe('クリップボードにコピーしました。');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(secret);
    const record = (await page.getAttribute('#tokens-table tbody tr:first-child', 'data-token')) ?? '';
    expect(record).toMatch(/^tok_/);
    expect(await text(page, `#tokens-table tr[data-token="${record}"] td:nth-child(4)`)).toBe(
      '排出量、船団登録簿',
    );
    // The token works, within its scopes.
    expect((await api('GET', '/api/v1/registry', { token: secret })).status).toBe(200);
    expect((await api('GET', '/api/v1/users', { token: secret })).status).toBe(403);
    await shot(page, 'admin-tokens-ja');

    // Shown once: hidden on request, and nowhere after a reload.
    await page.click('#dismiss-token');
    expect(await count(page, '#token-secret')).toBe(0);
    await page.reload();
    await page.waitForSelector(`#tokens-table tr[data-token="${record}"]`);
    expect(await page.content()).not.toContain(secret);

    await switchLanguage(page, 'vi', `#tokens-table tr[data-token="${record}"]`);
    await page.click(`#tokens-table tr[data-token="${record}"] button.revoke`);
    await page.waitForSelector('#revoke-dialog[open]');
    await page.click('#revoke-dialog button[type=submit]');
    await page.waitForSelector(`#tokens-table tr[data-token="${record}"][data-state="revoked"]`);
    expect(await text(page, '#admin-notice')).toBe('Đã thu hồi mã “NEDO データパッケージ”.');
    expect((await api('GET', '/api/v1/registry', { token: secret })).status).toBe(401);
    await page.check('#show-revoked');
    await page.waitForSelector(`#tokens-table tr[data-token="${record}"][data-state="revoked"]`);
    await shot(page, 'admin-tokens-vi');
    await page.context().close();
  });

  it('let an admin make a partner’s account and token speak for their partner', async () => {
    const page = await logIn('admin');
    const adminToken = (
      (await api('POST', '/api/v1/auth/login', { body: server.users.admin })).body as { token: string }
    ).token;
    const listedUsers = async (): Promise<Record<string, string | null>> =>
      Object.fromEntries(
        (
          (await api('GET', '/api/v1/users', { token: adminToken })).body as {
            users: { username: string; partner: string | null }[];
          }
        ).users.map((u) => [u.username, u.partner]),
      );
    await page.goto(`${server.url}/#/admin/users`);
    await page.waitForSelector('#users-table tbody tr');

    // The partner's choice is there for the partner role only, and then it must be made.
    expect(await page.isHidden('#new-partner')).toBe(true);
    await page.fill('#new-username', 'stanley.kenji');
    await page.selectOption('#new-role', 'partner');
    expect(await page.isVisible('#new-partner')).toBe(true);
    expect(await text(page, '#new-partner option:checked')).toBe('Chọn đối tác');
    await page.fill('#new-password', 'hamamatsu-led-2025');
    await page.click('#user-form button[type=submit]');
    // The browser holds the form back: no partner chosen.
    expect(await page.evaluate<boolean>(`document.querySelector('#new-partner').validity.valueMissing`)).toBe(
      true,
    );
    expect(await count(page, '#users-table tr[data-user="stanley.kenji"]')).toBe(0);
    expect(await page.locator('#new-partner option').allTextContents()).toEqual([
      'Chọn đối tác',
      'NEDO',
      'Stanley Electric',
    ]);
    await page.selectOption('#new-partner', 'stanley-electric');
    await page.click('#user-form button[type=submit]');
    const row = '#users-table tr[data-user="stanley.kenji"]';
    await page.waitForSelector(row);
    expect(await text(page, '#admin-notice')).toBe(
      'Đã tạo người dùng stanley.kenji với vai trò Đối tác, cho Stanley Electric.',
    );
    expect(await page.getAttribute(row, 'data-partner')).toBe('stanley-electric');
    expect(await page.inputValue(`${row} select.partner`)).toBe('stanley-electric');
    // The form is back to an officer, without the partner's choice.
    expect(await page.isHidden('#new-partner')).toBe(true);
    // Other roles speak for no partner.
    const analystRow = `#users-table tr[data-user="${server.users.analyst.username}"]`;
    expect(await text(page, `${analystRow} td:nth-child(3)`)).toBe('–');
    // The API says so, and so does the account's own session.
    expect((await listedUsers())['stanley.kenji']).toBe('stanley-electric');
    const kenji = (
      (
        await api('POST', '/api/v1/auth/login', {
          body: { username: 'stanley.kenji', password: 'hamamatsu-led-2025' },
        })
      ).body as { token: string }
    ).token;
    expect(
      ((await api('GET', '/api/v1/auth/me', { token: kenji })).body as { partner: unknown }).partner,
    ).toBe('stanley-electric');

    // The fixture's partner has none yet: given one where the table shows it, cleared by another role.
    const partnerName = server.users.partner.username;
    const partnerRow = `#users-table tr[data-user="${partnerName}"]`;
    expect(await page.inputValue(`${partnerRow} select.partner`)).toBe('');
    expect(await text(page, `${partnerRow} select.partner option:checked`)).toBe(
      'Chưa có: không xem được gói dữ liệu nào',
    );
    await page.selectOption(`${partnerRow} select.partner`, 'nedo');
    await page.waitForSelector(`${partnerRow}[data-partner="nedo"]`);
    expect(await text(page, '#admin-notice')).toBe(`${partnerName} nay đại diện cho NEDO.`);
    expect((await listedUsers())[partnerName]).toBe('nedo');
    // Cleared again ("none"), then another role: it speaks for no partner and the table says so.
    await page.selectOption(`${partnerRow} select.partner`, '');
    await page.waitForSelector(`${partnerRow}[data-role="partner"]:not([data-partner])`);
    expect(await text(page, '#admin-notice')).toBe(
      `${partnerName} nay không đại diện cho đối tác nào: không xem được gói dữ liệu nào.`,
    );
    expect((await listedUsers())[partnerName]).toBeNull();
    await page.selectOption(`${partnerRow} select.role`, 'analyst');
    await page.waitForSelector(`${partnerRow}[data-role="analyst"]`);
    expect(await text(page, `${partnerRow} td:nth-child(3)`)).toBe('–');
    await page.selectOption(`${partnerRow} select.role`, 'partner');
    await page.waitForSelector(`${partnerRow}[data-role="partner"]`);
    await shot(page, 'admin-users-partner-vi');

    // A partner token for NEDO.
    await page.goto(`${server.url}/#/admin/tokens`);
    await page.waitForSelector('#token-form');
    await page.waitForSelector('#tokens-table', { state: 'attached' });
    expect(await page.isVisible('#token-partner')).toBe(true);
    await page.selectOption('#token-role', 'analyst');
    expect(await page.isHidden('#token-partner')).toBe(true);
    await page.selectOption('#token-role', 'partner');
    await page.fill('#token-name', 'NEDO package robot');
    await page.selectOption('#token-partner', 'nedo');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#token-secret');
    const secret = await text(page, '#token-secret');
    const tokenRow = '#tokens-table tbody tr:first-child';
    const id = (await page.getAttribute(tokenRow, 'data-token')) ?? '';
    expect(id).toMatch(/^tok_/);
    expect(await page.getAttribute(tokenRow, 'data-partner')).toBe('nedo');
    expect(await text(page, `${tokenRow} td:nth-child(3)`)).toBe('NEDO');
    const tokens = (
      (await api('GET', '/api/v1/tokens', { token: adminToken })).body as {
        tokens: { id: string; role: string; partner: string | null }[];
      }
    ).tokens;
    expect(tokens.find((t) => t.id === id)).toMatchObject({ role: 'partner', partner: 'nedo' });
    expect(
      ((await api('GET', '/api/v1/auth/me', { token: secret })).body as { partner: unknown }).partner,
    ).toBe('nedo');

    // In Japanese: the column and the partners' names.
    await switchLanguage(page, 'ja', `#tokens-table tr[data-token="${id}"]`);
    expect(await text(page, '#tokens-table th:nth-child(3)')).toBe('パートナー');
    await page.goto(`${server.url}/#/admin/users`);
    await page.waitForSelector(row);
    expect(await text(page, `${row} select.partner option:checked`)).toBe('スタンレー電気');
    await shot(page, 'admin-users-partner-ja');
    expect(cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('show ingest’s health and dead letters, with the whole payload, and replay them', async () => {
    const ingest = server.ingest;
    if (ingest === undefined) throw new Error('the fixture runs ingest in the API process');
    const vesselId = server.history.complete;
    const topic = topicFor('telemetry', vesselId, DEFAULT_TOPIC_ROOT);
    // A gateway sends a truncated message: the real pipeline sets it aside as invalid JSON.
    await ingest.deliver(topic, '{"schema":"qtled.telemetry/1","vesselId":"' + vesselId + '","readings":[');
    // A letter set aside before a registry fix (its vessel is in the registry now): replaying it stores it.
    const nowMs = Date.now();
    const gatewayId = loadFleetRegistry().configAt(vesselId, nowMs)?.version.gatewayId;
    if (gatewayId === undefined) throw new Error(`no gateway for ${vesselId}`);
    const example = EXAMPLE_PAYLOADS.telemetry;
    const bootId = 'b0a7d15ea5e00001';
    const takenMs = nowMs - 2 * 3_600_000;
    const batch = {
      ...example,
      vesselId,
      gatewayId,
      sentAtMs: takenMs + 60_000,
      readings: example.readings.map((r, i) => ({
        ...r,
        vesselId,
        bootId,
        seq: 90_000 + i,
        deviceTimeMs: takenMs + i * 60_000,
      })),
    } as unknown as TelemetryBatch;
    await server.store.addDeadLetters([
      {
        receivedAtMs: nowMs - 3_600_000,
        topic,
        reason: 'unknown-vessel',
        message: `vessel ${vesselId} is not in the fleet registry`,
        payload: encodePayload('telemetry', batch),
        payloadEncoding: 'utf8',
        payloadBytes: Buffer.byteLength(encodePayload('telemetry', batch)),
      },
    ]);
    const [broken, fixable] = await server.store.listDeadLetters({ limit: 10 });
    if (broken === undefined || fixable === undefined) throw new Error('two dead letters expected');
    expect([broken.reason, fixable.reason]).toEqual(['invalid-json', 'unknown-vessel']);

    const page = await logIn('admin');
    await page.goto(`${server.url}/#/admin/ingest`);
    await page.waitForSelector('#dead-letters tbody tr');
    expect(await count(page, '#dead-letters tbody tr')).toBe(2);
    const brokenRow = `#dead-letters tr[data-letter="${broken.id}"]`;
    expect(await text(page, `${brokenRow} .reason`)).toBe('Không phải JSON hợp lệinvalid-json');
    expect(await text(page, `${brokenRow} code.topic`)).toBe(topic);
    expect(await text(page, `${brokenRow} code.preview`)).toContain('"readings":[');
    // Health and figures from the pipeline's own metrics.
    expect(await page.getAttribute('#ingest-health li[data-check="ingest"]', 'data-ok')).toBe('true');
    expect(await text(page, '#ingest-health [data-metric="messagesSetAside"] .card-value')).toBe('1');
    await shot(page, 'admin-ingest-vi');

    // Replayed after the fix: stored, and the list says when.
    const fixableRow = `#dead-letters tr[data-letter="${fixable.id}"]`;
    await page.click(`${fixableRow} button.replay`);
    await page.waitForSelector(`${fixableRow}[data-replayed="true"]`);
    expect(await text(page, '#admin-notice')).toBe(
      'Đã xử lý lại: bản tin qua được bước kiểm tra và đã được lưu.',
    );
    expect(await text(page, `${fixableRow} .letter-state`)).toMatch(/^Đã xử lý lại /);
    const stored = await server.store.readings(vesselId, takenMs - 1, takenMs + 120_000, 10);
    expect(stored.filter((r) => r.bootId === bootId).map((r) => r.seq)).toEqual([90_000, 90_001]);
    expect((await server.store.getDeadLetter(fixable.id))?.replayedAtMs).not.toBeNull();

    // The broken one, in detail: its whole payload, and a replay the API still refuses.
    await switchLanguage(page, 'ja', '#dead-letters tbody tr');
    expect(await text(page, 'main h1')).toBe('管理');
    await shot(page, 'admin-ingest-ja');
    await page.click(`${brokenRow} a.open-letter`);
    await page.waitForSelector('#letter-payload');
    expect(await text(page, '#letter-payload')).toBe(
      '{"schema":"qtled.telemetry/1","vesselId":"' + vesselId + '","readings":[',
    );
    expect(await text(page, '#letter-message')).toBe(broken.message);
    await page.click('button.replay');
    await page.waitForSelector('#replay-result[data-outcome="refused"]');
    expect(await text(page, '#replay-result .refusal')).toBe(
      '引き続き拒否されました。メッセージはまだ検証を通りません。',
    );
    expect(await text(page, '#replay-result [data-code="DEAD_LETTER_STILL_REFUSED"]')).toContain(
      'invalid-json',
    );
    await shot(page, 'admin-dead-letter-ja');
    await page.context().close();
  });

  it('say where ingest’s operator view is when ingest runs in its own process (compose)', async () => {
    const apart = await startServer(false);
    try {
      const page = await logInAs(browser, apart, 'admin');
      await page.goto(`${apart.url}/#/admin/ingest`);
      await page.waitForSelector('#ingest-elsewhere');
      // Information, not a failure: no error box on the page.
      expect(await count(page, 'main .error:visible')).toBe(0);
      expect(await text(page, '#ingest-elsewhere h2')).toBe('Bộ tiếp nhận chạy trong tiến trình riêng');
      expect(await text(page, '#ingest-elsewhere')).toContain('http://127.0.0.1:9464/metrics');
      expect(await text(page, '#ingest-elsewhere [lang="en"]')).toContain('INGEST_HTTP_PORT');
      await shot(page, 'admin-ingest-elsewhere-vi');
      await page.context().close();
    } finally {
      await apart.stop();
    }
  });

  it('fit a phone screen (390 × 844)', async () => {
    const page = await logInAs(browser, server, 'admin', PHONE);
    const pages = [
      ['tokens', '#token-form'],
      ['ingest', '#ingest-health'],
      ['users', '#users-table tbody tr'],
    ] as const;
    for (const [tab, ready] of pages) {
      await page.goto(`${server.url}/#/admin/${tab}`);
      await page.waitForSelector(ready);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        PHONE.width,
      );
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-admin-users.png') });
    await page.context().close();
  });
});

describe('the first admin, as a newcomer finds it', () => {
  it('must choose a password of their own before anything else opens', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'qtled-first-admin-'));
    dataDirs.push(dataDir);
    const fresh = await startDashboardServer({
      dataDir,
      dashboardDir: dashboardDist,
      nowMs: Date.now(),
      ingest: false,
      claimFirstAdmin: false,
    });
    try {
      const oneTime = fresh.users.admin;
      const context = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
      const page = await context.newPage();
      watchCsp(page);
      await page.goto(fresh.url);
      await page.fill('#username', oneTime.username);
      await page.fill('#password', oneTime.password);
      await page.click('#login-form button[type=submit]');
      // No page of the dashboard: the password form, and the API refuses everything else meanwhile.
      await page.waitForSelector('#password-form');
      expect(await count(page, 'main[data-page]')).toBe(0);
      await shot(page, 'first-admin-password-vi');
      await page.selectOption('#language', 'en');
      await page.waitForSelector('html[lang="en"] #password-form');
      await shot(page, 'first-admin-password-en');
      await page.fill('#current-password', oneTime.password);
      await page.fill('#new-password', 'aaaaaaaaaaaa');
      await page.fill('#confirm-password', 'aaaaaaaaaaaa');
      await page.click('#password-form button[type=submit]');
      await page.waitForSelector('#password-form [role=alert]:not([hidden])');
      expect(await text(page, '#password-form [role=alert]')).toMatch(/^Not accepted: /);
      const chosen = 'lamps-over-the-gulf-of-tonkin-7';
      await page.fill('#new-password', chosen);
      await page.fill('#confirm-password', `${chosen}!`);
      await page.click('#password-form button[type=submit]');
      expect(await text(page, '#password-form [role=alert]')).toBe('The two new passwords differ.');
      await page.fill('#confirm-password', chosen);
      await page.click('#password-form button[type=submit]');
      await page.waitForSelector('main[data-page]');
      expect(await text(page, '#who')).toContain('admin');
      expect(cspViolations(page)).toEqual([]);
      await context.close();
      // The one-time password is spent; the chosen one opens everything.
      expect(await canLogInAt(fresh.url, oneTime.username, oneTime.password)).toBe(false);
      expect(await canLogInAt(fresh.url, oneTime.username, chosen)).toBe(true);
    } finally {
      await fresh.stop();
    }
  });
});

async function canLogInAt(url: string, username: string, password: string): Promise<boolean> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return response.status === 200;
}
