#!/usr/bin/env node
// The ingest process: reads its configuration, wires the store, the broker and the pipeline, serves
// metrics and the dead-letter store, and stops gracefully on SIGTERM/SIGINT.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { ConfigError, createLogger, loadConfig, redactUrl } from '@qt-led/runtime';
import { createInfluxStore, createSqliteStore, type TelemetryStore } from '@qt-led/store';
import mqtt from 'mqtt';
import { ingestEnvSchema, ingestOptionsFrom, ingestTuningFrom } from './config.js';
import { createOperatorServer } from './http.js';
import { createIngestMetrics } from './metrics.js';
import { createIngest } from './pipeline.js';
import { openSpool } from './spool.js';

const config = (() => {
  try {
    return loadConfig('ingest', ingestEnvSchema, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
})();
const logger = createLogger({ name: 'ingest', level: config.LOG_LEVEL });

async function main(): Promise<void> {
  const brokerUrl = config.MQTT_URL;
  if (brokerUrl === undefined) {
    throw new Error(
      'MQTT_URL is not set: the ingest service needs a broker, e.g. MQTT_URL=mqtt://127.0.0.1:1883',
    );
  }
  const registry = loadFleetRegistry(config.FLEET_REGISTRY_PATH);
  const store: TelemetryStore =
    config.INFLUX_URL === undefined
      ? createSqliteStore({ path: join(config.DATA_DIR, 'telemetry.sqlite') })
      : await createInfluxStore({
          url: config.INFLUX_URL,
          database: config.INFLUX_DATABASE,
          minRetentionDays: config.INGEST_MAX_BACKLOG_DAYS,
          allowShortRetention: config.INGEST_ALLOW_SHORT_RETENTION,
          createDatabase: true,
          onWarning: (message) => logger.warn(message),
          ...(config.INFLUX_TOKEN === undefined ? {} : { token: config.INFLUX_TOKEN }),
          ...(config.INFLUX_USERNAME === undefined ? {} : { username: config.INFLUX_USERNAME }),
          ...(config.INFLUX_PASSWORD === undefined ? {} : { password: config.INFLUX_PASSWORD }),
        });
  const spool = openSpool(join(config.DATA_DIR, `ingest-spool-${config.INGEST_CLIENT_ID}.sqlite`));
  const metrics = createIngestMetrics();
  const client = await mqtt.connectAsync(brokerUrl, {
    clientId: config.INGEST_CLIENT_ID,
    clean: false,
    protocolVersion: 5,
    // Persistent session: the broker queues telemetry while ingest is down (design.md §1).
    properties: { sessionExpiryInterval: 14 * 86_400 },
    reconnectPeriod: 2_000,
    ...(config.MQTT_USERNAME === undefined ? {} : { username: config.MQTT_USERNAME }),
    ...(config.MQTT_PASSWORD === undefined ? {} : { password: config.MQTT_PASSWORD }),
  });
  logger.info({ broker: redactUrl(brokerUrl), store: store.kind, host: hostname() }, 'connected');
  const ingest = createIngest({
    mqtt: client,
    store,
    registry,
    spool,
    clock: { now: () => Date.now() },
    logger,
    metrics,
    options: ingestOptionsFrom(ingestTuningFrom(config), {
      topicRoot: config.MQTT_TOPIC_ROOT,
      shared: config.INGEST_SHARED_SUBSCRIPTION,
    }),
  });
  await ingest.start();
  const server = createOperatorServer({ ingest, store, metrics });
  server.listen(config.INGEST_HTTP_PORT, config.INGEST_HTTP_HOST, () => {
    logger.info(
      { port: config.INGEST_HTTP_PORT },
      'operator endpoints: /metrics /healthz /readyz /dead-letters',
    );
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: flushing batches in flight');
    server.close();
    ingest
      .stop()
      .then(() => store.close())
      .then(() => {
        spool.close();
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
  logger.fatal({ err: error }, 'ingest failed to start');
  process.exitCode = 1;
});
