import type { RegistryIndex, VesselId } from '@qt-led/contract';
import { HOME_PORTS } from '@qt-led/fleet-status';
import type { StoredReading } from '@qt-led/store';
import { generateFleetTelemetry } from '@qt-led/test-harness';

/**
 * A few days of fleet telemetry (the harness's synthetic fleet) written straight to the store, so the
 * dashboard has something true to show without running the simulator. Two boats are made to stand out:
 * one has a four-hour hole in its data (the charts must show a gap), one went silent in port hours ago
 * (the status service must raise a gateway-silent alarm for an officer to acknowledge).
 */
export interface FleetHistory {
  readings: StoredReading[];
  /** The boat whose data has a hole, and the hole. */
  gap: { vesselId: VesselId; fromMs: number; toMs: number };
  /** The boat that stopped reporting, in port, and when. */
  silent: { vesselId: VesselId; lastReadingMs: number };
  /** A boat with every reading. */
  complete: VesselId;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function generateFleetHistory(
  registry: RegistryIndex,
  nowMs: number,
  days: number,
  stepMs: number,
): FleetHistory {
  const vessels = registry.registry.vessels.map((v) => v.vesselId);
  const [complete, gapVessel, silentVessel] = vessels;
  if (complete === undefined || gapVessel === undefined || silentVessel === undefined) {
    throw new Error('the registry needs at least three vessels');
  }
  const startMs = Math.floor((nowMs - days * DAY_MS) / stepMs) * stepMs;
  const silent = { vesselId: silentVessel, lastReadingMs: nowMs - 5 * HOUR_MS };
  const telemetry = generateFleetTelemetry({
    registry,
    vesselIds: vessels,
    homePorts: HOME_PORTS,
    // The night under way at the first reading, then one for each local day the readings touch.
    fromMs: startMs - DAY_MS,
    days: days + 2,
    readingsFromMs: startMs,
    untilMs: nowMs + 1,
    stepMs,
    seed: 7_919,
    groundNm: { min: 20, max: 45 },
    // "Now" is the wall clock, possibly mid-night: no reading may still be queued on a boat at sea.
    coverageNm: Number.POSITIVE_INFINITY,
    inPort: [silentVessel],
    silentFromMs: { [silentVessel]: silent.lastReadingMs + 1 },
  });

  // Placed in the middle of a lit night, where a joined line would be most misleading.
  const night = telemetry.nights
    .get(gapVessel)
    ?.find((n) => n.lampsOnMs >= nowMs - 48 * HOUR_MS && n.lampsOffMs <= nowMs);
  if (night === undefined) throw new Error('no complete night in the last two days');
  const gapFromMs = night.lampsOnMs + 2 * HOUR_MS;
  const gap = { vesselId: gapVessel, fromMs: gapFromMs, toMs: gapFromMs + 4 * HOUR_MS };
  // The sequence runs on through the hole: the readings were lost, not never taken.
  const readings = telemetry.readings.filter(
    (r) => r.vesselId !== gap.vesselId || r.deviceTimeMs < gap.fromMs || r.deviceTimeMs >= gap.toMs,
  );
  return { readings, gap, silent, complete };
}
