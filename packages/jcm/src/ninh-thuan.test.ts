import { describe, expect, it } from 'vitest';
import { VesselId } from '@qt-led/contract';
import { calculateFleet } from './calculate.js';
import { electricityRoute, fuelSaving, ratedPowerHoursRoute } from './formulas.js';
import { loadBuiltInMethodology } from './methodologies.js';
import { localMs, methodology, span, testVersion } from './scenarios.fixture.js';
import { MS_PER_HOUR } from './time.js';

/**
 * The public test vectors of domain.md: a Ninh Thuan purse seiner in the Nha Trang University trial,
 * metal-halide only 28.6 kW vs LED + reduced metal-halide 10.24 kW; fuel per night 114 L (17.45 L/h) vs
 * 70.8 L. Lit hours = 114 / 17.45; LED energy = 10.24 kW × those hours.
 */
const P_REF_KW = 28.6;
const P_LED_KW = 10.24;
const LIT_HOURS = 114 / 17.45;
const EC_KWH = P_LED_KW * LIT_HOURS;
const EF_GEN = 0.533;

/** A value to n significant figures, as a number (0.0639307… → 0.063931). */
const sig = (x: number, n = 5): number => Number(x.toPrecision(n));
/** A value to 5 decimal places, the precision domain.md writes both vectors with. */
const dp5 = (x: number): number => Number(x.toFixed(5));

/**
 * The trial boat as a registry version: 32 × 320 W = 10.24 kW of lamps, replacing 22 × 1,300 W = 28.6 kW;
 * one night from 18:00, register read at the period's start, at lamps on, at lamps off and at its end.
 */
const night = { from: '2024-03-10', to: '2024-03-12' } as const;
const onMs = localMs(night.from, 18);
const offMs = onMs + Math.round(LIT_HOURS * MS_PER_HOUR);
const trialVessel = {
  vesselId: VesselId.parse('QT-99999-TS'),
  versions: [
    span(
      night.from,
      night.to,
      testVersion({
        ledLamps: { count: 32, ratedW: 320, model: 'LED + reduced metal-halide (Ninh Thuan trial)' },
        replacedLamps: { count: 22, ratedW: 1300, type: 'metal-halide' },
        generator: { ratedKw: 30, fuel: 'diesel' },
        fuelMeter: { meterId: 'FM-NT-0001', calibratedOn: '2017-07-20' },
      }),
    ),
  ],
  energyReadings: [
    { atMs: localMs(night.from, 0), registerKwh: 500, bootId: '0badc0de' },
    { atMs: onMs, registerKwh: 500, bootId: '0badc0de' },
    { atMs: offMs, registerKwh: 500 + EC_KWH, bootId: '0badc0de' },
    { atMs: localMs(night.to, 0), registerKwh: 500 + EC_KWH, bootId: '0badc0de' },
  ],
  fuelReadings: [
    { atMs: onMs, registerL: 2000, bootId: '0badc0de' },
    { atMs: offMs, registerL: 2070.8, bootId: '0badc0de' },
  ],
  lampOnIntervals: [{ fromMs: onMs, toMs: offMs, meanLampsOn: 32 }],
};
const period = { from: night.from, toExclusive: night.to };

/** The marginal fuel the trial implies: 43.2 L saved over (28.6 − 10.24) kW × 6.533 h = 0.3602 L/kWh. */
const TRIAL_MARGINAL_L_PER_KWH = (114 - 70.8) / ((P_REF_KW - P_LED_KW) * LIT_HOURS);

describe('the Ninh Thuan vectors (domain.md), per night', () => {
  const electricity = calculateFleet(loadBuiltInMethodology('qtled-vn006-electricity-ratio'), {
    period,
    vessels: [trialVessel],
  });
  const hours = calculateFleet(loadBuiltInMethodology('qtled-vn006-rated-power-hours'), {
    period,
    vessels: [trialVessel],
  });
  const fuel = calculateFleet(
    methodology('qtled-vn006-fuel-cross-check', (json) => {
      const parameters = json['parameters'] as Record<string, { value: number }>;
      (parameters['marginalFuelLPerKwh'] as { value: number }).value = TRIAL_MARGINAL_L_PER_KWH;
    }),
    { period, vessels: [trialVessel] },
  );
  const fuelRoute = fuelSaving(114, 70.8, 0.84, 43.0, 74.1);

  // domain.md writes ER = 0.06393 as RE 0.09959 − PE 0.03566, each already rounded; unrounded, ER is
  // 0.0639307 t, which is 0.06393 to the 5 decimal places the vector is written with and 0.063931 to 5
  // significant figures. Both are asserted, with RE and PE to the 4 significant figures domain.md gives.
  it.each([
    ['electricity formula', electricityRoute(EC_KWH / 1000, P_REF_KW, P_LED_KW, EF_GEN)],
    ['rated power × hours formula', ratedPowerHoursRoute(EC_KWH / 1000, P_REF_KW, LIT_HOURS, EF_GEN)],
    ['electricity calculator', electricity.fleet],
    ['rated power × hours calculator', hours.fleet],
  ] as const)('%s: ER 0.06393 tCO2 (RE 0.09959, PE 0.03566)', (_route, figures) => {
    expect(dp5(figures.emissionReductionsTco2)).toBe(0.06393);
    expect(sig(figures.emissionReductionsTco2)).toBe(0.063931);
    expect(sig(figures.emissionReductionsTco2, 6)).toBe(0.0639307);
    expect(sig(figures.referenceEmissionsTco2, 4)).toBe(0.09959);
    expect(sig(figures.projectEmissionsTco2, 4)).toBe(0.03566);
    // …and to the 6 significant figures docs/jcm.md tabulates.
    expect(sig(figures.referenceEmissionsTco2, 6)).toBe(0.099587);
    expect(sig(figures.projectEmissionsTco2, 6)).toBe(0.0356563);
  });

  it.each([
    ['fuel formula, 114 L vs 70.8 L given', fuelRoute.emissionReductionsTco2],
    ['fuel calculator, 70.8 L measured, reference fuel derived', fuel.fleet.emissionReductionsTco2],
  ] as const)('%s: ER 0.11562 tCO2', (_route, er) => {
    expect(dp5(er)).toBe(0.11562);
    expect(sig(er)).toBe(0.11562);
    expect(sig(er, 6)).toBe(0.115624);
  });

  it('derives the reference generator fuel of 114 L from the 70.8 L measured, and the marginal 0.3602 L/kWh', () => {
    expect(fuelRoute.fuelSavedL).toBeCloseTo(43.2, 12);
    expect(sig(TRIAL_MARGINAL_L_PER_KWH, 4)).toBe(0.3602);
    const sub = fuel.vessels[0]?.subPeriods[0];
    expect(sub?.fuelL).toBeCloseTo(70.8, 9);
    expect(sub?.route.variant).toBe('fuel-cross-check');
    if (sub?.route.variant !== 'fuel-cross-check') return;
    expect(sub.route.fuelSavedL).toBeCloseTo(43.2, 6);
    expect(sub.route.referenceGeneratorFuelL).toBeCloseTo(114, 6);
    // 70.8 L for 66.9 kWh of lamp energy: the whole generator burns 1.058 L/kWh, far above the 0.199 L/kWh
    // that EF_gen 0.533 implies — the electricity route's factor is conservative for this boat.
    expect(sig(sub.route.measuredFuelPerLedKwhLPerKwh ?? 0, 4)).toBe(1.058);
  });

  it('reports the intermediates: 6.533 lit hours, 66.90 kWh, ratio 2.793', () => {
    const vessel = electricity.vessels[0];
    const sub = vessel?.subPeriods[0];
    expect(sig(vessel?.lampOnHours ?? 0, 4)).toBe(6.533);
    expect(sig(vessel?.energyKwh ?? 0, 4)).toBe(66.9);
    expect(sub?.pRefKw).toBeCloseTo(28.6, 12);
    expect(sub?.pLedKw).toBeCloseTo(10.24, 12);
    expect(sig(sub?.powerRatio ?? 0, 4)).toBe(2.793);
  });

  it('shows the electricity route is the conservative one: 0.06393 t against 0.11562 t by fuel', () => {
    expect(electricity.fleet.emissionReductionsTco2).toBeLessThan(fuel.fleet.emissionReductionsTco2);
  });
});
