import type { BootId, GatewayId, MeterId, VesselId } from '@qt-led/contract';
import {
  type DeadLetter,
  type DeadLetterReason,
  type StoredDeviceMessage,
  type StoredReading,
  deviceMessageFrom,
} from '@qt-led/store';

/** Rows as SQLite returns them, and their conversion to the port's types. */
export interface DeviceRow {
  vessel: string;
  kind: string;
  at_ms: number;
  received_ms: number;
  gateway: string;
  boot: string;
  payload: string;
}

export function deviceFromRow(row: DeviceRow): StoredDeviceMessage {
  return deviceMessageFrom({
    kind: row.kind,
    vesselId: row.vessel,
    gatewayId: row.gateway,
    bootId: row.boot,
    atMs: row.at_ms,
    receivedAtMs: row.received_ms,
    payload: row.payload,
  });
}

export interface ReadingRow {
  vessel: string;
  boot: string;
  seq: number;
  device_ms: number;
  received_ms: number;
  clock_skew_ms: number | null;
  gateway: string;
  time_source: StoredReading['timeSource'];
  led_power_w: number | null;
  led_energy_kwh: number | null;
  lamps_on: number | null;
  led_meter_id: string | null;
  fuel_rate_lph: number | null;
  fuel_total_l: number | null;
  fix: StoredReading['fix'];
  lat: number | null;
  lon: number | null;
  speed_kn: number | null;
  heading_deg: number | null;
}

export function fromRow(row: ReadingRow): StoredReading {
  return {
    vesselId: row.vessel as VesselId,
    gatewayId: row.gateway as GatewayId,
    bootId: row.boot as BootId,
    seq: row.seq,
    deviceTimeMs: row.device_ms,
    receivedAtMs: row.received_ms,
    clockSkewMs: row.clock_skew_ms,
    timeSource: row.time_source,
    ledPowerW: row.led_power_w,
    ledEnergyKwh: row.led_energy_kwh,
    lampsOn: row.lamps_on,
    ledMeterId: row.led_meter_id as MeterId | null,
    fuelRateLph: row.fuel_rate_lph,
    fuelTotalL: row.fuel_total_l,
    fix: row.fix,
    lat: row.lat,
    lon: row.lon,
    speedKn: row.speed_kn,
    headingDeg: row.heading_deg,
  };
}

export interface LetterRow {
  id: number;
  received_ms: number;
  topic: string;
  reason: DeadLetterReason;
  message: string;
  payload: string;
  payload_encoding: 'utf8' | 'base64';
  payload_bytes: number;
  replayed_ms: number | null;
}

export function letterFromRow(row: LetterRow): DeadLetter {
  return {
    id: String(row.id),
    receivedAtMs: row.received_ms,
    topic: row.topic,
    reason: row.reason,
    message: row.message,
    payload: row.payload,
    payloadEncoding: row.payload_encoding,
    payloadBytes: row.payload_bytes,
    replayedAtMs: row.replayed_ms,
  };
}
