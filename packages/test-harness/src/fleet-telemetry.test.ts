import type { VesselId } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { describe, expect, it } from 'vitest';
import { type FleetTelemetryOptions, generateFleetTelemetry } from './fleet-telemetry.js';

const registry = loadFleetRegistry();
const vesselIds = registry.registry.vessels.slice(0, 3).map((v) => v.vesselId);
const [first, second, third] = vesselIds as [VesselId, VesselId, VesselId];
const HOUR_MS = 3_600_000;
const FROM_MS = Date.parse('2024-03-01T00:00:00+07:00');
/** One position per home port, a little apart, so a boat's port is recognisable in its readings. */
const homePorts = ['Cửa Tùng', 'Trung Giang', 'Gio Hải', 'Gio Việt', 'Cửa Việt', 'Triệu An'].map(
  (name, i) => ({
    name,
    lat: 17 - i * 0.03,
    lon: 107.1 + i * 0.02,
  }),
);
const options: FleetTelemetryOptions = {
  registry,
  vesselIds,
  homePorts,
  fromMs: FROM_MS,
  days: 3,
  stepMs: 10 * 60_000,
};

describe('generateFleetTelemetry', () => {
  it('gives the same data for the same options, other data for another seed', () => {
    const a = generateFleetTelemetry(options);
    expect(generateFleetTelemetry(options)).toEqual(a);
    expect(generateFleetTelemetry({ ...options, seed: 2 }).readings).not.toEqual(a.readings);
  });

  it('keeps registers and sequence numbers running, and lights the registry lamps only at night', () => {
    const { readings, nights } = generateFleetTelemetry(options);
    for (const vesselId of vesselIds) {
      const own = readings.filter((r) => r.vesselId === vesselId);
      const plan = nights.get(vesselId) ?? [];
      expect(own).toHaveLength(3 * 144);
      expect(plan).toHaveLength(3);
      own.forEach((r, i) => {
        expect(r.seq).toBe(i);
        const previous = own[i - 1];
        if (previous !== undefined) {
          expect(r.ledEnergyKwh).toBeGreaterThanOrEqual(previous.ledEnergyKwh ?? 0);
          expect(r.fuelTotalL).toBeGreaterThanOrEqual(previous.fuelTotalL ?? 0);
        }
        const lit = plan.some((n) => r.deviceTimeMs >= n.lampsOnMs && r.deviceTimeMs < n.lampsOffMs);
        const lamps = registry.configAt(vesselId, r.deviceTimeMs)?.version.ledLamps.count;
        expect(r.lampsOn).toBe(lit ? lamps : 0);
      });
      expect(new Set(own.map((r) => r.bootId)).size).toBe(1);
    }
  });

  it('holds back readings taken out of coverage until the boat is nearly home, and their heartbeats', () => {
    const { readings, deviceMessages, nights } = generateFleetTelemetry(options);
    const queued = readings.filter((r) => r.receivedAtMs !== r.deviceTimeMs + 1_500);
    expect(queued.length).toBeGreaterThan(0);
    const drained = new Map<string, number>();
    for (const r of queued) {
      const trip = nights
        .get(r.vesselId)
        ?.find((n) => r.deviceTimeMs >= n.departMs && r.deviceTimeMs < n.arriveMs);
      if (trip === undefined) throw new Error(`queued reading in port: ${r.vesselId} ${r.seq}`);
      // The night's whole queue drains at once, on the way home: after the reading, before the harbour.
      expect(r.receivedAtMs).toBeGreaterThan(Math.max(r.deviceTimeMs, trip.lampsOffMs));
      expect(r.receivedAtMs).toBeLessThan(trip.arriveMs);
      const key = `${r.vesselId}@${String(trip.departMs)}`;
      expect(r.receivedAtMs).toBe(drained.get(key) ?? r.receivedAtMs);
      drained.set(key, r.receivedAtMs);
      expect(deviceMessages.some((m) => m.vesselId === r.vesselId && m.atMs === r.deviceTimeMs)).toBe(false);
    }
    const everywhere = generateFleetTelemetry({ ...options, coverageNm: Number.POSITIVE_INFINITY });
    expect(everywhere.readings.every((r) => r.receivedAtMs === r.deviceTimeMs + 1_500)).toBe(true);
    expect(everywhere.deviceMessages.filter((m) => m.kind === 'heartbeat')).toHaveLength(3 * 3 * 24);
  });

  it('keeps a boat in port, silences a gateway, and bounds the readings', () => {
    const silentFromMs = FROM_MS + 36 * HOUR_MS;
    const readingsFromMs = FROM_MS + 12 * HOUR_MS;
    const untilMs = FROM_MS + 60 * HOUR_MS;
    const { readings, deviceMessages } = generateFleetTelemetry({
      ...options,
      readingsFromMs,
      untilMs,
      inPort: [second],
      silentFromMs: { [third]: silentFromMs },
    });
    const port = homePorts.find((p) => p.name === registry.vessel(second)?.homePort);
    const moored = readings.filter((r) => r.vesselId === second);
    expect(moored.every((r) => r.lat === port?.lat && r.lon === port.lon && r.fuelRateLph === 0)).toBe(true);
    expect(moored.every((r) => r.lampsOn === 0)).toBe(true);
    const silent = [...readings, ...deviceMessages].filter((m) => m.vesselId === third);
    const times = silent.map((m) => ('deviceTimeMs' in m ? m.deviceTimeMs : m.atMs));
    expect(Math.max(...times)).toBeLessThan(silentFromMs);
    const firstTimes = readings.filter((r) => r.vesselId === first).map((r) => r.deviceTimeMs);
    expect(Math.min(...firstTimes)).toBe(readingsFromMs);
    expect(Math.max(...firstTimes)).toBeLessThan(untilMs);
    expect(readings.some((r) => r.vesselId === first && (r.lampsOn ?? 0) > 0)).toBe(true);
  });

  it('refuses a vessel whose home port has no position', () => {
    expect(() => generateFleetTelemetry({ ...options, homePorts: [] })).toThrow(/no position/);
  });
});
