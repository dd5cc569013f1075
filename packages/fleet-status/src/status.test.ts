import type { StoredDeviceMessage } from '@qt-led/store';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_STATUS_CONFIG as config } from './config.js';
import { assessLed } from './led.js';
import { type ClockObservation, deriveVesselStatus, type VesselStatusInput } from './status.js';
import {
  BOOT,
  CUA_TUNG,
  DAY,
  heartbeat,
  HOUR,
  liftNetNight,
  local,
  MIN,
  OFFSHORE,
  presence,
  reading,
  timeline,
  VESSEL,
} from './testing/readings.js';

const hb = (m: StoredDeviceMessage) => {
  if (m.kind !== 'heartbeat') throw new Error('not a heartbeat');
  return { atMs: m.atMs, receivedAtMs: m.receivedAtMs, payload: m.payload };
};
const pres = (m: StoredDeviceMessage) => {
  if (m.kind !== 'presence') throw new Error('not presence');
  return { payload: m.payload, receivedAtMs: m.receivedAtMs };
};

function input(over: Partial<VesselStatusInput> & { nowMs: number }): VesselStatusInput {
  const recent = over.recent ?? [];
  return {
    vesselId: VESSEL,
    gear: 'lift-net',
    latest: recent.at(-1) ?? null,
    recent,
    presence: null,
    heartbeats: [],
    clock: [],
    led: assessLed(recent, () => 240, null, config),
    ...over,
  };
}

describe('vessel status', () => {
  it('no data at all', () => {
    const s = deriveVesselStatus(input({ nowMs: local(2024, 3, 5, 12) }), config);
    expect(s.status).toBe('no-data');
    expect(s.conditions).toEqual(['no-data']);
  });

  it('in port and reporting, since it arrived', () => {
    const day = liftNetNight(2024, 3, 5);
    const now = local(2024, 3, 6, 12);
    const s = deriveVesselStatus(
      input({
        nowMs: now,
        recent: day,
        presence: pres(presence('online', local(2024, 3, 6, 7, 45))),
        heartbeats: [hb(heartbeat(now - 2 * MIN, 0))],
      }),
      config,
    );
    expect(s.status).toBe('in-port');
    expect(s.sinceMs).toBe(local(2024, 3, 6, 7, 30));
    expect(s.evidence.nearestPort).toBe('Cửa Tùng');
    expect(s.evidence.tripState).toBe('in-port');
    expect(s.evidence.heartbeat?.queueDepth).toBe(0);
  });

  it('out of coverage (expected) when the last position was far offshore and the silence fits a trip', () => {
    // Last reading received 18:30 local, 25 nm out; now it is 03:00 and the broker published the will.
    const out = liftNetNight(2024, 3, 5).filter((r) => r.deviceTimeMs <= local(2024, 3, 5, 18, 29));
    const s = deriveVesselStatus(
      input({
        nowMs: local(2024, 3, 6, 3),
        recent: out,
        presence: pres(presence('offline', local(2024, 3, 5, 18, 31))),
      }),
      config,
    );
    expect(s.status).toBe('at-sea-out-of-coverage');
    expect(s.evidence.presence).toMatchObject({ state: 'offline', cause: 'connection-lost' });
    expect(s.explanation).toMatch(/beyond the 12 nm of mobile coverage/);
    // The same boat silent for 3 days: longer than any lift-net trip.
    const late = deriveVesselStatus(input({ nowMs: local(2024, 3, 8, 20), recent: out }), config);
    expect(late.status).toBe('silent-possible-fault');
    expect(late.sinceMs).toBe((out.at(-1)?.receivedAtMs ?? 0) + 2 * DAY);
    // A purse seiner may stay out 12 days.
    expect(
      deriveVesselStatus(input({ nowMs: local(2024, 3, 8, 20), recent: out, gear: 'purse-seine' }), config)
        .status,
    ).toBe('at-sea-out-of-coverage');
  });

  it('silent in port or inside coverage beyond the threshold: possible gateway fault, not before', () => {
    const day = liftNetNight(2024, 3, 5).filter((r) => r.deviceTimeMs < local(2024, 3, 5, 16));
    const last = day.at(-1)?.receivedAtMs ?? 0;
    expect(
      deriveVesselStatus(input({ nowMs: last + config.silentAfterMs - MIN, recent: day }), config).status,
    ).toBe('in-port');
    const s = deriveVesselStatus(input({ nowMs: last + config.silentAfterMs + MIN, recent: day }), config);
    expect(s.status).toBe('silent-possible-fault');
    expect(s.sinceMs).toBe(last + config.silentAfterMs);
    expect(s.explanation).toMatch(/in port at Cửa Tùng/);
  });

  it('LED fault on top of the location, with expected and actual power in the evidence', () => {
    const night = liftNetNight(2024, 3, 5).map((r) =>
      (r.lampsOn ?? 0) > 0 ? reading({ ...r, ledPowerW: ((r.lampsOn ?? 0) - 2) * 240 * 0.99 }) : r,
    );
    const now = local(2024, 3, 6, 12);
    const s = deriveVesselStatus(
      input({
        nowMs: now,
        recent: night,
        heartbeats: [hb(heartbeat(now - MIN, 0))],
        led: assessLed(night, () => 240, 0.99, config),
      }),
      config,
    );
    expect(s.status).toBe('led-fault');
    expect(s.conditions).toEqual(['led-fault', 'in-port']);
    expect(s.sinceMs).toBe(local(2024, 3, 5, 19));
    expect(s.evidence.expectedLedPowerW).toBeGreaterThan(s.evidence.ledPowerW ?? Infinity);
  });

  it('clock fault from a clock reset to 1970, cleared by a fresh good observation', () => {
    const now = local(2024, 3, 6, 12);
    const recent = timeline(now - HOUR, [{ untilMs: now - 30 * MIN }]);
    const reset: ClockObservation = {
      source: 'heartbeat',
      deviceTimeMs: 600_000,
      receivedAtMs: now - 5 * MIN,
      skewMs: null,
    };
    const s = deriveVesselStatus(
      input({ nowMs: now, recent, clock: [reset], heartbeats: [hb(heartbeat(now - 5 * MIN, 0))] }),
      config,
    );
    expect(s.conditions).toContain('clock-fault');
    expect(s.status).toBe('clock-fault');
    expect(s.explanation).toMatch(/1970-01-01/);
    const fixed: ClockObservation = {
      source: 'heartbeat',
      deviceTimeMs: now - MIN,
      receivedAtMs: now - MIN + 50,
      skewMs: -50,
    };
    expect(
      deriveVesselStatus(input({ nowMs: now, recent, clock: [reset, fixed] }), config).conditions,
    ).not.toContain('clock-fault');
    const skewed: ClockObservation = {
      source: 'reading',
      deviceTimeMs: now + 20 * MIN,
      receivedAtMs: now,
      skewMs: 20 * MIN,
    };
    expect(
      deriveVesselStatus(input({ nowMs: now, recent, clock: [skewed] }), config).evidence.clockSkewMs,
    ).toBe(20 * MIN);
  });

  it('backlog growing while connected, not while draining', () => {
    const now = local(2024, 3, 6, 12);
    const recent = timeline(now - HOUR, [{ untilMs: now - MIN }]);
    const growing = [0, 1, 2, 3, 4].map((i) => hb(heartbeat(now - (4 - i) * 5 * MIN, 10 + i * 8)));
    const s = deriveVesselStatus(input({ nowMs: now, recent, heartbeats: growing }), config);
    expect(s.status).toBe('backlog-growing');
    expect(s.sinceMs).toBe(growing[0]?.receivedAtMs);
    const draining = [0, 1, 2, 3, 4].map((i) => hb(heartbeat(now - (4 - i) * 5 * MIN, 5000 - i * 1000)));
    expect(
      deriveVesselStatus(input({ nowMs: now, recent, heartbeats: draining }), config).conditions,
    ).not.toContain('backlog-growing');
    // Old heartbeats (the gateway is gone): not "while connected".
    expect(
      deriveVesselStatus(input({ nowMs: now + HOUR, recent, heartbeats: growing }), config).conditions,
    ).not.toContain('backlog-growing');
    expect(BOOT).toBeTruthy();
    expect(CUA_TUNG.lat).toBeLessThan(OFFSHORE.lat);
  });
});
