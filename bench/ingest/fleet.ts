// The fleets the ingest bench offers (docs/performance.md's scale target) and the gateway messages it
// publishes: the contract's TelemetryBatch, encoded with the contract's encodePayload, one reading a message,
// the send time embedded as `sentAtMs` and as the reading's device time.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePayload, type TelemetryBatch, topicFor, type VesselId } from '@qt-led/contract';
import { repoRoot, runBounded } from './process.js';

export interface Vessel {
  vesselId: VesselId;
  gatewayId: TelemetryBatch['gatewayId'];
}

export interface Fleet {
  /** `40` or `30000`: the row label. */
  name: string;
  vessels: Vessel[];
  /** The registry file ingest is started with. */
  registryPath: string;
}

function readRegistry(path: string): Vessel[] {
  const registry = JSON.parse(readFileSync(path, 'utf8')) as {
    vessels: { vesselId: VesselId; versions: { gatewayId: string }[] }[];
  };
  return registry.vessels.map((v) => ({
    vesselId: v.vesselId,
    gatewayId: (v.versions.at(-1)?.gatewayId ?? '') as Vessel['gatewayId'],
  }));
}

/** The 40 project boats (the packaged registry). */
export function projectFleet(): Fleet {
  const registryPath = join(repoRoot, 'packages/fleet-registry/data/fleet.json');
  return { name: '40 boats', vessels: readRegistry(registryPath), registryPath };
}

/** The national VMS fleet, 30,000 vessels, generated once (deterministic) into `cacheDir`. */
export async function nationalFleet(cacheDir: string): Promise<Fleet> {
  mkdirSync(cacheDir, { recursive: true });
  const registryPath = join(cacheDir, 'fleet-30000.json');
  if (!existsSync(registryPath)) {
    await runBounded(
      'npx',
      [
        'tsx',
        '--conditions=source',
        'packages/fleet-registry/scripts/generate-fleet.ts',
        '--vessels',
        '30000',
        '--out',
        registryPath,
      ],
      120_000,
    );
  }
  return { name: '30,000 boats', vessels: readRegistry(registryPath), registryPath };
}

/**
 * Hands out device times: never earlier than now, strictly increasing per vessel, so that no two readings
 * of one vessel share a millisecond (contenders writing at millisecond precision would overwrite each
 * other's points, and the count would be wrong).
 */
export class DeviceClock {
  private readonly last = new Map<string, number>();
  next(vesselId: string, now: number): number {
    const t = Math.max(now, (this.last.get(vesselId) ?? 0) + 1);
    this.last.set(vesselId, t);
    return t;
  }
}

export const BOOT_ID = 'be0c4a11' as TelemetryBatch['readings'][number]['bootId'];
export const PROBE_BOOT_ID = 'feedbeef' as TelemetryBatch['readings'][number]['bootId'];

/** A live reading of one vessel, as its gateway sends it. */
export function gatewayMessage(
  fleet: Fleet,
  root: string,
  index: number,
  deviceTimeMs: number,
  options: { seq?: number; bootId?: TelemetryBatch['readings'][number]['bootId']; vessel?: Vessel } = {},
): { topic: string; payload: string; vessel: Vessel; seq: number } {
  const vessel = options.vessel ?? fleet.vessels[index % fleet.vessels.length];
  if (vessel === undefined) throw new Error('an empty fleet');
  const seq = options.seq ?? Math.floor(index / fleet.vessels.length);
  const batch: TelemetryBatch = {
    schema: 'qtled.telemetry/1',
    vesselId: vessel.vesselId,
    gatewayId: vessel.gatewayId,
    sentAtMs: deviceTimeMs,
    readings: [
      {
        vesselId: vessel.vesselId,
        bootId: options.bootId ?? BOOT_ID,
        seq,
        deviceTimeMs,
        timeSource: 'gps',
        led: { powerW: 12_000 + (index % 97), energyKwh: 1_000 + seq * 0.03, lampsOn: 40 },
        fuel: { rateLph: 7.4, totalL: 9_000 + seq * 0.02 },
        position: { fix: '3d', lat: 17.1 + (index % 100) / 1000, lon: 107.4, speedKn: 0.4, headingDeg: 90 },
      },
    ],
  };
  return {
    topic: topicFor('telemetry', vessel.vesselId, root),
    payload: encodePayload('telemetry', batch),
    vessel,
    seq,
  };
}

/** The subscription every contender makes (the boats' telemetry under one topic root). */
export function telemetryFilter(root: string): string {
  return `${root}/v1/vessels/+/telemetry`;
}
