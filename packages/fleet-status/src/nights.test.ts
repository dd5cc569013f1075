import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_STATUS_CONFIG as config } from './config.js';
import { deriveNights } from './nights.js';
import { HOUR, liftNetNight, local, MIN, reading, timeline, VESSEL } from './testing/readings.js';

const W = 240 * 0.99;

describe('fishing nights', () => {
  it('dates a night that crosses midnight by the evening it began, with hours, energy and fuel from the registers', () => {
    const nights = deriveNights(VESSEL, liftNetNight(2024, 3, 5), config);
    expect(nights).toHaveLength(1);
    const night = nights[0];
    expect(night?.night).toBe('2024-03-05');
    expect(night?.startMs).toBe(local(2024, 3, 5, 19));
    expect(night?.endMs).toBe(local(2024, 3, 6, 4));
    expect(night?.hours).toBeCloseTo(9, 6);
    expect(night?.ledEnergyKwh).toBeCloseTo((24 * W * 8.5) / 1000 + (12 * W * 0.5) / 1000, 1);
    expect(night?.fuelL).toBeCloseTo(9 + (0.36 * (24 * W * 8.5 + 12 * W * 0.5)) / 1000, 1);
    expect(night?.meanLampsOn).toBeCloseTo((24 * 8.5 + 12 * 0.5) / 9, 6);
  });

  it('keeps two consecutive nights apart and follows the configured boundary', () => {
    const two = [...liftNetNight(2024, 3, 5), ...liftNetNight(2024, 3, 6, 10_000)];
    expect(deriveNights(VESSEL, two, config).map((n) => n.night)).toEqual(['2024-03-05', '2024-03-06']);
    // A boundary at 02:00 local splits each night in two; the part after 02:00 belongs to the next date.
    const split = deriveNights(VESSEL, liftNetNight(2024, 3, 5), {
      ...config,
      nightBoundaryLocalHour: 2,
      minNightMs: MIN,
    });
    expect(split.map((n) => [n.night, n.hours])).toEqual([
      ['2024-03-05', 7],
      ['2024-03-06', 2],
    ]);
  });

  it('bridges a short hole in the data but not a long one, and drops a lamp test in port', () => {
    const all = liftNetNight(2024, 3, 5);
    const withHole = all.filter(
      (r) => r.deviceTimeMs < local(2024, 3, 5, 22) || r.deviceTimeMs >= local(2024, 3, 5, 22, 5),
    );
    expect(deriveNights(VESSEL, withHole, config)[0]?.hours).toBeCloseTo(9, 6);
    const longHole = all.filter(
      (r) => r.deviceTimeMs < local(2024, 3, 5, 22) || r.deviceTimeMs >= local(2024, 3, 6, 0),
    );
    // Two hours unknown: not counted as lit, but the night is still one night, the energy still the register's.
    const night = deriveNights(VESSEL, longHole, config)[0];
    expect(night?.hours).toBeCloseTo(7 - 1 / 60, 6);
    expect(night?.ledEnergyKwh).toBeCloseTo((24 * W * 8.5) / 1000 + (12 * W * 0.5) / 1000, 1);
    const test = timeline(local(2024, 3, 5, 10), [
      { untilMs: local(2024, 3, 5, 10, 20), lampsOn: 24 },
      { untilMs: local(2024, 3, 5, 11) },
    ]);
    expect(deriveNights(VESSEL, test, config)).toEqual([]);
  });

  it('never counts a register reset as negative energy', () => {
    const all = liftNetNight(2024, 3, 5);
    const resetAt = local(2024, 3, 5, 23);
    // The meter is replaced at 23:00: its register restarts near 0 and grows at the same rate.
    const base = all.find((r) => r.deviceTimeMs === resetAt)?.ledEnergyKwh ?? 0;
    const replaced = all.map((r) =>
      r.deviceTimeMs >= resetAt ? reading({ ...r, ledEnergyKwh: (r.ledEnergyKwh ?? 0) - base + 0.1 }) : r,
    );
    const night = deriveNights(VESSEL, replaced, config)[0];
    // Only the minute across the replacement is unobserved.
    expect(night?.ledEnergyKwh).toBeGreaterThan(0);
    expect(night?.ledEnergyKwh).toBeCloseTo((24 * W * (8.5 - 1 / 60)) / 1000 + (12 * W * 0.5) / 1000, 1);
  });

  it('gives null energy when the meter reports no register', () => {
    const night = deriveNights(
      VESSEL,
      liftNetNight(2024, 3, 5).map((r) => ({ ...r, ledEnergyKwh: null, fuelTotalL: null })),
      config,
    )[0];
    expect(night?.ledEnergyKwh).toBeNull();
    expect(night?.fuelL).toBeNull();
    expect(night?.hours).toBeCloseTo(9, 6);
    expect(HOUR).toBe(3_600_000);
  });
});
