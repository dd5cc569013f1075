import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role, ROLES, ROUTE_PERMISSIONS, type RouteKey } from './auth/permissions.js';
import { type ApiFixture, createApiFixture, PERIOD } from './testing/api-fixture.js';
import { listenOnce, openStream } from './testing/http.js';

let f: ApiFixture;
let baseUrl: string;
let alarmId: string;
let userSeq = 0;

beforeAll(async () => {
  f = await createApiFixture();
  baseUrl = await listenOnce(f.app);
  const alarms = await f.app.inject({ url: '/api/v1/alarms?state=raised', headers: f.auth('admin') });
  const first = alarms.json<{ alarms: { id: string }[] }>().alarms[0];
  if (first === undefined) throw new Error('the fixture should have raised an alarm');
  alarmId = first.id;
});
afterAll(async () => {
  await f.close();
});

interface Sample {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
  /** What an allowed caller gets; some routes legitimately answer 400/409 here (see the comments). */
  ok: readonly number[];
}

async function issueFebruary(): Promise<void> {
  await f.app.inject({
    method: 'POST',
    url: '/api/v1/packages/issue',
    headers: f.auth('analyst'),
    payload: { partner: 'nedo', month: '2024-02' },
  });
}

/** One realistic request per route; built per call so that side effects (a new user, a token) never clash. */
async function sampleOf(key: RouteKey, role: Role): Promise<Sample> {
  const vessel = f.vesselIds[0] ?? '';
  switch (key) {
    case 'GET /healthz':
      return { method: 'GET', url: '/healthz', ok: [200] };
    case 'GET /readyz':
      return { method: 'GET', url: '/readyz', ok: [200] };
    case 'POST /api/v1/auth/login':
      return {
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'officer1', password: f.passwords.officer },
        ok: [200],
      };
    case 'POST /api/v1/auth/logout':
      return { method: 'POST', url: '/api/v1/auth/logout', ok: [204] };
    case 'GET /api/v1/auth/me':
      return { method: 'GET', url: '/api/v1/auth/me', ok: [200] };
    case 'POST /api/v1/auth/password':
      // A wrong current password: proves the route was reached without changing anything.
      return {
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: 'not the password', newPassword: 'a new long password' },
        ok: [401],
      };
    case 'GET /api/v1/users':
      return { method: 'GET', url: '/api/v1/users?limit=2', ok: [200] };
    case 'POST /api/v1/users':
      userSeq += 1;
      return {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: `perm-${role}-${userSeq}`, role: 'officer', password: 'long enough password' },
        ok: [201],
      };
    case 'PATCH /api/v1/users/:username':
    case 'DELETE /api/v1/users/:username': {
      userSeq += 1;
      const username = `perm-target-${role}-${userSeq}`;
      await f.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: f.auth('admin'),
        payload: { username, role: 'officer', password: 'long enough password' },
      });
      return key === 'DELETE /api/v1/users/:username'
        ? { method: 'DELETE', url: `/api/v1/users/${username}`, ok: [204] }
        : { method: 'PATCH', url: `/api/v1/users/${username}`, payload: { role: 'analyst' }, ok: [200] };
    }
    case 'GET /api/v1/tokens':
      return { method: 'GET', url: '/api/v1/tokens', ok: [200] };
    case 'POST /api/v1/tokens':
      return {
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: `perm ${role}`, role: 'partner' },
        ok: [201],
      };
    case 'DELETE /api/v1/tokens/:id': {
      const created = await f.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: f.auth('admin'),
        payload: { name: 'to revoke', role: 'partner' },
      });
      const id = created.json<{ record: { id: string } }>().record.id;
      return { method: 'DELETE', url: `/api/v1/tokens/${id}`, ok: [200] };
    }
    case 'GET /api/v1/audit':
      return { method: 'GET', url: '/api/v1/audit?limit=5', ok: [200] };
    case 'GET /api/v1/vessels':
      return { method: 'GET', url: '/api/v1/vessels', ok: [200] };
    case 'GET /api/v1/vessels/:id':
      return { method: 'GET', url: `/api/v1/vessels/${vessel}`, ok: [200] };
    case 'GET /api/v1/vessels/:id/series':
      return {
        method: 'GET',
        url: `/api/v1/vessels/${vessel}/series?from=2024-03-02T00:00:00Z&to=2024-03-03T00:00:00Z&step=1h`,
        ok: [200],
      };
    case 'GET /api/v1/trips':
      return { method: 'GET', url: `/api/v1/trips?from=${PERIOD.from}&to=${PERIOD.to}`, ok: [200] };
    case 'GET /api/v1/nights':
      return { method: 'GET', url: `/api/v1/nights?from=${PERIOD.from}&to=${PERIOD.to}`, ok: [200] };
    case 'GET /api/v1/completeness':
      return { method: 'GET', url: `/api/v1/completeness?from=${PERIOD.from}&to=${PERIOD.to}`, ok: [200] };
    case 'GET /api/v1/alarms':
      return { method: 'GET', url: '/api/v1/alarms', ok: [200] };
    case 'POST /api/v1/alarms/:id/acknowledge':
      // The first allowed role acknowledges; for the next the alarm is no longer raised (409).
      return { method: 'POST', url: `/api/v1/alarms/${alarmId}/acknowledge`, ok: [200, 409] };
    case 'GET /api/v1/emissions':
      return {
        method: 'GET',
        url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&vessel=${vessel}`,
        ok: [200],
      };
    case 'GET /api/v1/packages/signing-key':
      return { method: 'GET', url: '/api/v1/packages/signing-key', ok: [200] };
    case 'GET /api/v1/packages':
      return { method: 'GET', url: '/api/v1/packages', ok: [200] };
    case 'GET /api/v1/packages/schedule':
      return { method: 'GET', url: '/api/v1/packages/schedule', ok: [200] };
    case 'GET /api/v1/packages/receipts':
      return { method: 'GET', url: '/api/v1/packages/receipts?partner=nedo', ok: [200] };
    // The first allowed caller issues February; the next finds the same figures issued (200).
    case 'POST /api/v1/packages/issue':
      return {
        method: 'POST',
        url: '/api/v1/packages/issue',
        payload: { partner: 'nedo', month: '2024-02' },
        ok: [200, 201],
      };
    case 'GET /api/v1/packages/:packageId/download':
      await issueFebruary();
      return { method: 'GET', url: '/api/v1/packages/nedo-2024-02-v1/download', ok: [200] };
    case 'GET /api/v1/packages/:packageId/files/:name':
      await issueFebruary();
      return { method: 'GET', url: '/api/v1/packages/nedo-2024-02-v1/files/manifest.json', ok: [200] };
    case 'GET /api/v1/platform':
      return { method: 'GET', url: '/api/v1/platform', ok: [200] };
    case 'GET /api/v1/registry':
      return { method: 'GET', url: '/api/v1/registry', ok: [200] };
    case 'PUT /api/v1/registry':
      return { method: 'PUT', url: '/api/v1/registry', payload: f.registry.current().registry, ok: [200] };
    case 'GET /api/v1/stream':
      return { method: 'GET', url: '/api/v1/stream', ok: [200] };
    // The fixture runs the API process alone (as compose does): ingest's view answers 503, saying where it is.
    case 'GET /api/v1/ingest/metrics':
      return { method: 'GET', url: '/api/v1/ingest/metrics', ok: [503] };
    case 'GET /api/v1/ingest/dead-letters':
      return { method: 'GET', url: '/api/v1/ingest/dead-letters', ok: [503] };
    case 'GET /api/v1/ingest/dead-letters/:id':
      return { method: 'GET', url: '/api/v1/ingest/dead-letters/1', ok: [503] };
    case 'POST /api/v1/ingest/dead-letters/:id/replay':
      return { method: 'POST', url: '/api/v1/ingest/dead-letters/1/replay', ok: [503] };
  }
}

/** Status of a request; the live stream is opened over HTTP and closed as soon as it answers. */
async function statusOf(
  sample: Sample,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  if (sample.url.startsWith('/api/v1/stream')) {
    const stream = await openStream(baseUrl, sample.url, headers);
    if (stream.statusCode === 200) await stream.waitFor(/: connected/);
    const body = stream.statusCode === 200 ? '' : await stream.closed.then(() => stream.text());
    stream.close();
    return { status: stream.statusCode, body };
  }
  const response = await f.app.inject({
    method: sample.method,
    url: sample.url,
    headers,
    ...(sample.payload === undefined ? {} : { payload: sample.payload as object }),
  });
  return { status: response.statusCode, body: response.body };
}

const keys = Object.keys(ROUTE_PERMISSIONS) as RouteKey[];

describe('the permission table', () => {
  for (const key of keys) {
    const access = ROUTE_PERMISSIONS[key];
    if ('roles' in access) {
      it(`${key}: 401 without a token, 401 with a bad one`, async () => {
        const sample = await sampleOf(key, 'admin');
        const none = await statusOf(sample, {});
        expect(none.status).toBe(401);
        expect(JSON.parse(none.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
        const bad = await statusOf(sample, { authorization: 'Bearer qtl_s_not-a-real-token' });
        expect(bad.status).toBe(401);
      });
      for (const role of ROLES) {
        const allowed = (access.roles as readonly Role[]).includes(role);
        it(`${key}: ${role} is ${allowed ? 'allowed' : 'forbidden (403)'}`, async () => {
          const sample = await sampleOf(key, role);
          // Logging out ends the session: use a fresh one so the other tests keep theirs.
          let headers = f.auth(role);
          if (key === 'POST /api/v1/auth/logout') {
            const login = await f.app.inject({
              method: 'POST',
              url: '/api/v1/auth/login',
              payload: { username: role === 'admin' ? 'admin' : `${role}1`, password: f.passwords[role] },
            });
            headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
          }
          const { status, body } = await statusOf(sample, headers);
          if (allowed) {
            expect(sample.ok, `${key} as ${role}: ${body}`).toContain(status);
          } else {
            expect(status, body).toBe(403);
            expect(JSON.parse(body)).toMatchObject({
              error: {
                code: 'FORBIDDEN',
                message: expect.stringContaining(`the ${role} role may not`) as string,
              },
            });
          }
        });
      }
    } else {
      it(`${key} is public`, async () => {
        const sample = await sampleOf(key, 'admin');
        const { status } = await statusOf(sample, {});
        expect(sample.ok).toContain(status);
      });
    }
  }

  it('lists every route the app serves under /api/v1, and the app serves every route it lists', async () => {
    const document = (await f.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const served = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect([...served].sort()).toEqual([...keys].sort());
  });

  it('confines an API token to its scopes, on top of its role', async () => {
    const created = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: f.auth('admin'),
      payload: { name: 'analyst emissions only', role: 'analyst', scopes: ['emissions'] },
    });
    expect(created.statusCode).toBe(201);
    const headers = { authorization: `Bearer ${created.json<{ token: string }>().token}` };
    const vessels = await f.app.inject({ url: '/api/v1/vessels', headers });
    expect(vessels.statusCode).toBe(403);
    expect(vessels.json()).toMatchObject({
      error: { message: expect.stringContaining('limited to emissions') as string },
    });
    const emissions = await f.app.inject({
      url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&vessel=${f.vesselIds[0] ?? ''}`,
      headers,
    });
    expect(emissions.statusCode).toBe(200);
    const me = await f.app.inject({ url: '/api/v1/auth/me', headers });
    expect(me.json()).toMatchObject({ kind: 'api-token', role: 'analyst', scopes: ['emissions'] });
  });
});

describe('the README', () => {
  it('shows the permission table as the code has it', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const key of keys) {
      const access = ROUTE_PERMISSIONS[key];
      const cells =
        'roles' in access
          ? [
              ...ROLES.map((r) => ((access.roles as readonly Role[]).includes(r) ? '✓' : '—')),
              access.scope ?? '—',
            ]
          : [...ROLES.map(() => 'public'), '—'];
      expect(readme).toContain(`| \`${key}\` | ${cells.join(' | ')} |`);
    }
  });
});
