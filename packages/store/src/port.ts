import type { VesselId } from '@qt-led/contract';
import type {
  DailyCount,
  DeadLetter,
  DeadLetterQuery,
  DeviceMessageKind,
  DeviceMessageQuery,
  RegisterReading,
  NewDeadLetter,
  SeriesField,
  SeriesPoint,
  StoredDeviceMessage,
  StoredReading,
} from './model.js';

/**
 * The storage port: everything the platform stores and asks of its telemetry. Two adapters implement it —
 * InfluxDB (`@qt-led/store-influx`, production) and embedded SQLite (`@qt-led/store-sqlite`, the
 * zero-setup default) — and one contract test suite (`@qt-led/store/testing`) runs against both, so the
 * rest of the platform cannot tell them apart.
 */
export interface TelemetryStore {
  readonly kind: 'influxdb' | 'sqlite';
  /**
   * Idempotent: a reading already stored (same vessel, boot and seq) is stored once, whatever the order
   * and number of deliveries. Resolves only when the readings are durable; rejects with a
   * `StoreUnavailableError` when retrying may help. A re-delivered reading keeps the receive time of its
   * first delivery (SQLite) or takes that of the last (InfluxDB overwrites fields of the same point).
   */
  writeReadings(readings: readonly StoredReading[]): Promise<void>;
  /**
   * The newest reading of each vessel (by device time, then seq); one index seek per vessel. With
   * `vesselId`, only that vessel's (one seek; empty when it has none).
   */
  latestByVessel(vesselId?: VesselId): Promise<StoredReading[]>;
  /** Raw readings of one vessel with `fromMs <= deviceTimeMs < toMs`, ordered by device time then seq. */
  readings(vesselId: VesselId, fromMs: number, toMs: number, limit?: number): Promise<StoredReading[]>;
  /** The same readings as `readings`, only what register-based calculations need (see RegisterReading). */
  registerReadings(
    vesselId: VesselId,
    fromMs: number,
    toMs: number,
    limit?: number,
  ): Promise<RegisterReading[]>;
  /** Downsampled series: buckets of `stepMs` aligned to the epoch; empty buckets absent. */
  series(
    vesselId: VesselId,
    fields: readonly SeriesField[],
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<SeriesPoint[]>;
  /** Readings per vessel per day, days starting at local midnight of a zone `utcOffsetMinutes` east of UTC. */
  dailyCounts(fromMs: number, toMs: number, utcOffsetMinutes: number): Promise<DailyCount[]>;
  /**
   * How many readings are stored (of one vessel, or all), optionally only those with
   * `fromMs <= deviceTimeMs < toMs`. Cheap over an index: the fleet status service compares it with the
   * readings it holds to notice readings stored without it being told.
   */
  countReadings(vesselId?: VesselId, range?: { fromMs: number; toMs: number }): Promise<number>;

  /**
   * Idempotent like readings: an event is keyed by (vessel, boot, eventSeq), a heartbeat by (vessel, boot,
   * atMs), a presence message by (vessel, receive time, state).
   */
  writeDeviceMessages(messages: readonly StoredDeviceMessage[]): Promise<void>;
  /** Device messages with `fromMs <= atMs < toMs`, ordered by `atMs`, of one vessel or all. */
  deviceMessages(query: DeviceMessageQuery): Promise<StoredDeviceMessage[]>;
  /** The newest message of the kind for each vessel (by `atMs`), or only for `vesselId`. */
  latestDeviceMessages(kind: DeviceMessageKind, vesselId?: VesselId): Promise<StoredDeviceMessage[]>;

  addDeadLetters(letters: readonly NewDeadLetter[]): Promise<void>;
  listDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  markDeadLetterReplayed(id: string, atMs: number): Promise<void>;

  close(): Promise<void>;
}

/** The store could not be reached or refused for a reason that may pass: retry later, keep the data. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'STORE_UNAVAILABLE';
  readonly retryable = true;
}

/** The store is set up in a way that would lose data or cannot work at all: refuse to start. */
export class StoreSetupError extends Error {
  override readonly name = 'StoreSetupError';
  readonly code = 'STORE_SETUP';
  readonly retryable = false;
}
