import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { apiSideConfigFrom } from '@qt-led/api';
import { ingestTuningFrom } from '@qt-led/ingest';
import { mqttConnectionFrom, storeConfigFrom } from '@qt-led/infrastructure';
import { type Logger, type loadConfig, registryLivePath } from '@qt-led/runtime';
import { z } from 'zod';
import type { platformEnvSchema } from './config.js';
import type { PlatformOptions } from './platform.js';

/** The platform's variables as `loadConfig` hands them over: validated and frozen. */
export type PlatformEnv = ReturnType<typeof loadConfig<typeof platformEnvSchema>>;

const GatewayCredentials = z.record(
  z.string(),
  z.object({ username: z.string().min(1), password: z.string().min(1) }),
);

function readCredentials(path: string): z.infer<typeof GatewayCredentials> {
  const parsed = GatewayCredentials.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`FLEET_SIM_CREDENTIALS_PATH ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Every module's slice from the platform's variables: what `npm start` runs, and what the tests run when
 * they start the platform as a user would.
 */
export function platformOptionsFrom(
  config: PlatformEnv,
  placement: { logger: Logger; dashboardDir: string | undefined },
): PlatformOptions {
  const dataDir = resolve(config.DATA_DIR);
  const env = { ...config, DATA_DIR: dataDir };
  return {
    dataDir,
    broker:
      config.MQTT_URL === undefined
        ? undefined
        : mqttConnectionFrom({ ...config, MQTT_URL: config.MQTT_URL }),
    embeddedBroker: {
      host: config.PLATFORM_BROKER_HOST,
      port: config.PLATFORM_BROKER_PORT,
      fallbackToFreePort: true,
    },
    store: storeConfigFrom(env, 'writer'),
    topicRoot: config.MQTT_TOPIC_ROOT,
    registryPath: config.FLEET_REGISTRY_PATH,
    registryLivePath: registryLivePath(env),
    ingest: ingestTuningFrom(config),
    apiSide: apiSideConfigFrom(env, {
      dashboardDir: placement.dashboardDir,
      // Ingest runs in this process and hands the live stream its readings in memory.
      liveReadingsBroker: null,
      topicRoot: config.MQTT_TOPIC_ROOT,
    }),
    fleet: config.FLEET_SIMULATION
      ? {
          vessels: config.FLEET_SIM_VESSELS,
          historyDays: config.FLEET_SIM_HISTORY_DAYS,
          seed: config.FLEET_SIM_SEED,
          faults: config.FLEET_SIM_FAULTS,
          ...(config.FLEET_SIM_CREDENTIALS_PATH === undefined
            ? {}
            : { credentials: readCredentials(config.FLEET_SIM_CREDENTIALS_PATH) }),
        }
      : false,
    speed: config.PLATFORM_SPEED,
    logger: placement.logger,
  };
}
