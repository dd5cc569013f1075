import {
  type BootId,
  DECODE_ERROR_CODES,
  type DeviceEvent,
  type GatewayId,
  type Heartbeat,
  type MeterId,
  type Presence,
  type Reading,
  type SeriesField,
  type VesselId,
} from '@qt-led/contract';

/**
 * A reading as the platform stores it: the gateway's reading plus what ingest learned on receipt. Both
 * clocks are kept: `deviceTimeMs` orders and keys the reading, `receivedAtMs` says when the
 * platform got it; `clockSkewMs` is the send time the gateway stamped on the batch that carried the
 * reading minus the time ingest received it: near zero for a healthy clock whatever the reading's age
 * (null when unknown).
 */
export interface StoredReading {
  vesselId: VesselId;
  gatewayId: GatewayId;
  bootId: BootId;
  seq: number;
  deviceTimeMs: number;
  receivedAtMs: number;
  clockSkewMs: number | null;
  timeSource: Reading['timeSource'] | null;
  ledPowerW: number | null;
  ledEnergyKwh: number | null;
  lampsOn: number | null;
  /** Serial of the LED meter the register was read from; null when the gateway did not say (older firmware). */
  ledMeterId: MeterId | null;
  fuelRateLph: number | null;
  fuelTotalL: number | null;
  fix: 'none' | '2d' | '3d' | 'dgps' | null;
  lat: number | null;
  lon: number | null;
  speedKn: number | null;
  headingDeg: number | null;
}

/**
 * What register-based work (emissions, completeness, the gap ledger) needs of a reading: its identity,
 * device time, both registers, the LED meter's serial and lamps on. Adapters can answer it from a covering
 * index, several times faster than whole readings for a fleet-month.
 */
export type RegisterReading = Pick<
  StoredReading,
  'vesselId' | 'bootId' | 'seq' | 'deviceTimeMs' | 'ledEnergyKwh' | 'ledMeterId' | 'fuelTotalL' | 'lampsOn'
>;

/** The numeric fields a chart or a calculation can ask a series of: the contract's one list. */
export { SERIES_FIELDS, type SeriesField } from '@qt-led/contract';

/**
 * How a field is downsampled into a bucket: instantaneous values by their mean, cumulative registers and
 * positions by the last value in the bucket (a mean of a register is meaningless).
 */
export const FIELD_AGGREGATE: Record<SeriesField, 'mean' | 'last'> = {
  ledPowerW: 'mean',
  ledEnergyKwh: 'last',
  lampsOn: 'mean',
  fuelRateLph: 'mean',
  fuelTotalL: 'last',
  speedKn: 'mean',
  lat: 'last',
  lon: 'last',
};

/** One downsampled bucket. A bucket without readings is absent, so a chart shows a gap, not a joined line. */
export interface SeriesPoint {
  tMs: number;
  values: Partial<Record<SeriesField, number | null>>;
}

/** Readings received per vessel per local day (the day starts at local midnight, `dayStartMs` in UTC). */
export interface DailyCount {
  vesselId: VesselId;
  dayStartMs: number;
  readings: number;
}

/** Why a message or a reading was set aside; the first six are the contract's decode codes. */
export const DEAD_LETTER_REASONS = [
  ...DECODE_ERROR_CODES,
  'unknown-vessel',
  'gateway-mismatch',
  'time-before-epoch-floor',
  'time-in-future',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A message (or the readings of one) that ingest refused, kept whole so an operator can inspect and replay it. */
export interface DeadLetter {
  id: string;
  receivedAtMs: number;
  topic: string;
  reason: DeadLetterReason;
  message: string;
  /** The payload exactly as received (UTF-8 text; invalid UTF-8 is kept as base64 with `payloadEncoding`). */
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  payloadBytes: number;
  replayedAtMs: number | null;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'replayedAtMs'>;

export interface DeadLetterQuery {
  reason?: DeadLetterReason;
  /** Only letters received before this instant (paging backwards through time). */
  beforeMs?: number;
  includeReplayed?: boolean;
  limit: number;
}

/**
 * What a gateway says about itself besides its readings, as stored: the retained presence (birth and last
 * will), heartbeats (queue depth, oldest unsent reading) and device events (boot, sensor faults, meter
 * replaced, clock adjusted...). The status service reads them to tell "out of coverage" from "faulty", and
 * the emissions service reads meter replacements. `atMs` is the gateway's time for heartbeats and events
 * and the receive time for presence (a presence message carries no time of its own when it is a last will).
 */
export type StoredDeviceMessage =
  | (DeviceMessageIdentity & { kind: 'presence'; payload: Presence })
  | (DeviceMessageIdentity & { kind: 'heartbeat'; payload: Heartbeat })
  | (DeviceMessageIdentity & { kind: 'event'; payload: DeviceEvent });

export interface DeviceMessageIdentity {
  vesselId: VesselId;
  gatewayId: GatewayId;
  bootId: BootId;
  atMs: number;
  receivedAtMs: number;
}

export type DeviceMessageKind = StoredDeviceMessage['kind'];
export const DEVICE_MESSAGE_KINDS = [
  'presence',
  'heartbeat',
  'event',
] as const satisfies readonly DeviceMessageKind[];

export interface DeviceMessageQuery {
  vesselId?: VesselId;
  kinds?: readonly DeviceMessageKind[];
  /** `fromMs <= atMs < toMs`. */
  fromMs: number;
  toMs: number;
  limit?: number;
}
