import { alarmNotificationEnv, checkAlarmNotificationEnv } from '@qt-led/fleet-status';
import {
  boolVar,
  checkInfluxAuth,
  checkMqttTls,
  dataEnv,
  influxEnv,
  intVar,
  type loadConfig,
  loggingEnv,
  mqttEnv,
  registryEnv,
} from '@qt-led/runtime';
import { z } from 'zod';

/** HTTPS needs both the certificate and its key; one alone is a mistake, not plain HTTP. */
export function checkApiTls(
  env: { API_TLS_CERT_PATH?: string | undefined; API_TLS_KEY_PATH?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if ((env.API_TLS_CERT_PATH === undefined) !== (env.API_TLS_KEY_PATH === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.API_TLS_CERT_PATH === undefined ? 'API_TLS_CERT_PATH' : 'API_TLS_KEY_PATH'],
      message: 'API_TLS_CERT_PATH and API_TLS_KEY_PATH go together',
    });
  }
}

/** Every variable the API process reads (`main.ts`); `.env.example` documents each. */
export const apiEnvSchema = z
  .object({
    ...loggingEnv,
    ...influxEnv,
    ...dataEnv,
    ...registryEnv,
    // The broker, for the live stream's readings from ingest (unset: no `reading` events under compose).
    ...mqttEnv,
    ...alarmNotificationEnv,
    API_HOST: z.string().min(1).default('0.0.0.0'),
    API_PORT: intVar({ min: 0, max: 65_535, default: 8080 }),
    /** Default `<DATA_DIR>/api-auth.sqlite`. */
    API_AUTH_DB_PATH: z.string().min(1).optional(),
    /** The built dashboard to serve at `/`; unset: API only. */
    API_DASHBOARD_DIR: z.string().min(1).optional(),
    API_SESSION_TTL_H: intVar({ min: 1, max: 24 * 30, default: 12 }),
    API_LOGIN_RATE_LIMIT_PER_MIN: intVar({ min: 1, max: 10_000, default: 10 }),
    API_TRUST_PROXY: boolVar(false),
    /**
     * HTTPS: the server certificate (PEM, with any intermediates after it) and its key. Unset: plain HTTP,
     * for loopback or behind a TLS-terminating proxy only.
     */
    API_TLS_CERT_PATH: z.string().min(1).optional(),
    API_TLS_KEY_PATH: z.string().min(1).optional(),
    /** The API's MQTT client id (live readings); unique per API replica. */
    API_MQTT_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1–64 letters, digits, _ or -')
      .default('qtled-api-1'),
    /** How often statuses and alarms are evaluated (and notified). */
    ALARM_EVALUATE_EVERY_S: intVar({ min: 1, max: 3_600, default: 60 }),
    /** Alarm database of the fleet status service; default `<DATA_DIR>/alarms.sqlite`. */
    ALARM_DB_PATH: z.string().min(1).optional(),
    /** Worker threads computing emissions reports, i.e. reports computed at once (each may use a core). */
    EMISSIONS_WORKERS: intVar({ min: 1, max: 16, default: 1 }),
    /** Reports that may wait for a worker; one more is answered 503 EMISSIONS_BUSY with Retry-After. */
    EMISSIONS_QUEUE_LIMIT: intVar({ min: 0, max: 1_000, default: 8 }),
    /** A report still computing after this long is stopped (its worker replaced) and fails with 503. */
    EMISSIONS_TIMEOUT_S: intVar({ min: 1, max: 3_600, default: 300 }),
    /** The partners' package schedule (JSON, see docs); default NEDO and Stanley Electric monthly, in Japanese. */
    PACKAGES_CONFIG_PATH: z.string().min(1).optional(),
    /** Where issued packages are kept and served from; default `<DATA_DIR>/outbox`. */
    PACKAGES_OUTBOX_DIR: z.string().min(1).optional(),
    /** The Ed25519 package-signing key (PKCS#8 PEM); default `<DATA_DIR>/package-signing-key.pem`, made on first start. */
    PACKAGES_SIGNING_KEY_PATH: z.string().min(1).optional(),
    /** Run the package schedule in this process (false: the scheduler process runs it; this one serves). */
    PACKAGES_SCHEDULE_HERE: boolVar(true),
  })
  .superRefine(checkInfluxAuth)
  .superRefine(checkMqttTls)
  .superRefine(checkApiTls)
  .superRefine(checkAlarmNotificationEnv);

export type ApiConfig = z.output<typeof apiEnvSchema>;
/** The API's variables as `loadConfig` hands them over: validated and frozen. */
export type ApiEnv = ReturnType<typeof loadConfig<typeof apiEnvSchema>>;
export const API_ENV_VARIABLES = Object.keys(apiEnvSchema.shape);
