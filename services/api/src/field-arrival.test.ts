import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Alarm, LatestReading, SERIES_FIELDS, type VesselId } from '@qt-led/contract';
import { BUILT_IN_METHODOLOGY_IDS } from '@qt-led/jcm';
import { SERIES_FIELDS as STORE_SERIES_FIELDS } from '@qt-led/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, NOW_MS, PERIOD, PERIOD_START_MS } from './testing/api-fixture.js';

/**
 * The API serializes every response through its zod schema, and a schema that lacks a field drops it
 * without a word. So each response is built here from the real services, and every key path of what the
 * service itself returned (as plain JSON would carry it) must arrive in the response, with its value.
 */

/** `a.b[0].c` for every key and every array element at every depth. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => [`${prefix}[${i}]`, ...keyPaths(item, `${prefix}[${i}]`)]);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...keyPaths(child, path)];
  });
}

/** What the service produced, as JSON carries it (no `undefined`, no class instances). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

function expectArrived(label: string, produced: unknown, sent: unknown, atLeast: string[] = []): void {
  const wanted = keyPaths(asJson(produced));
  const got = new Set(keyPaths(sent));
  expect(
    wanted.filter((path) => !got.has(path)),
    `${label}: fields the service produced but the JSON lacks`,
  ).toEqual([]);
  // A vacuous comparison (an empty list) would prove nothing: the fixture must fill what is checked
  // (`[]` stands for any index).
  const shapes = new Set(wanted.map((path) => path.replace(/\[\d+\]/g, '[]')));
  for (const path of atLeast)
    expect(shapes.has(path), `${label}: the fixture should produce ${path}`).toBe(true);
  expect(sent, `${label}: the values`).toEqual(asJson(produced));
}

const LOCAL_DAY_AFTER_MS = Date.parse(`${PERIOD.to}T00:00:00+07:00`);
const iso = (ms: number): string => new Date(ms).toISOString();

let f: ApiFixture;
let webhook: Server;
const webhookCalls: unknown[] = [];

beforeAll(async () => {
  // A webhook that accepts every alarm, so that alarms carry notifications (with their `event`).
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      webhookCalls.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const { port } = webhook.address() as AddressInfo;
  f = await createApiFixture({}, { env: { ALARM_WEBHOOK_URL: `http://127.0.0.1:${port}/alarms` } });
});
afterAll(async () => {
  await f.close();
  await new Promise((resolve) => webhook.close(resolve));
});

async function get<T>(url: string): Promise<T> {
  const response = await f.app.inject({ url, headers: f.auth('admin') });
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response.json<T>();
}

describe('every field a service produces arrives in the JSON', () => {
  it('GET /api/v1/vessels: each status with its evidence and details, and the latest reading', async () => {
    const statuses = await f.fleetStatus.statuses(NOW_MS);
    const latest = await f.store.latestByVessel();
    const { vessels } = await get<{ vessels: { vesselId: VesselId; status: unknown; latest: unknown }[] }>(
      '/api/v1/vessels',
    );
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) {
      const sent = vessels.find((v) => v.vesselId === status.vesselId);
      expectArrived(`status of ${status.vesselId}`, status, sent?.status, [
        'evidence.ledNormalDrawRatio',
        'details[].explanation',
      ]);
    }
    // The list shows a projection of the stored reading: every field of it, with the stored value.
    for (const reading of latest) {
      const sent = vessels.find((v) => v.vesselId === reading.vesselId);
      const projection = Object.fromEntries(
        Object.keys(LatestReading.shape).map((k) => [k, reading[k as keyof typeof reading]]),
      );
      expectArrived(`latest of ${reading.vesselId}`, projection, sent?.latest, ['fuelRateLph', 'speedKn']);
    }
  });

  it('GET /api/v1/vessels/:id: the status of one vessel', async () => {
    const id = f.vesselIds[0] as VesselId;
    const status = await f.fleetStatus.status(id, NOW_MS);
    const sent = await get<{ status: unknown }>(`/api/v1/vessels/${id}`);
    expectArrived(`status of ${id}`, status, sent.status, ['evidence.ledNormalDrawRatio', 'details[].code']);
  });

  it('GET /api/v1/vessels/:id/series: every field of every bucket', async () => {
    // The API offers the contract's list of fields; the store must answer every one of them.
    expect([...STORE_SERIES_FIELDS]).toEqual([...SERIES_FIELDS]);
    const id = f.vesselIds[0] as VesselId;
    const fields = SERIES_FIELDS;
    const toMs = PERIOD_START_MS + 86_400_000;
    const points = await f.store.series(id, [...fields], PERIOD_START_MS, toMs, 3_600_000);
    const sent = await get<{ points: unknown }>(
      `/api/v1/vessels/${id}/series?from=${iso(PERIOD_START_MS)}&to=${iso(toMs)}&step=1h&fields=${fields.join(',')}`,
    );
    expectArrived('series', points, sent.points, ['[].values.lat', '[].values.speedKn']);
  });

  it('GET /api/v1/trips and /api/v1/nights', async () => {
    const period = { fromMs: PERIOD_START_MS, toMs: LOCAL_DAY_AFTER_MS };
    const query = `from=${PERIOD.from}&to=${PERIOD.to}`;
    const trips = await f.fleetStatus.trips(period);
    expectArrived('trips', trips, (await get<{ trips: unknown }>(`/api/v1/trips?${query}`)).trips, [
      '[].tripId',
      '[].distanceNm',
    ]);
    const nights = await f.fleetStatus.nights(period);
    expectArrived('nights', nights, (await get<{ nights: unknown }>(`/api/v1/nights?${query}`)).nights, [
      '[].night',
      '[].meanLampsOn',
    ]);
  });

  it('GET /api/v1/completeness', async () => {
    const matrix = await f.fleetStatus.completeness({ fromMs: PERIOD_START_MS, toMs: LOCAL_DAY_AFTER_MS });
    const sent = await get<unknown>(`/api/v1/completeness?from=${PERIOD.from}&to=${PERIOD.to}`);
    expectArrived('completeness', matrix, sent, ['days[]', 'vessels[].cells[].ratio']);
  });

  it('GET /api/v1/alarms: each alarm with its evidence and notifications', async () => {
    // Deliveries go out in the background: compare once the webhook has had the raised alarm.
    const settled = (alarms: Alarm[]): boolean =>
      alarms.some((a) => a.notifications.length > 0) &&
      alarms.every((a) => a.notifications.every((n) => n.state !== 'pending'));
    let alarms = await f.fleetStatus.listAlarms({ limit: 100 });
    for (let i = 0; i < 100 && !settled(alarms); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      alarms = await f.fleetStatus.listAlarms({ limit: 100 });
    }
    expect(webhookCalls.length).toBeGreaterThan(0);
    const sent = await get<{ alarms: unknown }>('/api/v1/alarms?limit=100');
    expectArrived('alarms', alarms, sent.alarms, ['[].evidence', '[].notifications[].event']);
  });

  it.each(BUILT_IN_METHODOLOGY_IDS)(
    'GET /api/v1/emissions: the %s report with every intermediate',
    async (id) => {
      const request = { from: PERIOD.from, toExclusive: PERIOD.to, methodologyId: id };
      // Twice, so that this report and the route's both come from the cache (`fromCache` is compared too).
      await f.app.emissions.report(request);
      const report = await f.app.emissions.report(request);
      const sent = await get<unknown>(`/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&variant=${id}`);
      expectArrived(`emissions ${id}`, report, sent, [
        'fromCache',
        'result.provenance.inputSha256',
        'result.fleet.rounding.mode',
        'result.vessels[].subPeriods[].route.variant',
        'result.vessels[].energyRegister.segments[].bootIds[]',
        'result.vessels[].completeness.gaps',
      ]);
    },
  );
});
