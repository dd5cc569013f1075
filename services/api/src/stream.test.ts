import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@qt-led/runtime';
import { claimFirstAdmin, fetchPost } from '@qt-led/test-harness';
import type { StoredReading } from '@qt-led/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, NOW_MS } from './testing/api-fixture.js';
import { INITIAL_ADMIN_FILE } from './auth/first-admin.js';
import { startApiTestServer } from './testing/api-server.js';
import { listenOnce, openStream } from './testing/http.js';

let f: ApiFixture;
let baseUrl: string;
beforeAll(async () => {
  f = await createApiFixture({ sseHeartbeatMs: 50 });
  baseUrl = await listenOnce(f.app);
});
afterAll(async () => {
  await f.close();
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

function reading(vesselId: string, seq: number): StoredReading {
  const latest = {
    vesselId,
    gatewayId: 'gw-00000001',
    bootId: 'b0000001',
    seq,
    deviceTimeMs: NOW_MS,
    receivedAtMs: NOW_MS,
  };
  return {
    ...latest,
    clockSkewMs: 0,
    timeSource: 'gps',
    ledPowerW: 0,
    ledEnergyKwh: 1234.5,
    lampsOn: 0,
    fuelRateLph: 0,
    fuelTotalL: 100,
    fix: '3d',
    lat: 17.02,
    lon: 107.11,
    speedKn: 0,
    headingDeg: 0,
  } as StoredReading;
}

/** The data of every event of a type received so far. */
function events(text: string, type: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith(`event: ${type}\n`))
    .map((block) => JSON.parse(block.split('\ndata: ')[1] ?? 'null') as unknown);
}

describe('live stream', () => {
  it('streams readings, status changes and alarms as server-sent events, with heartbeats', async () => {
    const stream = await openStream(baseUrl, '/api/v1/stream', f.auth('officer'));
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.waitFor(/: connected/);
    await until(() => f.live.listenerCount() === 1);

    f.live.publish([reading(f.vesselIds[0] ?? '', 99_999)]);
    await stream.waitFor(/event: reading/);
    expect(events(stream.text(), 'reading')[0]).toMatchObject({ vesselId: f.vesselIds[0], seq: 99_999 });

    // A day later every boat that was in port has gone quiet: statuses change and alarms are raised.
    await f.fleetStatus.evaluate(NOW_MS + 24 * 3_600_000);
    await stream.waitFor(/event: alarm/);
    const statuses = events(stream.text(), 'status') as { vesselId: string; status: string }[];
    expect(statuses.map((s) => s.vesselId)).toEqual(expect.arrayContaining(f.vesselIds.slice(0, 3)));
    const alarms = events(stream.text(), 'alarm') as { type: string; state: string }[];
    expect(alarms.some((a) => a.type === 'gateway-silent' && a.state === 'raised')).toBe(true);
    await stream.waitFor(/: keep-alive/);

    stream.close();
    await until(() => f.live.listenerCount() === 0);
  });

  it('accepts the token as access_token and filters by vessel and event', async () => {
    const [wanted, other] = [f.vesselIds[1] ?? '', f.vesselIds[2] ?? ''];
    const stream = await openStream(
      baseUrl,
      `/api/v1/stream?access_token=${f.tokens.analyst}&vessel=${wanted}&events=reading`,
    );
    expect(stream.statusCode).toBe(200);
    await stream.waitFor(/: connected/);
    f.live.publish([reading(other, 1), reading(wanted, 2)]);
    await stream.waitFor(/event: reading/);
    await new Promise((r) => setTimeout(r, 30));
    expect(events(stream.text(), 'reading')).toEqual([expect.objectContaining({ vesselId: wanted, seq: 2 })]);
    stream.close();
  });

  it('refuses callers without a token or with a role that has no live view', async () => {
    const none = await openStream(baseUrl, '/api/v1/stream');
    expect(none.statusCode).toBe(401);
    const partner = await openStream(baseUrl, `/api/v1/stream?access_token=${f.tokens.partner}`);
    expect(partner.statusCode).toBe(403);
  });

  it('ends open streams when the app closes', async () => {
    const other = await createApiFixture();
    const url = await listenOnce(other.app);
    const stream = await openStream(url, '/api/v1/stream', other.auth('admin'));
    await stream.waitFor(/: connected/);
    await other.close();
    await stream.closed;
    expect(other.live.listenerCount()).toBe(0);
  });

  it('ends a stream at once when its access goes: logout, demotion, deletion, revocation', async () => {
    const admin = f.auth('admin');
    const user = async (username: string): Promise<Record<string, string>> => {
      const password = 'a long password for the stream';
      const created = await f.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin,
        payload: { username, role: 'officer', password },
      });
      expect(created.statusCode, created.body).toBe(201);
      const login = await f.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password },
      });
      return { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    };
    const opened = async (headers: Record<string, string>) => {
      const stream = await openStream(baseUrl, '/api/v1/stream?events=status', headers);
      expect(stream.statusCode).toBe(200);
      await stream.waitFor(/: connected/);
      return stream;
    };
    const endsWith = async (stream: Awaited<ReturnType<typeof opened>>, reason: string) => {
      await stream.closed;
      expect(events(stream.text(), 'end')).toEqual([{ reason }]);
    };

    const leaving = await user('stream-logout');
    const a = await opened(leaving);
    await f.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: leaving });
    await endsWith(a, 'UNAUTHENTICATED');

    // Demoted to partner, who may not open the stream: ended, though the session lives on.
    const demoted = await user('stream-demoted');
    const b = await opened(demoted);
    const other = await opened(f.auth('officer'));
    await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/stream-demoted',
      headers: admin,
      payload: { role: 'partner' },
    });
    await endsWith(b, 'FORBIDDEN');

    const deleted = await user('stream-deleted');
    const c = await opened(deleted);
    await f.app.inject({ method: 'DELETE', url: '/api/v1/users/stream-deleted', headers: admin });
    await endsWith(c, 'UNAUTHENTICATED');

    const created = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin,
      payload: { name: 'wall screen', role: 'officer', scopes: ['live'] },
    });
    const { token, record } = created.json<{ token: string; record: { id: string } }>();
    const d = await opened({ authorization: `Bearer ${token}` });
    await f.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${record.id}`, headers: admin });
    await endsWith(d, 'UNAUTHENTICATED');

    // Everyone else's stream stays open through all of it.
    expect(other.text()).not.toContain('event: end');
    other.close();
  });

  it('ends a stream when its token expires, on a real clock', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'qtled-stream-expiry-'));
    const server = await startApiTestServer({
      dataDir,
      logger: createLogger({ name: 'stream-expiry', level: 'silent' }),
      clock: { now: () => Date.now() },
    });
    try {
      const admin = await claimFirstAdmin(fetchPost(server.url), join(dataDir, INITIAL_ADMIN_FILE));
      const created = await server.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${admin.token}` },
        payload: {
          name: 'harbour screen',
          role: 'officer',
          scopes: ['live'],
          expiresAt: new Date(Date.now() + 1_500).toISOString(),
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { token } = created.json<{ token: string }>();
      const stream = await openStream(server.url, '/api/v1/stream?events=status', {
        authorization: `Bearer ${token}`,
      });
      expect(stream.statusCode).toBe(200);
      await stream.waitFor(/: connected/);
      await stream.closed;
      expect(events(stream.text(), 'end')).toEqual([{ reason: 'UNAUTHENTICATED' }]);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
