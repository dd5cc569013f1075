import { boolVar, checkInfluxAuth, dataEnv, influxEnv, intVar, loggingEnv } from '@qt-led/runtime';
import { z } from 'zod';

/** Every variable the API process reads (`main.ts`); `.env.example` documents each. */
export const apiEnvSchema = z
  .object({
    ...loggingEnv,
    ...influxEnv,
    ...dataEnv,
    API_HOST: z.string().min(1).default('0.0.0.0'),
    API_PORT: intVar({ min: 0, max: 65_535, default: 8080 }),
    /** Default `<DATA_DIR>/api-auth.sqlite`. */
    API_AUTH_DB_PATH: z.string().min(1).optional(),
    /** The built dashboard to serve at `/`; unset: API only. */
    API_DASHBOARD_DIR: z.string().min(1).optional(),
    API_SESSION_TTL_H: intVar({ min: 1, max: 24 * 30, default: 12 }),
    API_LOGIN_RATE_LIMIT_PER_MIN: intVar({ min: 1, max: 10_000, default: 10 }),
    API_TRUST_PROXY: boolVar(false),
    /** Registry used when `<DATA_DIR>/fleet-registry.json` (written by admin uploads) does not exist yet. */
    FLEET_REGISTRY_PATH: z.string().min(1).optional(),
    /** Alarm database of the fleet status service; default `<DATA_DIR>/alarms.sqlite`. */
    ALARM_DB_PATH: z.string().min(1).optional(),
  })
  .superRefine(checkInfluxAuth);

export type ApiConfig = z.output<typeof apiEnvSchema>;
export const API_ENV_VARIABLES = Object.keys(apiEnvSchema.shape);
