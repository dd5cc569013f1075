import { join } from 'node:path';
import { z } from 'zod';
import { enumVar, secretVar, urlVar } from './config.js';

/**
 * Variables shared by several processes. Each service composes its schema from these fragments and its
 * own variables, so that one name means one thing across the platform and in `.env.example`.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const loggingEnv = {
  LOG_LEVEL: enumVar(LOG_LEVELS, 'info'),
};

export const mqttEnv = {
  /** Unset: the platform runs its embedded broker. */
  MQTT_URL: urlVar(['mqtt', 'mqtts', 'ws', 'wss']).optional(),
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD: secretVar().optional(),
  /**
   * TLS to the broker (`mqtts://`, `wss://`): the CA that signed the broker's certificate (PEM; unset: the
   * system's CAs), and this client's certificate and key when the broker requires one.
   */
  MQTT_CA_PATH: z.string().min(1).optional(),
  MQTT_CERT_PATH: z.string().min(1).optional(),
  MQTT_KEY_PATH: z.string().min(1).optional(),
  MQTT_TOPIC_ROOT: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/,
      'expected topic segments of letters, digits, _ and -, e.g. qtled',
    )
    .default('qtled'),
};

export const influxEnv = {
  /** Unset: the platform stores into its embedded SQLite file under DATA_DIR. */
  INFLUX_URL: urlVar(['http', 'https']).optional(),
  INFLUX_DATABASE: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]+$/,
      'expected a database (1.x) or bucket (2.x/3.x) name of letters, digits, _ and -',
    )
    .default('qtled'),
  INFLUX_TOKEN: secretVar().optional(),
  INFLUX_USERNAME: z.string().min(1).optional(),
  INFLUX_PASSWORD: secretVar().optional(),
};

export const dataEnv = {
  DATA_DIR: z.string().min(1).default('./data'),
};

/**
 * The fleet registry. `FLEET_REGISTRY_PATH` is the one to start from; `FLEET_REGISTRY_LIVE_PATH` is the
 * registry in force, written by an admin's upload and watched by every process that shares it (under
 * compose, a volume mounted into the API and ingest), so an upload reaches ingest without a restart.
 */
export const registryEnv = {
  /** Used while no upload exists yet; unset: the registry packaged with the platform. */
  FLEET_REGISTRY_PATH: z.string().min(1).optional(),
  /** Default `<DATA_DIR>/fleet-registry.json`. */
  FLEET_REGISTRY_LIVE_PATH: z.string().min(1).optional(),
};

/** The registry in force under DATA_DIR unless FLEET_REGISTRY_LIVE_PATH says otherwise. */
export const REGISTRY_LIVE_FILE = 'fleet-registry.json';

/** Where the registry in force lives (see {@link registryEnv}). */
export function registryLivePath(env: {
  DATA_DIR: string;
  FLEET_REGISTRY_LIVE_PATH?: string | undefined;
}): string {
  return env.FLEET_REGISTRY_LIVE_PATH ?? join(env.DATA_DIR, REGISTRY_LIVE_FILE);
}

/**
 * Cross-variable rules for the broker's TLS: a client certificate needs its key, and TLS files with a
 * plain `mqtt://` URL are refused rather than ignored, since the operator expects an encrypted link.
 */
export function checkMqttTls(
  env: {
    MQTT_URL?: string | undefined;
    MQTT_CA_PATH?: string | undefined;
    MQTT_CERT_PATH?: string | undefined;
    MQTT_KEY_PATH?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if ((env.MQTT_CERT_PATH === undefined) !== (env.MQTT_KEY_PATH === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.MQTT_CERT_PATH === undefined ? 'MQTT_CERT_PATH' : 'MQTT_KEY_PATH'],
      message: 'MQTT_CERT_PATH and MQTT_KEY_PATH go together',
    });
  }
  const tlsFile = (['MQTT_CA_PATH', 'MQTT_CERT_PATH', 'MQTT_KEY_PATH'] as const).find(
    (name) => env[name] !== undefined,
  );
  if (tlsFile !== undefined && !/^(mqtts|wss):/.test(env.MQTT_URL ?? '')) {
    ctx.addIssue({
      code: 'custom',
      path: [tlsFile],
      message: `${tlsFile} needs a TLS broker URL: set MQTT_URL to mqtts://host:8883 (or wss://)`,
    });
  }
}

/** Cross-variable rules for the InfluxDB fragment: one way to authenticate, and only both halves of it. */
export function checkInfluxAuth(
  env: {
    INFLUX_TOKEN?: string | undefined;
    INFLUX_USERNAME?: string | undefined;
    INFLUX_PASSWORD?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (
    env.INFLUX_TOKEN !== undefined &&
    (env.INFLUX_USERNAME !== undefined || env.INFLUX_PASSWORD !== undefined)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['INFLUX_TOKEN'],
      message: 'set either INFLUX_TOKEN (2.x/3.x) or INFLUX_USERNAME and INFLUX_PASSWORD (1.x), not both',
    });
  }
  if ((env.INFLUX_USERNAME === undefined) !== (env.INFLUX_PASSWORD === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.INFLUX_USERNAME === undefined ? 'INFLUX_USERNAME' : 'INFLUX_PASSWORD'],
      message: 'INFLUX_USERNAME and INFLUX_PASSWORD go together',
    });
  }
}

/** Every variable the shared fragments define; `.env.example` must document each (a test checks). */
export const SHARED_ENV_VARIABLES = Object.keys({
  ...loggingEnv,
  ...mqttEnv,
  ...influxEnv,
  ...dataEnv,
  ...registryEnv,
});
