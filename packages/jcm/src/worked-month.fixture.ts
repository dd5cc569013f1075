/**
 * The month worked through by hand in docs/jcm.md: QT-97947-TS "Hòa Bình 84" (Cửa Việt, purse seiner;
 * 51 × 360 W LEDs that replaced 46 × 1,500 W metal-halide lamps; fuel totaliser fitted) in March 2024.
 * Hand-built and deterministic: three trips, readings every 15 minutes, and three things that happen to
 * real data — two days of lost messages, a gateway reboot, and a register reset.
 */
import { VesselId, localDateOf, type RegistryIndex, type VersionSpan } from '@qt-led/contract';
import type {
  DailyReadingCounts,
  EnergyRegisterReading,
  FleetPeriodInput,
  FuelRegisterReading,
  LampOnInterval,
  VesselPeriodInput,
} from './input.js';
import { localDateStartMs, MS_PER_HOUR } from './time.js';

export const WORKED_VESSEL = VesselId.parse('QT-97947-TS');
export const WORKED_PERIOD = { from: '2024-03-01', toExclusive: '2024-04-01' } as const;

const QUARTER_HOUR_MS = 15 * 60_000;
/** Local time in Viet Nam on a March or April 2024 day. */
const at = (date: string, hour: number, minute = 0): number =>
  localDateStartMs(date) + hour * MS_PER_HOUR + minute * 60_000;
const march = (day: number): string => `2024-03-${String(day).padStart(2, '0')}`;

export interface WorkedNight {
  readonly date: string;
  readonly lampsOn: number;
}

/** Lamps lit 18:30 → 04:30 on each of these nights (three trips). */
export const WORKED_NIGHTS: readonly WorkedNight[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((d) => ({ date: march(d), lampsOn: 51 })),
  ...[12, 13, 14, 15, 16, 17, 18, 19, 20].map((d) => ({
    date: march(d),
    lampsOn: d === 16 || d === 17 ? 40 : 51,
  })),
  ...[25, 26, 27, 28, 29, 30, 31].map((d) => ({ date: march(d), lampsOn: 45 })),
];

const nightStart = (date: string): number => at(date, 18, 30);
const NIGHT_MS = 10 * MS_PER_HOUR;

/** One vessel's hand-built month: lamps lit 18:30 → 04:30 on the trip nights, readings every 15 min. */
interface MonthPlan {
  readonly vesselId: VesselId;
  readonly versions: readonly VersionSpan[];
  readonly nights: readonly WorkedNight[];
  readonly kwPerLamp: number;
  readonly startKwh: number;
  /** `null`: no fuel totaliser on the boat. */
  readonly startL: number | null;
  readonly meterId: string;
  readonly fuelMeterId: string | null;
  readonly lost?: { readonly fromMs: number; readonly toMs: number };
  readonly rebootMs?: number;
  readonly resetMs?: number;
}

const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));

function monthInput(plan: MonthPlan): VesselPeriodInput {
  const nights = plan.nights.map((n) => ({ fromMs: nightStart(n.date), kw: n.lampsOn * plan.kwPerLamp }));
  const litHoursOf = (t: number, fromMs: number): number =>
    Math.min(Math.max(t - fromMs, 0), NIGHT_MS) / MS_PER_HOUR;
  const lampEnergyBefore = (t: number): number =>
    nights.reduce((kwh, n) => kwh + n.kw * litHoursOf(t, n.fromMs), 0);
  // Generator fuel: 2.5 L/h idling plus 0.30 L per kWh of lamp load, while the lamps are on.
  const fuelBefore = (t: number): number =>
    nights.reduce((litres, n) => litres + litHoursOf(t, n.fromMs) * (2.5 + 0.3 * n.kw), 0);
  const days = new Map<string, string>();
  const energyReadings: EnergyRegisterReading[] = [];
  const fuelReadings: FuelRegisterReading[] = [];
  const received = new Map<string, number>();
  for (let t = at('2024-02-29', 22); t <= at('2024-04-01', 8); t += QUARTER_HOUR_MS) {
    if (plan.lost && t > plan.lost.fromMs && t < plan.lost.toMs) continue;
    const bootId =
      plan.rebootMs !== undefined && t >= plan.rebootMs ? 'c41e7d0a92b36f15' : '3f9a0c27e1d44b58';
    // The meter shows 0.01 kWh, the totaliser 0.1 L.
    const registerKwh =
      plan.resetMs !== undefined && t >= plan.resetMs
        ? round(lampEnergyBefore(t) - lampEnergyBefore(plan.resetMs), 2)
        : round(plan.startKwh + lampEnergyBefore(t), 2);
    energyReadings.push({ atMs: t, registerKwh, bootId, meterId: plan.meterId });
    if (plan.startL !== null && plan.fuelMeterId !== null)
      fuelReadings.push({
        atMs: t,
        registerL: round(plan.startL + fuelBefore(t), 1),
        bootId,
        meterId: plan.fuelMeterId,
      });
    // The local date, memoised per UTC hour (formatting dates is the slow part of building 40 boats × a month).
    const hourKey = String(Math.floor(t / MS_PER_HOUR));
    const date = days.get(hourKey) ?? localDateOf(t);
    days.set(hourKey, date);
    received.set(date, (received.get(date) ?? 0) + 1);
  }
  const counts: DailyReadingCounts[] = [];
  for (let d = 1; d <= 31; d += 1)
    counts.push({ date: march(d), expectedReadings: 96, receivedReadings: received.get(march(d)) ?? 0 });
  return {
    vesselId: plan.vesselId,
    versions: plan.versions,
    energyReadings,
    fuelReadings,
    lampOnIntervals: plan.nights.map((n): LampOnInterval => ({
      fromMs: nightStart(n.date),
      toMs: nightStart(n.date) + NIGHT_MS,
      meanLampsOn: n.lampsOn,
    })),
    dataQuality: { days: counts, gaps: plan.lost ? [plan.lost] : [] },
  };
}

/** The events of the worked month. */
export const WORKED_EVENTS = {
  /** No message arrived between these instants (a corrupted queue file); the register bridges it. */
  lostFromMs: at(march(5), 12),
  lostToMs: at(march(7), 12),
  /** The gateway rebooted: new boot id, the meter kept counting. */
  rebootMs: at(march(14), 10),
  /** The kWh register was reset to zero (a surge), between the 22:00 and 22:15 readings. */
  resetMs: at(march(27), 22, 10),
} as const;

/** The month worked through in docs/jcm.md. */
export function workedMonthInput(registry: RegistryIndex): FleetPeriodInput {
  return {
    period: WORKED_PERIOD,
    vessels: [
      monthInput({
        vesselId: WORKED_VESSEL,
        versions: registry.versionsBetween(WORKED_VESSEL, WORKED_PERIOD.from, WORKED_PERIOD.toExclusive),
        nights: WORKED_NIGHTS,
        kwPerLamp: 0.35, // measured draw of one lit lamp rated 360 W
        startKwh: 48_216.4,
        startL: 112_480,
        meterId: 'EM17-9791',
        fuelMeterId: 'FM17-5004',
        lost: { fromMs: WORKED_EVENTS.lostFromMs, toMs: WORKED_EVENTS.lostToMs },
        rebootMs: WORKED_EVENTS.rebootMs,
        resetMs: WORKED_EVENTS.resetMs,
      }),
    ],
  };
}

/**
 * The whole registry fleet for the same month — the shape of the monthly report: 40 vessels in one call.
 * Every boat fishes the same trips with all its LEDs lit, each lamp drawing 97 % of its rating.
 */
export function fleetMonthInput(registry: RegistryIndex): FleetPeriodInput {
  return {
    period: WORKED_PERIOD,
    vessels: registry.registry.vessels.map((vessel, i) => {
      const versions = registry.versionsBetween(
        vessel.vesselId,
        WORKED_PERIOD.from,
        WORKED_PERIOD.toExclusive,
      );
      const first = versions[0]?.version;
      if (!first) throw new Error(`${vessel.vesselId} has no configuration in March 2024`);
      return monthInput({
        vesselId: vessel.vesselId,
        versions,
        nights: WORKED_NIGHTS.map((n) => ({ date: n.date, lampsOn: first.ledLamps.count })),
        kwPerLamp: (first.ledLamps.ratedW * 0.97) / 1000,
        startKwh: 10_000 + 1_000 * i,
        startL: first.fuelMeter ? 50_000 : null,
        meterId: first.meter.meterId,
        fuelMeterId: first.fuelMeter?.meterId ?? null,
      });
    }),
  };
}
