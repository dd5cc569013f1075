import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VesselId } from '@qt-led/contract';
import { loadFleetRegistry, type RegistrySource } from '@qt-led/fleet-registry';
import type { FleetStatusServiceImpl } from '@qt-led/fleet-status';
import { createLogger, type EnvSource } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { type ApiPost, claimFirstAdmin } from '@qt-led/test-harness';
import type { FastifyInstance } from 'fastify';
import { INITIAL_ADMIN_FILE } from '../auth/first-admin.js';
import type { Role } from '../auth/permissions.js';
import type { ApiOptions } from '../deps.js';
import type { LiveReadingsHub } from '../live-readings.js';
import { startApiTestServer } from './api-server.js';
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
  registry: RegistrySource;
  url: string;
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
export async function createApiFixture(
  options: Partial<ApiOptions> = {},
  more: { env?: EnvSource } = {},
): Promise<ApiFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'qtled-api-'));
  const logger = createLogger({ name: 'api-test', level: process.env['LOG_LEVEL'] ?? 'silent' });
  let vesselIds: VesselId[] = [];
  let readingsStored = 0;
  const server = await startApiTestServer({
    dataDir: dir,
    logger,
    clock: { now: () => NOW_MS },
    ...(more.env === undefined ? {} : { env: more.env }),
    fleetStatus: { samplingIntervalMs: STEP_MS, heartbeatIntervalMs: 3_600_000 },
    api: { loginRateLimit: { max: 1_000, timeWindowMs: 60_000 }, ...options },
    seed: async (store) => {
      const registry = loadFleetRegistry();
      vesselIds = registry.registry.vessels.slice(0, 5).map((v) => v.vesselId);
      const telemetry = generateFleetTelemetry({
        registry,
        vesselIds,
        fromMs: PERIOD_START_MS,
        days: 4,
        untilMs: NOW_MS,
        stepMs: STEP_MS,
        silentFromMs: { [vesselIds[4] as VesselId]: NOW_MS - 4 * 3_600_000 },
      });
      await store.writeReadings(telemetry.readings);
      await store.writeDeviceMessages(telemetry.deviceMessages);
      readingsStored = telemetry.readings.length;
    },
  });
  const { app, store, registry, fleetStatus, live } = server;
  const silentVessel = vesselIds[4] as VesselId;
  // One evaluation pass at "now", as the periodic timer runs it: raises the silent gateway's alarm.
  await fleetStatus.evaluate(NOW_MS);

  const post: ApiPost = async (url, payload, token) => {
    const response = await app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    });
    return { status: response.statusCode, body: response.body };
  };
  const admin = await claimFirstAdmin(post, join(dir, INITIAL_ADMIN_FILE));
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
  tokens.admin = admin.token;
  for (const role of ['officer', 'analyst', 'partner'] as const) {
    passwords[role] = `${role}-password-for-tests`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${tokens.admin}` },
      // The partner speaks for NEDO: it sees NEDO's packages.
      payload: {
        username: `${role}1`,
        role,
        password: passwords[role],
        ...(role === 'partner' ? { partner: 'nedo' } : {}),
      },
    });
    if (created.statusCode !== 201) throw new Error(`create ${role}: ${created.statusCode} ${created.body}`);
    tokens[role] = await login(`${role}1`, passwords[role]);
  }

  return {
    app,
    url: server.url,
    dir,
    store,
    registry,
    fleetStatus,
    live,
    vesselIds,
    silentVessel,
    tokens,
    readingsStored,
    passwords,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
