import type { FishingGear, HomePort, MeterId } from '@qt-led/contract';
import { type SessionLedger, createEnergyLedger } from './energy-ledger.js';
import {
  HOUSE_LOAD_KW,
  MARGINAL_L_PER_KWH,
  NO_LOAD_L_PER_H_PER_KW,
  referenceGeneratorKw,
} from './generator-model.js';
import { type LatLon, bearingDeg, distanceKm, inCoverage, interpolate, KM_PER_NMI } from './geo.js';
import { type VesselPlan, createVesselPlan, lampFractionAt, legAt, sessionAt } from './plan.js';
import { createRandom, gaussianAt, keyed } from './rng.js';
import { DAY_MS, HOUR_MS, type Weather } from './sky-and-weather.js';
import type { LampFailure, VesselSetup } from './vessel-setup.js';

export type { LampFailure, VesselSetup } from './vessel-setup.js';

export interface VesselIdentityLike {
  readonly vesselId: string;
  readonly homePort: HomePort;
  readonly gear: FishingGear;
}

/**
 * Faults of the world's devices (the gateway's own faults live in the simulator); `LampFailure` is in
 * vessel-setup.ts.
 */
export interface MeterReplacement {
  readonly atMs: number;
  readonly meter: 'led-meter' | 'fuel-meter';
  /** Register of the new meter when it was installed. */
  readonly firstRegister: number;
  /** Serial of the new meter: what the LED meter reports from then on. */
  readonly meterId: MeterId;
}
export interface Outage {
  readonly fromMs: number;
  readonly toMs: number;
}
export interface RtcDrift extends Outage {
  /** Extra rate of the real-time clock during the fault, parts per million (+ = runs fast). */
  readonly ppm: number;
}

export interface WorldFaults {
  readonly lampFailures: LampFailure[];
  readonly meterReplacements: MeterReplacement[];
  /** No GPS fix at all. */
  readonly gpsOutages: Outage[];
  /** Fixes without usable time (the gateway cannot discipline its clock). */
  readonly gpsTimeOutages: Outage[];
  readonly rtcDrifts: RtcDrift[];
}

export function emptyWorldFaults(): WorldFaults {
  return { lampFailures: [], meterReplacements: [], gpsOutages: [], gpsTimeOutages: [], rtcDrifts: [] };
}

export interface LedMeterValue {
  readonly powerW: number;
  readonly energyKwh: number;
  readonly lampsOn: number;
  /** The serial of the meter fitted at that instant: the registry's, or the last replacement's. */
  readonly meterId: MeterId;
}
export interface FuelMeterValue {
  readonly rateLph: number;
  readonly totalL: number;
}
export type GpsValue =
  | { readonly fix: 'none' }
  | {
      readonly fix: '2d' | '3d';
      readonly lat: number;
      readonly lon: number;
      readonly speedKn: number;
      readonly headingDeg: number;
      readonly satellites: number;
      readonly hdop: number;
      /** GPS time of the fix, ms since epoch; absent when the receiver's time is not usable. */
      readonly timeMs?: number;
    };

/** Truth over a period, whole lamp sessions (nights) that start in it. */
export interface VesselPeriodStats {
  readonly vesselId: string;
  readonly gear: FishingGear;
  readonly homePort: HomePort;
  readonly ledKw: number;
  readonly referenceKw: number;
  readonly generatorKw: number;
  readonly referenceGeneratorKw: number;
  readonly trips: number;
  readonly nights: number;
  readonly lampOnHours: number;
  readonly minNightHours: number | null;
  readonly maxNightHours: number | null;
  readonly ledEnergyKwh: number;
  readonly generatorFuelL: number;
  readonly generatorHours: number;
  /** Fuel the metal-halide lamps would have needed for the same nights. */
  readonly referenceFuelL: number;
  readonly referenceEnergyKwh: number;
  readonly fuelSavingPct: number | null;
  readonly hoursAtSea: number;
}

export interface VesselWorldOptions {
  readonly seed: number;
  readonly vessel: VesselIdentityLike;
  readonly setupAt: (ms: number) => VesselSetup;
  readonly weather: Weather;
  /** The world starts here (the vessel in port); nothing earlier can be asked. */
  readonly fromMs: number;
  readonly faults?: WorldFaults;
}

export interface VesselWorld {
  readonly vessel: VesselIdentityLike;
  readonly plan: VesselPlan;
  readonly faults: WorldFaults;
  /** Coverage range of this boat's modem, km from the coast (25–30). */
  readonly coverageRangeKm: number;
  setupAt(ms: number): VesselSetup;
  positionAt(ms: number): LatLon;
  inCoverage(ms: number): boolean;
  lampsSwitchedOn(ms: number): number;
  ledMeter(ms: number): LedMeterValue;
  fuelMeter(ms: number): FuelMeterValue;
  gps(ms: number): GpsValue;
  /** True cumulative LED energy (kWh) and generator fuel (L) since the world started. */
  ledEnergyKwhAt(ms: number): number;
  /**
   * Forget what was computed from `fromMs` on, after a fault was added that changes it (lamp failures
   * change the energy of nights already integrated ahead of time).
   */
  invalidateFrom(fromMs: number): void;
  generatorFuelLAt(ms: number): number;
  statsBetween(fromMs: number, toMs: number): VesselPeriodStats;
}

const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function createVesselWorld(options: VesselWorldOptions): VesselWorld {
  const { seed, vessel, weather, fromMs } = options;
  const faults = options.faults ?? emptyWorldFaults();
  const plan = createVesselPlan({
    seed,
    vesselId: vessel.vesselId,
    homePort: vessel.homePort,
    gear: vessel.gear,
    weather,
    fromMs,
  });
  const random = createRandom(keyed(seed, vessel.vesselId, 'devices'));
  const coverageRangeKm = random.between(25, 30);
  /** Real draw of this boat's lamps against their rating (drivers, cable losses). */
  const drawFactor = random.between(0.97, 1.01);
  const wanderPhase = random.between(0, 2 * Math.PI);
  const ledRegisterStart = round(random.between(8_000, 22_000), 2);
  const fuelRegisterStart = round(random.between(3_000, 9_000), 2);
  const meterNoiseKey = keyed(seed, vessel.vesselId, 'meter-noise');
  const gpsNoiseKey = keyed(seed, vessel.vesselId, 'gps-noise');
  const setupCache = new Map<number, VesselSetup>();
  const setupAt = (ms: number): VesselSetup => {
    const day = Math.floor(ms / DAY_MS);
    let setup = setupCache.get(day);
    if (!setup) {
      setup = options.setupAt(day * DAY_MS + DAY_MS / 2);
      setupCache.set(day, setup);
    }
    return setup;
  };

  const energy = createEnergyLedger({
    seed,
    vesselId: vessel.vesselId,
    plan,
    setupAt,
    lampFailures: faults.lampFailures,
    drawFactor,
    wanderPhase,
  });

  const replacementAt = (meter: 'led-meter' | 'fuel-meter', ms: number): MeterReplacement | undefined => {
    let last: MeterReplacement | undefined;
    for (const r of faults.meterReplacements) if (r.meter === meter && r.atMs <= ms) last = r;
    return last;
  };
  const registerOf = (meter: 'led-meter' | 'fuel-meter', ms: number, trueAt: (t: number) => number) => {
    const last = replacementAt(meter, ms);
    if (!last) return (meter === 'led-meter' ? ledRegisterStart : fuelRegisterStart) + trueAt(ms);
    return last.firstRegister + trueAt(ms) - trueAt(last.atMs);
  };

  const positionAt = (ms: number): LatLon => {
    plan.ensure(ms + DAY_MS);
    const leg = legAt(plan.legs, ms);
    if (!leg) return plan.mooring;
    const f =
      leg.endMs > leg.startMs ? Math.min(1, Math.max(0, (ms - leg.startMs) / (leg.endMs - leg.startMs))) : 0;
    return interpolate(leg.from, leg.to, f);
  };

  const inOutage = (list: readonly Outage[], ms: number): boolean =>
    list.some((o) => o.fromMs <= ms && ms < o.toMs);

  const world: VesselWorld = {
    vessel,
    plan,
    faults,
    coverageRangeKm,
    setupAt,
    positionAt,
    inCoverage: (ms) => inCoverage(positionAt(ms), coverageRangeKm),
    lampsSwitchedOn(ms) {
      plan.ensure(ms + DAY_MS);
      const session = sessionAt(plan.sessions, ms);
      if (!session) return 0;
      return Math.round(setupAt(session.onMs).ledCount * lampFractionAt(session, ms));
    },
    ledMeter(ms) {
      const power = energy.powerWAt(ms);
      const measured = power * (1 + 0.001 * gaussianAt(meterNoiseKey, Math.floor(ms / 1000)));
      return {
        powerW: round(Math.max(0, measured), 1),
        energyKwh: round(
          registerOf('led-meter', ms, (t) => energy.cumulativeAt(t).energyKwh),
          2,
        ),
        lampsOn: world.lampsSwitchedOn(ms),
        meterId: replacementAt('led-meter', ms)?.meterId ?? setupAt(ms).ledMeterId,
      };
    },
    fuelMeter(ms) {
      const rate = energy.fuelLphAt(ms);
      return {
        rateLph: round(rate, 2),
        totalL: round(
          registerOf('fuel-meter', ms, (t) => energy.cumulativeAt(t).fuelL),
          2,
        ),
      };
    },
    gps(ms) {
      if (inOutage(faults.gpsOutages, ms)) return { fix: 'none' };
      plan.ensure(ms + DAY_MS);
      const leg = legAt(plan.legs, ms);
      const p = positionAt(ms);
      const k = Math.floor(ms / 1000);
      const lat = p.lat + 0.00002 * gaussianAt(gpsNoiseKey, 4 * k);
      const lon = p.lon + 0.00002 * gaussianAt(gpsNoiseKey, 4 * k + 1);
      let speedKn = 0;
      let headingDeg = 0;
      if (leg && leg.endMs > leg.startMs && leg.mode !== 'moored') {
        speedKn = distanceKm(leg.from, leg.to) / KM_PER_NMI / ((leg.endMs - leg.startMs) / HOUR_MS);
        headingDeg = bearingDeg(leg.from, leg.to);
      }
      const satellites = 8 + Math.round(2 * gaussianAt(gpsNoiseKey, 4 * k + 2));
      const fix = {
        fix: satellites >= 4 ? ('3d' as const) : ('2d' as const),
        lat: round(lat, 6),
        lon: round(lon, 6),
        speedKn: round(
          Math.max(0, speedKn + (speedKn > 0 ? 0.1 * gaussianAt(gpsNoiseKey, 4 * k + 3) : 0)),
          1,
        ),
        headingDeg: round(headingDeg, 1) % 360,
        satellites: Math.max(3, Math.min(14, satellites)),
        hdop: round(0.8 + 0.1 * Math.abs(gaussianAt(gpsNoiseKey, 4 * k + 2)), 1),
      };
      return inOutage(faults.gpsTimeOutages, ms) ? fix : { ...fix, timeMs: ms };
    },
    ledEnergyKwhAt: (ms) => energy.cumulativeAt(ms).energyKwh,
    invalidateFrom: (ms) => {
      energy.invalidateFrom(ms);
    },
    generatorFuelLAt: (ms) => energy.cumulativeAt(ms).fuelL,
    statsBetween: (from, to) => periodStats(vessel, plan, energy.upTo(to), setupAt(to - 1), from, to),
  };
  return world;
}

/** Truth over [from, to): the lamp sessions that start in it, and the hours at sea. */
function periodStats(
  vessel: VesselIdentityLike,
  plan: VesselPlan,
  ledgers: readonly SessionLedger[],
  setup: VesselSetup,
  from: number,
  to: number,
): VesselPeriodStats {
  const ledKw = (setup.ledCount * setup.ledRatedW) / 1000;
  const referenceKw = (setup.referenceCount * setup.referenceRatedW) / 1000;
  let nights = 0;
  let lampHours = 0;
  let minNight: number | null = null;
  let maxNight: number | null = null;
  let energy = 0;
  let fuel = 0;
  let generatorHours = 0;
  let referenceFuel = 0;
  let referenceEnergy = 0;
  for (const ledger of ledgers) {
    const { session } = ledger;
    if (session.onMs < from || session.onMs >= to) continue;
    nights += 1;
    const hours = (session.offMs - session.onMs) / HOUR_MS;
    lampHours += hours;
    minNight = minNight === null ? hours : Math.min(minNight, hours);
    maxNight = maxNight === null ? hours : Math.max(maxNight, hours);
    energy += ledger.energyKwh;
    fuel += ledger.fuelL;
    const runHours = (ledger.toMs - ledger.fromMs) / HOUR_MS;
    generatorHours += runHours;
    // The same switching pattern under the replaced lamps, on the set they needed.
    const refLampKw = (ledger.setup.referenceCount * ledger.setup.referenceRatedW) / 1000;
    let refKwh = 0;
    session.steps.forEach((step, i) => {
      const end = session.steps[i + 1]?.atMs ?? session.offMs;
      refKwh += refLampKw * step.fraction * ((end - step.atMs) / HOUR_MS);
    });
    referenceEnergy += refKwh;
    const refSetKw = referenceGeneratorKw(refLampKw, ledger.setup.generatorKw);
    referenceFuel +=
      NO_LOAD_L_PER_H_PER_KW * refSetKw * runHours + MARGINAL_L_PER_KWH * (refKwh + HOUSE_LOAD_KW * runHours);
  }
  let hoursAtSea = 0;
  for (const trip of plan.trips) {
    const a = Math.max(from, trip.departMs);
    const b = Math.min(to, trip.arriveMs);
    if (b > a) hoursAtSea += (b - a) / HOUR_MS;
  }
  return {
    vesselId: vessel.vesselId,
    gear: vessel.gear,
    homePort: vessel.homePort,
    ledKw,
    referenceKw,
    generatorKw: setup.generatorKw,
    referenceGeneratorKw: referenceGeneratorKw(referenceKw, setup.generatorKw),
    trips: plan.trips.filter((t) => t.departMs >= from && t.departMs < to).length,
    nights,
    lampOnHours: lampHours,
    minNightHours: minNight,
    maxNightHours: maxNight,
    ledEnergyKwh: energy,
    generatorFuelL: fuel,
    generatorHours,
    referenceFuelL: referenceFuel,
    referenceEnergyKwh: referenceEnergy,
    fuelSavingPct: referenceFuel > 0 ? (1 - fuel / referenceFuel) * 100 : null,
    hoursAtSea,
  };
}
