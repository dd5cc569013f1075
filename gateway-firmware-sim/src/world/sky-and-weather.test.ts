import { describe, expect, it } from 'vitest';
import { DAY_MS, createWeather, isBrightNight, localDayStartMs, moonAgeDays } from './sky-and-weather.js';

describe('moon and weather', () => {
  it('finds full moon on a known date (2024-03-25 07:00 UTC)', () => {
    expect(moonAgeDays(Date.UTC(2024, 2, 25, 7))).toBeGreaterThan(14.2);
    expect(moonAgeDays(Date.UTC(2024, 2, 25, 7))).toBeLessThan(15.4);
    // New moon 2024-03-10 09:00 UTC: the mean phase is within a day of it.
    const age = moonAgeDays(Date.UTC(2024, 2, 10, 9));
    expect(age < 1 || age > 28.5).toBe(true);
  });

  it('gives about five bright nights a month', () => {
    const start = localDayStartMs(Date.UTC(2024, 0, 1));
    let bright = 0;
    for (let d = 0; d < 365; d += 1) if (isBrightNight(start + d * DAY_MS)) bright += 1;
    expect(bright / 12.37).toBeGreaterThan(4);
    expect(bright / 12.37).toBeLessThan(6);
  });

  it('makes rough weather in spells, more of it in the monsoon, the same for the same seed', () => {
    const a = createWeather(1);
    const b = createWeather(1);
    const count = (w: ReturnType<typeof createWeather>, month: number): number => {
      let n = 0;
      for (let year = 2019; year < 2024; year += 1) {
        for (let d = 0; d < 28; d += 1) if (w.isRough(Date.UTC(year, month, 1 + d, 5))) n += 1;
      }
      return n;
    };
    expect(count(a, 10)).toBeGreaterThan(count(a, 5));
    for (let d = 0; d < 200; d += 1) {
      const t = Date.UTC(2024, 0, 1) + d * DAY_MS;
      expect(a.isRough(t)).toBe(b.isRough(t));
    }
  });
});
