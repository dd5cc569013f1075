import type { StoredReading } from '@qt-led/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, NOW_MS } from './testing/api-fixture.js';
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
});
