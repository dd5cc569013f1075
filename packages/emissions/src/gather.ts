import type { LocalDate, RegistryIndex, VesselId } from '@qt-led/contract';
import {
  type LampOnInterval,
  localDateStartMs,
  type MeterReplacement,
  type VesselPeriodInput,
} from '@qt-led/jcm';
import { findGaps, type RegisterReading, type StoredReading, type TelemetryStore } from '@qt-led/store';

export interface GatherOptions {
  /** The gateways' sampling interval: a day holds 86,400 / interval readings when nothing is lost. */
  samplingIntervalS: number;
  /**
   * Consecutive readings further apart than this do not make a lamp-on interval between them: what the
   * lamps did in an unobserved stretch is not known (the register still bounds its energy).
   */
  maxLampOnStepMs: number;
  /** How far before and after the period to look for the bounding register readings. */
  boundarySearchMs: readonly number[];
}

export const DEFAULT_GATHER_OPTIONS: GatherOptions = {
  samplingIntervalS: 60,
  maxLampOnStepMs: 15 * 60_000,
  boundarySearchMs: [86_400_000, 7 * 86_400_000, 45 * 86_400_000],
};

/**
 * Fills the calculator's input for one vessel and period from the storage port and the registry: the
 * period's readings plus the last reading before and the first after it (so that energy at the boundaries
 * comes from the register), the `meter-replaced` events the gateway reported in that window (so a new
 * meter is never bridged to the old one), lamp-on intervals from `lampsOn`, daily completeness and the gap
 * ledger.
 */
export async function gatherVesselInput(
  store: TelemetryStore,
  registry: RegistryIndex,
  vesselId: VesselId,
  from: LocalDate,
  toExclusive: LocalDate,
  options: GatherOptions = DEFAULT_GATHER_OPTIONS,
): Promise<VesselPeriodInput> {
  const startMs = localDateStartMs(from);
  const endMs = localDateStartMs(toExclusive);
  // Register readings only: what the calculation needs, answered from a covering index where there is one.
  const inside = await store.registerReadings(vesselId, startMs, endMs);
  const before = await boundaryReading(
    options.boundarySearchMs,
    (margin) => store.registerReadings(vesselId, startMs - margin, startMs),
    'last',
  );
  const after = await boundaryReading(
    options.boundarySearchMs,
    (margin) => store.registerReadings(vesselId, endMs, endMs + margin),
    'first',
  );
  const all = [...(before === undefined ? [] : [before]), ...inside, ...(after === undefined ? [] : [after])];

  const energyReadings = all.flatMap((r) =>
    r.ledEnergyKwh === null ? [] : [{ atMs: r.deviceTimeMs, registerKwh: r.ledEnergyKwh, bootId: r.bootId }],
  );
  const fuelReadings = all.flatMap((r) =>
    r.fuelTotalL === null ? [] : [{ atMs: r.deviceTimeMs, registerL: r.fuelTotalL, bootId: r.bootId }],
  );
  const windowFromMs = before?.deviceTimeMs ?? startMs;
  const windowToMs = (after?.deviceTimeMs ?? endMs) + 1;
  const meterReplacements = (
    await store.deviceMessages({ vesselId, kinds: ['event'], fromMs: windowFromMs, toMs: windowToMs })
  ).flatMap((m): MeterReplacement[] =>
    m.kind === 'event' && m.payload.event.type === 'meter-replaced'
      ? [
          {
            atMs: m.atMs,
            sensor: m.payload.event.sensor,
            lastRegister: m.payload.event.lastRegister,
            firstRegister: m.payload.event.firstRegister,
          },
        ]
      : [],
  );
  const perDay = Math.round(86_400 / options.samplingIntervalS);
  const counts = new Map<number, number>();
  for (const r of inside) {
    const day = localDayIndex(r.deviceTimeMs, startMs);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const days = Array.from({ length: Math.round((endMs - startMs) / 86_400_000) }, (_, day) => ({
    date: addDays(from, day),
    expectedReadings: perDay,
    receivedReadings: Math.min(perDay, counts.get(day) ?? 0),
  }));

  return {
    vesselId,
    versions: registry.versionsBetween(vesselId, from, toExclusive),
    energyReadings,
    fuelReadings,
    meterReplacements,
    lampOnIntervals: lampOnIntervals(all, options.maxLampOnStepMs),
    dataQuality: {
      days,
      gaps: findGaps(inside).map((g) => ({ fromMs: g.afterMs, toMs: g.beforeMs })),
    },
  };
}

async function boundaryReading(
  margins: readonly number[],
  fetch: (marginMs: number) => Promise<RegisterReading[]>,
  which: 'first' | 'last',
): Promise<RegisterReading | undefined> {
  for (const margin of margins) {
    const found = (await fetch(margin)).filter((r) => r.ledEnergyKwh !== null || r.fuelTotalL !== null);
    const reading = which === 'first' ? found[0] : found.at(-1);
    if (reading !== undefined) return reading;
  }
  return undefined;
}

/** Lamp-on intervals from consecutive readings: lit from one reading to the next while `lampsOn > 0`. */
export function lampOnIntervals(
  readings: readonly Pick<StoredReading, 'deviceTimeMs' | 'lampsOn'>[],
  maxStepMs: number,
): LampOnInterval[] {
  const intervals: LampOnInterval[] = [];
  for (let i = 0; i + 1 < readings.length; i++) {
    const r = readings[i] as Pick<StoredReading, 'deviceTimeMs' | 'lampsOn'>;
    const next = readings[i + 1] as Pick<StoredReading, 'deviceTimeMs' | 'lampsOn'>;
    const step = next.deviceTimeMs - r.deviceTimeMs;
    if (r.lampsOn === null || r.lampsOn <= 0 || step <= 0 || step > maxStepMs) continue;
    const last = intervals.at(-1);
    if (last !== undefined && last.toMs === r.deviceTimeMs) {
      const lastHours = last.toMs - last.fromMs;
      intervals[intervals.length - 1] = {
        fromMs: last.fromMs,
        toMs: next.deviceTimeMs,
        meanLampsOn: (last.meanLampsOn * lastHours + r.lampsOn * step) / (lastHours + step),
      };
    } else {
      intervals.push({ fromMs: r.deviceTimeMs, toMs: next.deviceTimeMs, meanLampsOn: r.lampsOn });
    }
  }
  return intervals;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function localDayIndex(instantMs: number, periodStartMs: number): number {
  // Viet Nam has no daylight saving time: local days are 24 h apart from the period's first midnight.
  return Math.floor((instantMs - periodStartMs) / 86_400_000);
}
