// The fleet overview as the compose deployment serves it: the API side in its own process role (its own
// InfluxDB connection, the stored-readings notices from the real Mosquitto) while "ingest" — another
// connection to the same database — writes readings and publishes notices the way ingest does. The kept
// state must answer what a derivation from history gives, whether a notice arrives or not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addApiSide, apiEnvSchema, apiSideConfigFrom, INITIAL_ADMIN_FILE } from '@qt-led/api';
import { storedReadingsTopic, type StoredReadingsNotice, type VesselId } from '@qt-led/contract';
import { createRegistrySource, loadFleetRegistry } from '@qt-led/fleet-registry';
import { createEvidenceGatherer, DEFAULT_FLEET_STATUS_CONFIG, HOME_PORTS } from '@qt-led/fleet-status';
import { createLogger, loadConfig, REGISTRY_LIVE_FILE, startModules } from '@qt-led/runtime';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { createInfluxStore } from '@qt-led/store-influx';
import {
  connectMqtt,
  createIsolation,
  generateFleetTelemetry,
  influxAdmin,
  waitFor,
  claimFirstAdmin,
  fetchPost,
} from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const influx = inject('influx');
const mqtt = inject('mqtt');
const isolation = createIsolation('overview_compose');
const registry = loadFleetRegistry();
const vesselIds = registry.registry.vessels.slice(0, 4).map((v) => v.vesselId);
const STEP_MS = 5 * 60_000;
const START_MS = Date.parse('2024-03-01T00:00:00+07:00');
const HOUR = 3_600_000;
let nowMs = Date.parse('2024-03-04T13:00:00+07:00');

const influxOptions = {
  url: influx.url,
  database: isolation.database,
  minRetentionDays: 1,
  allowShortRetention: true,
  ...(influx.token === undefined ? {} : { token: influx.token }),
  ...(influx.username === undefined ? {} : { username: influx.username }),
  ...(influx.password === undefined ? {} : { password: influx.password }),
};

let dir: string;
let writer: TelemetryStore;
let publisher: MqttClient;
let stopApi: () => Promise<void>;
let url: string;
let token: string;
let noted = 0;
// Four days of five-minute readings, the last one held back as the "live" part and one night as late data.
const telemetry = generateFleetTelemetry({
  registry,
  vesselIds,
  homePorts: HOME_PORTS,
  fromMs: START_MS,
  days: 5,
  untilMs: nowMs + 2 * HOUR,
  stepMs: STEP_MS,
});
const isLive = (r: StoredReading) => r.deviceTimeMs >= nowMs - HOUR;
const isLate = (r: StoredReading) =>
  r.deviceTimeMs >= Date.parse('2024-03-03T22:00:00+07:00') &&
  r.deviceTimeMs < Date.parse('2024-03-04T02:00:00+07:00');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qtled-overview-compose-'));
  await influxAdmin(influx).createDatabase(isolation.database);
  writer = await createInfluxStore(influxOptions);
  await writer.writeReadings(telemetry.readings.filter((r) => !isLive(r) && !isLate(r)));
  await writer.writeDeviceMessages(telemetry.deviceMessages.filter((m) => m.atMs < nowMs - HOUR));
  publisher = await connectMqtt(mqtt);

  const logger = createLogger({ name: 'overview-compose', level: process.env['LOG_LEVEL'] ?? 'silent' });
  const env = loadConfig('api-test', apiEnvSchema, {
    DATA_DIR: dir,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    MQTT_TOPIC_ROOT: isolation.topicRoot,
    API_MQTT_CLIENT_ID: isolation.clientId('api'),
  });
  const config = apiSideConfigFrom(env, {
    dashboardDir: undefined,
    liveReadingsBroker: { url: mqtt.url, username: mqtt.username, password: mqtt.password, embedded: false },
    topicRoot: isolation.topicRoot,
  });
  const reader = await createInfluxStore(influxOptions);
  const modules = await startModules(logger, async (stack) => {
    const source = await stack.add(createRegistrySource({ livePath: join(dir, REGISTRY_LIVE_FILE) }));
    return addApiSide(stack, config, {
      logger,
      clock: { now: () => nowMs },
      store: reader,
      registry: source,
    });
  });
  const side = modules.assembled;
  stopApi = async () => {
    await modules.stop();
    await reader.close();
  };
  // Count what the notices hand over, passing it on.
  const service = side.fleetStatus.service;
  const note = service.noteStoredReadings.bind(service);
  service.noteStoredReadings = (readings) => {
    noted += readings.length;
    note(readings);
  };
  url = side.api.url;
  token = (await claimFirstAdmin(fetchPost(url), join(dir, INITIAL_ADMIN_FILE))).token;
});

afterAll(async () => {
  await stopApi();
  await publisher.endAsync();
  await writer.close();
  await influxAdmin(influx).dropDatabase(isolation.database);
  await rm(dir, { recursive: true, force: true });
});

interface OverviewRow {
  vesselId: VesselId;
  status: unknown;
  latest: { deviceTimeMs: number; receivedAtMs: number } | null;
}

async function overview(): Promise<OverviewRow[]> {
  const response = await fetch(`${url}/api/v1/vessels`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { vessels: OverviewRow[] }).vessels;
}

/** What a derivation from history gives now, as the API serialises it. */
async function fromHistory(): Promise<Map<string, { status: unknown; latestMs: number | null }>> {
  const gathered = await createEvidenceGatherer({
    store: writer,
    registry,
    config: DEFAULT_FLEET_STATUS_CONFIG,
  }).vessels(nowMs);
  const latest = new Map((await writer.latestByVessel()).map((r) => [r.vesselId as string, r.deviceTimeMs]));
  return new Map(
    gathered.map((v) => [
      v.status.vesselId,
      {
        status: JSON.parse(JSON.stringify(v.status)) as unknown,
        latestMs: latest.get(v.status.vesselId) ?? null,
      },
    ]),
  );
}

async function expectSameAsHistory(): Promise<void> {
  const [served, expected] = await Promise.all([overview(), fromHistory()]);
  expect(served.length).toBe(registry.registry.vessels.length);
  for (const row of served) {
    expect(row.status, row.vesselId).toEqual(expected.get(row.vesselId)?.status);
    expect(row.latest?.deviceTimeMs ?? null).toBe(expected.get(row.vesselId)?.latestMs);
  }
}

describe('the fleet overview in the compose deployment (API apart from ingest, InfluxDB, broker notices)', () => {
  it('equals the status from history as readings arrive with notices, without them, and late', async () => {
    await expectSameAsHistory();

    // Live readings, stored then announced on the broker as ingest announces them.
    const live = telemetry.readings.filter(isLive);
    await writer.writeReadings(live);
    const notice: StoredReadingsNotice = { schema: 'qtled.stored-readings/1', readings: live };
    await publisher.publishAsync(storedReadingsTopic(isolation.topicRoot), JSON.stringify(notice), {
      qos: 0,
    });
    await waitFor(() => noted >= live.length, {
      timeoutMs: 10_000,
      description: () => `the API to receive the notice (${noted} of ${live.length} readings so far)`,
    });
    nowMs += HOUR;
    await expectSameAsHistory();

    // A night that lands late, with no notice (QoS 0, lost): the store's counts give it away.
    await writer.writeReadings(telemetry.readings.filter(isLate));
    await expectSameAsHistory();

    // Silence: hours pass with nothing new.
    nowMs += 6 * HOUR;
    await expectSameAsHistory();
  });
});
