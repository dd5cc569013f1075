import type { decodeMessage, Reading, TelemetryBatch } from '@qt-led/contract';
import type { DeadLetterReason, NewDeadLetter, StoredDeviceMessage, StoredReading } from '@qt-led/store';

/** A decoded presence, heartbeat or event message. */
export type DeviceDecoded = Extract<
  ReturnType<typeof decodeMessage>,
  { ok: true; channel: 'presence' | 'heartbeat' | 'events' }
>;

/** A reading as stored: flattened, with the gateway, receive time and the batch's clock skew. */
export function toStoredReading(
  batch: TelemetryBatch,
  r: Reading,
  receivedAtMs: number,
  skewMs: number,
): StoredReading {
  const position = r.position;
  // Coordinates without a fix are the receiver's last guess, not a position.
  const fixed = position !== undefined && position.fix !== 'none' ? position : undefined;
  return {
    vesselId: r.vesselId,
    gatewayId: batch.gatewayId,
    bootId: r.bootId,
    seq: r.seq,
    deviceTimeMs: r.deviceTimeMs,
    receivedAtMs,
    clockSkewMs: skewMs,
    timeSource: r.timeSource ?? null,
    ledPowerW: r.led?.powerW ?? null,
    ledEnergyKwh: r.led?.energyKwh ?? null,
    lampsOn: r.led?.lampsOn ?? null,
    ledMeterId: r.led?.meterId ?? null,
    fuelRateLph: r.fuel?.rateLph ?? null,
    fuelTotalL: r.fuel?.totalL ?? null,
    fix: position?.fix ?? null,
    lat: fixed?.lat ?? null,
    lon: fixed?.lon ?? null,
    speedKn: fixed?.speedKn ?? null,
    headingDeg: fixed?.headingDeg ?? null,
  };
}

/** A presence, heartbeat or event as stored; presence carries no time of its own, so it takes receive time. */
export function toDeviceMessage(decoded: DeviceDecoded, receivedAtMs: number): StoredDeviceMessage {
  switch (decoded.channel) {
    case 'presence': {
      const p = decoded.payload;
      return {
        receivedAtMs,
        kind: 'presence',
        vesselId: p.vesselId,
        gatewayId: p.gatewayId,
        bootId: p.bootId,
        atMs: receivedAtMs,
        payload: p,
      };
    }
    case 'heartbeat': {
      const h = decoded.payload;
      return {
        receivedAtMs,
        kind: 'heartbeat',
        vesselId: h.vesselId,
        gatewayId: h.gatewayId,
        bootId: h.bootId,
        atMs: h.atMs,
        payload: h,
      };
    }
    case 'events': {
      const e = decoded.payload;
      return {
        receivedAtMs,
        kind: 'event',
        vesselId: e.vesselId,
        gatewayId: e.gatewayId,
        bootId: e.bootId,
        atMs: e.atMs,
        payload: e,
      };
    }
  }
}

/**
 * A dead letter keeping the payload exactly as received: as text when it is valid UTF-8, else as base64,
 * so that a replay sees the same bytes.
 */
export function toDeadLetter(
  topic: string,
  payload: Uint8Array | string,
  reason: DeadLetterReason,
  message: string,
  receivedAtMs: number,
): NewDeadLetter {
  const bytes =
    typeof payload === 'string'
      ? Buffer.from(payload)
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const utf8 = bytes.toString('utf8');
  const lossless = Buffer.from(utf8, 'utf8').equals(bytes);
  return {
    receivedAtMs,
    topic,
    reason,
    message,
    payload: lossless ? utf8 : bytes.toString('base64'),
    payloadEncoding: lossless ? 'utf8' : 'base64',
    payloadBytes: bytes.byteLength,
  };
}
