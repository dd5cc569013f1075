import { describe, expect, it } from 'vitest';
import { unitOf } from './emissions.js';

describe('units of the calculator intermediates', () => {
  it('reads the unit from the name, longest suffix first', () => {
    expect(unitOf('efGenTco2PerMwh')).toBe('unit.tco2PerMwh');
    expect(unitOf('referenceEmissionsTco2')).toBe('unit.tco2');
    expect(unitOf('energyKwh')).toBe('unit.kwh');
    expect(unitOf('pLedKw')).toBe('unit.kw');
    expect(unitOf('measuredFuelPerLedKwhLPerKwh')).toBe('unit.lPerKwh');
    expect(unitOf('fuelSavedL')).toBe('unit.l');
    expect(unitOf('fullLoadLampOnHours')).toBe('unit.h');
    expect(unitOf('ledLampRatedW')).toBe('unit.w');
  });

  it('gives ratios and counts no unit', () => {
    expect(unitOf('powerRatio')).toBeNull();
    expect(unitOf('ledLampCount')).toBeNull();
  });
});
