import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VesselId, type LocalDate, type MethodologyParameterSet } from '@qt-led/contract';
import { calculateFleet } from './calculate.js';
import { canonicalJson } from './canonical-json.js';
import type { EnergyRegisterReading, FleetPeriodInput, LampOnInterval, VesselPeriodInput } from './input.js';
import { loadBuiltInMethodology, type BuiltInMethodologyId } from './methodologies.js';
import { energyBefore, methodology, span, testVersion, type Night } from './scenarios.fixture.js';
import { localDateStartMs, MS_PER_HOUR } from './time.js';

/**
 * Random boats, nights, register resets and lost readings over a 5-day period, against the truth they are
 * drawn from. The LED circuit never draws more than its rated power here, as on a healthy boat.
 */
const PERIOD = { from: '2024-05-01', toExclusive: '2024-05-06' } as const;
const CHANGE: LocalDate = '2024-05-03';
const START_MS = localDateStartMs(PERIOD.from);
const END_MS = localDateStartMs(PERIOD.toExclusive);
const CHANGE_MS = localDateStartMs(CHANGE);
const GRID_FROM_MS = START_MS - 6 * MS_PER_HOUR;
const GRID_STEP_MS = 20 * 60_000;
const GRID_POINTS = Math.floor((END_MS + 12 * MS_PER_HOUR - GRID_FROM_MS) / GRID_STEP_MS) + 1;
const VESSEL = VesselId.parse('QT-90007-TS');

const electricity = loadBuiltInMethodology('qtled-vn006-electricity-ratio');
const fuel = loadBuiltInMethodology('qtled-vn006-fuel-cross-check');
const substituting = (m: MethodologyParameterSet): MethodologyParameterSet =>
  methodology(m.methodologyId as BuiltInMethodologyId, (json) => {
    (json['rules'] as Record<string, unknown>)['unobservedEnergy'] = 'substitute-conservative';
  });
const ROUTES_CREDITING_ENERGY = [electricity, substituting(electricity), fuel, substituting(fuel)];

const lamps = fc.record({
  count: fc.integer({ min: 10, max: 60 }),
  ratedW: fc.integer({ min: 200, max: 400 }),
});
const night = fc.record({
  lit: fc.boolean(),
  startHour: fc.integer({ min: 16, max: 21 }),
  hours: fc.integer({ min: 1, max: 11 }),
  share: fc.double({ min: 0.3, max: 1, noNaN: true }),
  efficiency: fc.double({ min: 0.7, max: 1, noNaN: true }),
});

const scenario = fc.record({
  before: lamps,
  after: fc.option(lamps, { nil: undefined }),
  ratioTenths: fc.integer({ min: 11, max: 50 }),
  // One night a day, from the day before the period (its night reaches into the period) to the last day.
  nights: fc.array(night, { minLength: 6, maxLength: 6 }),
  resetsMin: fc.array(fc.integer({ min: 0, max: (END_MS + 12 * MS_PER_HOUR - GRID_FROM_MS) / 60_000 }), {
    maxLength: 2,
  }),
  kept: fc.array(fc.boolean(), { minLength: GRID_POINTS, maxLength: GRID_POINTS }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

interface Built {
  readonly input: VesselPeriodInput;
  readonly all: readonly EnergyRegisterReading[];
  /** The reductions of the energy really drawn in each sub-period, by the electricity route. */
  readonly trueElectricityTco2: number;
  readonly trueFuelTco2: number;
}

function build(s: Scenario): Built {
  const ledKw = (l: { count: number; ratedW: number }): number => (l.count * l.ratedW) / 1000;
  const pRefKw = Math.max(ledKw(s.before), s.after ? ledKw(s.after) : 0) * (s.ratioTenths / 10);
  const version = (l: { count: number; ratedW: number }, validFrom: string) =>
    testVersion({
      validFrom,
      ledLamps: { count: l.count, ratedW: l.ratedW, model: 'COB (property test)' },
      replacedLamps: { count: 10, ratedW: pRefKw * 100, type: 'metal-halide' },
      generator: { ratedKw: 40, fuel: 'diesel' },
    });
  const versions = s.after
    ? [
        span(PERIOD.from, CHANGE, version(s.before, '2017-08-15')),
        span(CHANGE, PERIOD.toExclusive, version(s.after, CHANGE)),
      ]
    : [span(PERIOD.from, PERIOD.toExclusive, version(s.before, '2017-08-15'))];
  const minLedKw = Math.min(ledKw(s.before), s.after ? ledKw(s.after) : Infinity);

  const nights: Night[] = [];
  const intervals: LampOnInterval[] = [];
  s.nights.forEach((n, d) => {
    if (!n.lit) return;
    const fromMs = START_MS + (d - 1) * 24 * MS_PER_HOUR + n.startHour * MS_PER_HOUR;
    const count = fromMs < CHANGE_MS || !s.after ? s.before.count : s.after.count;
    nights.push({ fromMs, hours: n.hours, lampsOn: n.share * count, kw: minLedKw * n.share * n.efficiency });
    intervals.push({ fromMs, toMs: fromMs + n.hours * MS_PER_HOUR, meanLampsOn: n.share * count });
  });

  const resets = s.resetsMin.map((m) => GRID_FROM_MS + m * 60_000).sort((a, b) => a - b);
  const register = (t: number): number => {
    const lastReset = [...resets].reverse().find((r) => r <= t);
    return lastReset === undefined
      ? 7000 + energyBefore(nights, t)
      : energyBefore(nights, t) - energyBefore(nights, lastReset);
  };
  const all = Array.from({ length: GRID_POINTS }, (_, i): EnergyRegisterReading => {
    const atMs = GRID_FROM_MS + i * GRID_STEP_MS;
    return {
      atMs,
      registerKwh: register(atMs),
      bootId: `b00700${String(resets.filter((r) => r <= atMs).length).padStart(2, '0')}`,
    };
  });

  const drawn = (from: number, to: number): number => energyBefore(nights, to) - energyBefore(nights, from);
  const subs = versions.map((v) => ({
    fromMs: localDateStartMs(v.from),
    toMs: localDateStartMs(v.to),
    ratio: pRefKw / ((v.version.ledLamps.count * v.version.ledLamps.ratedW) / 1000),
  }));
  const p = fuel.parameters as Record<string, { value: number }>;
  const perL =
    ((p['fuelDensityKgPerL']?.value ?? 0) *
      (p['ncvGjPerT']?.value ?? 0) *
      (p['efFuelTco2PerTj']?.value ?? 0)) /
    1e6;
  const trueElectricityTco2 = subs.reduce(
    (a, x) => a + (drawn(x.fromMs, x.toMs) / 1000) * (x.ratio - 1) * 0.533,
    0,
  );
  const trueFuelTco2 = subs.reduce(
    (a, x) => a + drawn(x.fromMs, x.toMs) * (x.ratio - 1) * (p['marginalFuelLPerKwh']?.value ?? 0) * perL,
    0,
  );
  return {
    input: {
      vesselId: VESSEL,
      versions,
      energyReadings: all.filter((_, i) => s.kept[i]),
      lampOnIntervals: intervals,
    },
    all,
    trueElectricityTco2,
    trueFuelTco2,
  };
}

const fleet = (vessel: VesselPeriodInput): FleetPeriodInput => ({ period: PERIOD, vessels: [vessel] });
const reductions = (m: MethodologyParameterSet, vessel: VesselPeriodInput): number =>
  calculateFleet(m, fleet(vessel)).fleet.emissionReductionsTco2;
const TOLERANCE_TCO2 = 1e-9;

describe('properties', () => {
  it('reductions are never negative when the LED power is below the reference power', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input } = build(s);
        for (const m of ROUTES_CREDITING_ENERGY) {
          const result = calculateFleet(m, fleet(input));
          expect(result.fleet.emissionReductionsTco2).toBeGreaterThanOrEqual(0);
          for (const sub of result.vessels[0]?.subPeriods ?? [])
            expect(sub.emissionReductionsTco2).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('whatever arrives of the readings, the figure never exceeds what the complete registers support', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const built = build(s);
        expect(reductions(electricity, built.input)).toBeLessThanOrEqual(
          built.trueElectricityTco2 + TOLERANCE_TCO2,
        );
        expect(reductions(fuel, built.input)).toBeLessThanOrEqual(built.trueFuelTco2 + TOLERANCE_TCO2);
        // Every reading there: still never above the truth (resets cost the energy they hide).
        const complete = { ...built.input, energyReadings: built.all };
        expect(reductions(electricity, complete)).toBeLessThanOrEqual(
          built.trueElectricityTco2 + TOLERANCE_TCO2,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('adding readings of a continuous register never lowers the figure, and never lifts it above the truth', () => {
    fc.assert(
      fc.property(
        scenario.map((s) => ({ ...s, resetsMin: [] })),
        fc.array(fc.boolean(), { minLength: GRID_POINTS, maxLength: GRID_POINTS }),
        (s, alsoKept) => {
          const built = build(s);
          const fewer = {
            ...built.input,
            energyReadings: built.all.filter((_, i) => s.kept[i] && alsoKept[i]),
          };
          const more = built.input;
          const erFewer = reductions(electricity, fewer);
          const erMore = reductions(electricity, more);
          expect(erFewer).toBeLessThanOrEqual(erMore + TOLERANCE_TCO2);
          expect(erMore).toBeLessThanOrEqual(built.trueElectricityTco2 + TOLERANCE_TCO2);
          // With a reading at every 20 minutes the register accounts for all of it.
          const complete = reductions(electricity, { ...more, energyReadings: built.all });
          expect(complete).toBeCloseTo(built.trueElectricityTco2, 9);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the result does not depend on the order readings arrive in, nor on re-deliveries (byte-identical)', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => {
          const { input } = build(s);
          return fc.record({
            input: fc.constant(input),
            readings: fc.shuffledSubarray([...input.energyReadings], {
              minLength: input.energyReadings.length,
              maxLength: input.energyReadings.length,
            }),
            intervals: fc.shuffledSubarray([...input.lampOnIntervals], {
              minLength: input.lampOnIntervals.length,
              maxLength: input.lampOnIntervals.length,
            }),
            resent: fc.subarray([...input.energyReadings]),
          });
        }),
        ({ input, readings, intervals, resent }) => {
          const other: VesselPeriodInput = {
            ...input,
            vesselId: VesselId.parse('QT-90008-TS'),
          };
          const inOrder = calculateFleet(electricity, { period: PERIOD, vessels: [input, other] });
          const shuffled = calculateFleet(electricity, {
            period: PERIOD,
            vessels: [
              { ...other, energyReadings: readings },
              { ...input, energyReadings: readings, lampOnIntervals: intervals },
            ],
          });
          expect(canonicalJson(shuffled)).toBe(canonicalJson(inOrder));
          const redelivered = calculateFleet(electricity, {
            period: PERIOD,
            vessels: [input, other].map((v) => ({ ...v, energyReadings: [...resent, ...readings] })),
          });
          expect(redelivered.provenance.inputSha256).toBe(inOrder.provenance.inputSha256);
          expect(redelivered.fleet.emissionReductionsTco2).toBe(inOrder.fleet.emissionReductionsTco2);
          expect(redelivered.fleet.energyMwh).toBe(inOrder.fleet.energyMwh);
        },
      ),
      { numRuns: 100 },
    );
  });
});
