import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VesselId } from '@qt-led/contract';
import { createEmissionsService, fileIssuedReportStore } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetStatusService, type FleetStatusServiceImpl } from '@qt-led/fleet-status';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from '@qt-led/jcm';
import { createLogger } from '@qt-led/runtime';
import { createSqliteStore, type TelemetryStore } from '@qt-led/store';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../app.js';
import { INITIAL_ADMIN_FILE } from '../auth/first-admin.js';
import type { Role } from '../auth/permissions.js';
import type { ApiOptions } from '../deps.js';
import { createLiveReadingsHub, type LiveReadingsHub } from '../live-readings.js';
import { createRegistryHolder, type RegistryHolder } from '../registry-holder.js';
import { generateFleetTelemetry } from './fleet-telemetry.js';

/**
 * Four local days of March 2024 with five boats reporting, until "now": early afternoon of the day after, the
 * boats back in port since the morning — but one gateway went silent in port at 09:00.
 */
export const PERIOD = { from: '2024-03-01', to: '2024-03-05' } as const;
export const PERIOD_START_MS = Date.parse('2024-03-01T00:00:00+07:00');
export const NOW_MS = Date.parse('2024-03-05T13:00:00+07:00');
export const STEP_MS = 5 * 60_000;

export interface ApiFixture {
  app: FastifyInstance;
  dir: string;
  store: TelemetryStore;
  registry: RegistryHolder;
  fleetStatus: FleetStatusServiceImpl;
  live: LiveReadingsHub;
  /** The vessels with telemetry; the last one's gateway went silent the evening before "now". */
  vesselIds: VesselId[];
  silentVessel: VesselId;
  tokens: Record<Role, string>;
  readingsStored: number;
  passwords: Record<Role, string>;
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

/**
 * The API as the platform builds it, over real parts: an SQLite store seeded with generated telemetry, the
 * packaged fleet registry, the real emissions and fleet status services; one user per role, logged in.
 */
export async function createApiFixture(options: Partial<ApiOptions> = {}): Promise<ApiFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'qtled-api-'));
  const registry = createRegistryHolder(loadFleetRegistry());
  const vesselIds = registry
    .current()
    .registry.vessels.slice(0, 5)
    .map((v) => v.vesselId);
  const silentVessel = vesselIds[4] as VesselId;
  const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
  const telemetry = generateFleetTelemetry({
    registry: registry.index,
    vesselIds,
    fromMs: PERIOD_START_MS,
    days: 4,
    untilMs: NOW_MS,
    stepMs: STEP_MS,
    silentFromMs: { [silentVessel]: NOW_MS - 4 * 3_600_000 },
  });
  await store.writeReadings(telemetry.readings);
  await store.writeDeviceMessages(telemetry.deviceMessages);
  const clock = { now: () => NOW_MS };
  const logger = createLogger({ name: 'api-test', level: process.env['LOG_LEVEL'] ?? 'silent' });
  const emissions = createEmissionsService({
    store,
    registry: registry.index,
    methodologies: new Map(BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)])),
    issued: fileIssuedReportStore(join(dir, 'issued')),
    clock,
  });
  const fleetStatus = createFleetStatusService({
    store,
    registry: registry.index,
    alarmDbPath: join(dir, 'alarms.sqlite'),
    clock,
    logger,
    config: { samplingIntervalMs: STEP_MS, heartbeatIntervalMs: 3_600_000 },
  });
  const live = createLiveReadingsHub();
  const app = await buildApi({
    store,
    registry,
    emissions,
    fleetStatus,
    authDbPath: join(dir, 'auth.sqlite'),
    dataDir: dir,
    logger,
    clock,
    liveReadings: live,
    options: { loginRateLimit: { max: 1_000, timeWindowMs: 60_000 }, ...options },
  });
  await app.ready();
  // One evaluation pass, as the periodic timer would run: raises the silent gateway's alarm.
  await fleetStatus.evaluate(NOW_MS);

  const admin = JSON.parse(await readFile(join(dir, INITIAL_ADMIN_FILE), 'utf8')) as {
    username: string;
    password: string;
  };
  const passwords = { admin: admin.password } as Record<Role, string>;
  const tokens = {} as Record<Role, string>;
  const login = async (username: string, password: string): Promise<string> => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
    });
    if (response.statusCode !== 200)
      throw new Error(`login ${username}: ${response.statusCode} ${response.body}`);
    return response.json<{ token: string }>().token;
  };
  tokens.admin = await login('admin', admin.password);
  for (const role of ['officer', 'analyst', 'partner'] as const) {
    passwords[role] = `${role}-password-for-tests`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${tokens.admin}` },
      payload: { username: `${role}1`, role, password: passwords[role] },
    });
    if (created.statusCode !== 201) throw new Error(`create ${role}: ${created.statusCode} ${created.body}`);
    tokens[role] = await login(`${role}1`, passwords[role]);
  }

  return {
    app,
    dir,
    store,
    registry,
    fleetStatus,
    live,
    vesselIds,
    silentVessel,
    tokens,
    readingsStored: telemetry.readings.length,
    passwords,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await app.close();
      await fleetStatus.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
