import type { GatewayConfig } from '@qt-led/contract';

/** The downlink-configurable settings (the contract's GatewayConfig without its envelope). */
export interface GatewaySettings {
  /** 0 = factory settings, never configured from the platform. */
  configVersion: number;
  sampling: { intervalS: number };
  heartbeat: { intervalS: number };
  upload: {
    batchMaxReadings: number;
    batchMaxAgeS: number;
    ackTimeoutS: number;
    backfillMaxReadingsPerS: number;
  };
}

/**
 * Factory settings.
 * - Sampling every 60 s: lamp switching, a lamp failure and the start and end of a night are resolved to
 *   the minute (lamp-on hours to ±0.2 % of a 9 h night), while the energy itself comes from the meter's
 *   register and needs no fine sampling. 1,440 readings a day is ~0.4 MB of JSON: a 10-day trip is ~4 MB
 *   on disk and ~11 MB a month over the mobile network, and far above the VMS rule of ≥ 12 positions a
 *   day.
 * - Live batches leave after at most 300 s (5 readings): a boat in port needs no per-minute pushes, and
 *   batching cuts per-message overhead (headers, topic, PUBACK, ack) and radio wake-ups; presence and the
 *   heartbeat carry liveness.
 * - The backlog is sent at ≤ 100 readings/s: a 10-day backlog (14,400 readings) drains in under 3 min,
 *   and 40 boats coming home together offer ≤ 4,000 readings/s to ingest.
 * - Unacknowledged readings are resent after 120 s.
 */
export const FACTORY_SETTINGS: GatewaySettings = {
  configVersion: 0,
  sampling: { intervalS: 60 },
  heartbeat: { intervalS: 300 },
  upload: { batchMaxReadings: 500, batchMaxAgeS: 300, ackTimeoutS: 120, backfillMaxReadingsPerS: 100 },
};

/** Settings from a validated downlink config. */
export function settingsFromConfig(config: GatewayConfig): GatewaySettings {
  return {
    configVersion: config.configVersion,
    sampling: { ...config.sampling },
    heartbeat: { ...config.heartbeat },
    upload: { ...config.upload },
  };
}
