import type { FleetResult, MethodologyParameterSet, VesselId } from '@qt-led/contract';
import { describe, expect, it } from 'vitest';
import type { NightFigure } from './figures.js';
import { columnHeader, packageTables } from './tables.js';

const vesselId = 'QT-90145-TS' as VesselId;

/** Only what the LED table reads of a result (a stand-in object, not a calculation). */
function resultWith(subPeriods: { fromDate: string; toDateExclusive: string; ledLampRatedW: number }[]) {
  return {
    period: {
      from: '2026-11-01',
      toExclusive: '2026-12-01',
      timeZone: 'Asia/Ho_Chi_Minh',
      fromMs: 0,
      toMs: 1,
    },
    vessels: [
      {
        vesselId,
        energyKwh: 0,
        lampOnHours: 0,
        flags: [],
        completeness: { energyObservedRatio: 1, readingsRatio: 1, gaps: [] },
        subPeriods: subPeriods.map((s) => ({
          ...s,
          ledLampCount: 40,
          pLedKw: (40 * s.ledLampRatedW) / 1_000,
        })),
      },
    ],
  } as unknown as FleetResult;
}

const night = (date: string, kwh: number): NightFigure => ({
  vesselId,
  night: date,
  startMs: 0,
  endMs: 1,
  hours: 10,
  ledEnergyKwh: kwh,
  meanLampsOn: 40,
});

describe('the LED performance table', () => {
  it('rates each night with the lamps of the registry version in force that evening', () => {
    // 240 W lamps until 15 November, 300 W after; each night draws exactly its rating: 96 kWh, then 120 kWh.
    const result = resultWith([
      { fromDate: '2026-11-01', toDateExclusive: '2026-11-15', ledLampRatedW: 240 },
      { fromDate: '2026-11-15', toDateExclusive: '2026-12-01', ledLampRatedW: 300 },
    ]);
    const [table] = packageTables(
      {
        result,
        methodology: {} as MethodologyParameterSet,
        led: { nights: [night('2026-11-10', 96), night('2026-11-20', 120)], lampFaults: [] },
      },
      [],
    );
    const header = table?.columns.map((c) => columnHeader(c, 'Asia/Ho_Chi_Minh', 0)) ?? [];
    const row = table?.rows[0] ?? [];
    expect(row[header.indexOf('power_to_rated [1] / 定格比（点灯灯数あたり）')]).toBeCloseTo(1, 12);
    expect(row[header.indexOf('mean_power_while_lit [kW] / 点灯中平均電力')]).toBeCloseTo(10.8, 12);
    expect(row[header.indexOf('nights / 操業夜数')]).toBe(2);
  });
});
