import type { RegistryIndex, VesselId } from '@qt-led/contract';
import type { SeriesPoint, TelemetryStore } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { ledBaseline } from './led.js';
import { localDateAt, localDateStartMs } from './local-time.js';

/** What a boat's LED power is judged against: the registry's rating and the boat's own normal draw. */
export interface LedReference {
  /** The rated W per lamp valid at an instant (null before the vessel's first registry version). */
  ratedWAt(vesselId: VesselId): (ms: number) => number | null;
  /** The boat's normal draw against its rating over {@link baselineRange} of its latest reading, read from the store. */
  baselineOf(vesselId: VesselId, latestMs: number): Promise<number | null>;
}

export const HOUR_MS = 3_600_000;
/** The series fields the baseline is computed from, hourly. */
export const BASELINE_FIELDS = ['ledPowerW', 'lampsOn'] as const;

/**
 * The history the normal draw is computed from: the `ledBaselineWindowMs` before the local midnight that
 * starts the latest reading's local day (floored to the hour, so hourly buckets never straddle a day).
 * Whole past days make the baseline a function of the stored readings and the day alone, so it can be
 * kept per day and still equal what a fresh computation from history gives.
 */
export function baselineRange(
  latestMs: number,
  config: Pick<FleetStatusConfig, 'utcOffsetMinutes' | 'ledBaselineWindowMs'>,
): { fromMs: number; toMs: number } {
  const dayStart = localDateStartMs(localDateAt(latestMs, config.utcOffsetMinutes), config.utcOffsetMinutes);
  const toMs = Math.floor(dayStart / HOUR_MS) * HOUR_MS;
  return { fromMs: toMs - config.ledBaselineWindowMs, toMs };
}

/** {@link ledBaseline} of hourly series points (in time order), each with the rating valid at its hour. */
export function baselineOfHourly(
  points: readonly SeriesPoint[],
  ratedWAt: (ms: number) => number | null,
): number | null {
  return ledBaseline(
    points.map((p) => ({
      ledPowerW: p.values.ledPowerW ?? null,
      lampsOn: p.values.lampsOn ?? null,
      ratedW: ratedWAt(p.tMs),
    })),
  );
}

export function createLedReference(deps: {
  store: TelemetryStore;
  registry: RegistryIndex;
  config: FleetStatusConfig;
}): LedReference {
  const { store, registry, config } = deps;

  // The rating changes on registry dates only: look it up once per local day of the readings.
  const ratedWAt = (vesselId: VesselId) => {
    const byDay = new Map<number, number | null>();
    return (ms: number): number | null => {
      const day = Math.floor((ms + config.utcOffsetMinutes * 60_000) / 86_400_000);
      let rated = byDay.get(day);
      if (rated === undefined) {
        rated = ms > 0 ? (registry.configAt(vesselId, ms)?.version.ledLamps.ratedW ?? null) : null;
        byDay.set(day, rated);
      }
      return rated;
    };
  };

  return {
    ratedWAt,
    async baselineOf(vesselId, latestMs) {
      const { fromMs, toMs } = baselineRange(latestMs, config);
      const points = await store.series(vesselId, BASELINE_FIELDS, fromMs, toMs, HOUR_MS);
      return baselineOfHourly(points, ratedWAt(vesselId));
    },
  };
}
