// Builders of stored readings and device messages for the unit tests: a boat's day as the store holds it.
import type { BootId, GatewayId, Heartbeat, MeterId, VesselId } from '@qt-led/contract';
import type { StoredDeviceMessage, StoredReading } from '@qt-led/store';

export const VESSEL = 'QT-90145-TS' as VesselId; // lift-net, Cửa Tùng, 24 × 240 W, gw-41a11a97
export const GATEWAY = 'gw-41a11a97' as GatewayId;
export const BOOT = 'a1b2c3d4' as BootId;
export const METER = 'EM17-7360' as MeterId;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Cửa Tùng moorings, and a point 25 nm off the coast. */
export const CUA_TUNG = { lat: 17.02195, lon: 107.11316 };
export const OFFSHORE = { lat: 17.3, lon: 107.55 };
/** Local (UTC+7) time as UTC ms: `local(2024, 3, 5, 18, 30)`. */
export const local = (y: number, m: number, d: number, h = 0, min = 0): number =>
  Date.UTC(y, m - 1, d, h - 7, min);

export function reading(over: Partial<StoredReading> & { deviceTimeMs: number; seq: number }): StoredReading {
  return {
    vesselId: VESSEL,
    gatewayId: GATEWAY,
    bootId: BOOT,
    receivedAtMs: over.deviceTimeMs + 30_000,
    clockSkewMs: 200,
    timeSource: 'gps',
    ledPowerW: 0,
    ledEnergyKwh: 1000,
    lampsOn: 0,
    ledMeterId: METER,
    fuelRateLph: 1,
    fuelTotalL: 5000,
    fix: '3d',
    lat: CUA_TUNG.lat,
    lon: CUA_TUNG.lon,
    speedKn: 0,
    headingDeg: 0,
    ...over,
  };
}

export interface Segment {
  untilMs: number;
  /** Position at the end of the segment (linear from the previous end). */
  to?: { lat: number; lon: number };
  speedKn?: number;
  lampsOn?: number;
  /** Power per lamp on, W (default 240 × 0.99). */
  wPerLamp?: number;
}

/**
 * A vessel timeline sampled every `stepMs`: segments in order; position interpolated, energy and fuel
 * integrated from power (so the registers are consistent with the power the readings report).
 */
export function timeline(
  startMs: number,
  segments: readonly Segment[],
  stepMs = MIN,
  startSeq = 0,
): StoredReading[] {
  const out: StoredReading[] = [];
  let t = startMs;
  let seq = startSeq;
  let from = CUA_TUNG;
  let energyKwh = 1000;
  let fuelL = 5000;
  let segStart = startMs;
  for (const s of segments) {
    const to = s.to ?? from;
    for (; t < s.untilMs; t += stepMs) {
      const f = (t - segStart) / (s.untilMs - segStart);
      const lampsOn = s.lampsOn ?? 0;
      const powerW = lampsOn * (s.wPerLamp ?? 240 * 0.99);
      out.push(
        reading({
          seq: seq++,
          deviceTimeMs: t,
          lat: from.lat + (to.lat - from.lat) * f,
          lon: from.lon + (to.lon - from.lon) * f,
          speedKn: s.speedKn ?? 0,
          lampsOn,
          ledPowerW: powerW,
          ledEnergyKwh: Math.round(energyKwh * 1000) / 1000,
          fuelTotalL: Math.round(fuelL * 1000) / 1000,
          fuelRateLph: 1 + 0.36 * (powerW / 1000),
        }),
      );
      energyKwh += (powerW / 1000) * (stepMs / HOUR);
      fuelL += (1 + 0.36 * (powerW / 1000)) * (stepMs / HOUR);
    }
    from = to;
    segStart = s.untilMs;
  }
  return out;
}

export function heartbeat(
  atMs: number,
  depth: number,
  over: Partial<{ receivedAtMs: number; bootId: BootId }> = {},
): StoredDeviceMessage {
  const bootId = over.bootId ?? BOOT;
  const payload: Heartbeat = {
    schema: 'qtled.heartbeat/1',
    vesselId: VESSEL,
    gatewayId: GATEWAY,
    bootId,
    atMs,
    firmware: '1.0.0',
    uptimeS: 1000,
    queue: { depth, oldestUnsentAgeS: depth === 0 ? null : depth * 60, bytesOnDisk: depth * 300 },
    diskFreeBytes: 1e9,
    lastAck: null,
  };
  return {
    kind: 'heartbeat',
    vesselId: VESSEL,
    gatewayId: GATEWAY,
    bootId,
    atMs,
    receivedAtMs: over.receivedAtMs ?? atMs + 100,
    payload,
  };
}

export function presence(state: 'online' | 'offline', receivedAtMs: number): StoredDeviceMessage {
  const base = { schema: 'qtled.presence/1' as const, vesselId: VESSEL, gatewayId: GATEWAY, bootId: BOOT };
  return {
    kind: 'presence',
    vesselId: VESSEL,
    gatewayId: GATEWAY,
    bootId: BOOT,
    atMs: receivedAtMs,
    receivedAtMs,
    payload:
      state === 'online'
        ? {
            ...base,
            state,
            firmware: '1.0.0',
            configVersion: 0,
            bootedAtMs: receivedAtMs - HOUR,
            connectedAtMs: receivedAtMs,
          }
        : { ...base, state, cause: 'connection-lost' },
  };
}

/** A lift-net night: out in the afternoon, lamps 19:00–04:00 local (the last half hour at half), home at 07:30. */
export function liftNetNight(y: number, m: number, d: number, startSeq = 0) {
  return timeline(
    local(y, m, d, 12),
    [
      { untilMs: local(y, m, d, 16) },
      { untilMs: local(y, m, d, 18, 30), to: OFFSHORE, speedKn: 8 },
      { untilMs: local(y, m, d, 19), speedKn: 0.2 },
      { untilMs: local(y, m, d + 1, 3, 30), lampsOn: 24, speedKn: 0.2 },
      { untilMs: local(y, m, d + 1, 4), lampsOn: 12, speedKn: 0.2 },
      { untilMs: local(y, m, d + 1, 5), speedKn: 0.2 },
      { untilMs: local(y, m, d + 1, 7, 30), to: CUA_TUNG, speedKn: 8 },
      { untilMs: local(y, m, d + 1, 12) },
    ],
    MIN,
    startSeq,
  );
}
