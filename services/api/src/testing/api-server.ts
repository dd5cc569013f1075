import { join } from 'node:path';
import type { PlatformPhase } from '@qt-led/contract';
import { createRegistrySource, type RegistrySource } from '@qt-led/fleet-registry';
import type { FleetStatusConfig, FleetStatusServiceImpl } from '@qt-led/fleet-status';
import { createStoreModule } from '@qt-led/infrastructure';
import { type EnvSource, type Logger, loadConfig, REGISTRY_LIVE_FILE, startModules } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { FastifyInstance } from 'fastify';
import { addApiSide, apiSideConfigFrom } from '../assemble.js';
import { apiEnvSchema } from '../config.js';
import type { ApiOptions } from '../deps.js';
import type { IngestOperations } from '../ingest-operations.js';
import { createLiveReadingsHub, type LiveReadingsHub } from '../live-readings.js';

export interface ApiTestServer {
  app: FastifyInstance;
  url: string;
  store: TelemetryStore;
  registry: RegistrySource;
  fleetStatus: FleetStatusServiceImpl;
  live: LiveReadingsHub;
  stop(): Promise<void>;
}

/**
 * The API process as its `main.ts` assembles it — the same modules, configured from variables through the
 * API's own schema — on an SQLite store under `dataDir` that `seed` fills before the services start, on a
 * free loopback port. The one API test server of the unit, integration and browser tests.
 */
export async function startApiTestServer(options: {
  dataDir: string;
  logger: Logger;
  clock: { now(): number };
  /** Fills the store before the services start. */
  seed?: (store: TelemetryStore) => Promise<void>;
  /** More variables, as an operator would set them (e.g. ALARM_WEBHOOK_URL). */
  env?: EnvSource;
  dashboardDir?: string;
  fleetStatus?: Partial<FleetStatusConfig>;
  api?: Partial<ApiOptions>;
  ingest?: IngestOperations;
  /** What `GET /api/v1/platform` answers (a simulated fleet loading its history); live without it. */
  platformPhase?: () => PlatformPhase;
}): Promise<ApiTestServer> {
  const env = loadConfig('api-test', apiEnvSchema, {
    DATA_DIR: options.dataDir,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    ...options.env,
  });
  const config = apiSideConfigFrom(env, {
    dashboardDir: options.dashboardDir,
    liveReadingsBroker: null,
    topicRoot: env.MQTT_TOPIC_ROOT,
  });
  const live = createLiveReadingsHub();
  const { logger, clock } = options;
  const modules = await startModules(logger, async (stack) => {
    const { store } = await stack.add(
      createStoreModule({ kind: 'sqlite', path: join(options.dataDir, 'telemetry.sqlite') }, { logger }),
    );
    await options.seed?.(store);
    const registry = await stack.add(
      createRegistrySource({ livePath: join(options.dataDir, REGISTRY_LIVE_FILE) }),
    );
    const side = await addApiSide(
      stack,
      {
        ...config,
        fleetStatus: {
          ...config.fleetStatus,
          thresholds: { ...config.fleetStatus.thresholds, ...options.fleetStatus },
        },
        api: { ...config.api, options: { ...config.api.options, ...options.api } },
      },
      {
        logger,
        clock,
        store,
        registry,
        liveReadings: live,
        ...(options.ingest === undefined ? {} : { ingest: options.ingest }),
        ...(options.platformPhase === undefined ? {} : { platformPhase: options.platformPhase }),
      },
    );
    return { store, registry, side };
  });
  const parts = modules.assembled;
  const { side } = parts;
  return {
    app: side.api.app,
    url: side.api.url,
    store: parts.store,
    registry: parts.registry,
    fleetStatus: side.fleetStatus.service,
    live,
    stop: () => modules.stop(),
  };
}
