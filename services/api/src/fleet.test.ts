import { SERIES_FIELDS } from '@qt-led/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, NOW_MS, PERIOD, STEP_MS } from './testing/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await createApiFixture();
});
afterAll(async () => {
  await f.close();
});

interface VesselBody {
  vesselId: string;
  name: string;
  ledLamps: { count: number; ratedW: number } | null;
  status: { status: string; vesselId: string } | null;
  latest: { deviceTimeMs: number; ledEnergyKwh: number | null; lat: number | null } | null;
}

describe('vessels', () => {
  it('lists every registry vessel with its status and latest reading', async () => {
    const response = await f.app.inject({ url: '/api/v1/vessels', headers: f.auth('officer') });
    expect(response.statusCode).toBe(200);
    const { vessels } = response.json<{ vessels: VesselBody[] }>();
    expect(vessels.map((v) => v.vesselId)).toEqual(
      f.registry.current().registry.vessels.map((v) => v.vesselId),
    );
    const reporting = vessels.find((v) => v.vesselId === f.vesselIds[0]);
    expect(reporting?.status?.status).toBe('in-port');
    expect(reporting?.latest?.deviceTimeMs).toBeGreaterThan(NOW_MS - 2 * STEP_MS);
    const silent = vessels.find((v) => v.vesselId === f.silentVessel);
    expect(silent?.status?.status).toBe('silent-possible-fault');
    const neverReported = vessels.find((v) => !f.vesselIds.includes(v.vesselId as never));
    expect(neverReported?.latest).toBeNull();
    expect(neverReported?.status?.status).toBe('no-data');
  });

  it('gives one vessel with its registry entry', async () => {
    const id = f.vesselIds[1] ?? '';
    const response = await f.app.inject({ url: `/api/v1/vessels/${id}`, headers: f.auth('analyst') });
    expect(response.statusCode).toBe(200);
    const body = response.json<VesselBody & { registry: { vesselId: string; versions: unknown[] } }>();
    const entry = f.registry.current().vessel(id as never);
    expect(body.registry.vesselId).toBe(id);
    expect(body.registry.versions).toHaveLength(entry?.versions.length ?? -1);
    expect(body.ledLamps?.count).toBe(entry?.versions.at(-1)?.ledLamps.count);
  });
});

describe('series', () => {
  const id = (): string => f.vesselIds[0] ?? '';

  it('downsamples a day into hourly buckets with the chosen fields; lamp power follows the night', async () => {
    const response = await f.app.inject({
      url: `/api/v1/vessels/${id()}/series?from=2024-03-02T00:00:00%2B07:00&to=2024-03-03T00:00:00%2B07:00&step=1h&fields=ledPowerW,lampsOn,ledEnergyKwh`,
      headers: f.auth('officer'),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      stepMs: number;
      fields: string[];
      points: { tMs: number; values: Record<string, number> }[];
    }>();
    expect(body.stepMs).toBe(3_600_000);
    expect(body.fields).toEqual(['ledPowerW', 'lampsOn', 'ledEnergyKwh']);
    expect(body.points).toHaveLength(24);
    const localHour = (t: number): number => new Date(t + 7 * 3_600_000).getUTCHours();
    const noon = body.points.find((p) => localHour(p.tMs) === 12);
    const night = body.points.find((p) => localHour(p.tMs) === 21);
    expect(noon?.values['ledPowerW']).toBe(0);
    expect(night?.values['ledPowerW']).toBeGreaterThan(1_000);
    expect(Object.keys(night?.values ?? {}).sort()).toEqual(['lampsOn', 'ledEnergyKwh', 'ledPowerW']);
    // The register never runs backwards.
    const energy = body.points.map((p) => p.values['ledEnergyKwh'] ?? 0);
    expect(energy).toEqual([...energy].sort((a, b) => a - b));
  });

  it('leaves buckets without readings out (a gap), and picks a step within the limit when none is given', async () => {
    // The silent vessel stopped reporting 4 h before "now".
    const response = await f.app.inject({
      url: `/api/v1/vessels/${f.silentVessel}/series?from=${new Date(NOW_MS - 8 * 3_600_000).toISOString()}&to=${new Date(NOW_MS).toISOString()}&step=1h`,
      headers: f.auth('officer'),
    });
    const body = response.json<{ points: { tMs: number }[] }>();
    expect(body.points.length).toBeGreaterThanOrEqual(4);
    expect(body.points.length).toBeLessThanOrEqual(5);
    expect(body.points.every((p) => p.tMs < NOW_MS - 4 * 3_600_000)).toBe(true);

    const auto = await f.app.inject({
      url: `/api/v1/vessels/${id()}/series?from=2024-03-01T00:00:00Z&to=2024-03-05T00:00:00Z`,
      headers: f.auth('officer'),
    });
    const autoBody = auto.json<{ stepMs: number; fields: string[]; points: unknown[] }>();
    expect(autoBody.stepMs).toBe(5 * 60_000);
    expect(autoBody.points.length).toBeLessThanOrEqual(2_000);
    expect(SERIES_FIELDS).toEqual(expect.arrayContaining(autoBody.fields));
  });

  it('refuses a step that would give more points than allowed, saying the maximum', async () => {
    const response = await f.app.inject({
      url: `/api/v1/vessels/${id()}/series?from=2024-03-01T00:00:00Z&to=2024-03-05T00:00:00Z&step=1m`,
      headers: f.auth('officer'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { message: string } }>().error.message).toContain(
      'at most 2000 per request',
    );
  });
});

describe('trips, nights and completeness', () => {
  it('lists one trip and one night per day for a reporting vessel', async () => {
    const vessel = f.vesselIds[2] ?? '';
    const trips = await f.app.inject({
      url: `/api/v1/trips?vessel=${vessel}&from=${PERIOD.from}&to=${PERIOD.to}`,
      headers: f.auth('officer'),
    });
    expect(trips.statusCode).toBe(200);
    const tripList = trips.json<{ trips: { vesselId: string; nightsFished: number; distanceNm: number }[] }>()
      .trips;
    expect(tripList.length).toBeGreaterThanOrEqual(4);
    expect(tripList.every((t) => t.vesselId === vessel && t.distanceNm > 30)).toBe(true);

    const nights = await f.app.inject({
      url: `/api/v1/nights?vessel=${vessel}&from=${PERIOD.from}&to=${PERIOD.to}`,
      headers: f.auth('analyst'),
    });
    const nightList = nights.json<{ nights: { night: string; hours: number; ledEnergyKwh: number }[] }>()
      .nights;
    expect(nightList.map((n) => n.night)).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
    for (const n of nightList) {
      expect(n.hours).toBeGreaterThan(9);
      expect(n.hours).toBeLessThan(11);
    }
  });

  it('accepts instants as well as local dates for trips', async () => {
    const byDates = await f.app.inject({
      url: `/api/v1/trips?from=2024-03-02&to=2024-03-03`,
      headers: f.auth('officer'),
    });
    const byInstants = await f.app.inject({
      url: `/api/v1/trips?from=2024-03-01T17:00:00Z&to=2024-03-02T17:00:00Z`,
      headers: f.auth('officer'),
    });
    expect(byInstants.json()).toEqual(byDates.json());
  });

  it('counts the readings of each local day against those expected', async () => {
    const response = await f.app.inject({
      url: `/api/v1/completeness?from=${PERIOD.from}&to=${PERIOD.to}&vessel=${f.vesselIds.slice(0, 2).join(',')}`,
      headers: f.auth('officer'),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      days: string[];
      vessels: { vesselId: string; cells: { received: number; ratio: number }[] }[];
    }>();
    expect(body.days).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
    expect(body.vessels.map((v) => v.vesselId)).toEqual(f.vesselIds.slice(0, 2));
    for (const v of body.vessels)
      for (const c of v.cells) expect(c).toMatchObject({ received: 288, ratio: 1 });
  });
});

describe('alarms', () => {
  it('pages through alarms and lets an officer acknowledge one, once', async () => {
    const list = await f.app.inject({
      url: '/api/v1/alarms?state=raised&limit=1',
      headers: f.auth('officer'),
    });
    expect(list.statusCode).toBe(200);
    const page = list.json<{
      alarms: { id: string; type: string; vesselId: string; raisedAtMs: number }[];
      nextBefore: string | null;
    }>();
    expect(page.alarms).toHaveLength(1);
    const alarm = page.alarms[0];
    expect(alarm).toMatchObject({ type: 'gateway-silent', vesselId: f.silentVessel });
    expect(page.nextBefore).toBe(new Date(alarm?.raisedAtMs ?? 0).toISOString());
    const next = await f.app.inject({
      url: `/api/v1/alarms?state=raised&limit=1&before=${page.nextBefore ?? ''}`,
      headers: f.auth('officer'),
    });
    expect(next.json<{ alarms: { id: string }[] }>().alarms.map((a) => a.id)).not.toContain(alarm?.id);

    const ack = await f.app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${alarm?.id ?? ''}/acknowledge`,
      headers: f.auth('officer'),
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'officer1',
      acknowledgedAtMs: NOW_MS,
    });
    const again = await f.app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${alarm?.id ?? ''}/acknowledge`,
      headers: f.auth('admin'),
    });
    expect(again.statusCode).toBe(409);
    const byVessel = await f.app.inject({
      url: `/api/v1/alarms?vessel=${f.silentVessel}&state=acknowledged`,
      headers: f.auth('analyst'),
    });
    expect(byVessel.json<{ alarms: { id: string }[] }>().alarms.map((a) => a.id)).toEqual([alarm?.id]);
  });
});
