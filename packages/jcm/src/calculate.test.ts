import { describe, expect, it } from 'vitest';
import { VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { calculateFleet, type FleetResult, type VesselResult } from './calculate.js';
import { canonicalJson } from './canonical-json.js';
import { JcmError } from './errors.js';
import type { EnergyRegisterReading, FleetPeriodInput, VesselPeriodInput } from './input.js';
import { loadBuiltInMethodology } from './methodologies.js';
import {
  THREE_NIGHTS,
  TEST_VESSEL,
  energyBefore,
  intervalsOf,
  localMs,
  methodology,
  readingsEvery,
  span,
  testVersion,
  threeNightsInput,
  threeNightsRegister,
} from './scenarios.fixture.js';

const electricity = loadBuiltInMethodology('qtled-vn006-electricity-ratio');
const electricitySubstituting = methodology('qtled-vn006-electricity-ratio', (json) => {
  (json['rules'] as Record<string, unknown>)['unobservedEnergy'] = 'substitute-conservative';
});
const hours = loadBuiltInMethodology('qtled-vn006-rated-power-hours');
const hoursSubstituting = methodology('qtled-vn006-rated-power-hours', (json) => {
  (json['rules'] as Record<string, unknown>)['unobservedEnergy'] = 'substitute-conservative';
});

/** tCO₂ per kWh credited on the test boat by the electricity route: (P_ref/P_led − 1) × EF_gen = 2 × 0.533 t/MWh. */
const ER_PER_KWH = (2 * 0.533) / 1000;

/** Calculates the three-nights period; with no vessel given, the baseline boat. */
function run(m = electricity, ...vessels: VesselPeriodInput[]): FleetResult {
  return calculateFleet(m, {
    period: THREE_NIGHTS.period,
    vessels: vessels.length > 0 ? vessels : [threeNightsInput()],
  });
}
function only(result: FleetResult): VesselResult {
  const vessel = result.vessels[0];
  if (!vessel) throw new Error('no vessel in the result');
  return vessel;
}
const all = readingsEvery(THREE_NIGHTS.firstReadingMs, THREE_NIGHTS.lastReadingMs, 1, threeNightsRegister);
const without = (from: number, to: number): EnergyRegisterReading[] =>
  all.filter((r) => r.atMs < from || r.atMs > to);

describe('three nights, every hour read (the baseline)', () => {
  const vessel = only(run());

  it('counts 50 + 40 + 27 = 117 kWh and credits 117 kWh × 2 × 0.533 t/MWh', () => {
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.referenceEmissionsTco2).toBeCloseTo(0.117 * 3 * 0.533, 12); // 0.187083
    expect(vessel.projectEmissionsTco2).toBeCloseTo(0.117 * 0.533, 12); // 0.062361
    expect(vessel.emissionReductionsTco2).toBeCloseTo(0.124722, 12);
    expect(vessel.lampOnHours).toBeCloseTo(26, 12); // 10 + 10 + 6 h inside the period
    expect(vessel.completeness.energyObservedRatio).toBe(1);
    expect(vessel.flags).toEqual([]);
  });

  it('tells the segment it read: 1,000 kWh before the period, 1,162 kWh after, 117 kWh inside', () => {
    expect(vessel.energyRegister.segments).toHaveLength(1);
    const segment = vessel.energyRegister.segments[0];
    expect(segment?.firstRegister).toBe(1000);
    expect(segment?.lastRegister).toBeCloseTo(1000 + 50 + 40 + 45, 9);
    expect(segment?.inPeriod).toBeCloseTo(117, 9);
  });
});

describe('a gap the register bridges', () => {
  it('loses no energy when 7 hours of readings in night 1 never arrive', () => {
    const gap = { fromMs: localMs('2024-03-01', 19), toMs: localMs('2024-03-02', 3) };
    const vessel = only(
      run(electricity, {
        ...threeNightsInput(without(gap.fromMs + 1, gap.toMs - 1)),
        dataQuality: { days: [], gaps: [gap] },
      }),
    );
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.emissionReductionsTco2).toBeCloseTo(0.124722, 12);
    expect(vessel.completeness.gaps).toEqual([{ ...gap, bridgedByRegister: true }]);
    expect(vessel.unobservedWindows).toEqual([]);
  });

  it('bridges a gateway reboot: a new boot id with a register that kept counting', () => {
    const rebootAt = localMs('2024-03-02', 21);
    const readings = all.map((r) => (r.atMs >= rebootAt ? { ...r, bootId: '9e1d00aa' } : r));
    const vessel = only(run(electricity, threeNightsInput(readings)));
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.energyRegister.rebootsBridged).toBe(1);
    expect(vessel.energyRegister.breaks).toEqual([]);
  });
});

describe('meter-replaced events the readings contradict', () => {
  // The old meter read until 1 Mar 22:00 and closed at 1,050 kWh (night 1 complete); the new meter read from
  // 2 Mar 13:00, but the gateway stamped the event at 16:00, after three of the new meter's readings.
  const newFrom = localMs('2024-03-02', 13);
  const stampedAt = localMs('2024-03-02', 16);
  const readingsWithNewMeterFrom = (firstRegister: number) => [
    ...all.filter((r) => r.atMs <= localMs('2024-03-01', 22)),
    ...all
      .filter((r) => r.atMs >= newFrom)
      .map((r) => ({ ...r, registerKwh: energyBefore(THREE_NIGHTS.nights, r.atMs) - 50 + firstRegister })),
  ];
  const late = (firstRegister: number): VesselPeriodInput => ({
    ...threeNightsInput(readingsWithNewMeterFrom(firstRegister)),
    meterReplacements: [{ atMs: stampedAt, sensor: 'led-meter', lastRegister: 1050, firstRegister }],
  });

  it('takes no new-meter reading for the old meter when the event is stamped late, and flags the event', () => {
    const vessel = only(run(electricity, late(0)));
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.energyRegister.breaks.map((b) => [b.reason, b.firstAfterMs])).toEqual([
      ['meter-replaced', newFrom],
    ]);
    expect(vessel.flags).toContain('METER_EVENT_INCONSISTENT');
  });

  it('does the same for a used replacement meter that starts above the old one (at 5,000 kWh)', () => {
    const vessel = only(run(electricity, late(5_000)));
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.flags).toContain('METER_EVENT_INCONSISTENT');
  });

  it('leaves an event stamped on time as it is: no flag', () => {
    const vessel = only(
      run(electricity, {
        ...threeNightsInput(readingsWithNewMeterFrom(0)),
        meterReplacements: [{ atMs: newFrom - 1, sensor: 'led-meter', lastRegister: 1050, firstRegister: 0 }],
      }),
    );
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.flags).not.toContain('METER_EVENT_INCONSISTENT');
  });

  it('tells a boot change across a replacement, whose event registers carry no boot', () => {
    const readings = readingsWithNewMeterFrom(0).map((r) =>
      r.atMs >= newFrom ? { ...r, bootId: '9e1d00aa' } : r,
    );
    const vessel = only(
      run(electricity, {
        ...threeNightsInput(readings),
        meterReplacements: [{ atMs: newFrom - 1, sensor: 'led-meter', lastRegister: 1050, firstRegister: 0 }],
      }),
    );
    expect(vessel.energyRegister.breaks.map((b) => [b.reason, b.bootChanged])).toEqual([
      ['meter-replaced', true],
    ]);
  });
});

describe('a gap the register cannot bridge: meter replaced, no reading of the old meter after 22:00', () => {
  // Old meter read until 1 Mar 22:00; replaced 2 Mar 12:00 (event: old register unknown, new one at 0);
  // new meter read from 13:00. The 6 lit hours 22:00–04:00 of night 1 (30 kWh at 5 kW) are unobserved.
  const replacedAt = localMs('2024-03-02', 12);
  const readings = [
    ...all.filter((r) => r.atMs <= localMs('2024-03-01', 22)),
    ...all
      .filter((r) => r.atMs > replacedAt)
      .map((r) => ({ ...r, registerKwh: energyBefore(THREE_NIGHTS.nights, r.atMs) - 50 })),
  ];
  const input = (lastRegister: number | null): VesselPeriodInput => ({
    ...threeNightsInput(readings),
    meterReplacements: [{ atMs: replacedAt, sensor: 'led-meter', lastRegister, firstRegister: 0 }],
  });

  it('excludes them by default: 117 − 30 = 87 kWh, and says so', () => {
    const vessel = only(run(electricity, input(null)));
    expect(vessel.energyKwh).toBeCloseTo(87, 9);
    expect(vessel.emissionReductionsTco2).toBeCloseTo(87 * ER_PER_KWH, 12); // 0.092742
    expect(vessel.unobservedWindows).toEqual([
      {
        fromMs: localMs('2024-03-01', 22),
        toMs: replacedAt,
        hours: 14,
        reason: 'meter-replaced',
        lampOnHours: 6,
        fullLoadLampOnHours: 6,
        treatment: 'exclude',
        substitutedEnergyKwh: 0,
      },
    ]);
    expect(vessel.flags).toEqual(['ENERGY_EXCLUDED', 'REGISTER_BREAK']);
    expect(vessel.completeness.lampOnHoursObserved).toBeCloseTo(20, 12);
    expect(vessel.completeness.lampOnObservedRatio).toBeCloseTo(20 / 26, 12);
  });

  it('substitutes the lowest observed rate (night 3: 45 kWh / 10 full-load h = 4.5 kW) × 6 h = 27 kWh', () => {
    // Night 2 gives 40 kWh / (10 h × 16/20 lamps) = 5 kWh per full-load hour; night 1 is not bracketed.
    const vessel = only(run(electricitySubstituting, input(null)));
    expect(vessel.substitutionRateKwhPerFullLoadHour).toBeCloseTo(4.5, 12);
    expect(vessel.substitutedEnergyKwh).toBeCloseTo(27, 9);
    expect(vessel.energyKwh).toBeCloseTo(114, 9);
    expect(vessel.emissionReductionsTco2).toBeCloseTo(114 * ER_PER_KWH, 12); // 0.121524, below the true 0.124722
    expect(vessel.flags).toContain('ENERGY_SUBSTITUTED');
  });

  it('loses nothing when the event reports the old meter’s last register (1,050 kWh)', () => {
    const vessel = only(run(electricity, input(1050)));
    expect(vessel.energyKwh).toBeCloseTo(117, 9);
    expect(vessel.unobservedWindows).toEqual([]);
    expect(vessel.energyRegister.breaks.map((b) => b.reason)).toEqual(['meter-replaced']);
  });

  it('rated power × hours: counts reference hours only where the register saw the energy', () => {
    // Full-load hours 10 + 8 + 6 = 24, minus the 6 unobserved: RE = 15 kW × 18 h × 0.533, PE = 87 kWh × 0.533.
    const excluded = only(run(hours, input(null)));
    expect(excluded.referenceEmissionsTco2).toBeCloseTo((15 * 18 * 0.533) / 1000, 12);
    expect(excluded.projectEmissionsTco2).toBeCloseTo((87 * 0.533) / 1000, 12);
    // Substituting: the 6 h count for the reference, and the project at its maximum, 5 kW × 1.1 × 6 h = 33 kWh.
    const substituted = only(run(hoursSubstituting, input(null)));
    expect(substituted.substitutedEnergyKwh).toBeCloseTo(33, 9);
    expect(substituted.referenceEmissionsTco2).toBeCloseTo((15 * 24 * 0.533) / 1000, 12);
    expect(substituted.projectEmissionsTco2).toBeCloseTo((120 * 0.533) / 1000, 12);
  });
});

describe('a register reset inside the period', () => {
  // At 23:30 on 2 March (night 2, 16 lamps, 4 kW) the register resets to 0 and counts on: 1,070 kWh at
  // 23:00, 2 kWh at 00:00. The hour between the two readings (4 kWh really) is not observed.
  const resetAt = localMs('2024-03-02', 23.5);
  const readings = all.map((r) =>
    r.atMs > resetAt
      ? {
          ...r,
          registerKwh: energyBefore(THREE_NIGHTS.nights, r.atMs) - energyBefore(THREE_NIGHTS.nights, resetAt),
        }
      : r,
  );

  it('splits the period into two segments and never integrates the drop: 117 − 4 = 113 kWh', () => {
    const vessel = only(run(electricity, threeNightsInput(readings)));
    expect(vessel.energyRegister.segments.map((s) => [s.firstRegister, s.lastRegister])).toEqual([
      [1000, 1070],
      [2, 2 + 16 + 45],
    ]);
    expect(vessel.energyRegister.breaks).toEqual([
      {
        reason: 'register-drop',
        lastBeforeMs: localMs('2024-03-02', 23),
        lastBeforeRegister: 1070,
        firstAfterMs: localMs('2024-03-03', 0),
        firstAfterRegister: 2,
        bootChanged: false,
      },
    ]);
    expect(vessel.energyKwh).toBeCloseTo(113, 9);
    expect(vessel.emissionReductionsTco2).toBeCloseTo(113 * ER_PER_KWH, 12); // 0.120458
    expect(vessel.unobservedWindows[0]).toMatchObject({ hours: 1, lampOnHours: 1, fullLoadLampOnHours: 0.8 });
  });

  it('substitutes 4.5 kWh per full-load hour × 0.8 h = 3.6 kWh (the true 4 kWh is not known)', () => {
    const vessel = only(run(electricitySubstituting, threeNightsInput(readings)));
    expect(vessel.substitutedEnergyKwh).toBeCloseTo(3.6, 9);
    expect(vessel.energyKwh).toBeCloseTo(116.6, 9);
  });

  it('treats a drop with a new boot id (gateway replaced) the same way, and says the boot changed', () => {
    const rebooted = readings.map((r) => (r.atMs > resetAt ? { ...r, bootId: 'aa00ff11' } : r));
    const vessel = only(run(electricity, threeNightsInput(rebooted)));
    expect(vessel.energyKwh).toBeCloseTo(113, 9);
    expect(vessel.energyRegister.breaks[0]?.bootChanged).toBe(true);
  });

  it('never bridges a change of meter id, even when the new register is higher', () => {
    // A new meter reading 5,000 kWh from 12:00 on 2 March: bridged, it would add 3,950 kWh.
    const changedAt = localMs('2024-03-02', 12);
    const swapped = all.map((r) =>
      r.atMs > changedAt
        ? { ...r, meterId: 'EM24-0002', registerKwh: 5000 + energyBefore(THREE_NIGHTS.nights, r.atMs) - 50 }
        : { ...r, meterId: 'EM17-0001' },
    );
    const vessel = only(run(electricity, threeNightsInput(swapped)));
    expect(vessel.energyRegister.breaks.map((b) => b.reason)).toEqual(['meter-id-changed']);
    expect(vessel.energyKwh).toBeCloseTo(117, 9); // the unobserved hour 12:00–13:00 had no lamps on
  });
});

describe('energy at a boundary without a reading there', () => {
  // Readings of 3 Mar 23:00, 4 Mar 00:00 and 01:00 lost: one step 22:00 → 02:00 of 18 kWh (4.5 kW × 4 h)
  // straddles the end of the period. The circuit can draw at most 5 kW × 1.1 = 5.5 kW.
  const readings = without(localMs('2024-03-03', 23), localMs('2024-03-04', 1));

  it('electricity: the period keeps only what must have been drawn inside it, 18 − 5.5 × 2 = 7 kWh', () => {
    const vessel = only(run(electricity, threeNightsInput(readings)));
    expect(vessel.energyKwh).toBeCloseTo(117 - 9 + 7, 9);
    expect(vessel.emissionReductionsTco2).toBeCloseTo(115 * ER_PER_KWH, 12); // 0.12259 < 0.124722
  });

  it('rated power × hours: the period takes the most it can, 5.5 × 2 = 11 kWh (project emissions up)', () => {
    const vessel = only(run(hours, threeNightsInput(readings)));
    expect(vessel.energyKwh).toBeCloseTo(117 - 9 + 11, 9);
  });
});

describe('implausible steps', () => {
  it('caps a register jump the lamps could not have drawn, and reports the excess', () => {
    // +100 kWh between 11:00 and 12:00 on 1 March, lamps off: at most 5.5 kWh can be real.
    const jumpAt = localMs('2024-03-01', 12);
    const readings = all.map((r) => (r.atMs >= jumpAt ? { ...r, registerKwh: r.registerKwh + 100 } : r));
    const vessel = only(run(electricity, threeNightsInput(readings)));
    expect(vessel.energyKwh).toBeCloseTo(117 + 5.5, 9);
    expect(vessel.energyRegister.implausibleSteps).toBe(1);
    expect(vessel.energyRegister.implausibleExcluded).toBeCloseTo(94.5, 9);
    expect(vessel.flags).toContain('IMPLAUSIBLE_STEP_CAPPED');
  });
});

describe('the rated power × hours variant on the baseline', () => {
  it('weights lamp hours by lamps lit: 10 + 10 × 16/20 + 6 = 24 full-load hours', () => {
    const vessel = only(run(hours));
    const route = vessel.subPeriods[0]?.route;
    expect(route?.variant === 'rated-power-hours' && route.referenceHours).toBeCloseTo(24, 12);
    expect(vessel.referenceEmissionsTco2).toBeCloseTo((15 * 24 * 0.533) / 1000, 12); // 0.19188
    expect(vessel.emissionReductionsTco2).toBeCloseTo(0.19188 - 0.062361, 12);
  });

  it('counts every lit hour in full on the any-lamp-on basis: 26 h', () => {
    const anyLamp = methodology('qtled-vn006-rated-power-hours', (json) => {
      (json['rules'] as Record<string, unknown>)['referenceHoursBasis'] = 'any-lamp-on';
    });
    expect(only(run(anyLamp)).referenceEmissionsTco2).toBeCloseTo((15 * 26 * 0.533) / 1000, 12);
  });
});

describe('the fuel cross-check on the baseline', () => {
  it('derives ΔFuel = 0.36 L/kWh × 117 kWh × (3 − 1) = 84.24 L and its CO₂', () => {
    const vessel = only(run(loadBuiltInMethodology('qtled-vn006-fuel-cross-check')));
    const route = vessel.subPeriods[0]?.route;
    if (route?.variant !== 'fuel-cross-check') throw new Error('expected the fuel route');
    expect(route.fuelSavedL).toBeCloseTo(84.24, 9);
    expect(route.fuelCo2Tco2PerL).toBeCloseTo((0.84 * 43 * 74.1) / 1e6, 15);
    expect(vessel.emissionReductionsTco2).toBeCloseTo((84.24 * 0.84 * 43 * 74.1) / 1e6, 12);
    expect(route.referenceGeneratorFuelL).toBeNull(); // no fuel totaliser on this boat
    expect(vessel.fuelL).toBeNull();
  });
});

describe('a vessel whose lamps changed mid-period (QT-90145-TS, 20 → 24 LEDs on 12 March 2019)', () => {
  const registry = loadFleetRegistry();
  const boat = VesselId.parse('QT-90145-TS');
  const versions = registry.versionsBetween(boat, '2019-03-01', '2019-04-01');
  // Nights from 18:00, 10 h: 10 and 11 March with 20 lamps (4.8 kW); 12 March with 24 lamps (5.76 kW).
  const nights = [
    { fromMs: localMs('2019-03-10', 18), hours: 10, lampsOn: 20, kw: 4.8 },
    { fromMs: localMs('2019-03-11', 18), hours: 10, lampsOn: 20, kw: 4.8 },
    { fromMs: localMs('2019-03-12', 18), hours: 10, lampsOn: 24, kw: 5.76 },
  ];
  const register = (t: number): number => 3000 + energyBefore(nights, t);
  const readings = [
    { atMs: localMs('2019-03-01', 0), registerKwh: 3000, bootId: '1a2b3c4d' },
    ...readingsEvery(localMs('2019-03-10', 12), localMs('2019-03-13', 12), 1, register, '1a2b3c4d'),
    { atMs: localMs('2019-04-01', 0), registerKwh: register(localMs('2019-04-01', 0)), bootId: '1a2b3c4d' },
  ];
  const input = (energyReadings: EnergyRegisterReading[]): FleetPeriodInput => ({
    period: { from: '2019-03-01', toExclusive: '2019-04-01' },
    vessels: [{ vesselId: boat, versions, energyReadings, lampOnIntervals: intervalsOf(nights) }],
  });

  it('takes both configurations from the registry: P_ref 18 kW; P_led 4.8 kW, then 5.76 kW', () => {
    expect(versions.map((v) => [v.from, v.to, v.version.ledLamps.count, v.version.ledLamps.ratedW])).toEqual([
      ['2019-03-01', '2019-03-12', 20, 240],
      ['2019-03-12', '2019-04-01', 24, 240],
    ]);
    expect(versions.map((v) => v.version.replacedLamps)).toEqual([
      { count: 12, ratedW: 1500, type: 'metal-halide' },
      { count: 12, ratedW: 1500, type: 'metal-halide' },
    ]);
  });

  it('applies each version’s ratio to the energy of its sub-period (split at local midnight)', () => {
    const vessel = only(calculateFleet(electricity, input(readings)));
    // Before 12 March: 48 + 28.8 = 76.8 kWh at 18/4.8 = 3.75; from then: 19.2 + 57.6 = 76.8 kWh at 3.125.
    expect(vessel.subPeriods.map((s) => [s.fromDate, s.powerRatio])).toEqual([
      ['2019-03-01', 3.75],
      ['2019-03-12', 3.125],
    ]);
    expect(vessel.subPeriods[0]?.energyKwh).toBeCloseTo(76.8, 9);
    expect(vessel.subPeriods[1]?.energyKwh).toBeCloseTo(76.8, 9);
    expect(vessel.subPeriods[0]?.emissionReductionsTco2).toBeCloseTo(0.0768 * 2.75 * 0.533, 12); // 0.1125696
    expect(vessel.subPeriods[1]?.emissionReductionsTco2).toBeCloseTo(0.0768 * 2.125 * 0.533, 12); // 0.0869856
    expect(vessel.emissionReductionsTco2).toBeCloseTo(0.1995552, 12);
  });

  it('with no reading at the boundary, gives the low-ratio side all the circuit could draw there', () => {
    // Readings 11 Mar 23:00 – 12 Mar 01:00 lost: 19.2 kWh between 22:00 and 02:00. After midnight the
    // circuit draws at most 5.76 × 1.1 × 2 = 12.672 kWh (ratio 3.125, credits less); the rest, 6.528 kWh,
    // goes before midnight (ratio 3.75).
    const lost = readings.filter(
      (r) => r.atMs < localMs('2019-03-11', 23) || r.atMs > localMs('2019-03-12', 1),
    );
    const vessel = only(calculateFleet(electricity, input(lost)));
    expect(vessel.subPeriods[0]?.energyKwh).toBeCloseTo(48 + 19.2 + 6.528, 9);
    expect(vessel.subPeriods[1]?.energyKwh).toBeCloseTo(12.672 + 9.6 + 57.6, 9);
    expect(vessel.emissionReductionsTco2).toBeCloseTo(0.073728 * 2.75 * 0.533 + 0.079872 * 2.125 * 0.533, 12);
    expect(vessel.emissionReductionsTco2).toBeLessThan(0.1995552);
  });
});

describe('rounding the period’s reductions', () => {
  // Three identical boats, each 600 kWh over 30 days: 0.6 MWh × 2 × 0.533 = 0.6396 t each, 1.9188 t in all.
  const vessels = ['QT-90001-TS', 'QT-90002-TS', 'QT-90003-TS'].map((id): VesselPeriodInput => ({
    vesselId: VesselId.parse(id),
    versions: [span('2024-03-01', '2024-03-31', testVersion())],
    energyReadings: [
      { atMs: localMs('2024-03-01', 0), registerKwh: 0, bootId: '0000aaaa' },
      { atMs: localMs('2024-03-31', 0), registerKwh: 600, bootId: '0000aaaa' },
    ],
    lampOnIntervals: [],
  }));
  const withRounding = (mode: string, stage: string, decimalPlaces = 0): FleetResult =>
    calculateFleet(
      methodology('qtled-vn006-electricity-ratio', (json) => {
        (json['rules'] as Record<string, unknown>)['rounding'] = { mode, stage, decimalPlaces };
      }),
      { period: { from: '2024-03-01', toExclusive: '2024-03-31' }, vessels },
    );

  it.each([
    // mode, stage, decimals, reported fleet figure
    ['floor', 'fleet', 0, 1], // ⌊1.9188⌋ — the default: once, after summation
    ['floor', 'vessel', 0, 0], // ⌊0.6396⌋ × 3
    ['half-up', 'fleet', 0, 2],
    ['half-up', 'vessel', 0, 3],
    ['floor', 'fleet', 2, 1.91],
    ['floor', 'vessel', 2, 1.89], // 0.63 × 3
    ['none', 'fleet', 0, 1.9188],
  ] as const)('%s at the %s stage, %i decimals: %d t', (mode, stage, decimals, reported) => {
    const result = withRounding(mode, stage, decimals);
    expect(result.fleet.emissionReductionsTco2).toBeCloseTo(1.9188, 12);
    expect(result.fleet.emissionReductionsReportedTco2).toBeCloseTo(reported, 12);
    for (const v of result.vessels) expect(v.emissionReductionsTco2).toBeCloseTo(0.6396, 12);
  });

  it('rounds the vessels only at the vessel stage, and never the intermediates', () => {
    expect(withRounding('floor', 'fleet').vessels.map((v) => v.emissionReductionsRoundedTco2)).toEqual([
      null,
      null,
      null,
    ]);
    expect(withRounding('floor', 'vessel').vessels.map((v) => v.emissionReductionsRoundedTco2)).toEqual([
      0, 0, 0,
    ]);
  });
});

describe('the fleet', () => {
  it('sums its vessels, orders them by id whatever the input order, and reports completeness', () => {
    const b = { ...threeNightsInput(), vesselId: VesselId.parse('QT-90002-TS') };
    const a = {
      ...threeNightsInput(without(localMs('2024-03-01', 12), localMs('2024-03-03', 12))),
      vesselId: VesselId.parse('QT-90001-TS'),
      dataQuality: {
        days: [
          { date: '2024-02-29', expectedReadings: 24, receivedReadings: 24 }, // outside the period
          { date: '2024-03-01', expectedReadings: 24, receivedReadings: 12 },
          { date: '2024-03-02', expectedReadings: 24, receivedReadings: 0 },
          { date: '2024-03-03', expectedReadings: 24, receivedReadings: 12 },
        ],
        gaps: [],
      },
    };
    const result = run(electricity, b, a);
    expect(result.vessels.map((v) => v.vesselId)).toEqual(['QT-90001-TS', 'QT-90002-TS']);
    expect(result.fleet.energyMwh).toBeCloseTo(0.234, 12);
    expect(result.fleet.emissionReductionsTco2).toBeCloseTo(2 * 0.124722, 12);
    expect(result.fleet.emissionReductionsReportedTco2).toBe(0);
    expect(result.vessels[0]?.completeness).toMatchObject({ readingsExpected: 72, readingsReceived: 24 });
    expect(result.fleet.completeness).toMatchObject({
      vessels: 2,
      readingsExpected: 72,
      readingsReceived: 24,
    });
    expect(result.fleet.completeness.readingsRatio).toBeCloseTo(1 / 3, 12);
  });

  it('reports a vessel with no configuration in the period with zero figures, and flags it', () => {
    const vessel = only(run(electricity, { ...threeNightsInput(), versions: [] }));
    expect(vessel.status).toBe('no-configuration');
    expect(vessel.emissionReductionsTco2).toBe(0);
    expect(vessel.flags).toContain('NO_CONFIGURATION');
  });

  it('counts only the configured days of a vessel handed over during the period', () => {
    const vessel = only(
      run(electricity, {
        ...threeNightsInput(),
        versions: [span('2024-03-02', '2024-03-04', THREE_NIGHTS.version)],
      }),
    );
    // Night 1 is before the hand-over (its energy before 2 Mar 00:00 is not credited; the 4 h after are).
    expect(vessel.energyKwh).toBeCloseTo(117 - 30, 9);
    expect(vessel.flags).toContain('PARTLY_CONFIGURED');
  });
});

describe('refusals', () => {
  it('refuses a period a parameter is not effective for', () => {
    const later = methodology('qtled-vn006-electricity-ratio', (json) => {
      const p = (json['parameters'] as Record<string, Record<string, unknown>>)['efGenTco2PerMwh'];
      if (p) p['validFrom'] = '2024-03-02';
    });
    expect(() => run(later, threeNightsInput())).toThrow(
      expect.objectContaining({
        code: 'JCM_PARAMETER_NOT_EFFECTIVE',
        problems: [expect.objectContaining({ path: 'parameters.efGenTco2PerMwh' })] as unknown,
      }),
    );
  });

  it('lists every problem of malformed input at once', () => {
    const bad: VesselPeriodInput = {
      ...threeNightsInput(),
      energyReadings: [{ atMs: 1.5, registerKwh: Number.NaN, bootId: 'ab12cd34' }],
      lampOnIntervals: [{ fromMs: 10, toMs: 5, meanLampsOn: 3 }],
    };
    let caught: unknown;
    try {
      run(electricity, bad, threeNightsInput());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JcmError);
    expect((caught as JcmError).problems.map((p) => p.path)).toEqual([
      `vessels[${TEST_VESSEL}].energyReadings[0].atMs`,
      `vessels[${TEST_VESSEL}].energyReadings[0]`,
      `vessels[${TEST_VESSEL}].lampOnIntervals[0]`,
      `vessels[${TEST_VESSEL}]`,
    ]);
  });
});

describe('reproducibility', () => {
  it('gives byte-identical output for readings in another order and re-delivered duplicates', () => {
    const shuffled = [...all].reverse();
    const twice = [...all, ...all.slice(10, 40)];
    const first = canonicalJson(run(electricity, threeNightsInput(all)));
    expect(canonicalJson(run(electricity, threeNightsInput(shuffled)))).toBe(first);
    const duplicated = run(electricity, threeNightsInput(twice));
    expect(only(duplicated).energyRegister.duplicatesDropped).toBe(30);
    expect(only(duplicated).flags).toEqual(['DUPLICATE_READINGS_DROPPED']);
    expect(duplicated.provenance.inputSha256).toBe(
      run(electricity, threeNightsInput(all)).provenance.inputSha256,
    );
  });

  it('carries its provenance: methodology, parameter-set hash, input hash, calculator version', () => {
    const result = run(electricity, threeNightsInput());
    expect(result.provenance).toMatchObject({
      calculator: '@qt-led/jcm',
      methodologyId: 'qtled-vn006-electricity-ratio',
      methodologyVersion: '1.0.0',
      variant: 'electricity-rated-power-ratio',
      canonicalization: 'RFC 8785',
    });
    expect(result.provenance.parameterSetSha256).toMatch(/^[0-9a-f]{64}$/);
    const other = run(
      electricity,
      threeNightsInput(without(localMs('2024-03-01', 12), localMs('2024-03-01', 12))),
    );
    expect(other.provenance.inputSha256).not.toBe(result.provenance.inputSha256);
  });

  it('resolves overlapping lamp-on intervals to the fewest lamps, never their sum', () => {
    const input = threeNightsInput();
    const doubled = { ...input, lampOnIntervals: [...input.lampOnIntervals, ...input.lampOnIntervals] };
    expect(only(run(hours, doubled)).referenceEmissionsTco2).toBeCloseTo(
      only(run(hours, input)).referenceEmissionsTco2,
      15,
    );
    const overlapping = {
      ...input,
      lampOnIntervals: [
        ...input.lampOnIntervals,
        { fromMs: localMs('2024-03-01', 18), toMs: localMs('2024-03-01', 20), meanLampsOn: 10 },
      ],
    };
    const vessel = only(run(hours, overlapping));
    // 2 h of night 1 count at 10/20 lamps: 1 full-load hour less.
    expect(vessel.referenceEmissionsTco2).toBeCloseTo((15 * 23 * 0.533) / 1000, 12);
    expect(vessel.flags).toContain('LAMP_INTERVALS_OVERLAP');
  });
});
