import type { LocalDate, MethodologyParameterSet, RegistryIndex, VesselId } from '@qt-led/contract';
import { calculateFleet, type FleetResult } from '@qt-led/jcm';
import type { TelemetryStore } from '@qt-led/store';
import { DEFAULT_GATHER_OPTIONS, gatherFleetInput, type GatherOptions } from './gather.js';
import type { VesselDayArchive } from './day-archive.js';
import { createVesselDayCache } from './vessel-days.js';

/** One report to compute: checked by the service (known vessels, sorted, once each; a known methodology). */
export interface ReportJob {
  readonly from: LocalDate;
  readonly toExclusive: LocalDate;
  readonly vesselIds: readonly VesselId[];
  readonly methodology: MethodologyParameterSet;
  readonly parameterSetSha256: string;
}

/** What a report computation gives: the cache key, and the result unless the service holds it already. */
export interface ReportOutcome {
  readonly key: string;
  /** `undefined`: `isCached` said the service has the result for this key, so nothing was calculated. */
  readonly result: FleetResult | undefined;
}

/** Gathers, keys and (on a cache miss) calculates reports over one store: in a worker, or in this thread. */
export interface ReportEngine {
  report(
    job: ReportJob,
    registry: RegistryIndex,
    isCached: (key: string) => boolean | Promise<boolean>,
  ): Promise<ReportOutcome>;
}

export interface ReportEngineOptions {
  gather?: GatherOptions | undefined;
  /** Vessel-days kept between reports, in bytes of columns (a fleet-month is about 75 MB). */
  vesselDayCacheBytes?: number | undefined;
  /** Vessel-days kept on disk across restarts (the process's data directory); none: memory only. */
  archive?: VesselDayArchive | undefined;
  /** Told when the archive fails (the report then reads the store, as without one). */
  onArchiveError?: ((error: Error) => void) | undefined;
}

/** Default budget of the vessel-day cache: about three fleet-months of one-minute readings. */
export const DEFAULT_VESSEL_DAY_CACHE_BYTES = 256 * 1024 * 1024;

export function createReportEngine(store: TelemetryStore, options: ReportEngineOptions = {}): ReportEngine {
  const days = createVesselDayCache(
    store,
    options.vesselDayCacheBytes ?? DEFAULT_VESSEL_DAY_CACHE_BYTES,
    options.archive,
    options.onArchiveError,
  );
  const gather = options.gather ?? DEFAULT_GATHER_OPTIONS;
  return {
    async report(job, registry, isCached) {
      const { inputKey, input } = await gatherFleetInput(
        store,
        days,
        registry,
        job.vesselIds,
        job.from,
        job.toExclusive,
        gather,
      );
      const key = `${job.parameterSetSha256}:${inputKey}`;
      if (await isCached(key)) return { key, result: undefined };
      return { key, result: calculateFleet(job.methodology, input()) };
    },
  };
}
