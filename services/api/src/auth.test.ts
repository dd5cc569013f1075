import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@qt-led/runtime';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_ADMIN_FILE } from './auth/first-admin.js';
import { hashPassword, verifyPassword } from './auth/password.js';
import type { ApiOptions } from './deps.js';
import { type ApiFixture, createApiFixture, NOW_MS } from './testing/api-fixture.js';
import { startApiTestServer } from './testing/api-server.js';

/** A bare API over an empty store, with its log lines captured. */
async function bareApi(dataDir: string, options: Partial<ApiOptions> = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ name: 'api-test', level: 'info', destination });
  const server = await startApiTestServer({
    dataDir,
    logger,
    clock: { now: () => NOW_MS },
    api: options,
  });
  return { app: server.app, lines, close: () => server.stop() };
}

describe('first start', () => {
  it('creates admin with a random password in a 0600 file, logs where, and never again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-api-first-'));
    try {
      const first = await bareApi(dir);
      const path = join(dir, INITIAL_ADMIN_FILE);
      const file = JSON.parse(await readFile(path, 'utf8')) as { username: string; password: string };
      const credentials = { username: file.username, password: file.password };
      expect(credentials.username).toBe('admin');
      expect(credentials.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const log = first.lines.join('\n');
      expect(log).toContain(path);
      expect(log).not.toContain(credentials.password);
      const login = await first.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: credentials,
      });
      expect(login.statusCode).toBe(200);
      expect(login.json()).toMatchObject({
        user: { username: 'admin', role: 'admin', mustChangePassword: true },
      });
      expect(first.lines.join('\n')).not.toContain(credentials.password);
      // The one-time password opens nothing but the password change (and who am I, and logout).
      const oneTime = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
      for (const url of ['/api/v1/vessels', '/api/v1/users', '/api/v1/audit']) {
        const refused = await first.app.inject({ method: 'GET', url, headers: oneTime });
        expect(refused.statusCode, url).toBe(403);
        expect(refused.json()).toMatchObject({ error: { code: 'PASSWORD_CHANGE_REQUIRED' } });
      }
      const madeToken = await first.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: oneTime,
        payload: { name: 'backdoor', role: 'admin' },
      });
      expect(madeToken.statusCode).toBe(403);
      const me = await first.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: oneTime });
      expect(me.json()).toMatchObject({ username: 'admin', mustChangePassword: true });
      await first.close();

      // A restart finds the user store populated: no new admin, no new file.
      await rm(path);
      const second = await bareApi(dir);
      await expect(stat(path)).rejects.toThrow(/ENOENT/);
      expect(second.lines.join('\n')).not.toContain(INITIAL_ADMIN_FILE);
      const again = await second.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: credentials,
      });
      expect(again.statusCode).toBe(200);
      // Still one-time after a restart, until changed; then the new password opens everything.
      const stillOneTime = { authorization: `Bearer ${again.json<{ token: string }>().token}` };
      expect(again.json()).toMatchObject({ user: { mustChangePassword: true } });
      const newPassword = 'harbour-lamps-glow-at-dusk-2026';
      const changed = await second.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: stillOneTime,
        payload: { currentPassword: credentials.password, newPassword },
      });
      expect(changed.statusCode).toBe(204);
      const fresh = await second.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: newPassword },
      });
      expect(fresh.json()).toMatchObject({ user: { mustChangePassword: false } });
      const vessels = await second.app.inject({
        method: 'GET',
        url: '/api/v1/vessels',
        headers: { authorization: `Bearer ${fresh.json<{ token: string }>().token}` },
      });
      expect(vessels.statusCode).toBe(200);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('limits login attempts per address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-api-limit-'));
    try {
      const api = await bareApi(dir, { loginRateLimit: { max: 3, timeWindowMs: 60_000 } });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const r = await api.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'admin', password: `guess ${i}` },
        });
        statuses.push(r.statusCode);
        if (r.statusCode === 429) expect(r.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // Another address is not punished for the first one's guesses.
      const other = await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.0.0.9',
        payload: { username: 'admin', password: 'guess' },
      });
      expect(other.statusCode).toBe(401);
      const failures = api.lines.filter((l) => l.includes('failed login'));
      expect(failures.length).toBe(4);
      expect(failures.join('\n')).not.toContain('guess');
      await api.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('passwords', () => {
  it('hashes with scrypt and a per-user salt, and verifies in constant time', async () => {
    const a = await hashPassword('the same password');
    const b = await hashPassword('the same password');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('the same password', a)).toBe(true);
    expect(await verifyPassword('the same password ', a)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
  });
});

describe('sessions, users and tokens', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('stores only hashes of passwords and tokens', () => {
    const db = new Database(join(f.dir, 'api-auth.sqlite'), { readonly: true });
    const dump = JSON.stringify([
      db.prepare('SELECT * FROM users').all(),
      db.prepare('SELECT * FROM sessions').all(),
      db.prepare('SELECT * FROM api_tokens').all(),
    ]);
    db.close();
    for (const token of Object.values(f.tokens)) expect(dump).not.toContain(token.slice(6));
    for (const password of Object.values(f.passwords)) expect(dump).not.toContain(password);
    expect(dump).toContain('scrypt$15$8$1$');
  });

  it('logs out: the session token stops working', async () => {
    const login = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'analyst1', password: f.passwords.analyst },
    });
    const { token, expiresAtMs } = login.json<{ token: string; expiresAtMs: number }>();
    expect(expiresAtMs).toBe(NOW_MS + 12 * 3_600_000);
    const headers = { authorization: `Bearer ${token}` };
    expect((await f.app.inject({ url: '/api/v1/auth/me', headers })).json()).toMatchObject({
      username: 'analyst1',
      role: 'analyst',
      kind: 'session',
    });
    expect((await f.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(
      204,
    );
    expect((await f.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(401);
  });

  it('changes a password: old sessions end, the new password works', async () => {
    const created = await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: f.auth('admin'),
      payload: { username: 'officer-hai', role: 'officer', password: 'first long password' },
    });
    expect(created.statusCode).toBe(201);
    const login = async (password: string) =>
      f.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'officer-hai', password },
      });
    const token = (await login('first long password')).json<{ token: string }>().token;
    const headers = { authorization: `Bearer ${token}` };
    const changed = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers,
      payload: { currentPassword: 'first long password', newPassword: 'second long password' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await f.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(401);
    expect((await login('first long password')).statusCode).toBe(401);
    expect((await login('second long password')).statusCode).toBe(200);
  });

  it("changes a user's role and password, deletes users, and never loses the last admin", async () => {
    const admin = f.auth('admin');
    const create = await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'lan.nguyen', role: 'officer', password: 'harbour officer password' },
    });
    expect(create.statusCode).toBe(201);
    const login = async (password: string) =>
      f.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'lan.nguyen', password },
      });
    const token = (await login('harbour officer password')).json<{ token: string }>().token;
    const as = { authorization: `Bearer ${token}` };
    const emissions = `/api/v1/emissions?from=2024-03-01&to=2024-03-02&variant=qtled-vn006-electricity-ratio`;
    expect((await f.app.inject({ url: emissions, headers: as })).statusCode).toBe(403);

    // Now an analyst: the open session has the new role at once.
    const promoted = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/lan.nguyen',
      headers: admin,
      payload: { role: 'analyst' },
    });
    expect(promoted.json()).toMatchObject({ username: 'lan.nguyen', role: 'analyst' });
    expect((await f.app.inject({ url: emissions, headers: as })).statusCode).toBe(200);

    // A password reset by an admin ends the user's sessions.
    const reset = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/lan.nguyen',
      headers: admin,
      payload: { password: 'a brand new long password' },
    });
    expect(reset.statusCode).toBe(200);
    expect((await f.app.inject({ url: '/api/v1/auth/me', headers: as })).statusCode).toBe(401);
    expect((await login('a brand new long password')).statusCode).toBe(200);

    const empty = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/lan.nguyen',
      headers: admin,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toMatch(/give a new role, partner or password/);
    const nobody = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/nobody',
      headers: admin,
      payload: { role: 'officer' },
    });
    expect(nobody.statusCode).toBe(404);

    // The only admin can be neither demoted nor deleted, and nobody deletes their own account.
    const demote = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/admin',
      headers: admin,
      payload: { role: 'officer' },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toMatchObject({ error: { code: 'LAST_ADMIN' } });
    const self = await f.app.inject({ method: 'DELETE', url: '/api/v1/users/admin', headers: admin });
    expect(self.json()).toMatchObject({ error: { code: 'SELF_DELETE' } });

    const deleted = await f.app.inject({ method: 'DELETE', url: '/api/v1/users/lan.nguyen', headers: admin });
    expect(deleted.statusCode).toBe(204);
    expect((await login('a brand new long password')).statusCode).toBe(401);
    expect(
      (await f.app.inject({ method: 'DELETE', url: '/api/v1/users/lan.nguyen', headers: admin })).statusCode,
    ).toBe(404);
  });

  it('pages through users by name', async () => {
    const seen: string[] = [];
    let after: string | null = '';
    while (after !== null) {
      const url: string = `/api/v1/users?limit=2${after === '' ? '' : `&after=${after}`}`;
      const response = await f.app.inject({ url, headers: f.auth('admin') });
      const page = response.json<{ users: { username: string }[]; nextAfter: string | null }>();
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u) => u.username));
      after = page.nextAfter;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['admin', 'analyst1', 'officer1', 'partner1']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('issues a partner token limited to emissions and the registry, pages tokens, and revokes', async () => {
    const created = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: f.auth('admin'),
      payload: { name: 'NEDO data package', role: 'partner', scopes: ['emissions', 'registry'] },
    });
    expect(created.statusCode).toBe(201);
    const { token, record } = created.json<{
      token: string;
      record: { id: string; scopes: string[]; createdBy: string };
    }>();
    expect(token).toMatch(/^qtl_t_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ scopes: ['emissions', 'registry'], createdBy: 'admin' });
    const headers = { authorization: `Bearer ${token}` };
    expect((await f.app.inject({ url: '/api/v1/registry', headers })).statusCode).toBe(200);
    expect((await f.app.inject({ url: '/api/v1/alarms', headers })).statusCode).toBe(403);

    for (let i = 0; i < 3; i += 1) {
      await f.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: f.auth('admin'),
        payload: { name: `gateway uploader ${i}`, role: 'analyst' },
      });
    }
    const ids: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const url: string = `/api/v1/tokens?limit=2${cursor === '' ? '' : `&cursor=${cursor}`}`;
      const response = await f.app.inject({ url, headers: f.auth('admin') });
      const page = response.json<{ tokens: { id: string }[]; nextCursor: string | null }>();
      ids.push(...page.tokens.map((t) => t.id));
      cursor = page.nextCursor;
    }
    expect(ids).toHaveLength(4);
    expect(ids[3]).toBe(record.id); // newest first

    const revoked = await f.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${record.id}`,
      headers: f.auth('admin'),
    });
    expect(revoked.json()).toMatchObject({ id: record.id, revokedAtMs: NOW_MS });
    expect((await f.app.inject({ url: '/api/v1/registry', headers })).statusCode).toBe(401);
    const listed = await f.app.inject({ url: '/api/v1/tokens', headers: f.auth('admin') });
    expect(listed.json<{ tokens: { id: string }[] }>().tokens.map((t) => t.id)).not.toContain(record.id);
    const withRevoked = await f.app.inject({
      url: '/api/v1/tokens?includeRevoked=true',
      headers: f.auth('admin'),
    });
    expect(withRevoked.json<{ tokens: { id: string }[] }>().tokens.map((t) => t.id)).toContain(record.id);
  });

  it('refuses an expired API token', async () => {
    const created = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: f.auth('admin'),
      payload: { name: 'short-lived', role: 'analyst', expiresAt: new Date(NOW_MS + 1).toISOString() },
    });
    expect(created.statusCode).toBe(201);
    const headers = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
    // The fixture's clock stands still at NOW_MS: a token expiring 1 ms later is still valid...
    expect((await f.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(200);
    // ...and one that expires exactly now is not.
    const expired = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: f.auth('admin'),
      payload: { name: 'expired', role: 'analyst', expiresAt: new Date(NOW_MS).toISOString() },
    });
    expect(expired.statusCode).toBe(400);
  });

  it('rejects a malformed Authorization header with a helpful message', async () => {
    const response = await f.app.inject({
      url: '/api/v1/vessels',
      headers: { authorization: f.tokens.officer },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      error: { message: expect.stringContaining('Bearer <token>') as string },
    });
  });
});
