import { apiEnvSchema, checkApiTls } from '@qt-led/api';
import { checkAlarmNotificationEnv } from '@qt-led/fleet-status';
import { ingestEnvSchema } from '@qt-led/ingest';
import { boolVar, checkInfluxAuth, checkMqttTls, intVar } from '@qt-led/runtime';
import { z } from 'zod';

// The platform's HTTP port is the API's; ingest's operator endpoints are not served in this process.
const {
  INGEST_HTTP_HOST: _ingestHost,
  INGEST_HTTP_PORT: _ingestPort,
  ...ingestShape
} = ingestEnvSchema.shape;

/**
 * Every variable the one-command platform reads: the shared ones, ingest's and the API's (both run in this
 * process) and its own. `.env.example` documents each (a test checks).
 */
export const platformEnvSchema = z
  .object({
    ...ingestShape,
    ...apiEnvSchema.shape,
    // In-process the write is a local commit, and the boats move on only once acknowledged (the world
    // clock's lock step): 0 writes what one read of the sockets brought, at the end of that event-loop turn.
    // The ingest service: 250.
    INGEST_BATCH_MAX_AGE_MS: intVar({ min: 0, max: 60_000, default: 0 }),
    // Loopback unless opened on purpose: a newcomer's `npm start` is not published to the network.
    API_HOST: z.string().min(1).default('127.0.0.1'),
    /** The embedded MQTT broker (MQTT_URL unset): where gateways outside this process connect. */
    PLATFORM_BROKER_HOST: z.string().min(1).default('127.0.0.1'),
    PLATFORM_BROKER_PORT: intVar({ min: 0, max: 65_535, default: 1883 }),
    /** Simulated seconds per real second for the whole platform; 1 is real time. */
    PLATFORM_SPEED: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'expected a positive number, e.g. 1 or 60')
      .transform(Number)
      .pipe(z.number().positive('expected a positive number, e.g. 1 or 60').max(100_000, 'at most 100000'))
      .optional()
      .transform((v) => v ?? 1),
    /** The simulated fleet: false for a platform that serves real boats only. */
    FLEET_SIMULATION: boolVar(true),
    FLEET_SIM_VESSELS: intVar({ min: 1, max: 1_000, default: 40 }),
    FLEET_SIM_HISTORY_DAYS: intVar({ min: 0, max: 366, default: 30 }),
    FLEET_SIM_SEED: intVar({ min: 0, max: 2_147_483_647, default: 1 }),
    FLEET_SIM_FAULTS: z.string().min(1).default('realistic'),
    /** JSON keyed by gateway id, `{ "gw-c3d2c914": { "username": …, "password": … } }` (deploy/mosquitto). */
    FLEET_SIM_CREDENTIALS_PATH: z.string().min(1).optional(),
  })
  .superRefine(checkInfluxAuth)
  .superRefine(checkMqttTls)
  .superRefine(checkApiTls)
  .superRefine(checkAlarmNotificationEnv);

export type PlatformConfig = z.output<typeof platformEnvSchema>;
export const PLATFORM_ENV_VARIABLES = Object.keys(platformEnvSchema.shape);
