import {
  boolVar,
  checkInfluxAuth,
  checkMqttTls,
  dataEnv,
  influxEnv,
  intVar,
  loggingEnv,
  mqttEnv,
  registryEnv,
} from '@qt-led/runtime';
import { z } from 'zod';
import type { IngestOptions } from './pipeline.js';

/** Every variable the ingest service reads; `.env.example` documents each (a test checks). */
export const ingestEnvSchema = z
  .object({
    ...loggingEnv,
    ...mqttEnv,
    ...influxEnv,
    ...dataEnv,
    ...registryEnv,
    INGEST_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1–64 letters, digits, _ or -')
      .default('qtled-ingest-1'),
    INGEST_SHARE_GROUP: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -')
      .default('ingest'),
    INGEST_SHARED_SUBSCRIPTION: boolVar(true),
    /** A member of the share group offline this long is reported as a stale replica (metric and log). */
    INGEST_STALE_REPLICA_AFTER_S: intVar({ min: 1, max: 14 * 86_400, default: 300 }),
    INGEST_BATCH_MAX_READINGS: intVar({ min: 1, max: 50_000, default: 5_000 }),
    INGEST_BATCH_MAX_AGE_MS: intVar({ min: 0, max: 60_000, default: 250 }),
    INGEST_MAX_WRITES_IN_FLIGHT: intVar({ min: 1, max: 16, default: 2 }),
    INGEST_MAX_BACKLOG_DAYS: intVar({ min: 1, max: 3_650, default: 60 }),
    INGEST_ALLOW_SHORT_RETENTION: boolVar(false),
    INGEST_FUTURE_TOLERANCE_S: intVar({ min: 0, max: 86_400, default: 300 }),
    INGEST_MIN_DEVICE_TIME: z.iso
      .datetime({ message: 'expected an ISO 8601 UTC instant, e.g. 2017-01-01T00:00:00Z' })
      .default('2017-01-01T00:00:00Z'),
    INGEST_CLOCK_SKEW_TOLERANCE_S: intVar({ min: 1, max: 86_400, default: 120 }),
    INGEST_HTTP_PORT: intVar({ min: 0, max: 65_535, default: 9464 }),
    INGEST_HTTP_HOST: z.string().default('0.0.0.0'),
    INGEST_GAP_SCAN_INTERVAL_S: intVar({ min: 0, max: 86_400, default: 300 }),
    /** Tell the API's live stream in another process what was stored (compose); off: nobody listens. */
    INGEST_PUBLISH_STORED_READINGS: boolVar(true),
  })
  .superRefine(checkInfluxAuth)
  .superRefine(checkMqttTls);

export type IngestConfig = z.output<typeof ingestEnvSchema>;
export const INGEST_ENV_VARIABLES = Object.keys(ingestEnvSchema.shape);

/** Ingest's tuning as configured (the INGEST_* variables), in the units operators write them in. */
export interface IngestTuning {
  clientId: string;
  shareGroup: string;
  batchMaxReadings: number;
  batchMaxAgeMs: number;
  maxWritesInFlight: number;
  futureToleranceS: number;
  minDeviceTime: string;
  clockSkewToleranceS: number;
  gapScanIntervalS: number;
  staleReplicaAfterS: number;
}

/** The tuning the INGEST_* variables give; the ingest service and the one-command platform share it. */
export function ingestTuningFrom(
  config: Pick<
    IngestConfig,
    | 'INGEST_CLIENT_ID'
    | 'INGEST_SHARE_GROUP'
    | 'INGEST_BATCH_MAX_READINGS'
    | 'INGEST_BATCH_MAX_AGE_MS'
    | 'INGEST_MAX_WRITES_IN_FLIGHT'
    | 'INGEST_FUTURE_TOLERANCE_S'
    | 'INGEST_MIN_DEVICE_TIME'
    | 'INGEST_CLOCK_SKEW_TOLERANCE_S'
    | 'INGEST_GAP_SCAN_INTERVAL_S'
    | 'INGEST_STALE_REPLICA_AFTER_S'
  >,
): IngestTuning {
  return {
    clientId: config.INGEST_CLIENT_ID,
    shareGroup: config.INGEST_SHARE_GROUP,
    batchMaxReadings: config.INGEST_BATCH_MAX_READINGS,
    batchMaxAgeMs: config.INGEST_BATCH_MAX_AGE_MS,
    maxWritesInFlight: config.INGEST_MAX_WRITES_IN_FLIGHT,
    futureToleranceS: config.INGEST_FUTURE_TOLERANCE_S,
    minDeviceTime: config.INGEST_MIN_DEVICE_TIME,
    clockSkewToleranceS: config.INGEST_CLOCK_SKEW_TOLERANCE_S,
    gapScanIntervalS: config.INGEST_GAP_SCAN_INTERVAL_S,
    staleReplicaAfterS: config.INGEST_STALE_REPLICA_AFTER_S,
  };
}

/**
 * The pipeline's options from the tuning. `shared: false` on brokers without shared subscriptions
 * (aedes, docs/architecture.md §12).
 */
export function ingestOptionsFrom(
  tuning: IngestTuning,
  { topicRoot, shared }: { topicRoot: string; shared: boolean },
): IngestOptions {
  return {
    topicRoot,
    shareGroup: shared ? tuning.shareGroup : undefined,
    batchMaxReadings: tuning.batchMaxReadings,
    batchMaxAgeMs: tuning.batchMaxAgeMs,
    maxWritesInFlight: tuning.maxWritesInFlight,
    futureToleranceMs: tuning.futureToleranceS * 1_000,
    minDeviceTimeMs: Date.parse(tuning.minDeviceTime),
    clockSkewToleranceMs: tuning.clockSkewToleranceS * 1_000,
    retryBaseMs: 500,
    retryMaxMs: 30_000,
    gapScanIntervalMs: tuning.gapScanIntervalS * 1_000,
  };
}
