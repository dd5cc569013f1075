import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_STATUS_CONFIG as config } from './config.js';
import { haversineNm } from './geo.js';
import { deriveNights } from './nights.js';
import { CUA_TUNG, liftNetNight, local, MIN, OFFSHORE, timeline, VESSEL } from './testing/readings.js';
import { deriveTrips } from './trips.js';

const W = 240 * 0.99;

describe('trips from port geofences', () => {
  it('finds departure, arrival, distance, nights, energy and fuel of a nightly trip', () => {
    const readings = liftNetNight(2024, 3, 5);
    const trips = deriveTrips(VESSEL, readings, deriveNights(VESSEL, readings, config), config);
    expect(trips).toHaveLength(1);
    const trip = trips[0];
    expect(trip?.departurePort).toBe('Cửa Tùng');
    expect(trip?.arrivalPort).toBe('Cửa Tùng');
    expect(trip?.departedAtMs).toBe(local(2024, 3, 5, 16));
    expect(trip?.arrivedAtMs).toBe(local(2024, 3, 6, 7, 30));
    expect(trip?.durationH).toBeCloseTo(15.5, 6);
    // Out and back along the same straight line.
    expect(trip?.distanceNm).toBeCloseTo(2 * haversineNm(CUA_TUNG, OFFSHORE), 0);
    expect(trip?.nightsFished).toBe(1);
    expect(trip?.ledEnergyKwh).toBeCloseTo((24 * W * 8.5 + 12 * W * 0.5) / 1000, 1);
    expect(trip?.fuelL).toBeCloseTo(15.5 + (0.36 * (24 * W * 8.5 + 12 * W * 0.5)) / 1000, 1);
    expect(trip?.tripId).toBe(`${VESSEL}:${local(2024, 3, 5, 16)}`);
  });

  it('reports a trip still at sea without arrival, and none when the data starts at sea', () => {
    const readings = liftNetNight(2024, 3, 5).filter((r) => r.deviceTimeMs < local(2024, 3, 6, 2));
    const trips = deriveTrips(VESSEL, readings, [], config);
    expect(trips).toHaveLength(1);
    expect(trips[0]?.arrivedAtMs).toBeNull();
    expect(trips[0]?.arrivalPort).toBeNull();
    const fromSea = liftNetNight(2024, 3, 5).filter((r) => r.deviceTimeMs >= local(2024, 3, 5, 20));
    expect(deriveTrips(VESSEL, fromSea, [], config)).toEqual([]);
  });

  it('ignores a short manoeuvre out of the geofence and back', () => {
    const near = { lat: 17.06, lon: 107.15 }; // ~3 nm out
    const readings = timeline(local(2024, 3, 5, 8), [
      { untilMs: local(2024, 3, 5, 9) },
      { untilMs: local(2024, 3, 5, 9, 20), to: near, speedKn: 8 },
      { untilMs: local(2024, 3, 5, 9, 40), to: CUA_TUNG, speedKn: 8 },
      { untilMs: local(2024, 3, 5, 11) },
    ]);
    expect(deriveTrips(VESSEL, readings, [], config)).toEqual([]);
    expect(MIN).toBe(60_000);
  });

  it('finds consecutive trips', () => {
    const readings = [...liftNetNight(2024, 3, 5), ...liftNetNight(2024, 3, 6, 10_000)];
    const trips = deriveTrips(VESSEL, readings, deriveNights(VESSEL, readings, config), config);
    expect(trips.map((t) => [t.departedAtMs, t.arrivedAtMs, t.nightsFished])).toEqual([
      [local(2024, 3, 5, 16), local(2024, 3, 6, 7, 30), 1],
      [local(2024, 3, 6, 16), local(2024, 3, 7, 7, 30), 1],
    ]);
  });
});
