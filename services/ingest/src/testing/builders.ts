// Test support without servers: the fleet registry, contract batches built as a gateway would, and
// reading metrics back. Unit and integration tests share them.
import {
  type BootId,
  type GatewayId,
  gatewayAssignmentsOf,
  type Reading,
  type TelemetryBatch,
  type VesselId,
} from '@qt-led/contract';
import { readFleetRegistry } from '@qt-led/fleet-registry';
import type { IngestMetrics } from '../metrics.js';

const packaged = readFleetRegistry();
/** The packaged registry as ingest holds it. */
export const registry = gatewayAssignmentsOf(packaged);
export const fleet = packaged.vessels.slice(0, 4).map((v) => {
  const version = v.versions.at(-1);
  if (version === undefined) throw new Error(`vessel ${v.vesselId} has no version`);
  return { vesselId: v.vesselId, gatewayId: version.gatewayId, meterId: version.meter.meterId };
});
const meterOf = new Map(packaged.vessels.map((v) => [v.vesselId, v.versions.at(-1)?.meter.meterId]));

export const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);

/**
 * A telemetry batch as a gateway would send it: `count` readings from `fromSeq`, one a minute, naming the
 * registry's LED meter (none for a vessel outside the registry).
 */
export function batch(
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  fromSeq: number,
  count: number,
  sentAtMs: number,
): TelemetryBatch {
  const readings: Reading[] = Array.from({ length: count }, (_, i) => {
    const seq = fromSeq + i;
    const meterId = meterOf.get(vesselId);
    return {
      vesselId,
      bootId,
      seq,
      deviceTimeMs: T0 + seq * 60_000,
      timeSource: 'gps',
      led: {
        powerW: 12_000 + (seq % 13),
        energyKwh: 500 + seq * 0.2,
        lampsOn: 40,
        ...(meterId === undefined ? {} : { meterId }),
      },
      fuel: { rateLph: 7.5, totalL: 9_000 + seq * 0.125 },
      position: { fix: '3d', lat: 17.16, lon: 107.34, speedKn: 0.3, headingDeg: 45 },
    };
  });
  return { schema: 'qtled.telemetry/1', vesselId, gatewayId, sentAtMs, readings };
}

/** The value of a counter or gauge for the given labels, read from prom-client. */
export async function metricValue(
  metrics: IngestMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) =>
      Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}
