#!/usr/bin/env node
// The API process on its own (docker-compose): reads its configuration, opens the store (InfluxDB when
// INFLUX_URL is set, else the SQLite file under DATA_DIR), wires the emissions and fleet status services,
// serves, and stops gracefully on SIGTERM/SIGINT. The one-command platform calls `buildApi` directly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEmissionsService, fileIssuedReportStore } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetStatusService } from '@qt-led/fleet-status';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from '@qt-led/jcm';
import { ConfigError, createLogger, loadConfig, redactUrl } from '@qt-led/runtime';
import { createInfluxStore, createSqliteStore, type TelemetryStore } from '@qt-led/store';
import { buildApi } from './app.js';
import { apiEnvSchema } from './config.js';
import { createRegistryHolder } from './registry-holder.js';
import { REGISTRY_FILE } from './routes/registry.js';

const config = (() => {
  try {
    return loadConfig('api', apiEnvSchema, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
})();
const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });

async function main(): Promise<void> {
  // An admin's upload (PUT /api/v1/registry) outlives restarts: it wins over the configured file.
  const uploaded = join(config.DATA_DIR, REGISTRY_FILE);
  const registryPath = existsSync(uploaded) ? uploaded : config.FLEET_REGISTRY_PATH;
  const registry = createRegistryHolder(loadFleetRegistry(registryPath));
  const store: TelemetryStore =
    config.INFLUX_URL === undefined
      ? createSqliteStore({ path: join(config.DATA_DIR, 'telemetry.sqlite') })
      : await createInfluxStore({
          url: config.INFLUX_URL,
          database: config.INFLUX_DATABASE,
          // Ingest owns the retention check; the API only reads.
          minRetentionDays: 1,
          allowShortRetention: true,
          onWarning: (message) => logger.warn(message),
          ...(config.INFLUX_TOKEN === undefined ? {} : { token: config.INFLUX_TOKEN }),
          ...(config.INFLUX_USERNAME === undefined ? {} : { username: config.INFLUX_USERNAME }),
          ...(config.INFLUX_PASSWORD === undefined ? {} : { password: config.INFLUX_PASSWORD }),
        });
  const clock = { now: () => Date.now() };
  const emissions = createEmissionsService({
    store,
    registry: registry.index,
    methodologies: new Map(BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)])),
    issued: fileIssuedReportStore(join(config.DATA_DIR, 'issued-reports')),
    clock,
  });
  const fleetStatus = createFleetStatusService({
    store,
    registry: registry.index,
    alarmDbPath: config.ALARM_DB_PATH ?? join(config.DATA_DIR, 'alarms.sqlite'),
    clock,
    logger,
  });
  const app = await buildApi({
    store,
    registry,
    emissions,
    fleetStatus,
    authDbPath: config.API_AUTH_DB_PATH ?? join(config.DATA_DIR, 'api-auth.sqlite'),
    dataDir: config.DATA_DIR,
    ...(config.API_DASHBOARD_DIR === undefined ? {} : { dashboardDir: config.API_DASHBOARD_DIR }),
    logger,
    clock,
    options: {
      sessionTtlMs: config.API_SESSION_TTL_H * 3_600_000,
      loginRateLimit: { max: config.API_LOGIN_RATE_LIMIT_PER_MIN, timeWindowMs: 60_000 },
      trustProxy: config.API_TRUST_PROXY,
    },
  });
  fleetStatus.start();
  const address = await app.listen({ host: config.API_HOST, port: config.API_PORT });
  logger.info(
    {
      address,
      store: store.kind,
      influx: config.INFLUX_URL === undefined ? undefined : redactUrl(config.INFLUX_URL),
      registry: registryPath ?? 'packaged',
    },
    `API listening on ${address} (OpenAPI at /api/openapi.json, docs at /api/docs)`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app
      .close()
      .then(() => fleetStatus.stop())
      .then(() => store.close())
      .then(() => {
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.fatal({ err: error }, 'unclean stop');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'API failed to start');
  process.exitCode = 1;
});
