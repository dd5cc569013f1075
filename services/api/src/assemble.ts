import type { PlatformPhase } from '@qt-led/contract';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmissionsModule, type EmissionsModule } from '@qt-led/emissions';
import type { RegistrySource } from '@qt-led/fleet-registry';
import { createFleetStatusModule, type FleetStatusModule } from '@qt-led/fleet-status';
import { type MqttConnectionConfig, storeConfigFrom } from '@qt-led/infrastructure';
import type { Logger, ModuleStack } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { ApiEnv } from './config.js';
import type { ApiTls } from './deps.js';
import type { IngestOperations } from './ingest-operations.js';
import type { LiveReadings } from './live-readings.js';
import { type ApiModule, type ApiModuleConfig, createApiModule } from './module.js';
import type { EmissionsModuleConfig } from '@qt-led/emissions';
import type { FleetStatusModuleConfig } from '@qt-led/fleet-status';
import {
  createPackageSources,
  createPackagesModule,
  deliveryTargetsOf,
  loadPackagesConfig,
  type PackagesModule,
  type PackagesModuleConfig,
} from '@qt-led/partner-packages';

/** What the API side of a process needs configured: emissions, fleet status with notifiers, the API. */
export interface ApiSideConfig {
  emissions: EmissionsModuleConfig;
  fleetStatus: FleetStatusModuleConfig;
  packages: PackagesModuleConfig;
  api: ApiModuleConfig;
}

/** The partner packages' slice: the outbox, the signing key and the schedule (validated here, at start). */
function packagesConfigFrom(env: ApiEnv): PackagesModuleConfig {
  const schedule = loadPackagesConfig(env.PACKAGES_CONFIG_PATH);
  return {
    outboxDir: env.PACKAGES_OUTBOX_DIR ?? join(env.DATA_DIR, 'outbox'),
    signingKeyPath: env.PACKAGES_SIGNING_KEY_PATH ?? join(env.DATA_DIR, 'package-signing-key.pem'),
    schedule,
    // The delivery secrets are named by the schedule file and read here, with the other variables.
    deliveries: deliveryTargetsOf(schedule, process.env),
    periodic: env.PACKAGES_SCHEDULE_HERE,
  };
}

/** The API's certificate and key, read at start so that a bad path stops the process naming its variable. */
function apiTlsFrom(env: ApiEnv): ApiTls | undefined {
  if (env.API_TLS_CERT_PATH === undefined || env.API_TLS_KEY_PATH === undefined) return undefined;
  const read = (variable: 'API_TLS_CERT_PATH' | 'API_TLS_KEY_PATH', path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${variable} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        cause: error,
      });
    }
  };
  return {
    cert: read('API_TLS_CERT_PATH', env.API_TLS_CERT_PATH),
    key: read('API_TLS_KEY_PATH', env.API_TLS_KEY_PATH),
  };
}

/** The API side's slices from the validated variables (the API service and the one-command platform). */
export function apiSideConfigFrom(
  env: ApiEnv,
  placement: {
    dashboardDir: string | undefined;
    /** The broker to take live readings from when ingest runs in another process; null: none. */
    liveReadingsBroker: MqttConnectionConfig | null;
    topicRoot: string;
  },
): ApiSideConfig {
  return {
    // The emissions workers open the process's store themselves (read-only), from its configuration.
    emissions: {
      issuedReportsDir: join(env.DATA_DIR, 'issued-reports'),
      vesselDayArchivePath: join(env.DATA_DIR, 'emissions', 'vessel-days.sqlite'),
      resultArchiveDir: join(env.DATA_DIR, 'emissions', 'results'),
      store: storeConfigFrom(env, 'reader'),
      workers: env.EMISSIONS_WORKERS,
      queueLimit: env.EMISSIONS_QUEUE_LIMIT,
      timeoutMs: env.EMISSIONS_TIMEOUT_S * 1_000,
    },
    fleetStatus: {
      alarmDbPath: env.ALARM_DB_PATH ?? join(env.DATA_DIR, 'alarms.sqlite'),
      notifications: env,
      thresholds: { evaluateEveryMs: env.ALARM_EVALUATE_EVERY_S * 1_000 },
    },
    packages: packagesConfigFrom(env),
    api: {
      http: { host: env.API_HOST, port: env.API_PORT, tls: apiTlsFrom(env) },
      dashboardDir: placement.dashboardDir,
      authDbPath: env.API_AUTH_DB_PATH ?? join(env.DATA_DIR, 'api-auth.sqlite'),
      dataDir: env.DATA_DIR,
      options: {
        sessionTtlMs: env.API_SESSION_TTL_H * 3_600_000,
        loginRateLimit: { max: env.API_LOGIN_RATE_LIMIT_PER_MIN, timeWindowMs: 60_000 },
        trustProxy: env.API_TRUST_PROXY,
      },
      liveReadingsFromBroker:
        placement.liveReadingsBroker === null
          ? null
          : {
              mqtt: placement.liveReadingsBroker,
              topicRoot: placement.topicRoot,
              clientId: env.API_MQTT_CLIENT_ID,
            },
    },
  };
}

export interface ApiSide {
  emissions: EmissionsModule;
  fleetStatus: FleetStatusModule;
  packages: PackagesModule;
  api: ApiModule;
}

/**
 * Starts the API side of a process — the emissions service, fleet status with its notifiers (alarm
 * evaluation running), then the API — on the process's store and registry. Written once for the API
 * service, the one-command platform and the tests.
 */
export async function addApiSide(
  modules: ModuleStack,
  config: ApiSideConfig,
  shared: {
    logger: Logger;
    /** The world's time: receive times, statuses and periods are judged by it. */
    clock: { now(): number };
    /** Sessions' and tokens' time; default `clock` (the embedded default's world clock can be simulated). */
    sessionClock?: { now(): number };
    /** The periodic alarm evaluation starts when this resolves; default at once. */
    evaluateFrom?: Promise<void>;
    store: TelemetryStore;
    registry: RegistrySource;
    liveReadings?: LiveReadings;
    ingest?: IngestOperations;
    platformPhase?: () => PlatformPhase;
  },
): Promise<ApiSide> {
  const { logger, clock, store, registry } = shared;
  const emissions = await modules.add(
    createEmissionsModule(config.emissions, { store, registry: registry.index, clock, logger }),
  );
  const fleetStatus = await modules.add(
    createFleetStatusModule(config.fleetStatus, {
      store,
      registry: registry.index,
      clock,
      logger,
      ...(shared.evaluateFrom === undefined ? {} : { evaluateFrom: shared.evaluateFrom }),
    }),
  );
  // The partners' packages, from the same figures the API serves; in the embedded default the schedule
  // starts at "Live now", like the alarms.
  const packages = await modules.add(
    createPackagesModule(config.packages, {
      sources: createPackageSources({
        emissions: emissions.service,
        methodologies: emissions.methodologies,
        defaultMethodologyId: emissions.methodologyIds[0] ?? '',
        fleetStatus: fleetStatus.service,
      }),
      clock,
      logger,
      ...(shared.evaluateFrom === undefined ? {} : { startFrom: shared.evaluateFrom }),
    }),
  );
  const api = await modules.add(
    createApiModule(config.api, {
      logger,
      clock,
      store,
      registry,
      emissions: emissions.service,
      methodologyIds: emissions.methodologyIds,
      fleetStatus: fleetStatus.service,
      packages: packages.scheduler,
      ...(shared.liveReadings === undefined ? {} : { liveReadings: shared.liveReadings }),
      ...(shared.ingest === undefined ? {} : { ingest: shared.ingest }),
      ...(shared.platformPhase === undefined ? {} : { platformPhase: shared.platformPhase }),
      ...(shared.sessionClock === undefined ? {} : { sessionClock: shared.sessionClock }),
    }),
  );
  return { emissions, fleetStatus, packages, api };
}
