import { describe, expect, it } from 'vitest';
import {
  CON_CO,
  CUA_TUNG,
  CUA_VIET,
  destination,
  distanceKm,
  inCoverage,
  isOnLand,
  mooringOf,
  offshoreKm,
} from './geo.js';

describe('the Quang Tri coast model', () => {
  it('puts the coast through Cửa Tùng and Cửa Việt, land to the west, sea to the east', () => {
    expect(offshoreKm(CUA_TUNG)).toBeCloseTo(0, 6);
    expect(offshoreKm(CUA_VIET)).toBeCloseTo(0, 6);
    expect(isOnLand({ lat: 16.82, lon: 107.1 })).toBe(true); // Đông Hà, inland
    expect(isOnLand({ lat: 17.0, lon: 107.0 })).toBe(true);
    expect(isOnLand({ lat: 17.0, lon: 107.3 })).toBe(false);
  });

  it('knows Cồn Cỏ as land about 29 km off the coast', () => {
    expect(isOnLand(CON_CO)).toBe(true);
    expect(offshoreKm(CON_CO)).toBeGreaterThan(27);
    expect(offshoreKm(CON_CO)).toBeLessThan(31);
    expect(isOnLand(destination(CON_CO, 90, 3))).toBe(false);
  });

  it('moors every home port at sea, within coverage', () => {
    for (const port of ['Cửa Tùng', 'Trung Giang', 'Gio Hải', 'Gio Việt', 'Cửa Việt', 'Triệu An'] as const) {
      const mooring = mooringOf(port);
      expect(isOnLand(mooring)).toBe(false);
      expect(offshoreKm(mooring)).toBeLessThan(1);
      expect(inCoverage(mooring, 25)).toBe(true);
    }
  });

  it('ends coverage a few tens of km out', () => {
    const p = destination(CUA_TUNG, 57, 40);
    expect(inCoverage(p, 30)).toBe(false);
    expect(inCoverage(destination(CUA_TUNG, 57, 20), 25)).toBe(true);
    expect(distanceKm(CUA_TUNG, CUA_VIET)).toBeGreaterThan(15);
  });
});
