import { readFile } from 'node:fs/promises';
import { claimFirstAdmin, fetchPost } from '@qt-led/test-harness';
import { join } from 'node:path';
import { INITIAL_ADMIN_FILE, type LiveReadingsHub } from '@qt-led/api';
import { startApiTestServer } from '@qt-led/api/testing';
import { LIVE_WITHOUT_SIMULATION, type PlatformPhase } from '@qt-led/contract';
import { gatewayAssignmentsFollowing, loadFleetRegistry } from '@qt-led/fleet-registry';
import type { FleetStatusService } from '@qt-led/fleet-status';
import { createLogger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { type FleetHistory, generateFleetHistory } from './fleet-history.js';
import { type InProcessIngest, createInProcessIngest } from './in-process-ingest.js';

export const ROLES = ['officer', 'analyst', 'partner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface DashboardServer {
  url: string;
  users: Record<Role, { username: string; password: string }>;
  history: FleetHistory;
  store: TelemetryStore;
  fleetStatus: FleetStatusService;
  liveReadings: LiveReadingsHub;
  /** Ingest in the API's process (as under `npm start`), fed by the test; absent with `ingest: false`. */
  ingest: InProcessIngest | undefined;
  /** What `GET /api/v1/platform` answers from now on (live until told otherwise). */
  setPlatformPhase(phase: PlatformPhase): void;
  stop(): Promise<void>;
}

export const LIVE: PlatformPhase = LIVE_WITHOUT_SIMULATION;

/**
 * The API with the built dashboard, assembled from the same modules as `services/api/src/main.ts` (the
 * API's one test server), on a free loopback port, with a few days of fleet history in the store
 * and one user per role created through the API by the first administrator — the way an operator does it.
 */
export async function startDashboardServer(options: {
  dataDir: string;
  dashboardDir: string;
  nowMs: number;
  /**
   * Ingest in the API's process, as `npm start` has it (default), or not, as under compose: then the API's
   * `/api/v1/ingest/*` answers 503 and says where ingest's own port is.
   */
  ingest?: boolean;
  /** More variables, as an operator would set them (e.g. `PACKAGES_SCHEDULE_HERE: 'false'`). */
  env?: Readonly<Record<string, string>>;
  /**
   * Whether the first admin's one-time password is exchanged for one of their own and the other users
   * created (default). With false, `users` holds only the admin with the one-time password, as a newcomer
   * finds it.
   */
  claimFirstAdmin?: boolean;
}): Promise<DashboardServer> {
  const logger = createLogger({ name: 'browser-test', level: 'warn', destination: process.stderr });
  const history = generateFleetHistory(loadFleetRegistry(), options.nowMs, 3, 5 * 60_000);
  const ingest = options.ingest === false ? undefined : createInProcessIngest();
  let phase = LIVE;
  const server = await startApiTestServer({
    dataDir: options.dataDir,
    dashboardDir: options.dashboardDir,
    logger,
    clock: { now: () => Date.now() },
    seed: (store) => store.writeReadings(history.readings),
    // Every browser test logs in afresh from the same address; the limit itself is the API tests' subject.
    api: { loginRateLimit: { max: 1_000, timeWindowMs: 60_000 } },
    ...(ingest === undefined ? {} : { ingest: ingest.operations }),
    platformPhase: () => phase,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const { url, store, fleetStatus, live: liveReadings } = server;
  const stop = async (): Promise<void> => {
    await ingest?.stop();
    await server.stop();
  };
  try {
    await ingest?.attach({ store, registry: gatewayAssignmentsFollowing(server.registry), logger });
    // Statuses and alarms come from one evaluation pass over the history just written.
    await fleetStatus.evaluate();
    const setPlatformPhase = (next: PlatformPhase): void => {
      phase = next;
    };
    if (options.claimFirstAdmin === false) {
      const oneTime = JSON.parse(
        await readFile(join(options.dataDir, INITIAL_ADMIN_FILE), 'utf8'),
      ) as DashboardServer['users']['admin'];
      const users = { admin: { username: oneTime.username, password: oneTime.password } };
      return {
        url,
        users: users as DashboardServer['users'],
        history,
        store,
        fleetStatus,
        liveReadings,
        ingest,
        setPlatformPhase,
        stop,
      };
    }
    const admin = await claimFirstAdmin(fetchPost(url), join(options.dataDir, INITIAL_ADMIN_FILE));
    const users = {
      admin: { username: admin.username, password: admin.password },
    } as DashboardServer['users'];
    const token = admin.token;
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const user = { username: `${role}.lan`, role, password: `quang-tri-${role}-2024` };
      await postJson(`${url}/api/v1/users`, user, token);
      users[role] = { username: user.username, password: user.password };
    }
    return { url, users, history, store, fleetStatus, liveReadings, ingest, setPlatformPhase, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
