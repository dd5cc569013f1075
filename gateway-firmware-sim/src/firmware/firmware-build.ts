import { MAX_READINGS_PER_BATCH } from '@qt-led/contract';

export const FIRMWARE_VERSION = '1.0.0';

/** Tuning that is not part of the downlink config: fixed per firmware build. */
export interface GatewayTuning {
  /** Readings published and not yet acknowledged, at most; more waits for acks (never outruns ingest). */
  maxInFlightReadings: number;
  /** Step the wall clock to GPS time when they differ by more than this. */
  clockStepThresholdMs: number;
  /** Report the GPS as faulty after this long without a fix. */
  gpsFaultAfterS: number;
  /** Below this much free disk, the oldest readings are dropped (the registers keep the energy). */
  minFreeDiskBytes: number;
  keepaliveS: number;
}

export const DEFAULT_TUNING: GatewayTuning = {
  maxInFlightReadings: 2 * MAX_READINGS_PER_BATCH,
  clockStepThresholdMs: 2_000,
  gpsFaultAfterS: 300,
  minFreeDiskBytes: 50 * 1024 * 1024,
  keepaliveS: 60,
};
