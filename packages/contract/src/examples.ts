import type { PayloadOf } from './codec.js';
import type { Channel } from './topics.js';

/**
 * One valid payload per channel, from vessel QT-90145-TS during a fishing night off Cồn Cỏ. They document
 * the contract for firmware authors (README, JSON Schema consumers) and are the baseline the tests mutate.
 * Plain JSON values: parse them with the channel's schema to get the branded types.
 */
export const EXAMPLE_PAYLOADS = {
  telemetry: {
    schema: 'qtled.telemetry/1',
    vesselId: 'QT-90145-TS',
    gatewayId: 'gw-7c1e9a04',
    sentAtMs: 1_717_264_860_000,
    readings: [
      {
        vesselId: 'QT-90145-TS',
        bootId: '5f0c9e2a71d84b36',
        seq: 1042,
        deviceTimeMs: 1_717_264_800_000,
        timeSource: 'gps',
        led: { powerW: 8_920.5, energyKwh: 15_204.37, lampsOn: 44, meterId: 'EM17-7360' },
        fuel: { rateLph: 6.1, totalL: 48_311.2 },
        position: {
          fix: '3d',
          lat: 17.171,
          lon: 107.402,
          speedKn: 0.4,
          headingDeg: 211,
          satellites: 9,
          hdop: 0.9,
        },
      },
      {
        vesselId: 'QT-90145-TS',
        bootId: '5f0c9e2a71d84b36',
        seq: 1043,
        deviceTimeMs: 1_717_264_860_000,
        timeSource: 'gps',
        led: { powerW: 8_903.1, energyKwh: 15_204.52, lampsOn: 44, meterId: 'EM17-7360' },
        fuel: { rateLph: 6.0, totalL: 48_311.3 },
        position: { fix: 'none' },
      },
    ],
  },
  presence: {
    schema: 'qtled.presence/1',
    state: 'online',
    vesselId: 'QT-90145-TS',
    gatewayId: 'gw-7c1e9a04',
    bootId: '5f0c9e2a71d84b36',
    firmware: '1.0.0',
    configVersion: 3,
    bootedAtMs: 1_717_200_000_000,
    connectedAtMs: 1_717_264_700_000,
  },
  heartbeat: {
    schema: 'qtled.heartbeat/1',
    vesselId: 'QT-90145-TS',
    gatewayId: 'gw-7c1e9a04',
    bootId: '5f0c9e2a71d84b36',
    atMs: 1_717_264_860_000,
    firmware: '1.0.0',
    uptimeS: 64_860,
    queue: { depth: 2, oldestUnsentAgeS: 60, bytesOnDisk: 640 },
    diskFreeBytes: 6_000_000_000,
    lastAck: { bootId: '5f0c9e2a71d84b36', throughSeq: 1041 },
    signal: { rssiDbm: -97 },
  },
  events: {
    schema: 'qtled.event/1',
    vesselId: 'QT-90145-TS',
    gatewayId: 'gw-7c1e9a04',
    bootId: '5f0c9e2a71d84b36',
    eventSeq: 7,
    atMs: 1_717_264_000_000,
    event: { type: 'sensor-fault', sensor: 'gps', detail: 'no fix for 300 s' },
  },
  ack: {
    schema: 'qtled.ack/1',
    vesselId: 'QT-90145-TS',
    atMs: 1_717_264_861_250,
    boots: [{ bootId: '5f0c9e2a71d84b36', throughSeq: 1043 }],
  },
  config: {
    schema: 'qtled.config/1',
    vesselId: 'QT-90145-TS',
    configVersion: 3,
    issuedAtMs: 1_717_000_000_000,
    sampling: { intervalS: 60 },
    heartbeat: { intervalS: 300 },
    upload: { batchMaxReadings: 200, batchMaxAgeS: 60, ackTimeoutS: 120, backfillMaxReadingsPerS: 50 },
  },
} as const satisfies Record<Channel, unknown>;

/** A deep, mutable copy of a channel's example, for building variations. */
export function examplePayload<C extends Channel>(channel: C): PayloadOf<C> {
  return structuredClone(EXAMPLE_PAYLOADS[channel]) as unknown as PayloadOf<C>;
}
