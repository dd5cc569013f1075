import { FleetResult } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { describe, expect, it } from 'vitest';
import { calculateFleet } from './calculate.js';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from './methodologies.js';
import { methodology } from './scenarios.fixture.js';
import { workedMonthInput } from './worked-month.fixture.js';

/**
 * The API sends a result through the contract's `FleetResult` schema, which drops any key it does not
 * list. So the schema must keep every key the calculator writes, for every variant: the worked month has a
 * register reset, a bridged reboot, a gap and fuel readings, so each report section is filled.
 */
const registry = loadFleetRegistry();
const input = workedMonthInput(registry);

describe("the contract's result schema", () => {
  it.each(BUILT_IN_METHODOLOGY_IDS)('keeps every key of a %s result', (id) => {
    const result = calculateFleet(loadBuiltInMethodology(id), input);
    expect(result.vessels[0]?.subPeriods[0]?.route.variant).toBe(loadBuiltInMethodology(id).variant);
    expect(FleetResult.parse(result)).toStrictEqual(result);
  });

  it('keeps the per-vessel rounding and the substituted windows', () => {
    const substituting = methodology('qtled-vn006-electricity-ratio', (json) => {
      const rules = json['rules'] as Record<string, Record<string, unknown> | string>;
      rules['unobservedEnergy'] = 'substitute-conservative';
      rules['rounding'] = { mode: 'floor', decimalPlaces: 2, stage: 'vessel' };
    });
    const result = calculateFleet(substituting, input);
    expect(result.vessels[0]?.emissionReductionsRoundedTco2).not.toBeNull();
    expect(result.vessels[0]?.unobservedWindows.length).toBeGreaterThan(0);
    expect(FleetResult.parse(result)).toStrictEqual(result);
  });

  it('fails when the schema lacks a key the calculator writes', () => {
    const result = calculateFleet(loadBuiltInMethodology('qtled-vn006-electricity-ratio'), input);
    const narrower = FleetResult.extend({
      fleet: FleetResult.shape.fleet.omit({ fuelMeteredVessels: true }),
    });
    expect(narrower.parse(result)).not.toStrictEqual(result);
  });
});
