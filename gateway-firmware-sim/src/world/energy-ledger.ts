import { COOL_DOWN_MS, HOUSE_LOAD_KW, WARM_UP_MS, fuelRateLph } from './generator-model.js';
import { type LampSession, type VesselPlan, lampFractionAt } from './plan.js';
import { gaussianAt, keyed } from './rng.js';
import { DAY_MS } from './sky-and-weather.js';
import type { LampFailure, VesselSetup } from './vessel-setup.js';

/** Power and fuel are piecewise constant over cells of this length. */
const CELL_MS = 10_000;
const KWH_PER_WATT_CELL = CELL_MS / 3_600_000 / 1000;

/** One lamp session with what the generator ran for it: energy and fuel integrated over its cells. */
export interface SessionLedger {
  readonly session: LampSession;
  readonly setup: VesselSetup;
  /** The generator runs from before the lamps go on until after they are off. */
  readonly fromMs: number;
  readonly toMs: number;
  energyKwh: number;
  fuelL: number;
}

export interface EnergyLedgerSpec {
  readonly seed: number;
  readonly vesselId: string;
  readonly plan: VesselPlan;
  readonly setupAt: (ms: number) => VesselSetup;
  /** Read at each use: faults added later count from then on (after `invalidateFrom`). */
  readonly lampFailures: readonly LampFailure[];
  /** Real draw of this boat's lamps against their rating. */
  readonly drawFactor: number;
  /** Phase of the slow generator wander. */
  readonly wanderPhase: number;
}

/**
 * The electrical truth of a vessel: LED power and generator fuel per 10 s cell of every lamp session, and
 * their running totals (what the meters' registers count). Sessions are integrated whole when first
 * needed; totals within a session are summed from a cursor, since the sensors are read in time order.
 */
export interface EnergyLedger {
  /** The ledgers of every session planned, once the plan covers `ms` (and two days more). */
  upTo(ms: number): readonly SessionLedger[];
  /** LED power at `ms`, W (0 outside a session). */
  powerWAt(ms: number): number;
  /** Generator fuel rate at `ms`, L/h (0 while it does not run). */
  fuelLphAt(ms: number): number;
  /** True cumulative LED energy (kWh) and generator fuel (L) since the world started. */
  cumulativeAt(ms: number): { energyKwh: number; fuelL: number };
  /** Forgets the sessions that end after `ms` (a fault added changes them). */
  invalidateFrom(ms: number): void;
}

export function createEnergyLedger(spec: EnergyLedgerSpec): EnergyLedger {
  const noiseKey = keyed(spec.seed, spec.vesselId, 'power-noise');
  const fuelNoiseKey = keyed(spec.seed, spec.vesselId, 'fuel-noise');

  const failedLampsAt = (ms: number): number => {
    let failed = 0;
    for (const f of spec.lampFailures) if (f.fromMs <= ms && ms < f.toMs) failed += f.lamps;
    return failed;
  };

  const ledgers: SessionLedger[] = [];
  const prefixEnergy: number[] = [0];
  const prefixFuel: number[] = [0];
  const ensureLedgers = (ms: number): void => {
    spec.plan.ensure(ms + 2 * DAY_MS);
    while (ledgers.length < spec.plan.sessions.length) {
      const session = spec.plan.sessions[ledgers.length] as LampSession;
      const ledger: SessionLedger = {
        session,
        setup: spec.setupAt(session.onMs),
        fromMs: session.onMs - WARM_UP_MS,
        toMs: session.offMs + COOL_DOWN_MS,
        energyKwh: 0,
        fuelL: 0,
      };
      let energy = 0;
      let fuel = 0;
      for (let c = cellOf(ledger.fromMs); c * CELL_MS < ledger.toMs; c += 1) {
        const power = cellPowerW(ledger, c);
        energy += power * KWH_PER_WATT_CELL;
        fuel += cellFuelLph(ledger, c, power) * (CELL_MS / 3_600_000);
      }
      ledger.energyKwh = energy;
      ledger.fuelL = fuel;
      ledgers.push(ledger);
      prefixEnergy.push((prefixEnergy.at(-1) ?? 0) + energy);
      prefixFuel.push((prefixFuel.at(-1) ?? 0) + fuel);
    }
  };

  const cellOf = (ms: number): number => Math.floor(ms / CELL_MS);

  function cellPowerW(ledger: SessionLedger, cell: number): number {
    const mid = cell * CELL_MS + CELL_MS / 2;
    if (mid < ledger.session.onMs || mid >= ledger.session.offMs) return 0;
    const switched = Math.round(ledger.setup.ledCount * lampFractionAt(ledger.session, mid));
    const working = Math.max(0, switched - failedLampsAt(mid));
    if (working === 0) return 0;
    const t = cell * CELL_MS;
    const wander =
      0.01 * Math.sin((2 * Math.PI * t) / (53 * 60_000) + spec.wanderPhase) +
      0.005 * Math.sin((2 * Math.PI * t) / (7.3 * 60_000) + 2 * spec.wanderPhase);
    return (
      working * ledger.setup.ledRatedW * spec.drawFactor * (1 + wander + 0.005 * gaussianAt(noiseKey, cell))
    );
  }

  function cellFuelLph(ledger: SessionLedger, cell: number, powerW = cellPowerW(ledger, cell)): number {
    const mid = cell * CELL_MS + CELL_MS / 2;
    if (mid < ledger.fromMs || mid >= ledger.toMs) return 0;
    const loadKw = powerW / 1000 + HOUSE_LOAD_KW;
    return fuelRateLph(loadKw, ledger.setup.generatorKw) * (1 + 0.01 * gaussianAt(fuelNoiseKey, cell));
  }

  /** Index of the last ledger starting at or before ms, or -1. */
  const ledgerIndexAt = (ms: number): number => {
    ensureLedgers(ms);
    let lo = 0;
    let hi = ledgers.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((ledgers[mid] as SessionLedger).fromMs <= ms) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  // Cursor for the cumulative integrals: sensors are read at increasing times, so each read only sums
  // the few cells since the last one.
  const cursor = { index: -1, cell: 0, energy: 0, fuel: 0 };
  const cumulativeAt = (ms: number): { energyKwh: number; fuelL: number } => {
    const index = ledgerIndexAt(ms);
    if (index < 0) return { energyKwh: 0, fuelL: 0 };
    const ledger = ledgers[index] as SessionLedger;
    const baseEnergy = prefixEnergy[index] ?? 0;
    const baseFuel = prefixFuel[index] ?? 0;
    if (ms >= ledger.toMs) {
      return { energyKwh: baseEnergy + ledger.energyKwh, fuelL: baseFuel + ledger.fuelL };
    }
    const target = cellOf(ms);
    if (cursor.index !== index || cursor.cell > target) {
      cursor.index = index;
      cursor.cell = cellOf(ledger.fromMs);
      cursor.energy = 0;
      cursor.fuel = 0;
    }
    while (cursor.cell < target) {
      const power = cellPowerW(ledger, cursor.cell);
      cursor.energy += power * KWH_PER_WATT_CELL;
      cursor.fuel += cellFuelLph(ledger, cursor.cell, power) * (CELL_MS / 3_600_000);
      cursor.cell += 1;
    }
    const within = (ms - target * CELL_MS) / CELL_MS;
    return {
      energyKwh: baseEnergy + cursor.energy + cellPowerW(ledger, target) * KWH_PER_WATT_CELL * within,
      fuelL: baseFuel + cursor.fuel + cellFuelLph(ledger, target) * (CELL_MS / 3_600_000) * within,
    };
  };

  const activeLedgerAt = (ms: number): SessionLedger | undefined => {
    const index = ledgerIndexAt(ms);
    const ledger = ledgers[index];
    return ledger && ms < ledger.toMs ? ledger : undefined;
  };

  return {
    upTo(ms) {
      ensureLedgers(ms);
      return ledgers;
    },
    powerWAt(ms) {
      const ledger = activeLedgerAt(ms);
      return ledger ? cellPowerW(ledger, cellOf(ms)) : 0;
    },
    fuelLphAt(ms) {
      const ledger = activeLedgerAt(ms);
      return ledger ? cellFuelLph(ledger, cellOf(ms)) : 0;
    },
    cumulativeAt,
    invalidateFrom(ms) {
      let keep = ledgers.length;
      while (keep > 0 && (ledgers[keep - 1] as SessionLedger).toMs > ms) keep -= 1;
      ledgers.length = keep;
      prefixEnergy.length = keep + 1;
      prefixFuel.length = keep + 1;
      cursor.index = -1;
    },
  };
}
