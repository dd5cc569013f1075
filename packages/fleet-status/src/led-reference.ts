import { localDateOf, type RegistryIndex, type VesselId } from '@qt-led/contract';
import type { TelemetryStore } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { ledBaseline } from './led.js';

/** What a boat's LED power is judged against: the registry's rating and the boat's own normal draw. */
export interface LedReference {
  /** The rated W per lamp valid at an instant (null before the vessel's first registry version). */
  ratedWAt(vesselId: VesselId): (ms: number) => number | null;
  /** The boat's normal draw against its rating over `ledBaselineWindowMs` before `nowMs`. */
  baselineOf(vesselId: VesselId, nowMs: number): Promise<number | null>;
}

const HOUR_MS = 3_600_000;

export function createLedReference(deps: {
  store: TelemetryStore;
  registry: RegistryIndex;
  config: FleetStatusConfig;
}): LedReference {
  const { store, registry, config } = deps;
  const baselineCache = new Map<string, number | null>();

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
    // The normal draw moves slowly: once per vessel and local day is enough.
    async baselineOf(vesselId, nowMs) {
      const key = `${vesselId}|${localDateOf(nowMs)}`;
      if (baselineCache.has(key)) return baselineCache.get(key) ?? null;
      const rated = ratedWAt(vesselId);
      const points = await store.series(
        vesselId,
        ['ledPowerW', 'lampsOn'],
        nowMs - config.ledBaselineWindowMs,
        nowMs,
        HOUR_MS,
      );
      const baseline = ledBaseline(
        points.map((p) => ({
          ledPowerW: p.values.ledPowerW ?? null,
          lampsOn: p.values.lampsOn ?? null,
          ratedW: rated(p.tMs),
        })),
      );
      if (baselineCache.size > 10_000) baselineCache.clear();
      baselineCache.set(key, baseline);
      return baseline;
    },
  };
}
