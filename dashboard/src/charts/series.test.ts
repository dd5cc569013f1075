import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '../api/types.js';
import { energyPerInterval, expectedPower, field, stepFor, withGaps } from './series.js';

const STEP = 60_000;
const at = (minute: number, values: SeriesPoint['values']): SeriesPoint => ({ tMs: minute * STEP, values });

describe('withGaps', () => {
  it('breaks the line where buckets are missing and nowhere else', () => {
    const points = [
      at(0, { ledPowerW: 1 }),
      at(1, { ledPowerW: 2 }),
      at(5, { ledPowerW: 3 }),
      at(6, { ledPowerW: 4 }),
    ];
    expect(withGaps(points, STEP, field('ledPowerW'))).toEqual([
      { x: 0, y: 1 },
      { x: STEP, y: 2 },
      { x: 2 * STEP, y: null },
      { x: 5 * STEP, y: 3 },
      { x: 6 * STEP, y: 4 },
    ]);
  });

  it('keeps a missing field in a present bucket as a break too', () => {
    const points = [at(0, { ledPowerW: 1 }), at(1, { lampsOn: 3 }), at(2, { ledPowerW: Number.NaN })];
    expect(withGaps(points, STEP, field('ledPowerW')).map((p) => p.y)).toEqual([1, null, null]);
  });

  it('returns nothing for no data', () => {
    expect(withGaps([], STEP, field('ledPowerW'))).toEqual([]);
  });
});

describe('energyPerInterval', () => {
  it('differences adjacent register values and refuses to bridge a gap or a reset', () => {
    const points = [
      at(0, { ledEnergyKwh: 100 }),
      at(1, { ledEnergyKwh: 100.5 }),
      at(2, { ledEnergyKwh: 101.5 }),
      at(6, { ledEnergyKwh: 110 }),
      at(7, { ledEnergyKwh: 3 }),
      at(8, { ledEnergyKwh: 4 }),
    ];
    expect(energyPerInterval(points, STEP).map((p) => p.y)).toEqual([null, 0.5, 1, null, null, null, 1]);
  });
});

describe('expectedPower', () => {
  it('is lamps on times the rated power of one lamp', () => {
    const points = [at(0, { lampsOn: 40 }), at(1, { lampsOn: 0 }), at(2, {})];
    expect(expectedPower(points, STEP, 300).map((p) => p.y)).toEqual([12_000, 0, null]);
  });
});

describe('stepFor', () => {
  it('keeps every range to a few hundred buckets', () => {
    for (const days of [1, 7, 30]) {
      const range = days * 86_400_000;
      const { stepMs } = stepFor(range);
      expect(range / stepMs).toBeLessThanOrEqual(800);
      expect(range / stepMs).toBeGreaterThanOrEqual(280);
    }
  });
});
