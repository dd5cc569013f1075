import type { BootId, VesselId } from '@qt-led/contract';
import type { RegisterReading, TelemetryStore } from '@qt-led/store';
import { describe, expect, it } from 'vitest';
import { createVesselDayCache, DAY_MS, readVesselDay } from './vessel-days.js';

const V = 'QT-90145-TS' as VesselId;
const T0 = Date.UTC(2026, 10, 1);

/** A store of register readings only, counting what it is asked. */
function fakeStore(readings: RegisterReading[]) {
  const asked = { counts: 0, reads: 0 };
  const inRange = (fromMs: number, toMs: number) =>
    readings.filter((r) => r.deviceTimeMs >= fromMs && r.deviceTimeMs < toMs);
  const store = {
    countReadings: (_: unknown, range: { fromMs: number; toMs: number }) => {
      asked.counts += 1;
      return Promise.resolve(inRange(range.fromMs, range.toMs).length);
    },
    registerReadings: (_: unknown, fromMs: number, toMs: number) => {
      asked.reads += 1;
      return Promise.resolve(inRange(fromMs, toMs));
    },
  } as unknown as TelemetryStore;
  return { store, asked };
}

const reading = (deviceTimeMs: number, seq: number): RegisterReading => ({
  vesselId: V,
  bootId: 'b0000001' as BootId,
  seq,
  deviceTimeMs,
  ledEnergyKwh: 1 + seq,
  ledMeterId: null,
  fuelTotalL: null,
  lampsOn: 3,
});

describe('the vessel-day cache', () => {
  it('counts a run of days not held once, and reads none of them when none is stored', async () => {
    const { store, asked } = fakeStore([]);
    const days = await createVesselDayCache(store, 1e9).days(V, T0, 30);
    expect(asked).toEqual({ counts: 1, reads: 0 });
    expect(days.map((d) => d.dayStartMs)).toEqual(Array.from({ length: 30 }, (_, i) => T0 + i * DAY_MS));
    // The same days as reading each of them gives, digests included.
    expect(days[3]).toEqual(await readVesselDay(store, V, T0 + 3 * DAY_MS));
  });

  it('reads each day of a run that has readings, and validates held days by one count', async () => {
    const { store, asked } = fakeStore([
      reading(T0 + 2 * DAY_MS + 60_000, 1),
      reading(T0 + 2 * DAY_MS + 120_000, 2),
    ]);
    const cache = createVesselDayCache(store, 1e9);
    const first = await cache.days(V, T0, 5);
    expect(first.map((d) => d.length)).toEqual([0, 0, 2, 0, 0]);
    expect(asked).toEqual({ counts: 1, reads: 5 });
    expect(await cache.days(V, T0, 5)).toEqual(first);
    expect(asked).toEqual({ counts: 2, reads: 5 });
  });
});
