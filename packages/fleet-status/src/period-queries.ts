import type { RegistryIndex, VesselId } from '@qt-led/contract';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { completenessMatrix } from './completeness.js';
import type { FleetStatusConfig } from './config.js';
import type { FishingNight, FleetStatusService, Trip } from './model.js';
import { deriveNights } from './nights.js';
import { deriveTrips } from './trips.js';

export type PeriodQueries = Pick<FleetStatusService, 'trips' | 'nights' | 'completeness'>;

export interface PeriodQueriesDeps {
  store: TelemetryStore;
  registry: RegistryIndex;
  config: FleetStatusConfig;
  clock: { now(): number };
}

const assertPeriod = (fromMs: number, toMs: number): void => {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw new RangeError(`the period must be two instants with from ≤ to, got ${fromMs}..${toMs}`);
  }
};

const SLICE_MS = 86_400_000;

/**
 * A vessel's readings of a long period, read a day at a time with the event loop let go between days: an
 * SQLite read is synchronous, and a vessel-month at once (43,000 readings, ~240 ms) would hold up the API,
 * ingest and the embedded broker of the same process; a day is ~20 ms. The ranges are half-open, so the
 * slices neither overlap nor miss a reading.
 */
async function readingsInSlices(
  store: TelemetryStore,
  vesselId: VesselId,
  fromMs: number,
  toMs: number,
): Promise<StoredReading[]> {
  const out: StoredReading[] = [];
  for (let from = fromMs; from < toMs; from += SLICE_MS) {
    const slice = await store.readings(vesselId, from, Math.min(toMs, from + SLICE_MS));
    for (const r of slice) out.push(r);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/**
 * What the fleet did over a period: trips, fishing nights, completeness. Derived from the store on each
 * query; trips and nights are cached per vessel and period, keyed by the vessel's reading count, so late
 * data (a backlog) shows at once.
 */
export function createPeriodQueries(deps: PeriodQueriesDeps): PeriodQueries {
  const { store, registry, config, clock } = deps;
  const periodCache = new Map<string, { count: number; trips: Trip[]; nights: FishingNight[] }>();
  const vesselIds = (): VesselId[] => registry.registry.vessels.map((v) => v.vesselId);

  async function periodData(
    vesselId: VesselId,
    fromMs: number,
    toMs: number,
  ): Promise<{ trips: Trip[]; nights: FishingNight[] }> {
    const key = `${vesselId}|${fromMs}|${toMs}`;
    const count = await store.countReadings(vesselId);
    const cached = periodCache.get(key);
    if (cached !== undefined && cached.count === count) return cached;
    const readings = await readingsInSlices(
      store,
      vesselId,
      fromMs - config.tripSearchMarginMs,
      toMs + config.tripSearchMarginMs,
    );
    const nights = deriveNights(vesselId, readings, config);
    const trips = deriveTrips(vesselId, readings, nights, config);
    const entry = { count, trips, nights };
    if (periodCache.size > 2_000) periodCache.clear();
    periodCache.set(key, entry);
    return entry;
  }

  return {
    async trips(q) {
      assertPeriod(q.fromMs, q.toMs);
      const ids = q.vesselId === undefined ? vesselIds() : [q.vesselId];
      const out: Trip[] = [];
      for (const id of ids) {
        const { trips } = await periodData(id, q.fromMs, q.toMs);
        out.push(
          ...trips.filter(
            (t) => t.departedAtMs < q.toMs && (t.arrivedAtMs ?? Number.POSITIVE_INFINITY) >= q.fromMs,
          ),
        );
      }
      return out.sort((a, b) => a.departedAtMs - b.departedAtMs || (a.vesselId < b.vesselId ? -1 : 1));
    },
    async nights(q) {
      assertPeriod(q.fromMs, q.toMs);
      const ids = q.vesselId === undefined ? vesselIds() : [q.vesselId];
      const out: FishingNight[] = [];
      for (const id of ids) {
        const { nights } = await periodData(id, q.fromMs, q.toMs);
        out.push(...nights.filter((n) => n.startMs >= q.fromMs && n.startMs < q.toMs));
      }
      return out.sort((a, b) => a.startMs - b.startMs || (a.vesselId < b.vesselId ? -1 : 1));
    },
    async completeness(q) {
      assertPeriod(q.fromMs, q.toMs);
      const ids = q.vesselIds === undefined ? vesselIds() : [...q.vesselIds];
      const counts = await store.dailyCounts(q.fromMs, q.toMs, config.utcOffsetMinutes);
      return completenessMatrix({
        fromMs: q.fromMs,
        toMs: q.toMs,
        nowMs: clock.now(),
        vessels: ids.map((vesselId) => ({
          vesselId,
          firstDate: registry.vessel(vesselId)?.versions[0]?.validFrom ?? null,
        })),
        counts: counts.filter((c) => ids.includes(c.vesselId)),
        samplingIntervalMs: config.samplingIntervalMs,
        utcOffsetMinutes: config.utcOffsetMinutes,
      });
    },
  };
}
