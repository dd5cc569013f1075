import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { calculateFleet, type FleetResult, type VesselResult } from './calculate.js';
import { canonicalJson } from './canonical-json.js';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology, parameterSetSha256 } from './methodologies.js';
import { methodology } from './scenarios.fixture.js';
import { WORKED_VESSEL, fleetMonthInput, workedMonthInput } from './worked-month.fixture.js';

/**
 * The month worked through by hand in docs/jcm.md. Every figure the document quotes is asserted here, and
 * the document must contain it exactly as formatted below: change the calculator, the parameter sets, the
 * registry or the fixture, and this test says which figure of the document is now wrong.
 */
const DOC = readFileSync(new URL('../../../docs/jcm.md', import.meta.url), 'utf8');
const registry = loadFleetRegistry();
const input = workedMonthInput(registry);

const fmt = (x: number, decimals: number): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

function vesselOf(result: FleetResult): VesselResult {
  const vessel = result.vessels[0];
  if (!vessel) throw new Error('no vessel');
  return vessel;
}

/** Asserts a figure and that the document quotes it in this form. */
function quoted(label: string, value: number, decimals: number, expected: string): void {
  expect(fmt(value, decimals), label).toBe(expected);
  expect(DOC, `docs/jcm.md should quote ${label} as ${expected}`).toContain(expected);
}

describe('the worked month of docs/jcm.md: QT-97947-TS in March 2024', () => {
  const electricity = calculateFleet(loadBuiltInMethodology('qtled-vn006-electricity-ratio'), input);
  const vessel = vesselOf(electricity);
  const sub = vessel.subPeriods[0];
  if (!sub) throw new Error('no sub-period');

  it('uses the registry configuration the document states', () => {
    expect(vessel.vesselId).toBe(WORKED_VESSEL);
    expect(vessel.subPeriods).toHaveLength(1);
    expect([sub.ledLampCount, sub.ledLampRatedW, sub.replacedLampCount, sub.replacedLampRatedW]).toEqual([
      51, 360, 46, 1500,
    ]);
    expect([sub.meterId, sub.replacedLampType]).toEqual(['EM17-9791', 'metal-halide']);
    quoted('P_led', sub.pLedKw, 2, '18.36');
    quoted('P_ref', sub.pRefKw, 2, '69.00');
    quoted('P_ref/P_led', sub.powerRatio, 6, '3.758170');
  });

  it('reads two register segments around one reset, with the gap and the reboot bridged', () => {
    const [first, second] = vessel.energyRegister.segments;
    quoted('segment 1 start', first?.firstInPeriod?.register ?? NaN, 2, '48,216.40');
    quoted('segment 1 end', first?.lastInPeriod?.register ?? NaN, 2, '51,544.03');
    quoted('segment 1 energy', first?.inPeriod ?? NaN, 2, '3,327.63');
    quoted('segment 2 start', second?.firstInPeriod?.register ?? NaN, 2, '1.31');
    quoted('segment 2 end', second?.lastInPeriod?.register ?? NaN, 2, '658.88');
    quoted('segment 2 energy', second?.inPeriod ?? NaN, 2, '657.57');
    expect(vessel.energyRegister.breaks.map((b) => b.reason)).toEqual(['register-drop']);
    expect(vessel.energyRegister.rebootsBridged).toBe(1);
    expect(vessel.completeness.gaps.map((g) => g.bridgedByRegister)).toEqual([true]);
    expect(vessel.flags).toEqual(['ENERGY_EXCLUDED', 'REGISTER_BREAK']);
  });

  it('computes EC, RE, PE and ER as the document does', () => {
    quoted('EC kWh', vessel.energyKwh, 2, '3,985.20');
    quoted('EC MWh', vessel.energyMwh, 5, '3.98520');
    if (sub.route.variant !== 'electricity-rated-power-ratio')
      throw new Error('expected the electricity route');
    quoted('reference energy', sub.route.referenceEnergyMwh, 6, '14.977059');
    quoted('RE', vessel.referenceEmissionsTco2, 6, '7.982772');
    quoted('PE', vessel.projectEmissionsTco2, 6, '2.124112');
    quoted('ER', vessel.emissionReductionsTco2, 6, '5.858661');
    expect(electricity.fleet.emissionReductionsReportedTco2).toBe(5);
    // Re-derived from the quoted intermediates, as an analyst would.
    const ec = 3.9852;
    expect(vessel.emissionReductionsTco2).toBeCloseTo(ec * (69 / 18.36) * 0.533 - ec * 0.533, 12);
  });

  it('reports lamp hours, completeness and fuel as quoted', () => {
    quoted('lamp-on hours', vessel.lampOnHours, 2, '235.50');
    quoted('lamp-on hours observed', vessel.lampOnHoursObserved, 2, '235.25');
    quoted('unobserved hours', vessel.unobservedWindows[0]?.hours ?? NaN, 2, '0.25');
    quoted('energy time observed %', (vessel.completeness.energyObservedRatio ?? NaN) * 100, 3, '99.966');
    quoted('lamp-on observed %', (vessel.completeness.lampOnObservedRatio ?? NaN) * 100, 3, '99.894');
    quoted('readings received', vessel.completeness.readingsReceived, 0, '2,785');
    quoted('readings expected', vessel.completeness.readingsExpected, 0, '2,976');
    quoted('readings %', (vessel.completeness.readingsRatio ?? NaN) * 100, 2, '93.58');
    const fuel = vessel.fuelRegister.segments[0];
    quoted('fuel start', fuel?.firstInPeriod?.register ?? NaN, 1, '112,480.0');
    quoted('fuel end', fuel?.lastInPeriod?.register ?? NaN, 1, '114,265.5');
    quoted('fuel', vessel.fuelL ?? NaN, 1, '1,785.5');
  });

  it('gives the figures the document quotes for the other two variants', () => {
    const hours = vesselOf(calculateFleet(loadBuiltInMethodology('qtled-vn006-rated-power-hours'), input));
    const route = hours.subPeriods[0]?.route;
    if (route?.variant !== 'rated-power-hours') throw new Error('expected the hours route');
    quoted('full-load hours', route.referenceHours, 6, '223.259804');
    quoted('hours RE', hours.referenceEmissionsTco2, 6, '8.210826');
    quoted('hours ER', hours.emissionReductionsTco2, 6, '6.086714');
    quoted('energy-supported hours', route.energySupportedFullLoadHours, 2, '217.06');

    const fuel = vesselOf(calculateFleet(loadBuiltInMethodology('qtled-vn006-fuel-cross-check'), input));
    const f = fuel.subPeriods[0]?.route;
    if (f?.variant !== 'fuel-cross-check') throw new Error('expected the fuel route');
    quoted('tCO2 per L', f.fuelCo2Tco2PerL, 9, '0.002676492');
    quoted('fuel saved', f.fuelSavedL, 2, '3,957.07');
    quoted('fuel ER', fuel.emissionReductionsTco2, 6, '10.591064');
    quoted('reference generator fuel', f.referenceGeneratorFuelL ?? NaN, 2, '5,742.57');
    quoted('measured fuel per kWh', f.measuredFuelPerLedKwhLPerKwh ?? NaN, 3, '0.448');

    const substituting = vesselOf(
      calculateFleet(
        methodology('qtled-vn006-electricity-ratio', (json) => {
          (json['rules'] as Record<string, unknown>)['unobservedEnergy'] = 'substitute-conservative';
        }),
        input,
      ),
    );
    quoted('substitution rate', substituting.substitutionRateKwhPerFullLoadHour ?? NaN, 2, '17.85');
    quoted(
      'window full-load hours',
      substituting.unobservedWindows[0]?.fullLoadLampOnHours ?? NaN,
      6,
      '0.220588',
    );
    quoted('substituted kWh', substituting.substitutedEnergyKwh, 4, '3.9375');
    quoted('ER with substitution', substituting.emissionReductionsTco2, 6, '5.864449');
  });

  it('carries the provenance the document quotes', () => {
    for (const hash of [electricity.provenance.parameterSetSha256, electricity.provenance.inputSha256]) {
      expect(DOC).toContain(hash);
    }
    for (const id of BUILT_IN_METHODOLOGY_IDS) {
      expect(DOC, `docs/jcm.md should list the hash of ${id}`).toContain(
        `| \`${id}\` | \`${parameterSetSha256(loadBuiltInMethodology(id))}\` |`,
      );
    }
    expect(electricity.provenance.calculatorVersion).toBe('0.1.1');
  });
});

describe('the monthly fleet report', () => {
  it('takes the 40 registry vessels × a month of 15-minute readings in one call, and sums them', () => {
    const input = fleetMonthInput(registry);
    const m = loadBuiltInMethodology('qtled-vn006-electricity-ratio');
    const result = calculateFleet(m, input);
    expect(result.vessels).toHaveLength(40);
    expect(result.fleet.completeness.readingsRatio).toBe(1);
    const sum = result.vessels.reduce((a, v) => a + v.emissionReductionsTco2, 0);
    expect(result.fleet.emissionReductionsTco2).toBe(sum);
    expect(result.fleet.emissionReductionsReportedTco2).toBe(Math.floor(sum));
    expect(result.fleet.fuelMeteredVessels).toBe(6);
    // Reproducible to the byte.
    expect(canonicalJson(calculateFleet(m, input))).toBe(canonicalJson(result));
  });
});
