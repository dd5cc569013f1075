/**
 * Hand-built test scenarios (not part of the build). Every number in them is chosen so that the expected
 * figures can be worked out on paper; the tests say how.
 */
import {
  MethodologyParameterSet,
  VesselId,
  VesselVersion,
  type LocalDate,
  type VersionSpan,
} from '@qt-led/contract';
import type { EnergyRegisterReading, LampOnInterval, VesselPeriodInput } from './input.js';
import { loadBuiltInMethodology, type BuiltInMethodologyId } from './methodologies.js';
import { localDateStartMs, MS_PER_HOUR } from './time.js';

/** An instant given as a local date in Viet Nam and hours after its midnight (may exceed 24). */
export function localMs(date: LocalDate, hour: number): number {
  return localDateStartMs(date) + Math.round(hour * MS_PER_HOUR);
}

type Json = Record<string, unknown>;

/** A registry version, validated by the contract schema (so tests cannot use an impossible one). */
export function testVersion(overrides: Json = {}): VesselVersion {
  return VesselVersion.parse({
    validFrom: '2017-08-15',
    change: 'LED installation handed over',
    ledLamps: { count: 20, ratedW: 250, model: 'COB-FL250 (test)' },
    replacedLamps: { count: 10, ratedW: 1500, type: 'metal-halide' },
    generator: { ratedKw: 15, fuel: 'diesel' },
    meter: { meterId: 'EM17-0001', calibratedOn: '2017-07-20', registerUnit: 'kWh' },
    fuelMeter: null,
    gatewayId: 'gw-0a1b2c3d',
    ...overrides,
  });
}

export function span(from: LocalDate, to: LocalDate, version: VesselVersion): VersionSpan {
  return { from, to, version };
}

/** A built-in parameter set with some fields replaced, re-validated. */
export function methodology(
  id: BuiltInMethodologyId,
  edit: (json: Json) => void = () => undefined,
): MethodologyParameterSet {
  const json = structuredClone(loadBuiltInMethodology(id)) as unknown as Json;
  edit(json);
  return MethodologyParameterSet.parse(json);
}

/** A night of fishing: lamps lit from `fromMs` for `hours`, `lampsOn` LED lamps drawing `kw` in total. */
export interface Night {
  readonly fromMs: number;
  readonly hours: number;
  readonly lampsOn: number;
  readonly kw: number;
}

/** Energy drawn by the lamps before instant t, kWh (the true register, less its starting value). */
export function energyBefore(nights: readonly Night[], t: number): number {
  let kwh = 0;
  for (const n of nights) {
    const lit = Math.min(Math.max(t - n.fromMs, 0), n.hours * MS_PER_HOUR);
    kwh += (n.kw * lit) / MS_PER_HOUR;
  }
  return kwh;
}

export function intervalsOf(nights: readonly Night[]): LampOnInterval[] {
  return nights.map((n) => ({
    fromMs: n.fromMs,
    toMs: n.fromMs + Math.round(n.hours * MS_PER_HOUR),
    meanLampsOn: n.lampsOn,
  }));
}

/** Readings every `stepHours` from `fromMs` to `toMs` inclusive, of `register(t)`. */
export function readingsEvery(
  fromMs: number,
  toMs: number,
  stepHours: number,
  register: (t: number) => number,
  bootId = '5f0c9e2a71d84b36',
): EnergyRegisterReading[] {
  const out: EnergyRegisterReading[] = [];
  for (let t = fromMs; t <= toMs; t += Math.round(stepHours * MS_PER_HOUR)) {
    out.push({ atMs: t, registerKwh: register(t), bootId });
  }
  return out;
}

export const TEST_VESSEL = VesselId.parse('QT-90001-TS');

/**
 * Three nights in March 2024 on a test boat with 20 × 250 W LEDs (P_led = 5 kW) that replaced
 * 10 × 1,500 W metal-halide lamps (P_ref = 15 kW): P_ref/P_led = 3.
 * - night 1, 1 Mar 18:00 → 2 Mar 04:00: all 20 lamps, 5 kW → 50 kWh;
 * - night 2, 2 Mar 18:00 → 3 Mar 04:00: 16 lamps, 4 kW → 40 kWh;
 * - night 3, 3 Mar 18:00 → 4 Mar 04:00: 20 lamps, 4.5 kW → 45 kWh, of which 27 kWh before the period
 *   ends at 4 Mar 00:00.
 * The period 1–3 March holds 50 + 40 + 27 = 117 kWh. The register starts at 1,000 kWh and is read hourly
 * from 29 Feb 22:00 to 4 Mar 08:00 (local time).
 */
export const THREE_NIGHTS = {
  period: { from: '2024-03-01', toExclusive: '2024-03-04' },
  version: testVersion(),
  nights: [
    { fromMs: localMs('2024-03-01', 18), hours: 10, lampsOn: 20, kw: 5 },
    { fromMs: localMs('2024-03-02', 18), hours: 10, lampsOn: 16, kw: 4 },
    { fromMs: localMs('2024-03-03', 18), hours: 10, lampsOn: 20, kw: 4.5 },
  ],
  firstReadingMs: localMs('2024-02-29', 22),
  lastReadingMs: localMs('2024-03-04', 8),
  baseKwh: 1000,
} as const;

export function threeNightsRegister(t: number): number {
  return THREE_NIGHTS.baseKwh + energyBefore(THREE_NIGHTS.nights, t);
}

export function threeNightsInput(readings?: readonly EnergyRegisterReading[]): VesselPeriodInput {
  return {
    vesselId: TEST_VESSEL,
    versions: [span('2024-03-01', '2024-03-04', THREE_NIGHTS.version)],
    energyReadings:
      readings ??
      readingsEvery(THREE_NIGHTS.firstReadingMs, THREE_NIGHTS.lastReadingMs, 1, threeNightsRegister),
    lampOnIntervals: intervalsOf(THREE_NIGHTS.nights),
  };
}
