import type { BootId, GatewayId, MeterId, VesselId } from '@qt-led/contract';
import { Point } from '@influxdata/influxdb-client';
import {
  type DeadLetter,
  type DeadLetterReason,
  type NewDeadLetter,
  type SeriesField,
  type StoredDeviceMessage,
  type StoredReading,
  deviceMessageFrom,
  deviceMessageKey,
} from '@qt-led/store';
import { type Row, numberOrNull } from './influx-client.js';

/** How the store lays its data out in InfluxDB: measurements, line-protocol points, and rows read back. */
export const MEASUREMENT = 'telemetry';
export const LETTERS = 'dead_letters';
export const DEVICE = 'device_messages';
/** Under InfluxDB 1.x's 64 KiB string-field limit even for 3-byte UTF-8 characters. */
const PAYLOAD_CHUNK_CHARS = 16_384;

/**
 * Column name in InfluxDB ↔ property of StoredReading. Tags: `vessel` only (low cardinality). The LED
 * meter's serial is a string field `led_meter_id`, not a tag: as a tag it would split a vessel's series at
 * every meter change, and the identity of a point (series and timestamp) must not depend on it.
 */
export const FIELD_COLUMNS = {
  ledPowerW: 'led_power_w',
  ledEnergyKwh: 'led_energy_kwh',
  lampsOn: 'lamps_on',
  fuelRateLph: 'fuel_rate_lph',
  fuelTotalL: 'fuel_total_l',
  speedKn: 'speed_kn',
  lat: 'lat',
  lon: 'lon',
} as const satisfies Record<SeriesField, string>;

export function readingLine(r: StoredReading): string {
  const point = new Point(MEASUREMENT)
    .tag('vessel', r.vesselId)
    .stringField('boot', r.bootId)
    .intField('seq', r.seq)
    .stringField('gateway', r.gatewayId)
    .intField('received_ms', r.receivedAtMs)
    .timestamp(`${r.deviceTimeMs}${String(r.seq % 1_000_000).padStart(6, '0')}`);
  if (r.clockSkewMs !== null) point.intField('clock_skew_ms', r.clockSkewMs);
  if (r.timeSource !== null) point.stringField('time_source', r.timeSource);
  if (r.ledPowerW !== null) point.floatField('led_power_w', r.ledPowerW);
  if (r.ledEnergyKwh !== null) point.floatField('led_energy_kwh', r.ledEnergyKwh);
  if (r.lampsOn !== null) point.intField('lamps_on', r.lampsOn);
  // Absent, like every null: a point written before the serial existed reads back the same.
  if (r.ledMeterId !== null) point.stringField('led_meter_id', r.ledMeterId);
  if (r.fuelRateLph !== null) point.floatField('fuel_rate_lph', r.fuelRateLph);
  if (r.fuelTotalL !== null) point.floatField('fuel_total_l', r.fuelTotalL);
  if (r.fix !== null) point.stringField('fix', r.fix);
  if (r.lat !== null) point.floatField('lat', r.lat);
  if (r.lon !== null) point.floatField('lon', r.lon);
  if (r.speedKn !== null) point.floatField('speed_kn', r.speedKn);
  if (r.headingDeg !== null) point.floatField('heading_deg', r.headingDeg);
  return point.toLineProtocol() as string;
}

export function readingFromRow(row: Row, vessel: string | undefined): StoredReading {
  return {
    vesselId: (vessel ?? row['vessel']) as VesselId,
    gatewayId: row['gateway'] as GatewayId,
    bootId: row['boot'] as BootId,
    seq: Number(row['seq']),
    deviceTimeMs: Number(row['time']),
    receivedAtMs: Number(row['received_ms']),
    clockSkewMs: numberOrNull(row['clock_skew_ms']),
    timeSource: (row['time_source'] ?? null) as StoredReading['timeSource'],
    ledPowerW: numberOrNull(row['led_power_w']),
    ledEnergyKwh: numberOrNull(row['led_energy_kwh']),
    lampsOn: numberOrNull(row['lamps_on']),
    ledMeterId: meterIdOrNull(row['led_meter_id']),
    fuelRateLph: numberOrNull(row['fuel_rate_lph']),
    fuelTotalL: numberOrNull(row['fuel_total_l']),
    fix: (row['fix'] ?? null) as StoredReading['fix'],
    lat: numberOrNull(row['lat']),
    lon: numberOrNull(row['lon']),
    speedKn: numberOrNull(row['speed_kn']),
    headingDeg: numberOrNull(row['heading_deg']),
  };
}

/** The LED meter's serial of a row: absent (or null) where the reading named none. */
export function meterIdOrNull(value: unknown): MeterId | null {
  return typeof value === 'string' ? (value as MeterId) : null;
}

/**
 * Device messages: series `device_messages,vessel=<id>,kind=<kind>`; the millisecond part of the timestamp
 * is the message's time and the sub-millisecond digits a hash of its key, so a resend lands on the same
 * point and two messages of one millisecond do not overwrite each other.
 */
export function deviceLine(m: StoredDeviceMessage): string {
  const key = deviceMessageKey(m);
  return new Point(DEVICE)
    .tag('vessel', m.vesselId)
    .tag('kind', m.kind)
    .stringField('gateway', m.gatewayId)
    .stringField('boot', m.bootId)
    .stringField('key', key)
    .intField('received_ms', m.receivedAtMs)
    .stringField('payload', JSON.stringify(m.payload))
    .timestamp(`${m.atMs}${String(fnv1a(key) % 1_000_000).padStart(6, '0')}`)
    .toLineProtocol() as string;
}

export function deviceFromRow(row: Row, tags: Record<string, string> | undefined): StoredDeviceMessage {
  return deviceMessageFrom({
    kind: String(tags?.['kind'] ?? row['kind']),
    vesselId: String(tags?.['vessel'] ?? row['vessel']),
    gatewayId: String(row['gateway']),
    bootId: String(row['boot']),
    atMs: Number(row['time']),
    receivedAtMs: Number(row['received_ms']),
    payload: String(row['payload']),
  });
}

/** 32-bit FNV-1a: a stable, well-spread hash for the sub-millisecond digits (not for security). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function letterLine(id: string, letter: NewDeadLetter, replayedAtMs: number | null): string {
  const point = new Point(LETTERS)
    .tag('reason', letter.reason)
    .stringField('id', id)
    .intField('received_ms', letter.receivedAtMs)
    .stringField('topic', letter.topic)
    .stringField('message', letter.message)
    .stringField('payload_encoding', letter.payloadEncoding)
    .intField('payload_bytes', letter.payloadBytes)
    .timestamp(id);
  const chunks = Math.max(1, Math.ceil(letter.payload.length / PAYLOAD_CHUNK_CHARS));
  point.intField('payload_chunks', chunks);
  for (let i = 0; i < chunks; i++) {
    point.stringField(
      `payload_${i}`,
      letter.payload.slice(i * PAYLOAD_CHUNK_CHARS, (i + 1) * PAYLOAD_CHUNK_CHARS),
    );
  }
  if (replayedAtMs !== null) point.intField('replayed_ms', replayedAtMs);
  return point.toLineProtocol() as string;
}

export function letterFromRow(row: Row): DeadLetter {
  const chunks = Number(row['payload_chunks'] ?? 1);
  let payload = '';
  for (let i = 0; i < chunks; i++) {
    const chunk = row[`payload_${i}`];
    payload += typeof chunk === 'string' ? chunk : '';
  }
  return {
    id: String(row['id']),
    receivedAtMs: Number(row['received_ms']),
    topic: String(row['topic']),
    reason: row['reason'] as DeadLetterReason,
    message: String(row['message']),
    payload,
    payloadEncoding: row['payload_encoding'] === 'base64' ? 'base64' : 'utf8',
    payloadBytes: Number(row['payload_bytes']),
    replayedAtMs: numberOrNull(row['replayed_ms']),
  };
}
